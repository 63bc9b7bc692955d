"""CPU of one ingestion request, in process: `python -m benchmarks.ingest_profile [--batches N] [--profile]`.

Posts 10,000-sample batches to POST /api/v1/measurements through Django's test client (the whole middleware and
DRF stack, no HTTP server) and reports, per batch, the CPU this process used (the web worker's share: min, median
and mean, so that an occasional garbage collection shows) and the CPU of the PostgreSQL backend serving it (from
/proc); in time order (a live feed) and newest first (a backfill). With --profile, a cProfile of a few more batches,
timed by CPU, sorted by own time. Uses the engine benchmark's database (BENCH_DATABASE_URL).
"""

import datetime as dt
import json
import os
import secrets
import statistics
import time

from benchmarks.common import argument_parser, cpu_seconds, setup_django
from benchmarks.engine import DEFAULT_URL, INGEST_START, ensure_ingest_partitions


def batches(code, count, size=10_000):
    bodies = []
    for batch in range(count):
        first = INGEST_START + dt.timedelta(minutes=batch * size)
        samples = [
            {"t": (first + dt.timedelta(minutes=i)).isoformat(), "value": 0 if i % 997 == 0 else 1} for i in range(size)
        ]
        bodies.append(json.dumps({"indicator": code, "samples": samples}).encode())
    return bodies


def new_indicator():
    from agreements.models import Service
    from monitoring.models import DataSource, Indicator

    service, _ = Service.objects.get_or_create(code="bench", defaults={"name": "Bench"})
    run = secrets.token_hex(3)
    indicator = Indicator.objects.create(
        service=service, code=f"bench-prof-{run}", name="profile", kind="threshold", operator="gte", threshold=1
    )
    source = DataSource(code=f"bench-prof-{run}", name="profile")
    token = source.issue_token()
    source.save()
    source.indicators.set([indicator])
    return indicator, {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def post(client, body, headers):
    response = client.post("/api/v1/measurements", body, content_type="application/json", **headers)
    if response.status_code != 201:
        raise SystemExit(f"{response.status_code}: {response.content[:200]}")


def measure(client, count, newest_first):
    from django.db import connection

    indicator, headers = new_indicator()
    bodies = batches(indicator.code, count)
    if newest_first:
        bodies.reverse()
    post(client, bodies[0], headers)  # the connection and the caches warm
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    backend_before, worker = cpu_seconds(backend), []
    for body in bodies[1:]:
        started = time.process_time()
        post(client, body, headers)
        worker.append((time.process_time() - started) * 1000)
    backend_ms = (cpu_seconds(backend) - backend_before) * 1000 / len(worker)
    return (
        f"- {'newest first' if newest_first else 'in time order'}, {len(worker)} batches: web worker "
        f"min {min(worker):.1f}, median {statistics.median(worker):.1f}, mean {statistics.mean(worker):.1f} ms; "
        f"PostgreSQL backend {backend_ms:.1f} ms a batch of 10,000 samples"
    )


def main(argv=None):
    parser = argument_parser("benchmarks.ingest_profile", __doc__, "BENCH_DATABASE_URL", DEFAULT_URL)
    parser.add_argument("--batches", type=int, default=12)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    os.environ.update(
        {"ALLOWED_HOSTS": "testserver", "DEBUG": "0", "SECURE_SSL_REDIRECT": "0", "SLM_API_MACHINE_RATE": "off"}
    )
    setup_django(args.database_url)
    ensure_ingest_partitions()
    from django.test import Client

    client = Client()
    print("## CPU of one ingestion request, in process")
    for newest_first in (False, True):
        print(measure(client, args.batches, newest_first))
    if args.profile:
        import cProfile
        import pstats

        indicator, headers = new_indicator()
        bodies = batches(indicator.code, 6)
        post(client, bodies[0], headers)
        profile = cProfile.Profile(time.process_time)
        profile.enable()
        for body in bodies[1:]:
            post(client, body, headers)
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
