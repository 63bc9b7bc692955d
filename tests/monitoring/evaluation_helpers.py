"""Helpers of the evaluation, alert, notification, probe, command and compliance tests.

Times are written in Seoul (``kst(2026, 11, 1)``), the portal's zone in the test settings (TIME_ZONE defaults to
Asia/Seoul), so a monthly target without service hours runs from local midnight of the 1st: November 2026 is
2026-10-31T15:00Z .. 2026-11-30T15:00Z, 43,200 minutes. Data goes in through
``monitoring.intake.ingest.record_samples``, the path every source takes, and is read back only as snapshots, breaches
and alerts.
"""

import contextlib
import datetime as dt
import json
import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

from agreements.choices import AgreementStatus, BudgetingMethod
from monitoring.evaluation import evaluate_targets
from monitoring.evaluation.engine import SNAPSHOT_FIELDS
from monitoring.intake.ingest import MAX_BATCH, record_samples
from monitoring.models import ComplianceSnapshot, TargetIndicator
from tests.factories import AgreementFactory, TargetFactory
from tests.monitoring.factories import IndicatorFactory, ThresholdIndicatorFactory, iso

KST = ZoneInfo("Asia/Seoul")
MINUTE = dt.timedelta(minutes=1)


def kst(year, month, day, hour=0, minute=0):
    """A Seoul wall-clock time as an aware datetime."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=KST)


NOVEMBER = kst(2026, 11, 1)  # the start of the period most tests use
DECEMBER = kst(2026, 12, 1)  # ... and its end


# --- the cast: an active agreement and a target measuring an indicator ---------------------------------------------


def active_agreement(**fields):
    """An active agreement (one service, fee 1,000,000 KRW a month), valid for 2026 unless told otherwise."""
    return AgreementFactory(status=AgreementStatus.ACTIVE, **fields)


def measured_target(*, agreement=None, probe=True, method=BudgetingMethod.TIMESLICES, objective="99.9", **fields):
    """A target of ``agreement`` (a new active one by default) measuring a new indicator of its service.

    ``probe``: an up/down probe (threshold, good when value >= 1); otherwise a ratio indicator (good/total).
    ``fields`` go to the target (window_kind, calendar_period, rolling_days, slice_minutes, service_hours, ...).
    """
    agreement = agreement or active_agreement()
    factory = ThresholdIndicatorFactory if probe else IndicatorFactory
    indicator = factory(service=agreement.services.first())
    target = TargetFactory(agreement=agreement, budgeting_method=method, objective=Decimal(objective), **fields)
    TargetIndicator.objects.create(target=target, indicator=indicator)
    return target


def indicator_of(target):
    return TargetIndicator.objects.get(target=target).indicator


# --- data in -------------------------------------------------------------------------------------------------------


def record(indicator, samples):
    """Store raw samples (API-shaped dicts) in batches the ingestion accepts; ``now`` is just after the last one."""
    latest = max(dt.datetime.fromisoformat(sample["t"].replace("Z", "+00:00")) for sample in samples)
    for offset in range(0, len(samples), MAX_BATCH):
        record_samples(indicator, samples[offset : offset + MAX_BATCH], now=latest + MINUTE)


def record_probe_minutes(target, start, minutes, bad=()):
    """One probe sample a minute for ``minutes`` minutes from ``start``: value 0 at the offsets in ``bad``, else 1."""
    bad, start = set(bad), start.astimezone(dt.UTC)  # UTC arithmetic: real minutes, across a DST change too
    samples = [{"t": iso(start + i * MINUTE), "value": 0 if i in bad else 1} for i in range(minutes)]
    record(indicator_of(target), samples)


def record_counts(target, counts):
    """Ratio samples: ``counts`` maps an instant to (good, total)."""
    record(indicator_of(target), [{"t": iso(t), "good": good, "total": total} for t, (good, total) in counts.items()])


# --- burn-rate scenes ------------------------------------------------------------------------------------------------

THREE_DAYS = 3 * 1440
BURN_AT = kst(2026, 11, 4)  # three days after NOVEMBER: the evaluation instant of the burn scenes


def burning_target(agreement=None, **fields):
    """A 99.9 % probe target answered every minute from 1 Nov to 4 Nov 00:00, down in the last two minutes.

    At BURN_AT only page-1h fires: 1 h 2/60 -> 33.3 and 5 m 2/5 -> 400 (>= 14.4); 6 h 2/360 -> 5.56 (< 6);
    3 d 2/4,320 -> 0.46 (< 1).
    """
    target = measured_target(agreement=agreement or active_agreement(valid_from=dt.date(2026, 11, 1)), **fields)
    record_probe_minutes(target, NOVEMBER, THREE_DAYS, bad=[THREE_DAYS - 2, THREE_DAYS - 1])
    return target


def slowly_burning_target(agreement=None, **fields):
    """Like ``burning_target`` but down six minutes: five on 1 Nov at 10:00 and one at 21:00 on 3 Nov.

    At BURN_AT only ticket-3d fires: 3 d 6/4,320 -> 1.39 and 6 h 1/360 -> 2.78 (>= 1; < 6 for page-6h); 1 h 0.
    """
    target = measured_target(agreement=agreement or active_agreement(valid_from=dt.date(2026, 11, 1)), **fields)
    record_probe_minutes(target, NOVEMBER, THREE_DAYS, bad=[600, 601, 602, 603, 604, THREE_DAYS - 180])
    return target


# --- evaluation and reading back -----------------------------------------------------------------------------------


def evaluate(target, at):
    """Evaluate one target as of ``at``; returns the EvaluationSummary."""
    return evaluate_targets([target.pk], at)


def snapshot(target, period_start=NOVEMBER):
    """The target's snapshot keyed by ``period_start`` (the unclipped period's start, or the rolling day's)."""
    return ComplianceSnapshot.objects.get(target=target, period_start=period_start)


def snapshot_rows(target):
    """Every snapshot of ``target`` with all the fields evaluation writes, oldest period first."""
    rows = ComplianceSnapshot.objects.filter(target=target).order_by("period_start")
    return list(rows.values("pk", "period_start", *SNAPSHOT_FIELDS))


def fraction(numerator, denominator):
    """An exact fraction quantized as the arithmetic does: 12 places, half to even."""
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("1e-12"))


# --- a real HTTP server on loopback --------------------------------------------------------------------------------


class LoopbackServer:
    """An HTTP server on 127.0.0.1 in a thread: answers each request with the next of ``statuses`` (the last one
    repeats) and keeps what it received as (method, path, body) in ``requests``."""

    def __init__(self, statuses=(200,)):
        self.statuses = list(statuses)
        self.requests = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                server.requests.append((self.command, self.path, body))
                status = server.statuses[min(len(server.requests), len(server.statuses)) - 1]
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            do_GET = do_POST = _answer

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def json_bodies(self):
        return [json.loads(body) for _, _, body in self.requests]

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        """Stop answering and close the socket: afterwards nothing listens on the port."""
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@contextlib.contextmanager
def loopback_server(statuses=(200,)):
    server = LoopbackServer(statuses).start()
    try:
        yield server
    finally:
        if server.thread.is_alive():
            server.stop()
