"""Benchmarks of the monitoring engine on PostgreSQL: `python -m benchmarks.engine [phases]` (or `make bench`).

Phases (default: all):
  driver    COPY of 10,000-row batches with psycopg 3 (binary and text) and psycopg2 (text), rows/s
  ingest    samples/s through POST /api/v1/measurements in 10,000-sample batches, gunicorn + concurrent clients,
            batches in time order (a live feed) and newest first (a backfill)
  evaluate  seconds to evaluate N targets over D days of per-minute data, at three raw data sizes

It uses its own database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/slm_bench), which it
creates and migrates; the evaluate phase loads data with SQL and reuses it on later runs unless --reload.
"""

import datetime as dt
import http.client
import io
import json
import secrets
import statistics
import threading
import time
from concurrent.futures import ProcessPoolExecutor

from benchmarks.common import (
    argument_parser,
    children,
    cpu_seconds,
    gunicorn_server,
    print_header,
    server_env,
    setup_django,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/slm_bench"
START = dt.datetime(2026, 9, 30, 15, 0, tzinfo=dt.UTC)  # 2026-10-01 00:00 KST
INGEST_START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)  # far enough back for 150,000 minutes per client


# --- driver ---------------------------------------------------------------------------------------------------


def bench_driver(url, batches=30, size=10_000):
    import psycopg
    import psycopg2

    rows = [(START + dt.timedelta(minutes=i), 1.0, 1, 1) for i in range(size)]
    ddl = "CREATE TEMP TABLE staging (t timestamptz, value float8, good int8, total int8)"
    results = {}

    with psycopg.connect(url) as conn:
        conn.execute(ddl)
        for label, statement, binary in (
            ("psycopg 3, binary COPY, write_row", "COPY staging FROM STDIN (FORMAT BINARY)", True),
            ("psycopg 3, text COPY, write_row", "COPY staging FROM STDIN", False),
        ):
            started = time.perf_counter()
            for _ in range(batches):
                with conn.cursor() as cursor, cursor.copy(statement) as copy:
                    if binary:
                        copy.set_types(["timestamptz", "float8", "int8", "int8"])
                    for row in rows:
                        copy.write_row(row)
                conn.execute("TRUNCATE staging")
            results[label] = batches * size / (time.perf_counter() - started)

    conn2 = psycopg2.connect(url)
    with conn2.cursor() as cursor:
        cursor.execute(ddl)
        started = time.perf_counter()
        for _ in range(batches):
            buffer = io.StringIO("".join(f"{t.isoformat()}\t{v}\t{g}\t{n}\n" for t, v, g, n in rows))
            cursor.copy_expert("COPY staging FROM STDIN", buffer)
            cursor.execute("TRUNCATE staging")
        results["psycopg2, text COPY, copy_expert"] = batches * size / (time.perf_counter() - started)
    conn2.close()
    return results


# --- ingest through the API -----------------------------------------------------------------------------------


def backend_pids():
    """Process ids of the PostgreSQL backends serving other connections to the benchmark's database."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend' "
            "AND pid <> pg_backend_pid()"
        )
        return [pid for (pid,) in cursor.fetchall()]


def cpu_of(pids):
    return {pid: cpu_seconds(pid) for pid in pids}


def ensure_ingest_partitions(months=8):
    """The monthly partitions the ingested samples fall in, as a live feed finds them (made ahead by the daily
    task), rather than every row going to the DEFAULT partition."""
    from monitoring.partitions import ensure_partitions

    ensure_partitions(ahead=months, now=INGEST_START)


def bench_ingest(url, clients=3, batches_per_client=14, web_workers=3, size=10_000, newest_first=False):
    """Send the batches; returns the rate and the CPU seconds the gunicorn workers, the PostgreSQL backends serving
    them and the clients (this process) used while they were sent, read from /proc (the backends' CPU is that of the
    database's client backends, their own work and not the WAL writer's or autovacuum's)."""
    from agreements.models import Service
    from monitoring.models import DataSource, Indicator

    service, _ = Service.objects.get_or_create(code="bench", defaults={"name": "Bench"})
    run = secrets.token_hex(3)
    indicators = [
        Indicator.objects.create(
            service=service,
            code=f"bench-in-{run}-{i}",
            name=f"bench {i}",
            kind="threshold",
            operator="gte",
            threshold=1,
        )
        for i in range(clients)
    ]
    source = DataSource(code=f"bench-{run}", name="bench")
    token = source.issue_token()
    source.save()
    source.indicators.set(indicators)

    # Bodies are built before the clock starts: the benchmark measures the server, not the client's JSON.
    bodies = []
    for indicator in indicators:
        batches = []
        for batch in range(batches_per_client):
            first = INGEST_START + dt.timedelta(minutes=batch * size)
            samples = [
                {"t": (first + dt.timedelta(minutes=i)).isoformat(), "value": 0 if i % 997 == 0 else 1}
                for i in range(size)
            ]
            batches.append(json.dumps({"indicator": indicator.code, "samples": samples}).encode())
        # Newest first: every batch lands before data already stored, the path of a backfill.
        bodies.append(batches[::-1] if newest_first else batches)

    with gunicorn_server(server_env(url), web_workers, timeout=120) as (port, master):
        failures, new_total = [], [0]
        lock = threading.Lock()

        def send(batches):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            for body in batches:
                conn.request("POST", "/api/v1/measurements", body=body, headers=headers)
                response = conn.getresponse()
                answer = response.read()
                with lock:
                    if response.status != 201:
                        failures.append((response.status, answer[:200]))
                    else:
                        new_total[0] += json.loads(answer)["new"]
            conn.close()

        threads = [threading.Thread(target=send, args=(batches,)) for batches in bodies]
        workers_before, backends_before = cpu_of(children(master)), cpu_of(backend_pids())
        client_before = time.process_time()
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        client_cpu = time.process_time() - client_before
        workers_after, backends_after = cpu_of(children(master)), cpu_of(backend_pids())
    workers_cpu = sum(cpu - workers_before.get(pid, 0) for pid, cpu in workers_after.items())
    backends_cpu = sum(cpu - backends_before.get(pid, 0) for pid, cpu in backends_after.items())
    sent = clients * batches_per_client * size
    if failures or new_total[0] != sent:
        raise SystemExit(f"ingest failed: {failures[:3]}, {new_total[0]} of {sent} new")
    return {"samples": sent, "seconds": elapsed, "samples_per_second": sent / elapsed, "clients": clients,
            "web_workers": web_workers, "order": "newest first" if newest_first else "in time order",
            "workers_cpu": workers_cpu, "backends_cpu": backends_cpu, "client_cpu": client_cpu}  # fmt: skip


# --- evaluate --------------------------------------------------------------------------------------------------

_LOAD_RAW = """
INSERT INTO monitoring_measurement (indicator_id, t, value, good, total)
SELECT i.id, %(start)s::timestamptz + make_interval(mins => m) + make_interval(secs => %(second)s),
       CASE WHEN (m + i.id * 7) %% 1440 < 3 THEN 0 ELSE 1 END,
       CASE WHEN (m + i.id * 7) %% 1440 < 3 THEN 0 ELSE 1 END, 1
FROM monitoring_indicator i, generate_series(0, %(minutes)s - 1) AS m
WHERE i.code LIKE 'bench-ev-%%'
"""


def load_evaluation_data(targets, days):
    """N active SLA targets (99.9 %, monthly, timeslices), each with its own indicator and D days of samples."""
    from django.db import connection

    from agreements.choices import AgreementStatus
    from agreements.models import Agreement, Customer, Service, ServiceLevelTarget
    from monitoring.models import Indicator, TargetIndicator

    customer, _ = Customer.objects.get_or_create(code="bench", defaults={"name": "Bench customer"})
    service, _ = Service.objects.get_or_create(code="bench", defaults={"name": "Bench"})
    for number in range(targets):
        agreement, created = Agreement.objects.get_or_create(
            code=f"bench-ev-{number}",
            defaults={"title": f"Bench {number}", "customer": customer, "valid_from": dt.date(2026, 10, 1)},
        )
        if created:
            agreement.services.set([service])
            Agreement.objects.filter(pk=agreement.pk).update(status=AgreementStatus.ACTIVE)
        indicator, _ = Indicator.objects.get_or_create(
            code=f"bench-ev-{number}",
            defaults={"service": service, "name": "up", "kind": "threshold", "operator": "gte", "threshold": 1},
        )
        target, _ = ServiceLevelTarget.objects.get_or_create(
            agreement=agreement,
            code="availability",
            defaults={"name": "Availability", "objective": 99.9, "budgeting_method": "timeslices"},
        )
        TargetIndicator.objects.update_or_create(target=target, defaults={"indicator": indicator})
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("DELETE FROM monitoring_measurement WHERE indicator_id IN "
                       "(SELECT id FROM monitoring_indicator WHERE code LIKE 'bench-ev-%%')")  # fmt: skip
        cursor.execute(_LOAD_RAW, {"start": START, "minutes": days * 1440, "second": 0})
        cursor.execute("ANALYZE monitoring_measurement")  # fresh statistics, or the rebuild scans the whole table
    rebuild_bench_rollups()


def add_second_sample_per_minute(days):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute(_LOAD_RAW, {"start": START, "minutes": days * 1440, "second": 30})
        cursor.execute("ANALYZE monitoring_measurement")
    rebuild_bench_rollups()


def rebuild_bench_rollups():
    from monitoring.intake.rollups import rebuild_rollups
    from monitoring.models import Indicator

    for indicator in Indicator.objects.filter(code__startswith="bench-ev-"):
        rebuild_rollups(indicator, rejudge=False)  # loaded with the right good/total already


def raw_rows():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM monitoring_measurement")
        return cursor.fetchone()[0]


def samples_per_minute(days):
    """Raw samples a minute of the bench indicators (0 after the raw rows were pruned)."""
    from monitoring.models import Indicator, Measurement

    first = Indicator.objects.filter(code="bench-ev-0").first()
    return Measurement.objects.filter(indicator=first).count() // (days * 1440) if first else 0


def _settle():
    """Fresh statistics and no dead rows in the tables evaluation reads, so sizes compare on equal terms."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE monitoring_hourrollup")
        cursor.execute("VACUUM ANALYZE monitoring_compliancesnapshot")


def _evaluate_ids(args):
    ids, at, chunk = args
    from django.db import connections

    connections.close_all()
    from monitoring.evaluation import evaluate_targets

    for offset in range(0, len(ids), chunk):
        evaluate_targets(ids[offset : offset + chunk], at)
    return len(ids)


def time_evaluation(at, processes=1, chunk=100):
    from django.db import connections

    from monitoring.evaluation import evaluable_targets

    ids = list(
        evaluable_targets().filter(agreement__code__startswith="bench-ev-").order_by("pk").values_list("pk", flat=True)
    )
    shares = [ids[index::processes] for index in range(processes)]
    connections.close_all()
    started = time.perf_counter()
    if processes == 1:
        _evaluate_ids((ids, at, chunk))
    else:
        with ProcessPoolExecutor(processes) as pool:
            list(pool.map(_evaluate_ids, [(share, at, chunk) for share in shares]))
    return len(ids), time.perf_counter() - started


def measure(at, label, repeat=3):
    """First evaluation (no snapshots yet), then the median of ``repeat`` re-evaluations, one and two processes."""
    from monitoring.models import ComplianceSnapshot

    ComplianceSnapshot.objects.filter(target__agreement__code__startswith="bench-ev-").delete()
    _settle()
    count, first = time_evaluation(at)
    again = statistics.median(time_evaluation(at)[1] for _ in range(repeat))
    parallel = statistics.median(time_evaluation(at, processes=2)[1] for _ in range(repeat))
    return (
        f"{label}: {raw_rows():,} raw rows",
        f"{count} targets: first evaluation {first:.2f} s, again {again:.2f} s (median of {repeat}), "
        f"2 processes {parallel:.2f} s",
    )


def bench_evaluate(targets, days, reload):
    """Evaluation at three raw sizes over the same rollups: 1 sample a minute, 2 a minute, and raw rows pruned."""
    from django.db import connection

    from monitoring.evaluation import evaluable_targets

    at = START + dt.timedelta(days=days) - dt.timedelta(minutes=1)
    report = []
    present = evaluable_targets().filter(agreement__code__startswith="bench-ev-").count()
    if reload or present != targets or samples_per_minute(days) != 1:
        started = time.perf_counter()
        load_evaluation_data(targets, days)
        report.append(("load data (SQL) and rebuild rollups", f"{time.perf_counter() - started:.0f} s"))
    report.append(measure(at, "1 sample a minute"))
    started = time.perf_counter()
    add_second_sample_per_minute(days)
    report.append(("grow to 2 samples a minute", f"{time.perf_counter() - started:.0f} s"))
    report.append(measure(at, "2 samples a minute"))
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE monitoring_measurement")  # what prune_measurements does to old rows
    report.append(measure(at, "raw rows pruned"))
    return report


def print_ingest(results, repeat, copy_rates):
    """One line per order: the median rate, its share of each raw COPY rate of the run, the CPU each sample cost."""
    rates = [result["samples_per_second"] for result in results]
    median = statistics.median(rates)
    result = results[0]
    print(
        f"- {result['order']}: {result['samples']:,} samples a run, median of {repeat} runs {median:,.0f} samples/s "
        f"(runs: {', '.join(f'{rate:,.0f}' for rate in rates)}; {result['clients']} clients, gunicorn with "
        f"{result['web_workers']} workers)"
    )
    shares = "; ".join(f"{median / rate:.1%} of {label}" for label, rate in copy_rates.items())
    print(f"  - share of the raw COPY rate of this run: {shares}")
    samples = sum(result["samples"] for result in results)

    def per_sample(key):
        return sum(result[key] for result in results) / samples * 1e6

    print(
        f"  - CPU per sample (all {repeat} runs, /proc): gunicorn workers {per_sample('workers_cpu'):.2f} µs, "
        f"PostgreSQL backends {per_sample('backends_cpu'):.2f} µs, clients {per_sample('client_cpu'):.2f} µs"
    )


def main(argv=None):
    parser = argument_parser("benchmarks.engine", __doc__, "BENCH_DATABASE_URL", DEFAULT_URL)
    parser.add_argument("phases", nargs="*", default=["driver", "ingest", "evaluate"])
    parser.add_argument("--targets", type=int, default=1000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--clients", type=int, default=3)
    parser.add_argument("--batches", type=int, default=20, help="batches per client")
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3, help="ingestion runs per variant (the median is reported)")
    parser.add_argument("--reload", action="store_true", help="reload the evaluation data even if present")
    args = parser.parse_args(argv)
    setup_django(args.database_url)
    print_header("SLM Portal monitoring benchmark")
    copy_rates = {}
    if "driver" in args.phases or "ingest" in args.phases:
        # The ingest phase is stated as a share of the raw COPY measured in the same run: the driver runs with it.
        print("## COPY of 10,000-row batches")
        copy_rates = bench_driver(args.database_url)
        for label, rate in copy_rates.items():
            print(f"- {label}: {rate:,.0f} rows/s")
        print()
    if "ingest" in args.phases:
        print("## Ingestion through POST /api/v1/measurements (10,000-sample batches)")
        ensure_ingest_partitions()
        for newest_first in (False, True):
            results = [
                bench_ingest(args.database_url, args.clients, args.batches, args.web_workers, newest_first=newest_first)
                for _ in range(args.repeat)
            ]
            print_ingest(results, args.repeat, copy_rates)
        print()
    if "evaluate" in args.phases:
        print(f"## Evaluation of {args.targets} targets over {args.days} days of per-minute data")
        for label, value in bench_evaluate(args.targets, args.days, args.reload):
            print(f"- {label}: {value}")


if __name__ == "__main__":
    main()
