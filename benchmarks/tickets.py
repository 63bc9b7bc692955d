"""Benchmarks of ticket SLAs on PostgreSQL: `python -m benchmarks.tickets [phases]` (or `make ticketbench`).

Phases (default: all):
  recompute  seconds to rebuild the clocks of N open tickets (as after an edit of their business calendar), with
             one process and with two (each taking half the tickets, as two Celery workers would)
  ingest     ticket events/s through POST /api/v1/ticket-events in batches of 1,000, gunicorn + concurrent clients,
             and the CPU time per event of the gunicorn workers and of their PostgreSQL backends (from /proc: on a
             shared machine the rate varies with the load, the CPU per event much less); the tickets
             sent are removed after each run (``remove_ingested``), so that the month stays as it was loaded
  pages      p95 and requests/s of the ticket list and the SLA report of a month with N tickets, 8 connections

It uses its own database (TICKETBENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/slm_ticketbench),
created and migrated on first use; the open tickets are loaded with SQL once and reused unless --reload.
"""

import contextlib
import datetime as dt
import http.client
import json
import os
import secrets
import statistics
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from benchmarks.common import argument_parser, collect_static, gunicorn, print_header, server_env, setup_django

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/slm_ticketbench"
NOW = dt.datetime(2026, 11, 30, 3, 0, tzinfo=dt.UTC)  # Monday 30 November 2026, 12:00 in Seoul
CODE = "tb"  # every row the benchmark makes is named after it


def cast():
    """The customer, service, agreement, office-hours calendar, desk and the two ticket indicators (made once)."""
    from agreements.choices import AgreementStatus
    from agreements.models import Agreement, BusinessCalendar, Customer, Service, WorkingPeriod
    from monitoring.models import Indicator, TicketGoal, TicketSource

    customer, _ = Customer.objects.get_or_create(code=f"{CODE}-customer", defaults={"name": "Ticket bench"})
    service, _ = Service.objects.get_or_create(code=f"{CODE}-service", defaults={"name": "Ticket bench"})
    agreement, made = Agreement.objects.get_or_create(
        code=f"{CODE}-sla",
        defaults={"title": "Ticket bench", "customer": customer, "valid_from": dt.date(2026, 1, 1)},
    )
    if made:
        agreement.services.set([service])
        Agreement.objects.filter(pk=agreement.pk).update(status=AgreementStatus.ACTIVE)
    calendar, made = BusinessCalendar.objects.get_or_create(
        code=f"{CODE}-hours", defaults={"name": "Office hours", "time_zone": "Asia/Seoul"}
    )
    if made:
        for weekday in range(5):
            WorkingPeriod.objects.create(calendar=calendar, weekday=weekday, start=dt.time(9), end=dt.time(18))
    indicators = []
    for metric, goals in (("resolution", (240, 480, 1620)), ("first_response", (30, 60, 240))):
        indicator, made = Indicator.objects.get_or_create(
            code=f"{CODE}-{metric.replace('_', '-')}",
            defaults={
                "service": service,
                "customer": customer,
                "name": metric,
                "kind": "ticket",
                "ticket_metric": metric,
                "business_hours": calendar,
                "pause_categories": ["waiting_customer"],
            },
        )
        if made:
            for priority, minutes in zip(("P1", "P2", "P3"), goals, strict=True):
                TicketGoal.objects.create(
                    indicator=indicator,
                    priority=priority,
                    minutes=minutes,
                    effective_from=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                )
        indicators.append(indicator)
    source = TicketSource.objects.filter(code=f"{CODE}-desk").first()
    if source is None:
        source = TicketSource(code=f"{CODE}-desk", name="Bench desk")
        source.issue_token()
        source.save()
        source.customers.set([customer])
        source.services.set([service])
    return customer, service, source, indicators


# Open tickets created over the 20 days before NOW, one a minute or so: a third answered, a sixth waiting for the
# customer since a day after they were opened.
_LOAD_TICKETS = """
INSERT INTO monitoring_ticket (source_id, external_id, customer_id, service_id, title, priority, state, category,
                               created_at, updated_at)
SELECT %(source)s, 'OPEN-' || n, %(customer)s, %(service)s, '', 'P' || (1 + n %% 3), '', 'open',
       %(now)s::timestamptz - make_interval(secs => (n * 17) %% (20 * 86400) + 60),
       %(now)s::timestamptz - make_interval(secs => (n * 17) %% (20 * 86400) + 60)
FROM generate_series(1, %(tickets)s) AS n
"""
_LOAD_EVENTS = """
INSERT INTO monitoring_ticketeventrecord (ticket_id, source_id, event_id, kind, at, state, category, priority,
                                          received_at)
SELECT t.id, t.source_id, t.external_id || '-c', 'created', t.created_at, '', 'open', t.priority, t.created_at
FROM monitoring_ticket t WHERE t.external_id LIKE 'OPEN-%%'
UNION ALL
SELECT t.id, t.source_id, t.external_id || '-r', 'first_response', t.created_at + interval '10 minutes', '', '', '',
       t.created_at
FROM monitoring_ticket t WHERE t.external_id LIKE 'OPEN-%%' AND t.id %% 3 = 0
UNION ALL
SELECT t.id, t.source_id, t.external_id || '-w', 'state_changed', t.created_at + interval '1 day', '',
       'waiting_customer', '', t.created_at
FROM monitoring_ticket t
WHERE t.external_id LIKE 'OPEN-%%' AND t.id %% 6 = 1 AND t.created_at + interval '1 day' < %(now)s
"""


def remove_ingested(source):
    """Delete the tickets the ingest phase and ``benchmarks.ticket_ingest_profile`` sent ("IN-…") with their events,
    clocks, notices (and their deliveries) and ranks, and recount the instants their clocks were counted at
    (``store.recount``, which moves the hour rollups too), so that every phase finds the month it was loaded with:
    each ingest run adds 15,000 tickets to it, which the pages phase would otherwise read. Returns the number of
    tickets removed."""
    from collections import defaultdict

    from django.db import connection, transaction

    from monitoring.tickets.store import recount

    counted = defaultdict(set)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE slm_bench_gone ON COMMIT DROP AS "
            "SELECT id FROM monitoring_ticket WHERE source_id = %s AND external_id LIKE 'IN-%%'",
            [source.pk],
        )
        cursor.execute(
            "DELETE FROM monitoring_ticketnoticedelivery d USING monitoring_ticketnotice n, monitoring_ticketclock c, "
            "slm_bench_gone g WHERE d.notice_id = n.id AND n.clock_id = c.id AND c.ticket_id = g.id"
        )
        cursor.execute(
            "DELETE FROM monitoring_ticketnotice n USING monitoring_ticketclock c, slm_bench_gone g "
            "WHERE n.clock_id = c.id AND c.ticket_id = g.id"
        )
        cursor.execute(
            "DELETE FROM monitoring_ticketclock c USING slm_bench_gone g WHERE c.ticket_id = g.id "
            "RETURNING c.indicator_id, c.counted_at"
        )
        for indicator_id, counted_at in cursor.fetchall():
            if counted_at is not None:
                counted[indicator_id].add(counted_at)
        for table in ("monitoring_ticketrank", "monitoring_ticketeventrecord"):
            cursor.execute(f"DELETE FROM {table} r USING slm_bench_gone g WHERE r.ticket_id = g.id")  # noqa: S608
        cursor.execute("DELETE FROM monitoring_ticket t USING slm_bench_gone g WHERE t.id = g.id")
        removed = cursor.rowcount
        for indicator_id, instants in sorted(counted.items()):
            ordered = sorted(instants)
            for offset in range(0, len(ordered), 20_000):
                recount(indicator_id, ordered[offset : offset + 20_000])
    return removed


TICKET_TABLES = ("monitoring_ticket", "monitoring_ticketclock", "monitoring_ticketrank", "monitoring_ticketeventrecord")


def vacuum():
    """VACUUM ANALYZE the ticket tables (outside a transaction, as VACUUM must be)."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in TICKET_TABLES:
            cursor.execute(f"VACUUM ANALYZE {table}")


def load(tickets, reload):
    from django.db import connection

    from monitoring.models import Ticket, TicketClock
    from monitoring.tickets.store import rebuild_clocks

    customer, service, source, indicators = cast()
    present = Ticket.objects.filter(source=source, external_id__startswith="OPEN-").count()
    if present == tickets and not reload:
        return None
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM monitoring_ticketclock WHERE indicator_id = ANY(%s)", [[i.pk for i in indicators]])
        cursor.execute(
            "DELETE FROM monitoring_ticketrank r USING monitoring_ticket t "
            "WHERE r.ticket_id = t.id AND t.source_id = %s",
            [source.pk],
        )
        cursor.execute("DELETE FROM monitoring_ticketeventrecord WHERE source_id = %s", [source.pk])
        cursor.execute("DELETE FROM monitoring_ticket WHERE source_id = %s", [source.pk])
        params = {"source": source.pk, "customer": customer.pk, "service": service.pk, "now": NOW, "tickets": tickets}
        cursor.execute(_LOAD_TICKETS, params)
        cursor.execute(_LOAD_EVENTS, params)
        cursor.execute("ANALYZE monitoring_ticket")
        cursor.execute("ANALYZE monitoring_ticketeventrecord")
    ids = list(Ticket.objects.filter(source=source).values_list("pk", flat=True))
    rebuild_clocks(ids, NOW)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE monitoring_ticketclock")
        cursor.execute("ANALYZE monitoring_ticketrank")
    return time.perf_counter() - started, TicketClock.objects.filter(ticket__source=source).count()


def _rebuild(args):
    ids, now = args
    from django.db import connections

    connections.close_all()
    from monitoring.tickets.store import rebuild_clocks

    return rebuild_clocks(ids, now)


def time_recompute(processes, now):
    """Seconds to rebuild the open tickets' clocks as the rebuild_ticket_clocks task shares them out: chunks of
    SLM_TICKET_REBUILD_CHUNK open tickets, taken by ``processes`` processes as a worker's pool would (each starting
    as a pool process of the worker does: ``slm_portal.celery.freeze_what_the_worker_loaded``)."""
    from django.conf import settings
    from django.db import connections

    from monitoring.tickets.store import open_ticket_ids
    from slm_portal.processes import freeze_loaded

    ids = open_ticket_ids()
    size = settings.SLM_TICKET_REBUILD_CHUNK
    chunks = [(ids[offset : offset + size], now) for offset in range(0, len(ids), size)]
    connections.close_all()
    started = time.perf_counter()
    if processes == 1:
        freeze_loaded()
        clocks = sum(map(_rebuild, chunks))
    else:
        with ProcessPoolExecutor(processes, initializer=freeze_loaded) as pool:
            clocks = sum(pool.map(_rebuild, chunks))
    return len(ids), clocks, time.perf_counter() - started


def bench_recompute(tickets, reload, repeat):
    report = []
    loaded = load(tickets, reload)
    if loaded:
        report.append(f"load {tickets:,} open tickets (SQL) and build their {loaded[1]:,} clocks: {loaded[0]:.1f} s")
    # Each run is a little later, so every running clock's figures (and its row) change, as after a calendar edit.
    runs = {}
    for processes in (1, 2):
        times = []
        for run in range(repeat):
            now = NOW + dt.timedelta(minutes=10 * (len(runs) * repeat + run + 1))
            count, clocks, seconds = time_recompute(processes, now)
            times.append(seconds)
        runs[processes] = statistics.median(times)
        report.append(
            f"{count:,} open tickets, {clocks:,} clocks rebuilt with {processes} process(es): "
            f"{runs[processes]:.2f} s (median of {repeat}; {clocks / runs[processes]:,.0f} clocks/s)"
        )
    return report


def ticket_batches(customer, service, run, clients, batches, size):
    """Bodies of POST /api/v1/ticket-events, per client: tickets of four events each (created, first response, a
    wait for the customer, resolved), spread over the week before NOW."""
    bodies = []
    for client in range(clients):
        mine = []
        for batch in range(batches):
            events = []
            for number in range(size // 4):
                name = f"IN-{run}-{client}-{batch}-{number}"
                opened = NOW - dt.timedelta(days=7) + dt.timedelta(seconds=37 * (batch * size + number))
                events += [
                    {"id": f"{name}-c", "ticket": name, "type": "created", "at": opened.isoformat(),
                     "customer": customer.code, "service": service.code, "priority": f"P{1 + number % 3}"},
                    {"id": f"{name}-r", "ticket": name, "type": "first_response",
                     "at": (opened + dt.timedelta(minutes=20)).isoformat()},
                    {"id": f"{name}-w", "ticket": name, "type": "state_changed",
                     "at": (opened + dt.timedelta(hours=1)).isoformat(), "state": "waiting_customer"},
                    {"id": f"{name}-s", "ticket": name, "type": "resolved",
                     "at": (opened + dt.timedelta(hours=2)).isoformat()},
                ]  # fmt: skip
            mine.append(json.dumps({"events": events}).encode())
        bodies.append(mine)
    return bodies


def bench_ingest(url, clients, batches, web_workers, size=1000):
    from monitoring.models import TicketSource

    customer, service, source, _indicators = cast()
    source = TicketSource.objects.get(pk=source.pk)
    token = source.issue_token()
    source.save()
    run = secrets.token_hex(3)
    bodies = ticket_batches(customer, service, run, clients, batches, size)
    failures, stored = [], [0]
    lock = threading.Lock()
    env = server_env(url)
    with gunicorn(env, web_workers, timeout=120) as port:

        def send(batches):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            for body in batches:
                conn.request("POST", "/api/v1/ticket-events", body=body, headers=headers)
                response = conn.getresponse()
                answer = response.read()
                with lock:
                    if response.status != 201:
                        failures.append((response.status, answer[:300]))
                    else:
                        stored[0] += json.loads(answer)["stored"]
            conn.close()

        threads = [threading.Thread(target=send, args=(mine,)) for mine in bodies]
        before = cpu_seconds(server_processes())
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        after = cpu_seconds(server_processes())
        earlier = {**before[0], **before[1]}  # a backend that connected during the run started from nothing
        cpu = [sum(seconds - earlier.get(pid, 0) for pid, seconds in group.items()) for group in after]
    remove_ingested(source)
    vacuum()  # as autovacuum would before long: the next run inserts beside the rows just deleted otherwise
    sent = clients * batches * size
    if failures or stored[0] != sent:
        raise SystemExit(f"ingest failed: {failures[:3]}, {stored[0]} of {sent} stored")
    return sent, elapsed, cpu


def server_processes():
    """The pids of the gunicorn workers (children of this process's children) and of the PostgreSQL backends
    connected to the benchmark's database (this process's own is idle while it waits for the clients)."""
    from django.db import connection

    def children(pid):
        try:
            return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except OSError:
            return []

    workers = [worker for server in children(os.getpid()) for worker in children(server)]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'"
        )
        backends = [row[0] for row in cursor.fetchall()]
    return workers, backends


def cpu_seconds(groups):
    """[{pid: CPU seconds run}, ...] for each group of pids (from /proc; a process gone or unreadable is left
    out)."""
    result = []
    for pids in groups:
        seconds = {}
        for pid in pids:
            with contextlib.suppress(OSError, ValueError, IndexError):
                seconds[pid] = int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9
        result.append(seconds)
    return result


def page_users(customer, agreement_code):
    """A customer user of the bench customer and a service manager (made once), and a ticket target on the bench SLA
    measuring the resolution indicator, so that the report has ticket figures."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from agreements.models import Agreement, Membership, ServiceLevelTarget
    from core.tenancy import SERVICE_MANAGERS_GROUP
    from monitoring.models import Indicator, TargetIndicator

    users = get_user_model().objects
    reader, _ = users.get_or_create(username=f"{CODE}-reader")
    Membership.objects.get_or_create(user=reader, defaults={"customer": customer})
    manager, _ = users.get_or_create(username=f"{CODE}-manager")
    manager.groups.add(Group.objects.get(name=SERVICE_MANAGERS_GROUP))
    agreement = Agreement.objects.get(code=agreement_code)
    target, made = ServiceLevelTarget.objects.get_or_create(
        agreement=agreement, code="resolution", defaults={"name": "Tickets resolved in time", "objective": 95}
    )
    if made:
        TargetIndicator.objects.create(target=target, indicator=Indicator.objects.get(code=f"{CODE}-resolution"))
    return reader.username, manager.username


def bench_pages(url, args):

    from benchmarks.pages import check_page, run_wrk, session_cookies

    customer, _service, source, _indicators = cast()
    remove_ingested(source)  # what an interrupted run or the ingest profile left
    reader, manager = page_users(customer, f"{CODE}-sla")
    # The phases before rewrite most rank and clock rows: analyse them now, as autovacuum would before long, or the
    # first request plans against the statistics of before those writes.
    vacuum()
    cookies = session_cookies([reader, manager])
    env = server_env(url, SESSION_COOKIE_SECURE="0", CSRF_COOKIE_SECURE="0")
    pages = [
        ("ticket list, the customer's (GET /tickets/)", "/tickets/", reader, 'id="tickets"'),
        ("ticket list, a manager filtering by customer", f"/tickets/?customer={customer.code}", manager,
         'id="tickets"'),
        ("SLA report of November with its ticket figures", f"/agreements/{CODE}-sla/report/?period=2026-11", manager,
         'id="report-tickets"'),
    ]  # fmt: skip
    results = []
    with gunicorn(env, args.web_workers, timeout=60) as port:
        for label, path, user, marker in pages:
            pairs = [(path, cookies[user])]
            started = time.perf_counter()
            check_page(port, path, cookies[user], marker)
            first = time.perf_counter() - started
            run_wrk(port, pairs, 5, args.connections, 2)
            figures = run_wrk(port, pairs, args.duration, args.connections, 2)
            figures["first_ms"] = first * 1000
            results.append((label, figures))
    return results


def main(argv=None):
    parser = argument_parser("benchmarks.tickets", __doc__, "TICKETBENCH_DATABASE_URL", DEFAULT_URL)
    parser.add_argument("phases", nargs="*", default=["recompute", "ingest", "pages"])
    parser.add_argument("--tickets", type=int, default=100_000, help="open tickets for the recompute phase")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reload", action="store_true", help="reload the open tickets even if present")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients of the ingest phase")
    parser.add_argument("--batches", type=int, default=15, help="batches of 1,000 events per client")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8, help="wrk connections of the pages phase")
    parser.add_argument("--duration", type=int, default=20, help="seconds of load per page")
    args = parser.parse_args(argv)
    setup_django(args.database_url)
    print_header("SLM Portal ticket benchmark")
    if "recompute" in args.phases:
        print("## Clocks of open tickets recomputed")
        for line in bench_recompute(args.tickets, args.reload, args.repeat):
            print(f"- {line}")
        print()
    if "ingest" in args.phases:
        print("## Ticket events through POST /api/v1/ticket-events (batches of 1,000)")
        rates = []
        for _ in range(args.repeat):
            sent, seconds, (workers, backends) = bench_ingest(
                args.database_url, args.clients, args.batches, args.web_workers
            )
            rates.append(sent / seconds)
            print(
                f"- {sent:,} events in {seconds:.2f} s: {sent / seconds:,.0f} events/s (CPU per event: gunicorn "
                f"workers {workers / sent * 1e6:.0f} µs, PostgreSQL backends {backends / sent * 1e6:.0f} µs)"
            )
        print(
            f"- median {statistics.median(rates):,.0f} events/s ({args.clients} clients, "
            f"{args.web_workers} gunicorn workers)\n"
        )
    if "pages" in args.phases:
        collect_static(server_env(args.database_url))
        print(f"## Ticket pages of a month with {args.tickets:,} tickets ({args.connections} connections, wrk)")
        for label, figures in bench_pages(args.database_url, args):
            print(
                f"- {label}: p50 {figures['p50_us'] / 1000:.0f} ms, p95 {figures['p95_us'] / 1000:.0f} ms, "
                f"{figures['rate']:.1f} requests/s, {int(figures['errors'])} errors (first request "
                f"{figures['first_ms']:.0f} ms)"
            )
        print()


if __name__ == "__main__":
    main()
