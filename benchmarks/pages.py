"""Load benchmark of the dashboards on PostgreSQL: `python -m benchmarks.pages` (or `make loadbench`).

It loads 200 customers x 10 active SLAs x 5 monthly targets (10,000) x 24 months of compliance snapshots (240,000
rows; benchmarks/pages_estate.py, the snapshots with COPY) into its own database (LOADBENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/slm_loadbench), which it creates and migrates (the data is reused on later runs
unless --reload). It collects the static files (DEBUG off needs their manifest), starts gunicorn (4 sync workers
unless --workers says otherwise; "2,3,4" runs each in turn) with DEBUG off, a Redis cache shared by the workers and
the portal's URLs plus a bare view (benchmarks/settings.py and urls.py), logs in by creating Django sessions, and
drives each page with wrk (8 connections, 2 threads, 30 s after a 5 s warm-up). A small Lua script cycles the
users' cookies, counts answers that are not 2xx (any fails the run) and reports the 50th, 95th and 99th percentiles
and the request rate; the CPU time of the gunicorn processes and of the database's PostgreSQL backends over each
run, read from /proc, is given per request. Then, for each page, it times the first request after an evaluation:
it raises the generation of evaluation results (as an evaluation finishing does) before each of --cold requests,
and for the overview a second time with the worker's reading ahead (monitoring.readout.overview.warm) run in between.
Prints Markdown.

Pages: a bare Django view (GET /bench/bare, through the portal's middleware: the stack's ceiling, without and with
a customer's session), the customer dashboard (GET / as one of several customer users, in turn) and the service
manager's overview (GET / and GET /overview/?page=2 as the manager). Goals (issue 17): p95 <= 100 ms and at least
150 requests/s on each page, the first request after an evaluation within 300 ms.

Needs wrk (`apt-get install wrk`) and the Redis at --cache-url (LOADBENCH_CACHE_URL, default redis://127.0.0.1:6379/2).
"""

import http.client
import os
import random
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from importlib import import_module

from benchmarks.common import argument_parser, collect_static, gunicorn, print_header, server_env, setup_django
from benchmarks.pages_estate import MONTHS, PREFIX, data_present, data_summary, delete_data, load_data

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/slm_loadbench"
DEFAULT_CACHE_URL = "redis://127.0.0.1:6379/2"
GOAL_P95_MS, GOAL_RATE, GOAL_COLD_MS = 100, 150, 300
BARE = "/bench/bare"
# --- sessions and the server ---------------------------------------------------------------------------------------


def session_cookies(usernames):
    """{username: "sessionid=..."}: a logged-in session per user, created directly (no password round trip)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model

    from slm_portal.identity.two_factor import VERIFIED_SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore
    cookies = {}
    for user in get_user_model().objects.filter(username__in=usernames):
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"  # as a password sign-in stores it
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[VERIFIED_SESSION_KEY] = user.pk  # the manager has passed two-factor sign-in: pages, not the code page
        session.create()
        cookies[user.username] = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
    return cookies


def check_page(port, path, cookie, marker):
    """One GET before the load: it must answer 200 with the page we mean to measure (not a login form)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path, headers={"Cookie": cookie})
    response = conn.getresponse()
    body = response.read().decode("utf-8", "replace")
    conn.close()
    if response.status != 200 or marker not in body:
        raise SystemExit(f"GET {path} answered {response.status} without {marker!r}: not the page to measure")
    return len(body)


# --- wrk -----------------------------------------------------------------------------------------------------------

LUA = """
-- Written by benchmarks/pages.py: cycles (path, cookie) pairs, counts non-2xx answers, reports percentiles.
local pairs_ = {%(pairs)s}
local index = 0
non2xx = 0
local threads = {}

function setup(thread)
  -- each thread starts at a different pair, so that the users are spread over the connections
  thread:set("offset", #threads)
  table.insert(threads, thread)
end

function init(args)
  index = (offset or 0) %% #pairs_
end

function request()
  index = index %% #pairs_ + 1
  return wrk.format("GET", pairs_[index][1], {["Cookie"] = pairs_[index][2]})
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non2xx")
  end
  local e = summary.errors
  io.write(string.format(
    "LOADBENCH requests=%%d duration_us=%%d p50_us=%%d p95_us=%%d p99_us=%%d max_us=%%d mean_us=%%.0f " ..
    "non2xx=%%d connect=%%d read=%%d write=%%d timeout=%%d status=%%d\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, latency.mean, bad, e.connect, e.read, e.write, e.timeout, e.status))
end
"""


def _lua_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def run_wrk(port, pairs, seconds, connections, threads):
    script = LUA % {"pairs": ", ".join(f"{{{_lua_string(p)}, {_lua_string(c)}}}" for p, c in pairs)}
    with tempfile.NamedTemporaryFile("w", suffix=".lua", prefix="loadbench-", delete=False) as handle:
        handle.write(script)
    try:
        completed = subprocess.run(
            [shutil.which("wrk") or "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
             "-s", handle.name, f"http://127.0.0.1:{port}/"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
    finally:
        os.unlink(handle.name)
    found = re.search(r"^LOADBENCH (.*)$", completed.stdout, re.MULTILINE)
    if completed.returncode != 0 or not found:
        raise SystemExit(f"wrk failed ({completed.returncode}):\n{completed.stdout}\n{completed.stderr}")
    figures = {key: float(value) for key, value in (item.split("=") for item in found.group(1).split())}
    figures["rate"] = figures["requests"] / (figures["duration_us"] / 1e6)
    figures["errors"] = int(figures["non2xx"] + figures["connect"] + figures["read"] + figures["write"]
                            + figures["timeout"])  # fmt: skip
    return figures


def pages(customers, manager):
    """(label, [(path, username or None)], a marker that proves the answer is the page meant, whether the page has
    the goals: the bare view has none, it is the ceiling they are read against)."""
    return [
        ("bare Django view: GET /bench/bare, no session (the ceiling)", [(BARE, None)], "bare", False),
        (f"bare Django view, signed in: GET /bench/bare as {len(customers)} customer users in turn",
         [(BARE, name) for name in customers], "bare", False),
        (f"customer dashboard: GET / as {len(customers)} customer users in turn",
         [("/", name) for name in customers], 'data-targets="', True),
        ("manager overview: GET / as the service manager", [("/", manager)], 'id="overview-targets"', True),
        ("manager overview, page 2: GET /overview/?page=2", [("/overview/?page=2", manager)],
         'id="overview-targets"', True),
    ]  # fmt: skip


# --- CPU per request, from /proc -------------------------------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def _cpu(pid):
    """User + system CPU seconds of a process so far (0 once it is gone)."""
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()  # noqa: SIM115, PTH123
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def server_pids(port):
    """The gunicorn processes serving ``port`` (the master and its workers share its command line)."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                command = open(f"/proc/{entry}/cmdline", "rb").read()  # noqa: SIM115, PTH123
            except OSError:
                continue
            if b"gunicorn" in command and f"127.0.0.1:{port}".encode() in command:
                pids.append(int(entry))
    return pids


def database_pids():
    """The PostgreSQL backends connected to the benchmark's database (the workers' connections among them)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        return [row[0] for row in cursor.fetchall()]


class CpuMeter:
    """CPU seconds spent by the gunicorn processes and by the database's backends between ``start`` and ``stop``
    (the backends are those found at either moment: the workers keep their connections open)."""

    def __init__(self, port):
        self.port = port

    def start(self):
        self.web = {pid: _cpu(pid) for pid in server_pids(self.port)}
        self.db = {pid: _cpu(pid) for pid in database_pids()}

    def stop(self):
        web = sum(_cpu(pid) - self.web.get(pid, 0.0) for pid in server_pids(self.port))
        db = sum(_cpu(pid) - self.db.get(pid, 0.0) for pid in {*self.db, *database_pids()})
        return web, db


# --- the first request after an evaluation -----------------------------------------------------------------------


def first_requests(port, pairs, marker, rounds, read_ahead=False):
    """Milliseconds of one request to each (path, cookie) in turn, each right after the generation of evaluation
    results is raised as an evaluation finishing raises it: every cached figure and rendering is then out of date.
    With ``read_ahead``, the task an evaluation queues for a worker, which reads the manager's overview figures into
    the cache (monitoring.readout.overview.warm), runs here first, as a worker would between the evaluation and the
    manager's request."""
    from monitoring.readout import cache, overview

    times = []
    for number in range(rounds):
        path, cookie = pairs[number % len(pairs)]
        cache.bump_generation()
        if read_ahead:
            overview.warm(cache.generation())
        started = time.perf_counter()
        check_page(port, path, cookie, marker)
        times.append((time.perf_counter() - started) * 1000)
    return times


def bench_pages(url, cache_url, workers, args):
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from monitoring.readout import cache

    manager = f"{PREFIX}manager"
    names = (
        get_user_model().objects.filter(username__startswith=f"{PREFIX}customer-").values_list("username", flat=True)
    )
    customers = random.Random(7).sample(sorted(names), min(args.rotate, len(names)))
    cookies = session_cookies([*customers, manager])
    cookies[None] = ""
    cache.bump_generation()  # start from a cold cache: nothing left over from an earlier run
    # The portal's settings with a URLconf that adds the bare view (benchmarks/urls.py).
    env = server_env(url, CACHE_URL=cache_url, SESSION_COOKIE_SECURE="0", CSRF_COOKIE_SECURE="0",
                     DJANGO_SETTINGS_MODULE="benchmarks.settings")  # fmt: skip
    results, cold = [], []
    try:
        with gunicorn(env, workers, timeout=60) as port:
            meter = CpuMeter(port)
            measured = []
            for label, paths, marker, goals in pages(customers, manager):
                pairs = [(path, cookies[user]) for path, user in paths]
                size = max(check_page(port, path, cookie, marker) for path, cookie in pairs)
                if args.warmup:
                    run_wrk(port, pairs, args.warmup, args.connections, args.threads)
                meter.start()
                figures = run_wrk(port, pairs, args.duration, args.connections, args.threads)
                web, db = meter.stop()
                figures.update(
                    bytes=size, web_ms=web * 1000 / figures["requests"], db_ms=db * 1000 / figures["requests"]
                )
                results.append((label, goals, figures))
                measured.append((label, pairs, marker, goals))
                if figures["errors"]:
                    break
            for label, pairs, marker, goals in measured:
                if goals and args.cold:
                    cold.append((label, first_requests(port, pairs, marker, args.cold)))
                    if "overview" in label:
                        ahead = first_requests(port, pairs, marker, args.cold, read_ahead=True)
                        cold.append((f"{label}, once a worker has read it ahead", ahead))
    finally:
        store = import_module(settings.SESSION_ENGINE).SessionStore
        for cookie in cookies.values():
            if cookie:
                store().delete(cookie.split("=", 1)[1])
    return results, cold


def _ms(us):
    return f"{us / 1000:.0f} ms"


def print_results(workers, results, cold, rounds):
    """The run's tables, in Markdown; True if some request failed."""
    failed = False
    print(f"## gunicorn {workers} workers\n")
    print(f"| page | requests/s | p50 | p95 | p99 | errors | CPU per request (gunicorn + PostgreSQL) "
          f"| goals (p95 ≤ {GOAL_P95_MS} ms, ≥ {GOAL_RATE} req/s) |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for label, goals, f in results:
        met = f["p95_us"] <= GOAL_P95_MS * 1000 and f["rate"] >= GOAL_RATE and not f["errors"]
        failed |= bool(f["errors"])
        verdict = ("met" if met else "missed") if goals else "—"
        print(
            f"| {label} ({f['bytes'] / 1024:.0f} KiB) | {f['rate']:.1f} | {_ms(f['p50_us'])} | {_ms(f['p95_us'])} "
            f"| {_ms(f['p99_us'])} | {f['errors']} | {f['web_ms']:.1f} + {f['db_ms']:.1f} ms | {verdict} |"
        )
    if cold:
        print(
            f"\nThe first request after an evaluation (the generation raised before each; {rounds} requests a page):\n"
        )
        print(f"| page | median | slowest | goal (≤ {GOAL_COLD_MS} ms) |")
        print("|---|---|---|---|")
        for label, times in cold:
            verdict = "met" if max(times) <= GOAL_COLD_MS else "missed"
            print(f"| {label} | {statistics.median(times):.0f} ms | {max(times):.0f} ms | {verdict} |")
    print()
    return failed


def main(argv=None):
    parser = argument_parser("benchmarks.pages", __doc__, "LOADBENCH_DATABASE_URL", DEFAULT_URL)
    parser.add_argument("--cache-url", default=os.environ.get("LOADBENCH_CACHE_URL", DEFAULT_CACHE_URL))
    parser.add_argument("--workers", default="4", help="gunicorn workers; a comma-separated list runs each in turn")
    parser.add_argument("--connections", type=int, default=8, help="concurrent users (wrk connections)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--duration", type=int, default=30, help="seconds of load per page")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of unmeasured load before each page")
    parser.add_argument("--rotate", type=int, default=10, help="customer users whose dashboards are cycled")
    parser.add_argument("--reload", action="store_true", help="delete and reload the data even if present")
    parser.add_argument("--cold", type=int, default=5, help="first requests after an evaluation timed per page")
    parser.add_argument("--load-only", action="store_true", help="load the data and stop")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None and not args.load_only:
        raise SystemExit("wrk is not installed: `apt-get install wrk` (Debian/Ubuntu) or see github.com/wg/wrk.")
    os.environ["CACHE_URL"] = args.cache_url
    setup_django(args.database_url)
    from django.utils import timezone

    now = timezone.now().replace(second=0, microsecond=0)
    loaded = None
    if args.reload or not data_present(now):
        started = time.perf_counter()
        delete_data()
        load_data(now)
        loaded = time.perf_counter() - started
    if args.load_only:
        print(f"Loaded in {loaded:.0f} s" if loaded is not None else "Data already present")
        return
    collect_static(server_env(args.database_url))
    summary = data_summary()
    worker_counts = [int(n) for n in str(args.workers).split(",")]
    print_header("SLM Portal dashboards under load")
    current = ", ".join(f"{summary['current'].get(status, 0):,} {status}" for status in
                        ("met", "at_risk", "breached", "no_data"))  # fmt: skip
    print(
        f"Data: {summary['customers']} customers, {summary['agreements']:,} active agreements, "
        f"{summary['targets']:,} monthly targets, {summary['snapshots']:,} compliance snapshots "
        f"({MONTHS} months), {summary['breaches']:,} breaches; current month: {current}"
        + (f" (loaded in {loaded:.0f} s)" if loaded is not None else "")
    )
    print(
        f"Load: wrk, {args.connections} connections, {args.threads} threads, {args.duration} s per page after a "
        f"{args.warmup} s warm-up; gunicorn sync workers, DEBUG off, Redis cache ({args.cache_url})\n"
    )
    failed = False
    for workers in worker_counts:
        results, cold = bench_pages(args.database_url, args.cache_url, workers, args)
        failed |= print_results(workers, results, cold, args.cold)
    if failed:
        raise SystemExit("some requests failed (non-2xx answers or socket errors): the run does not count")


if __name__ == "__main__":
    main()
