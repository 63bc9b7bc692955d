"""CPU of one ticket-event request, in process: `python -m benchmarks.ticket_ingest_profile [--batches N] [--profile]`.

Posts batches of 1,000 ticket events (the ticket benchmark's: 250 new tickets of four events each) to POST
/api/v1/ticket-events through Django's test client (the whole middleware and DRF stack, no HTTP server) and reports,
per batch, the CPU this process used (the web worker's share: min, median and mean, so that an occasional garbage
collection shows; what the process loaded is frozen first, as a web worker's is) and the CPU of the PostgreSQL backend
serving it (from /proc), then the statements one batch runs (as Django's cursor sees them: its COPYs of tickets,
events, clocks and ranks are not among them). With --profile, a cProfile of a few more batches, timed by CPU, sorted
by own time. Uses the ticket benchmark's database (TICKETBENCH_DATABASE_URL) and removes the tickets it sent at the
end (``benchmarks.tickets.remove_ingested``).
"""

import os
import secrets
import statistics
import time

from benchmarks.common import argument_parser, cpu_seconds, setup_django
from benchmarks.tickets import DEFAULT_URL, cast, remove_ingested, ticket_batches


def sender(client):
    """``post(body)``: a batch sent with a fresh token of the benchmark's desk."""
    from monitoring.models import TicketSource

    _customer, _service, source, _indicators = cast()
    source = TicketSource.objects.get(pk=source.pk)
    token = source.issue_token()
    source.save()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def post(body):
        response = client.post("/api/v1/ticket-events", body, content_type="application/json", **headers)
        if response.status_code != 201:
            raise SystemExit(f"{response.status_code}: {response.content[:300]}")

    return post


def bodies(count):
    customer, service, _source, _indicators = cast()
    return ticket_batches(customer, service, secrets.token_hex(3), 1, count, 1000)[0]


def measure(client, count):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from slm_portal.processes import freeze_loaded

    post = sender(client)
    batches = bodies(count + 2)
    post(batches[0])  # the connection and the caches warm, the URLconf and the views loaded
    freeze_loaded()  # as a web worker does once it has loaded them (slm_portal.wsgi)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    backend_before, worker = cpu_seconds(backend), []
    for body in batches[1:-1]:
        started = time.process_time()
        post(body)
        worker.append((time.process_time() - started) * 1000)
    backend_ms = (cpu_seconds(backend) - backend_before) * 1000 / len(worker)
    with CaptureQueriesContext(connection) as captured:
        post(batches[-1])
    return [
        f"- {len(worker)} batches of 1,000 events: web worker min {min(worker):.1f}, median "
        f"{statistics.median(worker):.1f}, mean {statistics.mean(worker):.1f} ms; PostgreSQL backend "
        f"{backend_ms:.1f} ms a batch",
        f"- statements of one batch besides its COPYs: {len(captured.captured_queries)}",
        *(f"  - {' '.join(query['sql'].split())[:110]}" for query in captured.captured_queries),
    ]


def main(argv=None):
    parser = argument_parser("benchmarks.ticket_ingest_profile", __doc__, "TICKETBENCH_DATABASE_URL", DEFAULT_URL)
    parser.add_argument("--batches", type=int, default=12)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    os.environ.update(
        {"ALLOWED_HOSTS": "testserver", "DEBUG": "0", "SECURE_SSL_REDIRECT": "0", "SLM_API_MACHINE_RATE": "off"}
    )
    setup_django(args.database_url)
    from django.test import Client

    client = Client()
    print("## CPU of one ticket-event request, in process")
    for line in measure(client, args.batches):
        print(line)
    if args.profile:
        import cProfile
        import pstats

        post = sender(client)
        batches = bodies(6)
        post(batches[0])
        profile = cProfile.Profile(time.process_time)
        profile.enable()
        for body in batches[1:]:
            post(body)
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)
    remove_ingested(cast()[2])


if __name__ == "__main__":
    main()
