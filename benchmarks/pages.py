"""Load benchmark of the dashboards on PostgreSQL: `python -m benchmarks.pages` (or `make loadbench`).

It loads 50 customers x 20 active SLAs x 5 monthly targets x 24 months of compliance snapshots (120,000 rows) into
its own database (LOADBENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/slm_loadbench), which it
creates and migrates (the data is reused on later runs unless --reload). It collects the static files (DEBUG off
needs their manifest), starts gunicorn (4 sync workers unless --workers says otherwise; "2,3,4" runs each in turn)
with DEBUG off and a Redis cache shared by the workers, logs in by creating Django sessions, and drives each page
with wrk (8 connections, 2 threads, 30 s after a 5 s warm-up). A small Lua script cycles the users' cookies, counts
answers that are not 2xx (any fails the run) and reports the 50th, 95th and 99th percentiles and the request rate.
Prints Markdown.

Pages: the customer dashboard (GET / as one of several customer users, in turn) and the service manager's overview
(GET / and GET /overview/?page=2 as the manager). Goals: p95 <= 250 ms and at least 50 requests/s on each.

Needs wrk (`apt-get install wrk`) and the Redis at --cache-url (LOADBENCH_CACHE_URL, default redis://127.0.0.1:6379/2).
"""

import datetime as dt
import http.client
import os
import random
import re
import shutil
import subprocess
import tempfile
import time
from decimal import Decimal
from importlib import import_module

from benchmarks.common import argument_parser, gunicorn, print_header, server_env, setup_django
from monitoring import slo

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/slm_loadbench"
DEFAULT_CACHE_URL = "redis://127.0.0.1:6379/2"
PREFIX = "lb-"
CUSTOMERS, AGREEMENTS, TARGETS, MONTHS = 50, 20, 5, 24
GOAL_P95_MS, GOAL_RATE = 250, 50

SERVICE_NAMES = [
    "Internet Banking", "Mobile App API", "Service Desk", "Warehouse Management", "Corporate Email",
    "Payments Gateway", "Card Authorisation", "Customer Portal", "Data Warehouse", "Identity and Access",
    "Video Conferencing", "File Transfer", "ERP Finance", "ERP Logistics", "HR Self-Service", "Payroll",
    "Document Management", "Contact Centre", "Point of Sale", "E-commerce Storefront", "Search",
    "Messaging Queue", "Backup and Restore", "Network WAN", "Print Services", "CRM", "Analytics Dashboards",
    "Order Management", "Fleet Tracking", "Public Website",
]  # fmt: skip
# (code, name, budgeting method, objectives to pick from, indicator kind the target measures)
TARGET_KINDS = [
    ("availability", "Availability", "timeslices", ["99.9", "99.95", "99.5"], "availability"),
    ("latency", "Responses under 300 ms", "occurrences", ["99", "95", "99.5"], "latency"),
    ("success-rate", "Successful requests", "occurrences", ["99.9", "99.5"], "requests"),
    ("api-availability", "API availability (slice ratio)", "ratio_timeslices", ["99.5", "99.9"], "availability"),
    ("batch-on-time", "Batch jobs on time", "occurrences", ["98", "99"], "requests"),
]
BURN_WINDOWS = (5, 30, 60, 360, 4320)  # the default burn-rate rules' short and long windows (minutes)
LONG_WINDOWS = (60, 360, 4320)


# --- data ---------------------------------------------------------------------------------------------------------


def _months(now, count):
    """The last ``count`` monthly periods in the portal's zone, oldest first; the last one contains ``now``."""
    from django.conf import settings

    from monitoring import windows

    periods = [windows.calendar_period("month", now, settings.TIME_ZONE)]
    while len(periods) < count:
        periods.append(
            windows.calendar_period("month", periods[-1].start - dt.timedelta(minutes=1), settings.TIME_ZONE)
        )
    return periods[::-1]


def _dec(value, places):
    return Decimal(f"{value:.{places}f}")


def data_present(now):
    from monitoring.models import ComplianceSnapshot

    snapshots = ComplianceSnapshot.objects.filter(target__agreement__code__startswith=PREFIX)
    expected = CUSTOMERS * AGREEMENTS * TARGETS
    return (
        snapshots.count() == expected * MONTHS
        and snapshots.filter(is_current=True, period_label=_months(now, 1)[0].label).count() == expected
    )


def delete_data():
    from django.contrib.auth import get_user_model

    from agreements.models import Agreement, Customer, Service
    from monitoring.models import Breach, ComplianceSnapshot, Indicator, TargetIndicator

    ours = {"target__agreement__code__startswith": PREFIX}
    Breach.objects.filter(**ours).delete()
    ComplianceSnapshot.objects.filter(**ours).delete()
    TargetIndicator.objects.filter(**ours).delete()
    Agreement.objects.filter(code__startswith=PREFIX).delete()
    Indicator.objects.filter(code__startswith=PREFIX).delete()
    Service.objects.filter(code__startswith=PREFIX).delete()
    get_user_model().objects.filter(username__startswith=PREFIX).delete()
    Customer.objects.filter(code__startswith=PREFIX).delete()


def _snapshot_values(rng, kind, objective, period, now, closed):
    """Realistic figures of one target in one month: mostly met, a few per cent breached, some at risk when open."""
    method = kind[2]
    allowed = 1 - slo.from_percent(objective)  # exact, as the engine computes it
    minutes = (period.end - period.start).total_seconds() / 60
    elapsed = minutes if closed else max(60.0, (now - period.start).total_seconds() / 60)
    share = elapsed / minutes  # of the period gone by
    draw = rng.random()
    if closed:
        # share of the whole period's budget spent: 3 % of periods end over budget (breached)
        spent = rng.uniform(1.05, 3.0) if draw < 0.03 else rng.betavariate(1.3, 4.0) * 0.95
    elif draw < 0.005:
        spent = None  # no data yet this month
    elif draw < 0.025:
        spent = rng.uniform(1.0, 1.8)  # budget gone: breached
    elif draw < 0.085:
        spent = rng.uniform(0.76, 0.99)  # under 25 % left: at risk
    else:
        spent = rng.betavariate(1.3, 4.0) * 0.7 * min(1.0, share * 1.5)
    values = {"burn_rates": {}, "fastest_burn": None, "credit_percent": Decimal(0)}
    if method == "occurrences":
        total = int(rng.uniform(0.8e6, 3e6) * share)
        bad = 0 if spent is None else int(spent * float(allowed) * total)
        if spent is None:
            total = 0
        budget_total = allowed * total
        values.update(
            good=total - bad, total=total, good_slices=0, slices_with_data=0, slices_in_scope=0, ratio_units=0,
            budget_unit="events", budget_total=budget_total, budget_consumed=Decimal(bad),
            attainment=None if total == 0 else _dec(1 - bad / total, 12),
            budget_remaining=None if budget_total == 0 else _dec(1 - bad / float(budget_total), 12),
        )  # fmt: skip
    else:
        budget_total = allowed * int(minutes)
        in_scope = int(elapsed)
        with_data = 0 if spent is None else in_scope - rng.randint(0, 30)
        bad = 0 if spent is None else min(with_data, int(spent * float(budget_total)))
        requests = with_data * rng.randint(200, 2000)
        values.update(
            good=requests - bad * 50, total=requests, good_slices=with_data - bad, slices_with_data=with_data,
            slices_in_scope=in_scope,
            ratio_units=(with_data * 10 - bad * 8) * 10**11 if method == "ratio_timeslices" else 0,
            budget_unit="minutes", budget_total=budget_total, budget_consumed=Decimal(bad),
            attainment=None if with_data == 0 else _dec(1 - bad / with_data, 12),
            budget_remaining=_dec(1 - bad / float(budget_total), 12),
        )  # fmt: skip
    attainment, remaining = values["attainment"], values["budget_remaining"]
    if attainment is None:
        status = "no_data"
    elif closed:
        status = "breached" if attainment * 100 < objective else "met"
    elif remaining is not None and remaining <= 0:
        status = "breached"
    elif remaining is not None and remaining < Decimal("0.25"):
        status = "at_risk"
    else:
        status = "met"
    if not closed and spent is not None:
        pace = spent / share  # burn rate over the month so far; short windows wander around it
        burns = {m: max(0.0, pace * rng.uniform(0.2, 2.5 if m < 1440 else 1.3)) for m in BURN_WINDOWS}
        values["burn_rates"] = {str(m): f"{rate:.6f}".rstrip("0").rstrip(".") for m, rate in burns.items()}
        values["fastest_burn"] = _dec(max(burns[m] for m in LONG_WINDOWS), 6)
    if closed and status == "breached":
        values["credit_percent"] = Decimal(10)
    values["status"] = status
    return values


def load_data(now, seed=20261128):
    """Customers, users, services, indicators, agreements, targets and 24 months of snapshots, with bulk_create."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import transaction

    from agreements.choices import AgreementStatus
    from agreements.models import Agreement, Customer, Membership, Service, ServiceLevelTarget
    from core.tenancy import SERVICE_MANAGERS_GROUP
    from monitoring.choices import BreachKind
    from monitoring.models import Breach, ComplianceSnapshot, Indicator, TargetIndicator

    rng = random.Random(seed)
    User = get_user_model()
    unusable = make_password(None)  # nobody logs in with a password: the benchmark makes sessions
    periods = _months(now, MONTHS)
    batch = 5000
    with transaction.atomic():
        services = Service.objects.bulk_create(
            Service(code=f"{PREFIX}svc-{n:02d}", name=name, criticality=1 + n % 4)
            for n, name in enumerate(SERVICE_NAMES)
        )
        indicators = {}
        for service in services:
            for kind, name, fields in (
                ("availability", "Up", {"kind": "ratio", "unit": "up/down"}),
                ("latency", "Response time", {"kind": "threshold", "unit": "ms", "operator": "lte", "threshold": 300}),
                ("requests", "Requests served", {"kind": "ratio", "unit": "requests"}),
            ):
                indicators[(service.pk, kind)] = Indicator(
                    service=service, code=f"{service.code}-{kind}", name=f"{service.name}: {name}", **fields
                )
        Indicator.objects.bulk_create(indicators.values())
        customers = Customer.objects.bulk_create(
            Customer(code=f"{PREFIX}cust-{n:02d}", name=f"Customer {n:02d} Co.", contact_email=f"it@c{n:02d}.example")
            for n in range(CUSTOMERS)
        )
        users = User.objects.bulk_create(
            User(username=f"{PREFIX}customer-{n:02d}", first_name="Customer", last_name=f"{n:02d}", password=unusable)
            for n in range(CUSTOMERS)
        )
        Membership.objects.bulk_create(
            Membership(user=user, customer=customer) for user, customer in zip(users, customers, strict=True)
        )
        manager = User.objects.create(
            username=f"{PREFIX}manager", first_name="Service", last_name="Manager", password=unusable
        )
        manager.groups.add(Group.objects.get(name=SERVICE_MANAGERS_GROUP))

        valid_from = periods[0].start.date()
        agreements = Agreement.objects.bulk_create(
            Agreement(
                code=f"{PREFIX}c{c:02d}-sla-{a:02d}",
                title=f"{customer.name} SLA {a + 1}",
                customer=customer,
                status=AgreementStatus.ACTIVE,
                valid_from=valid_from,
                monthly_fee=Decimal(rng.choice([5, 12, 30])) * 10**6,
            )
            for c, customer in enumerate(customers)
            for a in range(AGREEMENTS)
        )
        through, targets, links, kinds = [], [], [], []
        for agreement in agreements:
            chosen = rng.sample(services, rng.randint(2, 3))
            through += [Agreement.services.through(agreement=agreement, service=s) for s in chosen]
            for t, kind in enumerate(TARGET_KINDS):
                code, name, method, objectives, indicator_kind = kind
                service = chosen[t % len(chosen)]
                targets.append(
                    ServiceLevelTarget(
                        agreement=agreement,
                        code=code,
                        name=f"{name} – {service.name}",
                        objective=Decimal(rng.choice(objectives)),
                        budgeting_method=method,
                        window_kind="calendar",
                        calendar_period="month",
                    )
                )
                kinds.append((kind, indicators[(service.pk, indicator_kind)]))
        Agreement.services.through.objects.bulk_create(through)
        ServiceLevelTarget.objects.bulk_create(targets, batch_size=batch)
        for target, (_kind, indicator) in zip(targets, kinds, strict=True):
            links.append(TargetIndicator(target=target, indicator=indicator))
        TargetIndicator.objects.bulk_create(links, batch_size=batch)

        fees = {agreement.pk: agreement.monthly_fee for agreement in agreements}
        snapshots, breaches = [], []
        for target, (kind, _indicator) in zip(targets, kinds, strict=True):
            for number, period in enumerate(periods):
                closed = number < len(periods) - 1
                values = _snapshot_values(rng, kind, target.objective, period, now, closed)
                computed = period.end + dt.timedelta(minutes=20) if closed else now - dt.timedelta(minutes=2)
                credit = slo.credit_amount(fees[target.agreement_id], values["credit_percent"], 1, minor_unit=0)
                snapshot = ComplianceSnapshot(
                    target=target, period_start=period.start, period_end=period.end, period_label=period.label,
                    is_closed=closed, is_current=not closed, objective=target.objective, method=kind[2],
                    currency="KRW", computed_at=computed, credit_amount=credit, **values,
                )  # fmt: skip
                snapshots.append(snapshot)
                if snapshot.status == "breached":
                    breaches.append(
                        Breach(
                            target=target,
                            period_start=period.start,
                            period_end=period.end,
                            period_label=period.label,
                            kind=BreachKind.PERIOD_MISSED if closed else BreachKind.BUDGET_EXHAUSTED,
                            detected_at=period.end + dt.timedelta(minutes=15) if closed else computed,
                            attainment=snapshot.attainment,
                            objective=snapshot.objective,
                        )
                    )
            if len(snapshots) >= batch:
                ComplianceSnapshot.objects.bulk_create(snapshots, batch_size=batch)
                snapshots = []
        ComplianceSnapshot.objects.bulk_create(snapshots, batch_size=batch)
        Breach.objects.bulk_create(breaches, batch_size=batch)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # the state of a database some time after loading: no dead rows, statistics


def data_summary():
    from django.db.models import Count

    from agreements.models import Agreement, Customer, ServiceLevelTarget
    from monitoring.models import Breach, ComplianceSnapshot

    current = dict(
        ComplianceSnapshot.objects.filter(is_current=True, target__agreement__code__startswith=PREFIX)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {
        "customers": Customer.objects.filter(code__startswith=PREFIX).count(),
        "agreements": Agreement.objects.filter(code__startswith=PREFIX).active().count(),
        "targets": ServiceLevelTarget.objects.filter(agreement__code__startswith=PREFIX).count(),
        "snapshots": ComplianceSnapshot.objects.filter(target__agreement__code__startswith=PREFIX).count(),
        "breaches": Breach.objects.filter(target__agreement__code__startswith=PREFIX).count(),
        "current": current,
    }


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
    """(label, [(path, username)], a marker that proves the answer is the page meant)."""
    return [
        (f"customer dashboard: GET / as {len(customers)} customer users in turn",
         [("/", name) for name in customers], 'data-targets="'),
        ("manager overview: GET / as the service manager", [("/", manager)], 'id="overview-targets"'),
        ("manager overview, page 2: GET /overview/?page=2", [("/overview/?page=2", manager)], 'id="overview-targets"'),
    ]  # fmt: skip


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
    cache.bump_generation()  # start from a cold cache: nothing left over from an earlier run
    env = server_env(url, CACHE_URL=cache_url, SESSION_COOKIE_SECURE="0", CSRF_COOKIE_SECURE="0")
    results = []
    try:
        with gunicorn(env, workers, timeout=60) as port:
            for label, paths, marker in pages(customers, manager):
                pairs = [(path, cookies[user]) for path, user in paths]
                size = max(check_page(port, path, cookie, marker) for path, cookie in pairs)
                if args.warmup:
                    run_wrk(port, pairs, args.warmup, args.connections, args.threads)
                figures = run_wrk(port, pairs, args.duration, args.connections, args.threads)
                figures["bytes"] = size
                results.append((label, figures))
                if figures["errors"]:
                    break
    finally:
        store = import_module(settings.SESSION_ENGINE).SessionStore
        for cookie in cookies.values():
            store().delete(cookie.split("=", 1)[1])
    return results


def _ms(us):
    return f"{us / 1000:.0f} ms"


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
    parser.add_argument("--load-only", action="store_true", help="load the data and stop")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None and not args.load_only:
        raise SystemExit("wrk is not installed: `apt-get install wrk` (Debian/Ubuntu) or see github.com/wg/wrk.")
    os.environ["CACHE_URL"] = args.cache_url
    setup_django(args.database_url)
    from django.core.management import call_command
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
    # DEBUG off serves static URLs from WhiteNoise's manifest, which collectstatic writes (to STATIC_ROOT).
    call_command("collectstatic", interactive=False, verbosity=0)
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
        results = bench_pages(args.database_url, args.cache_url, workers, args)
        print(f"## gunicorn {workers} workers\n")
        print("| page | requests/s | p50 | p95 | p99 | errors | goals (p95 ≤ 250 ms, ≥ 50 req/s) |")
        print("|---|---|---|---|---|---|---|")
        for label, f in results:
            met = f["p95_us"] <= GOAL_P95_MS * 1000 and f["rate"] >= GOAL_RATE and not f["errors"]
            failed |= bool(f["errors"])
            print(
                f"| {label} ({f['bytes'] / 1024:.0f} KiB) | {f['rate']:.1f} | {_ms(f['p50_us'])} | {_ms(f['p95_us'])} "
                f"| {_ms(f['p99_us'])} | {f['errors']} | {'met' if met else 'missed'} |"
            )
        print()
    if failed:
        raise SystemExit("some requests failed (non-2xx answers or socket errors): the run does not count")


if __name__ == "__main__":
    main()
