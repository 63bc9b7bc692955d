"""SLA reports: an agreement's compliance in a month or a quarter, for the printable page and the CSV export.

Each target's month is read with the very function the compliance API uses (``compliance``), so a report and the API
agree to the digit for the same month.
"""

import io
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from core.formatting import plain_number
from core.spreadsheets import csv_writer
from core.tenancy import customer_id_of
from monitoring import windows
from monitoring.choices import SnapshotStatus
from monitoring.evaluation.plan import target_time_zone
from monitoring.kinds import TICKET
from monitoring.models import Breach, ComplianceSnapshot, ReportComment
from monitoring.readout import maintenance as excluded_time
from monitoring.readout import timeline
from monitoring.readout.cache import digest, key, ticket_generation
from monitoring.readout.compliance import target_compliance, target_month, target_snapshot
from monitoring.readout.tickets import business_minutes, cached_late_events, ticket_figures

# The late adjustments a report lists: the oldest first, this many at most (a desk that resends a closed month sends
# thousands, and the report's reader needs to know that it happened and where it began, not every line of it).
LATE_EVENTS_SHOWN = 100


@dataclass(frozen=True)
class ReportPeriod:
    label: str  # "2026-11" or "2026-Q4"
    months: tuple  # the month labels it covers

    @property
    def is_quarter(self):
        return len(self.months) == 3


def parse_period(label):
    """A report period from "YYYY-MM" or "YYYY-Qn" (months the portal's zone can bound); ValueError otherwise."""
    label = (label or "").strip()
    return ReportPeriod(label, windows.months_in(label, settings.TIME_ZONE))


def last_month_label(now=None):
    """Reports are about finished months: the default period is the month before this one, in the portal's zone."""
    return windows.last_month_label(now or timezone.now(), settings.TIME_ZONE)


def this_month_label(now=None):
    """The month running now in the portal's zone: the latest period a report may show (so far)."""
    return windows.month_label(now or timezone.now(), settings.TIME_ZONE)


def months_in_force(agreement):
    """(first, last) month labels of the agreement's validity; last is None for an open-ended agreement."""
    last = windows.label_of(windows.MONTH, agreement.valid_to) if agreement.valid_to else None
    return windows.label_of(windows.MONTH, agreement.valid_from), last


def default_period_label(agreement=None, now=None):
    """Last month; for an agreement that came into force after it, the agreement's first month (up to this one)."""
    label = last_month_label(now)
    if agreement is not None:
        label = min(max(label, months_in_force(agreement)[0]), this_month_label(now))
    return label


def agreement_report(agreement, period, user=None, *, lazy=False):
    """{"targets": [{target, months: [API-shaped rows]}], "breaches", "credit_total", "comment", "outages",
    "excluded", "tickets", "late_events", ...} for the period, each target's months taken in its own time zone (as
    the compliance API takes them).

    Maintenance and exclusions are read from the snapshots (frozen with a closed period): the report of a closed
    period never changes. ``user``: the reader, who sees no title of a window kept from customers unless they
    manage maintenance. With ``lazy`` (the report page), the ticket figures and the late adjustments are read when
    first used: a page whose rendering of them is cached (under "ticket_section_key") reads neither."""
    start = windows.month_in_any_zone(period.months[0])[0]
    end = windows.month_in_any_zone(period.months[-1])[1]
    targets = list(
        agreement.targets.select_related("indicator_link__indicator__service", "service_hours")
        .prefetch_related(
            Prefetch(
                "snapshots",
                queryset=ComplianceSnapshot.objects.filter(period_start__lt=end, period_end__gt=start),
                to_attr="report_snapshots",
            )
        )
        .order_by("code")
    )
    rows, credit_total, seen, spans, parts = [], Decimal(0), set(), {}, {}
    for target in targets:
        months = []
        first, last = target_month(target, period.months[0]), target_month(target, period.months[-1])
        spans[target.pk] = (first[0] if first else start, last[1] if last else end)
        parts[target.pk] = excluded_time.snapshot_parts(target.report_snapshots, *spans[target.pk])
        for month in period.months:
            snapshot = target_snapshot(target, target.report_snapshots, month)
            row = {"month": month, **target_compliance(target, snapshot)}
            row["status_label"] = SnapshotStatus(row["status"]).label
            bounds = target_month(target, month)
            row["excluded"] = excluded_time.clipped(parts[target.pk], *bounds) if bounds else []
            months.append(row)
            # A quarter of a quarterly target is one snapshot: count its credit once.
            if snapshot is not None and snapshot.is_closed and snapshot.pk not in seen:
                seen.add(snapshot.pk)
                credit_total += snapshot.credit_amount
        rows.append({"target": target, "months": months})
    hidden = excluded_time.hidden_windows(user, [part for found in parts.values() for part in found])
    # A late ticket is not an outage: ticket targets' bad instants are the breached tickets of the ticket figures.
    found = timeline.outages_of([t for t in targets if not _measures_tickets(t)], spans, parts=parts)
    for row in rows:
        row["outages"] = excluded_time.noted(found.get(row["target"].pk, []), hidden)
        for month in row["months"]:  # an outage belongs to the month it began in, in its target's zone
            month["outages"] = [
                o for o in row["outages"] if windows.month_label(o.start, o.time_zone) == month["month"]
            ]
    # The breaches of periods that overlap the report period in their target's own zone.
    candidates = Breach.objects.filter(target__agreement=agreement, period_start__lt=end, period_end__gt=start)
    breaches = [
        breach
        for breach in candidates.select_related("target").order_by("period_start", "target__code")
        if breach.period_start < spans[breach.target_id][1] and breach.period_end > spans[breach.target_id][0]
    ]
    budgets = {
        (s.target_id, s.period_start): s for t in targets for s in t.report_snapshots
    }  # the bad time of each breached period
    for breach in breaches:
        snapshot = budgets.get((breach.target_id, breach.period_start))
        breach.bad_amount = snapshot.budget_consumed if snapshot else None
        breach.bad_unit = snapshot.budget_unit if snapshot else ""
    comment = ReportComment.objects.filter(agreement=agreement, period_label=period.label).select_related("author")
    outages = sorted((o for row in rows for o in row["outages"]), key=lambda outage: outage.start)
    return {
        "targets": rows,
        "outages": outages,
        "outages_marked": any(outage.part is not None for outage in outages),
        "excluded": _excluded_listing(targets, parts, hidden),
        "hidden": hidden,
        "breaches": breaches,
        "credit_total": credit_total,
        "currency": agreement.currency,
        "comment": comment.first(),
        **_ticket_parts(agreement, targets, period, user, lazy),
    }


def _measures_tickets(target):
    link = getattr(target, "indicator_link", None)
    return link is not None and link.indicator.kind == TICKET.value


def _ticket_parts(agreement, targets, period, user, lazy):
    """The report's ticket parts. "tickets": the figures of the ticket indicators the agreement's targets measure, per
    month in each one's target's zone (as the target reads its months); "late_events": the oldest of the events that
    came after a month had closed ("late_events_more": whether more came); "ticket_section_key": the key the page's
    rendering of them is cached under (None without ticket figures). With ``lazy``, the figures and the events are
    read when first used."""
    spans, indicators, measured_by = {}, [], {}
    for target in targets:
        link = getattr(target, "indicator_link", None)
        if not _measures_tickets(target) or link.indicator_id in spans:
            continue
        indicators.append(link.indicator)
        measured_by[link.indicator_id] = target
        spans[link.indicator_id] = [
            (month, *bounds) for month in period.months if (bounds := target_month(target, month)) is not None
        ]
    now = timezone.now()

    def read_figures():
        found = ticket_figures(indicators, spans, now, customer=agreement.customer)
        for one in found:
            one.target = measured_by[one.indicator_id]
        return found

    def read_late():
        return cached_late_events(indicators, spans, now, customer=agreement.customer, limit=LATE_EVENTS_SHOWN)

    if lazy:
        figures, every = SimpleLazyObject(read_figures), SimpleLazyObject(read_late)
        shown, more = (
            SimpleLazyObject(lambda: every[:LATE_EVENTS_SHOWN]),
            SimpleLazyObject(lambda: len(every) > LATE_EVENTS_SHOWN),
        )
    else:
        figures, every = read_figures(), read_late()
        shown, more = every[:LATE_EVENTS_SHOWN], len(every) > LATE_EVENTS_SHOWN
    return {
        "tickets": figures,
        "late_events": shown,
        "late_events_more": more,
        "late_events_shown": LATE_EVENTS_SHOWN,
        "ticket_section_key": ticket_section_key(agreement, period, indicators, spans, now, user)
        if any(spans.values())
        else None,
    }


def ticket_section_key(agreement, period, indicators, spans, now, user):
    """The key of the rendered ticket section of a report (its figures and late adjustments), filed as the figures
    are: who reads (every agreement, or their own customer's: known already, ``.for_user()`` asked it), the customer's
    ticket generation (raised whenever a clock of theirs is written) and the minute, with a digest of everything else
    the section shows that an edit may change (the indicators' codes, names and clocks, the months' bounds in their
    targets' zones, the period, how many late events are listed). The template adds its language and time zone."""
    shown = (
        period.label,
        [(i.pk, i.code, i.name, i.ticket_metric, i.service_id) for i in indicators],
        sorted(spans.items()),
        LATE_EVENTS_SHOWN,
        settings.TIME_ZONE,
        settings.SLM_CLOSE_GRACE_MINUTES,
    )
    customer = agreement.customer_id
    minute = now.replace(second=0, microsecond=0).isoformat()
    scope = "-" if user is None else "every" if user.has_perm("agreements.view_agreement") else customer_id_of(user)
    return key("report-tickets", scope, customer, ticket_generation(customer), minute, digest(shown))


def _excluded_listing(targets, parts, hidden):
    """The report period's maintenance and exclusions, once per service (its targets read the same parts)."""
    by_service = {}
    for target in targets:
        if parts.get(target.pk):
            service = target.indicator_link.indicator.service.name
            by_service.setdefault(service, []).extend(parts[target.pk])
    return excluded_time.listing(
        {service: excluded_time.clipped(found) for service, found in sorted(by_service.items())}, hidden
    )


CSV_HEADER = [
    "agreement",
    "customer",
    "report_period",
    "month",
    "target",
    "indicator",
    "objective_percent",
    "attainment_percent",
    "status",
    "budget_unit",
    "budget_total",
    "budget_consumed",
    "budget_remaining",
    "credit_percent",
    "credit_amount",
    "currency",
    "closed",
    "bad_minutes",
    "outages",
    "excluded_minutes",
    "excluded_bad_minutes",
    "exclusions",
    "counted_maintenance_minutes",
    "counted_maintenance",
]
# Ticket lines (one per ticket indicator, month and priority, and "all" priorities) fill these, with the agreement,
# month, target and indicator; target lines leave them empty, and ticket lines leave the target's figures empty.
TICKET_CSV_HEADER = [
    "ticket_clock",
    "ticket_priority",
    "tickets_counted",
    "tickets_within_goal",
    "tickets_within_goal_percent",
    "tickets_breached",
    "tickets_in_flight",
    "tickets_stopped",
    "median_business_minutes",
    "p90_business_minutes",
]
CSV_HEADER += TICKET_CSV_HEADER


def report_csv(agreement, period, report):
    """The report as CSV text: one line per target and month, numbers as plain decimals.

    Outages and intervals of maintenance or exclusions are listed as ISO 8601 intervals joined by "; ", each interval
    of maintenance or an exclusion followed by why it did or did not count (``maintenance``, or the exclusion's
    reason; ``late_notice``, ``over_cap``) and its title or what happened (";" written as ",")."""
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(CSV_HEADER)
    for row in report["targets"]:
        for month in row["months"]:
            budget = month["error_budget"] or {}
            credit = month["credit"] or {}
            writer.writerow(
                [
                    agreement.code,
                    agreement.customer.name,
                    period.label,
                    month["month"],
                    row["target"].code,
                    month["indicator"] or "",
                    month["objective_percent"],
                    month["attainment_percent"] or "",
                    month["status"],
                    budget.get("unit", ""),
                    budget.get("total", ""),
                    budget.get("consumed", ""),
                    budget.get("remaining") or "",
                    credit.get("percent", ""),
                    credit.get("amount", ""),
                    credit.get("currency", agreement.currency),
                    "yes" if (month["period"] or {}).get("closed") else "no",
                    sum(outage.minutes for outage in month["outages"]),
                    "; ".join(_interval(outage) for outage in month["outages"]),
                    *_excluded_columns(month, target_time_zone(row["target"]), report["hidden"]),
                    *[""] * len(TICKET_CSV_HEADER),
                ]
            )
    for figures in report["tickets"]:
        for line in figures.rows:
            writer.writerow(
                [
                    agreement.code,
                    agreement.customer.name,
                    period.label,
                    figures.label,
                    figures.target.code,
                    figures.code,
                    *[""] * (len(CSV_HEADER) - len(TICKET_CSV_HEADER) - 6),
                    *ticket_columns(figures, line),
                ]
            )
    return buffer.getvalue()


def ticket_columns(figures, line):
    """The TICKET_CSV_HEADER cells of one priority's line (or all priorities': "all")."""
    share = line.share_within_goal
    return [
        figures.metric,
        line.priority or "all",
        line.counted,
        line.within_goal,
        "" if share is None else plain_number(share),
        line.breached,
        line.in_flight,
        line.stopped,
        plain_number(business_minutes(line.median)),
        plain_number(business_minutes(line.p90)),
    ]


def _interval(outage, time_zone=None):
    """An outage (or a part) as an ISO 8601 interval in its calendar's zone:
    2026-11-02T10:00+09:00/2026-11-02T10:35+09:00."""
    zone = ZoneInfo(time_zone or outage.time_zone)
    return "/".join(instant.astimezone(zone).isoformat(timespec="minutes") for instant in (outage.start, outage.end))


def _excluded_columns(month, zone, hidden):
    """excluded_minutes, excluded_bad_minutes, exclusions, counted_maintenance_minutes, counted_maintenance."""
    excluded = [part for part in month["excluded"] if part.excluded]
    counted = [part for part in month["excluded"] if not part.excluded]
    return [
        excluded_time.total_minutes(excluded),
        sum(outage.minutes for outage in month["outages"] if outage.excluded),
        "; ".join(_described(part, zone, hidden) for part in excluded),
        excluded_time.total_minutes(counted),
        "; ".join(_described(part, zone, hidden) for part in counted),
    ]


def _described(part, zone, hidden):
    """An interval and why it counted or not: "<interval> maintenance: Database upgrade" (no title for a window the
    reader may not see)."""
    why = part.reason if part.excluded else part.outcome
    title = (
        "" if part.source_pk in hidden and part.source == "window" else " ".join(part.title.replace(";", ",").split())
    )
    return f"{_interval(part, zone)} {why}: {title}" if title else f"{_interval(part, zone)} {why}"
