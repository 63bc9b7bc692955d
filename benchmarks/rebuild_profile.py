"""CPU of rebuilding ticket clocks, in process: `python -m benchmarks.rebuild_profile [--chunks N] [--profile]`.

Rebuilds chunks of the open tickets of the ticket benchmark's database (TICKETBENCH_DATABASE_URL; `python -m
benchmarks.tickets recompute` loads them) as the rebuild_ticket_clocks task does, SLM_TICKET_REBUILD_CHUNK tickets a
chunk, each at a later instant than the one before so that every running clock's row changes, as after a calendar
edit. Reports per chunk the CPU this process used and the CPU of the PostgreSQL backend serving it (from /proc), min
and median, and the same scaled to 100,000 open tickets. With --profile, a cProfile of one more chunk, timed by CPU,
sorted by own time. Figures of CPU, not of wall time, so that they compare on a machine doing other work too.
"""

import datetime as dt
import statistics
import time

from benchmarks.common import argument_parser, cpu_seconds, setup_django
from benchmarks.tickets import DEFAULT_URL, NOW


def chunks(count):
    from django.conf import settings

    from monitoring.tickets.store import open_ticket_ids

    ids = open_ticket_ids()
    if not ids:
        raise SystemExit("No open tickets: run `python -m benchmarks.tickets recompute` first.")
    size = settings.SLM_TICKET_REBUILD_CHUNK
    parts = [ids[offset : offset + size] for offset in range(0, len(ids), size)]
    return len(ids), [parts[number % len(parts)] for number in range(count)]


def backend_pid():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def measure(count, start):
    from monitoring.tickets.store import rebuild_clocks
    from slm_portal.processes import freeze_loaded

    open_tickets, parts = chunks(count + 1)
    freeze_loaded()  # as a pool process of the Celery worker starts (slm_portal.celery)
    backend = backend_pid()
    rebuild_clocks(parts[0], start)  # the connection, the calendars and the caches warm
    python, database, clocks = [], [], 0
    for number, part in enumerate(parts[1:], start=1):
        now = start + dt.timedelta(minutes=number)
        before_python, before_database = time.process_time(), cpu_seconds(backend)
        clocks += rebuild_clocks(part, now)
        python.append(time.process_time() - before_python)
        database.append(cpu_seconds(backend) - before_database)
    scale = open_tickets / len(parts[0])
    return [
        f"- {count} chunks of {len(parts[0]):,} open tickets ({clocks // count:,} clocks a chunk): Python min "
        f"{min(python) * 1000:.0f}, median {statistics.median(python) * 1000:.0f} ms; PostgreSQL min "
        f"{min(database) * 1000:.0f}, median {statistics.median(database) * 1000:.0f} ms",
        f"- scaled to the {open_tickets:,} open tickets: Python {statistics.median(python) * scale:.2f} s + "
        f"PostgreSQL {statistics.median(database) * scale:.2f} s of CPU",
    ]


def main(argv=None):
    parser = argument_parser("benchmarks.rebuild_profile", __doc__, "TICKETBENCH_DATABASE_URL", DEFAULT_URL)
    parser.add_argument("--chunks", type=int, default=6)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    setup_django(args.database_url)
    # Within the office hours of the benchmark's calendar (NOW is Monday 12:00 in Seoul), later than the ticket
    # benchmark's runs, and at another second each time, so that a second run finds the running clocks moved too.
    start = NOW + dt.timedelta(hours=1, minutes=30, seconds=int(time.time()) % 3600)
    print("## CPU of rebuilding ticket clocks, in process")
    for line in measure(args.chunks, start):
        print(line)
    if args.profile:
        import cProfile
        import pstats

        from monitoring.tickets.store import rebuild_clocks

        _open, (part,) = chunks(1)
        profile = cProfile.Profile(time.process_time)
        profile.enable()
        rebuild_clocks(part, start + dt.timedelta(minutes=args.chunks + 1))
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(30)


if __name__ == "__main__":
    main()
