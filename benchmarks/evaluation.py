"""Evaluation of a provider's estate by Celery workers: `python -m benchmarks.evaluation` (or `make evalbench`).

It loads, once, 200 customers with 1,000 active agreements and 10,000 targets of mixed methods and windows, a
quarter of them on service hours, each measuring an indicator of its own with 30 days of one-sample-a-minute data,
then times what the beat's `evaluate_all` does: `fan_out_evaluation` queues the targets in chunks on Redis, and
Celery workers on this machine evaluate them. The time runs from the fan-out to the last chunk committed (every
target's current snapshot stamped with the evaluation instant). Each run is measured with one worker process and
with two: the first evaluation of a fresh estate (every period of every target computed and written), then the
median of ``--repeat`` evaluations one minute apart (what the beat does all day).

Evaluation reads only the hour rollups (DESIGN.md; the monitoring benchmark shows its time does not follow the raw
rows), so the load writes the rollups that 30 days of one sample a minute leave, with SQL, instead of 432 million
raw rows: the same figures `rebuild_rollups` computes, three bad minutes a day per indicator.

It uses its own database (EVALBENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/slm_evalbench) and the
Redis database EVALBENCH_BROKER_URL (default redis://127.0.0.1:6379/5) as the Celery broker.
"""

import contextlib
import datetime as dt
import os
import statistics
import subprocess
import sys
import time

from benchmarks.common import ROOT, argument_parser, print_header, server_env, setup_django

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/slm_evalbench"
DEFAULT_BROKER = "redis://127.0.0.1:6379/5"
START = dt.datetime(2026, 9, 30, 15, 0, tzinfo=dt.UTC)  # 2026-10-01 00:00 KST
DAYS = 30
PREFIX = "bench-sc-"
CUSTOMERS, AGREEMENTS_PER_CUSTOMER, TARGETS_PER_AGREEMENT = 200, 5, 10
SERVICES = 20

# What the n-th target of the estate is: a fixed mix, so every run measures the same estate.
METHODS = ["timeslices", "timeslices", "occurrences", "occurrences", "ratio_timeslices"]  # n % 5
WINDOWS = [("calendar", "month", None)] * 6 + [  # n // 5 % 10: every method meets every window
    ("calendar", "quarter", None),
    ("calendar", "week", None),
    ("rolling", "", 28),
    ("rolling", "", 7),
]
OBJECTIVES = ["99.9", "99.5", "99", "95"]  # n % 4, read with n // 4 so service hours do not pick one objective
MISSING = ["ignore", "ignore", "good", "bad"]  # n // 3 % 4


def target_shape(n):
    """The fields of the n-th target: method, window, objective, missing data, slices and service hours."""
    method = METHODS[n % 5]
    kind, period, rolling_days = WINDOWS[n // 5 % 10]
    shape = {
        "budgeting_method": method,
        "window_kind": kind,
        "calendar_period": period,
        "rolling_days": rolling_days,
        "objective": OBJECTIVES[n // 4 % 4],
        "missing_data": MISSING[n // 3 % 4],
        "service_hours": n % 4 == 3,  # a quarter of the estate counts office hours only
        "slice_minutes": 1,
        "slice_target": 100,
    }
    if method == "timeslices" and n % 20 == 1:  # one in twenty: five-minute slices, good at 99 % of events
        shape["slice_minutes"], shape["slice_target"] = 5, 99
    return shape


# --- the estate ---------------------------------------------------------------------------------------------------

_LOAD_ROLLUPS = """
INSERT INTO monitoring_hourrollup (indicator_id, hour, good, total, samples, minutes_with_data, minutes_all_good,
                                   ratio_units, minute_good, minute_total, minute_samples)
SELECT i.id, %(start)s::timestamptz + make_interval(hours => h), 60 - b.n, 60, 60, 60, 60 - b.n,
       (60 - b.n) * 1000000000000::bigint,
       CASE WHEN b.n = 0 THEN %(ones)s ELSE '[' || (
           SELECT string_agg(CASE WHEN k = ANY(b.ks) THEN '0' ELSE '1' END, ',' ORDER BY k)
           FROM generate_series(0, 59) k
       ) || ']' END,
       %(ones)s, %(ones)s
FROM monitoring_indicator i
CROSS JOIN generate_series(0, %(hours)s - 1) AS h
CROSS JOIN LATERAL (
    SELECT count(*)::int AS n, array_agg(k) AS ks
    FROM (SELECT (1440 - ((h * 60 + i.id * 7) %% 1440) + j) %% 1440 AS k FROM generate_series(0, 2) j) AS bad
    WHERE k < 60
) AS b
WHERE i.code LIKE 'bench-sc-%%'
"""


def load_estate():
    """Customers, agreements, targets and indicators by bulk_create; the rollups by SQL."""
    from django.db import connection, transaction

    from agreements.choices import AgreementStatus
    from agreements.models import Agreement, BusinessCalendar, Customer, Service, ServiceLevelTarget, WorkingPeriod
    from monitoring.models import HourRollup, Indicator, TargetIndicator

    with transaction.atomic():
        ServiceLevelTarget.objects.filter(agreement__code__startswith=PREFIX).delete()
        Agreement.services.through.objects.filter(agreement__code__startswith=PREFIX).delete()
        Agreement.objects.filter(code__startswith=PREFIX).delete()
        HourRollup.objects.filter(indicator__in=Indicator.objects.filter(code__startswith=PREFIX)).delete()
        Indicator.objects.filter(code__startswith=PREFIX).delete()
        calendar, created = BusinessCalendar.objects.get_or_create(
            code=f"{PREFIX}office", defaults={"name": "Office hours", "time_zone": "Asia/Seoul"}
        )
        if created:
            WorkingPeriod.objects.bulk_create(
                WorkingPeriod(calendar=calendar, weekday=day, start=dt.time(9), end=dt.time(18)) for day in range(5)
            )
        customers = [
            Customer.objects.get_or_create(code=f"{PREFIX}{c}", defaults={"name": f"Customer {c}"})[0]
            for c in range(CUSTOMERS)
        ]
        services = [
            Service.objects.get_or_create(code=f"{PREFIX}{s}", defaults={"name": f"Service {s}"})[0]
            for s in range(SERVICES)
        ]
        agreements = Agreement.objects.bulk_create(
            Agreement(
                code=f"{PREFIX}{c}-{a}",
                title=f"Agreement {a} of customer {c}",
                customer=customer,
                valid_from=dt.date(2026, 10, 1),
                status=AgreementStatus.ACTIVE,
            )
            for c, customer in enumerate(customers)
            for a in range(AGREEMENTS_PER_CUSTOMER)
        )
        Agreement.services.through.objects.bulk_create(
            Agreement.services.through(agreement=agreement, service=services[number % SERVICES])
            for number, agreement in enumerate(agreements)
        )
        targets, indicators = [], []
        for number, agreement in enumerate(agreements):
            for t in range(TARGETS_PER_AGREEMENT):
                n = number * TARGETS_PER_AGREEMENT + t
                shape = target_shape(n)
                hours = shape.pop("service_hours")
                targets.append(
                    ServiceLevelTarget(agreement=agreement, code=f"t{t}", name=f"Target {t}", **shape,
                                       service_hours=calendar if hours else None)
                )  # fmt: skip
                indicators.append(
                    Indicator(service=services[number % SERVICES], code=f"{PREFIX}{n}", name=f"Indicator {n}",
                              kind="threshold", operator="gte", threshold=1)
                )  # fmt: skip
        ServiceLevelTarget.objects.bulk_create(targets, batch_size=2000)
        Indicator.objects.bulk_create(indicators, batch_size=2000)
        TargetIndicator.objects.bulk_create(
            (
                TargetIndicator(target=target, indicator=indicator)
                for target, indicator in zip(targets, indicators, strict=True)
            ),
            batch_size=2000,
        )
    ones = "[" + ",".join(["1"] * 60) + "]"
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute(_LOAD_ROLLUPS, {"start": START, "hours": DAYS * 24, "ones": ones})
        cursor.execute("VACUUM ANALYZE monitoring_hourrollup")


def estate_present():
    from monitoring.evaluation import evaluable_targets
    from monitoring.models import HourRollup

    targets = evaluable_targets().filter(agreement__code__startswith=PREFIX).count()
    wanted = CUSTOMERS * AGREEMENTS_PER_CUSTOMER * TARGETS_PER_AGREEMENT
    return targets == wanted and HourRollup.objects.filter(indicator__code=f"{PREFIX}0").count() == DAYS * 24


# --- Celery workers and the clock ---------------------------------------------------------------------------------


@contextlib.contextmanager
def workers(url, broker, processes):
    """A Celery worker with ``processes`` prefork processes on ``broker``, stopped on leaving."""
    env = server_env(url, CELERY_BROKER_URL=broker)
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "slm_portal", "--quiet", "worker", "--concurrency", str(processes),
         "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "WARNING", "-n",
         f"evalbench-{processes}@%h"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def evaluate_once(at, expected, worker, chunk, queue, limit=900):
    """Seconds from the fan-out at ``at`` until every target's current snapshot was computed at ``at``.

    The clock is read without taking PostgreSQL's time from the workers: the broker's queue (a Redis list) is watched
    until every chunk is taken, and only then the snapshots are counted, for the last chunks to commit."""
    from monitoring.models import ComplianceSnapshot
    from monitoring.tasks import fan_out_evaluation

    started = time.perf_counter()
    fan_out_evaluation(at, chunk_size=chunk)

    def check():
        if worker.poll() is not None:
            raise SystemExit(f"the Celery worker exited with status {worker.returncode}")
        if time.perf_counter() - started > limit:
            raise SystemExit(f"evaluation did not finish within {limit} s")

    while queue.llen("celery"):
        check()
        time.sleep(0.02)
    done = ComplianceSnapshot.objects.filter(is_current=True, computed_at=at)  # the estate is alone in its database
    while done.count() < expected:
        check()
        time.sleep(0.02)
    return time.perf_counter() - started


def floor_seconds():
    """The limit beside the evaluation: one statement summing the month's hour figures of every indicator, what an
    evaluation must read at the least (median of three, warm)."""
    from django.db import connection

    sql = (
        "SELECT indicator_id, sum(good), sum(total), sum(minutes_with_data), sum(minutes_all_good), sum(ratio_units) "
        "FROM monitoring_hourrollup WHERE hour >= %s AND hour < %s GROUP BY indicator_id"
    )
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, [START, START + dt.timedelta(days=DAYS)])
            rows = cursor.fetchall()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs), len(rows)


def settle():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE monitoring_compliancesnapshot")
        cursor.execute("VACUUM ANALYZE monitoring_breach")


def measure(url, broker, processes, repeat, first_at, chunk):
    import redis

    """(first evaluation, median of ``repeat`` later ones, each run) with ``processes`` worker processes."""
    from monitoring.evaluation import evaluable_targets
    from monitoring.models import Alert, Breach, ComplianceSnapshot

    expected = evaluable_targets().filter(agreement__code__startswith=PREFIX).count()
    mine = {"target__agreement__code__startswith": PREFIX}
    ComplianceSnapshot.objects.filter(**mine).delete()
    Breach.objects.filter(**mine).delete()
    Alert.objects.filter(**mine).delete()
    settle()
    queue = redis.Redis.from_url(broker)
    with workers(url, broker, processes) as worker:
        time.sleep(3)  # the worker's processes start and connect to the broker
        first = evaluate_once(first_at, expected, worker, chunk, queue)
        settle()
        runs = [
            evaluate_once(first_at + dt.timedelta(minutes=minute), expected, worker, chunk, queue)
            for minute in range(1, repeat + 1)
        ]
    return first, statistics.median(runs), runs


def main(argv=None):
    parser = argument_parser("benchmarks.evaluation", __doc__, "EVALBENCH_DATABASE_URL", DEFAULT_URL)
    parser.add_argument("--broker-url", default=os.environ.get("EVALBENCH_BROKER_URL", DEFAULT_BROKER))
    parser.add_argument("--processes", default="1,2", help="worker process counts to compare (default 1,2)")
    parser.add_argument("--repeat", type=int, default=3, help="evaluations after the first (the median counts)")
    parser.add_argument("--chunk", type=int, default=None, help="targets per task (default SLM_EVALUATION_CHUNK)")
    parser.add_argument("--reload", action="store_true", help="reload the estate even if present")
    parser.add_argument("--limit-only", action="store_true", help="measure only the limit (one summing statement)")
    args = parser.parse_args(argv)
    os.environ["CELERY_BROKER_URL"] = args.broker_url  # the fan-out queues where the workers listen
    setup_django(args.database_url)
    import redis

    redis.Redis.from_url(args.broker_url).flushdb()  # no chunk left queued by an interrupted run
    print_header("SLM Portal evaluation benchmark")
    if args.reload or not estate_present():
        started = time.perf_counter()
        load_estate()
        print(f"- estate loaded (bulk_create, rollups by SQL) in {time.perf_counter() - started:.0f} s")
    describe_estate()
    from django.conf import settings

    chunk = args.chunk or settings.SLM_EVALUATION_CHUNK
    print(f"- {chunk} targets a task\n")
    seconds, indicators = floor_seconds()
    print(f"- the limit: one SQL statement summing the month's hour rollups of all {indicators:,} indicators, "
          f"{seconds:.2f} s (median of 3)")  # fmt: skip
    if args.limit_only:
        return
    first_at = START + dt.timedelta(days=DAYS) - dt.timedelta(minutes=args.repeat + 2)
    results = {}
    for processes in [int(p) for p in args.processes.split(",")]:
        first, median, runs = measure(args.database_url, args.broker_url, processes, args.repeat, first_at, chunk)
        results[processes] = median
        print(
            f"- {processes} worker process{'es' if processes > 1 else ''}: first evaluation {first:.2f} s, "
            f"then median {median:.2f} s (runs: {', '.join(f'{run:.2f}' for run in runs)})"
        )
    if 1 in results and 2 in results:
        print(f"- two processes take {results[2] / results[1]:.0%} of the time of one")


def describe_estate():
    from django.db.models import Count

    from agreements.models import ServiceLevelTarget
    from monitoring.models import HourRollup

    targets = ServiceLevelTarget.objects.filter(agreement__code__startswith=PREFIX)
    mix = ", ".join(
        f"{row['budgeting_method']}/{row['window_kind']} {row['calendar_period'] or row['rolling_days']}: {row['n']}"
        for row in targets.values("budgeting_method", "window_kind", "calendar_period", "rolling_days")
        .annotate(n=Count("pk"))
        .order_by("budgeting_method", "window_kind", "calendar_period", "rolling_days")
    )
    print(f"- {targets.count():,} targets ({targets.filter(service_hours__isnull=False).count():,} on service hours, "
          f"{targets.filter(slice_minutes__gt=1).count():,} with 5-minute slices): {mix}")  # fmt: skip
    rollups = HourRollup.objects.filter(indicator__code__startswith=PREFIX).count()
    print(f"- {rollups:,} hour rollups ({DAYS} days of one sample a minute for each target's indicator)")


if __name__ == "__main__":
    main()
