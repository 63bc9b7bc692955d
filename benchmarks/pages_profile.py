"""CPU of one dashboard request, in process: `python -m benchmarks.pages_profile [--requests N] [--profile PAGE]`.

Requests the pages of the pages benchmark (benchmarks/pages.py: the customer dashboard as 10 customer users in turn, the
manager's overview and its page 2) through Django's test client (the whole middleware stack, no HTTP server), on the
pages benchmark's database (LOADBENCH_DATABASE_URL, loaded by `python -m benchmarks.pages`) and a Redis cache
(LOADBENCH_CACHE_URL). For each page it reports the CPU this process used per warm request (min, median and mean: the
least is the steadiest on a shared machine) and the CPU of the PostgreSQL backend serving it (from /proc), then the
first request after an evaluation: CPU and wall time of one request right after the generation of evaluation results is
raised (as an evaluation finishing raises it), and, for the overview, after the worker's task that reads its figures
ahead has run too (here, in this process: ``monitoring.readout.overview.warm``). With --profile
dashboard|overview|page2, a cProfile of warm requests, timed by CPU, by own time and by cumulative time.
"""

import os
import random
import statistics
import time

from benchmarks.common import argument_parser, cpu_seconds, setup_django
from benchmarks.pages import DEFAULT_CACHE_URL, DEFAULT_URL, session_cookies
from benchmarks.pages_estate import PREFIX


def clients(usernames):
    from django.test import Client

    result = []
    for cookie in session_cookies(usernames).values():
        client = Client()
        name, value = cookie.split("=", 1)
        client.cookies[name] = value
        result.append(client)
    return result


def get(client, path):
    response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"GET {path} answered {response.status_code}")
    return response


def pages():
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(username__startswith=f"{PREFIX}customer-")
    names = users.values_list("username", flat=True)
    customers = clients(random.Random(7).sample(sorted(names), min(10, len(names))))
    (manager,) = clients([f"{PREFIX}manager"])
    return {
        "dashboard": [(client, "/") for client in customers],
        "overview": [(manager, "/")],
        "page2": [(manager, "/overview/?page=2")],
    }


def backend_pid():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def warm(requests, count):
    for client, path in requests:
        get(client, path)
    backend = backend_pid()
    before, times = cpu_seconds(backend), []
    for number in range(count):
        client, path = requests[number % len(requests)]
        started = time.process_time()
        get(client, path)
        times.append((time.process_time() - started) * 1000)
    return times, (cpu_seconds(backend) - before) * 1000 / count


def finish_evaluation(warmed):
    """What an evaluation finishing does to the dashboards' cache: the generation raised, and (``warmed``) the
    worker's task that reads the overview's figures ahead run to its end (it runs here, in this process)."""
    from monitoring.readout import cache, overview

    cache.bump_generation()
    if warmed:
        overview.warm(cache.generation())


def cold(requests, rounds, warmed=False):
    backend = backend_pid()
    cpu, wall, db = [], [], []
    for number in range(rounds):
        client, path = requests[number % len(requests)]
        finish_evaluation(warmed)
        before = cpu_seconds(backend)
        started, started_cpu = time.perf_counter(), time.process_time()
        get(client, path)
        cpu.append((time.process_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
        db.append((cpu_seconds(backend) - before) * 1000)
    return cpu, wall, db


def main(argv=None):
    parser = argument_parser("benchmarks.pages_profile", __doc__, "LOADBENCH_DATABASE_URL", DEFAULT_URL)
    parser.add_argument("--cache-url", default=os.environ.get("LOADBENCH_CACHE_URL", DEFAULT_CACHE_URL))
    parser.add_argument("--requests", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=2, help="rounds of every page, interleaved")
    parser.add_argument("--cold", type=int, default=5)
    parser.add_argument("--profile", choices=["dashboard", "overview", "page2"])
    args = parser.parse_args(argv)
    os.environ.update(
        {
            "ALLOWED_HOSTS": "testserver",
            "DEBUG": "0",
            "SECURE_SSL_REDIRECT": "0",
            "CACHE_URL": args.cache_url,
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
        }
    )
    setup_django(args.database_url)
    from django.conf import settings

    # The test client needs no collected static files: DEBUG off otherwise, as gunicorn serves the pages.
    settings.STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
    requests = pages()
    if args.profile:
        import cProfile
        import pstats

        warm(requests[args.profile], 20)
        profile = cProfile.Profile(time.process_time)
        profile.enable()
        warm(requests[args.profile], args.requests)
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(40)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(60)
        return
    print(f"## CPU per request in process ({args.requests} warm requests a page, {args.rounds} rounds)")
    for round_ in range(args.rounds):
        for name, page in requests.items():
            times, db = warm(page, args.requests)
            print(
                f"- round {round_ + 1}, {name}: web {min(times):.1f} min, {statistics.median(times):.1f} median, "
                f"{statistics.mean(times):.1f} mean ms; PostgreSQL {db:.1f} ms"
            )
    if args.cold:
        print(f"\n## The first request after an evaluation ({args.cold} a page)")
        for (name, page), warmed in [(item, False) for item in requests.items()] + [
            ((name, requests[name]), True) for name in ("overview", "page2")
        ]:
            cpu, wall, db = cold(page, args.cold, warmed)
            name = f"{name}, read ahead by the worker" if warmed else name
            print(
                f"- {name}: wall {statistics.median(wall):.0f} median, {max(wall):.0f} slowest ms; "
                f"web CPU {statistics.median(cpu):.0f}, PostgreSQL {statistics.median(db):.0f} ms (medians)"
            )


if __name__ == "__main__":
    main()
