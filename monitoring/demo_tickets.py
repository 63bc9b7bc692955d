"""Demo tickets: a service desk, ticket indicators and targets for both demo customers, and tickets from the first of
last month up to now, so that a first run shows ticket figures, a paused clock, a priority change, a reopen, a
breach, a ticket still open and at risk, a cancelled one, and an event that came in after its month had closed.

Everything goes in through ``record_ticket_events``, the desk's own path, so the clocks are real. Events are sent
day by day, each day's at the end of that day (as a desk sends them while they happen); last month's ticket targets
are evaluated once just after the month closed, before the late event arrives, so the report shows a closed month
that the late event does not change. Times are placed relative to ``now``, on the business calendar's working days.

Routine tickets are made from a seed of their customer and day, so a later run makes the same ones: it sends the
days since its last run (and the events of earlier days that lay in the future then), and the desk skips what it
has stored already. The story tickets are sent once, on the first run.
"""

import datetime as dt
import random
from zoneinfo import ZoneInfo

from django.conf import settings

from agreements.calendars import add_working_time, is_working_time, working_intervals
from agreements.models import BusinessCalendar, Customer, Service, ServiceLevelTarget
from monitoring.choices import NotificationStatus, TicketCategory, TicketMetric
from monitoring.evaluation import evaluate_targets
from monitoring.intake.ticket_events import record_ticket_events
from monitoring.kinds import TICKET
from monitoring.models import (
    Indicator,
    Notification,
    TargetIndicator,
    TicketEventRecord,
    TicketGoal,
    TicketSource,
)
from monitoring.tickets.store import rebuild_open_clocks, settle_due_clocks
from monitoring.windows import MONTH, calendar_period

DESK_CODE = "demo-service-desk"
CALENDAR_CODE = "seoul-business-hours"  # slm_portal.demo.seed_calendar: Mon-Fri 09:00-18:00 Asia/Seoul
ZONE = ZoneInfo("Asia/Seoul")
STATE_MAP = {
    "New": TicketCategory.OPEN,
    "In progress": TicketCategory.OPEN,
    "Waiting for customer": TicketCategory.WAITING_CUSTOMER,
    "Waiting for vendor": TicketCategory.WAITING_THIRD_PARTY,
    "Solved": TicketCategory.RESOLVED,
    "Closed": TicketCategory.CLOSED,
}
HOUR = 60
# Business minutes per priority: (first response, resolution). P3's 27 h are three business days of nine hours.
GOALS = {"P1": (30, 4 * HOUR), "P2": (HOUR, 8 * HOUR), "P3": (4 * HOUR, 27 * HOUR)}
# customer, service, agreement, ticket prefix, routine tickets a working day to choose from, titles
CUSTOMERS = [
    (
        "hanbit-bank",
        "service-desk",
        "hanbit-desk-sla",
        "HB",
        (1, 2, 2, 3),
        [
            "Branch staff cannot log in",
            "Card payment declined",
            "Statement PDF is empty",
            "New teller account",
            "Shared mailbox access",
            "VPN token expired",
            "Printer queue stuck",
        ],
    ),
    (
        "saebyeok-logistics",
        "wms",
        "saebyeok-wms-sla",
        "SB",
        (0, 1, 1, 0, 1),
        ["Picking list out of order", "Scanner cannot book stock", "Dispatch label misprinted", "Slow stock search"],
    ),
]
TARGETS = {"tickets-resolved": TicketMetric.RESOLUTION, "tickets-answered": TicketMetric.FIRST_RESPONSE}
REFILL_DAYS = 7  # a later run makes the routine tickets of this many days again, to send what lay ahead then


def seed_ticket_demo(now):
    """The desk, indicators, goals and targets (idempotent), and tickets: the whole story on the first run, the
    routine tickets since the last one afterwards. Returns the desk's token when the desk was made now."""
    calendar_row = BusinessCalendar.objects.get(code=CALENDAR_CODE)
    calendar = calendar_row.as_working_calendar()
    source, token = _desk()
    indicators = _indicators(calendar_row, now)
    story = not source.tickets.exists()
    desk = _Desk(source, calendar)
    if story:
        first_day = _local(calendar_period(MONTH, _month_start(now) - dt.timedelta(days=1), "Asia/Seoul").start)
        for code, service, _agreement, prefix, per_day, titles in CUSTOMERS:
            for day in _days(first_day.date(), now):
                desk.add(_routine(calendar, code, service, prefix, per_day, titles, day))
        desk.add(_hanbit_story(calendar, now))
        desk.add(_saebyeok_story(calendar, now))
        late = desk.take(lambda event: event.get("late"))
        closed_at = _month_start(now) + dt.timedelta(minutes=settings.SLM_CLOSE_GRACE_MINUTES + 1)
        desk.send_until(min(closed_at, now))
        if closed_at <= now:
            # Last month's ticket targets close with what the desk had sent by then, as beat would have closed them.
            targets = _ticket_targets()
            evaluate_targets([target.pk for target in targets], closed_at)
            Notification.objects.filter(status=NotificationStatus.PENDING, alert__target__in=targets).delete()
        desk.send_until(now)
        desk.add(late)
        desk.send_until(now, at_once=True)
    else:
        newest = source.tickets.filter(external_id__contains="-D").order_by("-created_at").first()
        since = _local(newest.created_at).date() - dt.timedelta(days=REFILL_DAYS) if newest else _local(now).date()
        for code, service, _agreement, prefix, per_day, titles in CUSTOMERS:
            for day in _days(since, now):
                desk.add(_routine(calendar, code, service, prefix, per_day, titles, day))
        desk.send_until(now, at_once=True, skip_stored=True)
    settle_due_clocks(now)
    rebuild_open_clocks(now, [indicator.pk for indicator in indicators])
    return token


# --- the desk, its indicators and targets --------------------------------------------------------------------------


def _desk():
    source = TicketSource.objects.filter(code=DESK_CODE).first()
    token = None
    if source is None:
        source = TicketSource(code=DESK_CODE, name="Service desk")
        token = source.issue_token()
    source.state_map = {name: category.value for name, category in STATE_MAP.items()}
    source.save()
    source.customers.set(Customer.objects.filter(code__in=[row[0] for row in CUSTOMERS]))
    source.services.set(Service.objects.filter(code__in=[row[1] for row in CUSTOMERS]))
    return source, token


def _indicators(calendar, now):
    """Per customer a first-response and a resolution indicator with the goals, bound to its agreement's targets."""
    indicators = []
    for code, service_code, agreement_code, _prefix, _per_day, _titles in CUSTOMERS:
        customer = Customer.objects.get(code=code)
        service = Service.objects.get(code=service_code)
        for target_code, metric in TARGETS.items():
            name = TicketMetric(metric).label
            indicator, created = Indicator.objects.update_or_create(
                code=f"{code.split('-')[0]}-tickets-{metric.replace('_', '-')}",
                defaults={
                    "service": service,
                    "customer": customer,
                    "name": f"{customer.name}: {name}",
                    "kind": TICKET.value,
                    "unit": "tickets",
                    "ticket_metric": metric,
                    "business_hours": calendar,
                    "pause_categories": [TicketCategory.WAITING_CUSTOMER.value],
                },
            )
            if not indicator.ticket_goals.exists():
                since = now - dt.timedelta(days=120)
                column = 0 if metric == TicketMetric.FIRST_RESPONSE else 1
                TicketGoal.objects.bulk_create(
                    TicketGoal(indicator=indicator, priority=priority, minutes=goals[column], effective_from=since)
                    for priority, goals in GOALS.items()
                )
            target = ServiceLevelTarget.objects.get(agreement__code=agreement_code, code=target_code)
            TargetIndicator.objects.update_or_create(target=target, defaults={"indicator": indicator})
            indicators.append(indicator)
    return indicators


def _ticket_targets():
    return list(
        ServiceLevelTarget.objects.filter(
            agreement__code__in=[row[2] for row in CUSTOMERS], code__in=list(TARGETS)
        ).order_by("pk")
    )


# --- sending -------------------------------------------------------------------------------------------------------


class _Desk:
    """Events waiting to be sent, sent day by day at the end of each local day (or at once)."""

    def __init__(self, source, calendar):
        self.source = source
        self.calendar = calendar
        self.events = []

    def add(self, events):
        self.events.extend(events)

    def take(self, chosen):
        taken = [event for event in self.events if chosen(event)]
        self.events = [event for event in self.events if not chosen(event)]
        return taken

    def send_until(self, until, *, at_once=False, skip_stored=False):
        """Send the events up to ``until``: each local day's at that day's end (or all at ``until``)."""
        due = sorted((event for event in self.events if event["when"] <= until), key=lambda e: (e["when"], e["id"]))
        self.events = [event for event in self.events if event["when"] > until]
        if skip_stored and due:
            known = set(
                TicketEventRecord.objects.filter(
                    source=self.source, event_id__in=[event["id"] for event in due]
                ).values_list("event_id", flat=True)
            )
            due = [event for event in due if event["id"] not in known]
        batches = {}
        for event in due:
            sent_at = until if at_once else min(until, _day_end(event["when"]))
            batches.setdefault(sent_at, []).append(event)
        for sent_at, batch in sorted(batches.items()):
            record_ticket_events(self.source, [_body(event) for event in batch], now=sent_at)


def _body(event):
    return {key: value for key, value in event.items() if key not in ("when", "late")} | {
        "at": event["when"].isoformat()
    }


def _event(ticket, number, kind, when, **fields):
    return {"id": f"{ticket}-{number:02d}", "ticket": ticket, "type": kind, "when": when, **fields}


# --- times ---------------------------------------------------------------------------------------------------------


def _local(instant):
    return instant.astimezone(ZONE)


def _month_start(now):
    return calendar_period(MONTH, now, "Asia/Seoul").start


def _day_end(instant):
    day = _local(instant).date() + dt.timedelta(days=1)
    return dt.datetime(day.year, day.month, day.day, tzinfo=ZONE)


def _at(day, hour, minute=0):
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE)


def _days(first, now):
    day, last = first, _local(now).date()
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def _working_days_before(calendar, now, count):
    """The last ``count`` working days before today (in Seoul), the most recent first."""
    found, day = [], _local(now).date()
    while len(found) < count:
        day -= dt.timedelta(days=1)
        if is_working_time(calendar, _at(day, 10)):
            found.append(day)
    return found


def _working_time_back(calendar, now, minutes):
    """The instant from which ``minutes`` of working time have passed by ``now``."""
    left = dt.timedelta(minutes=minutes)
    for start, end in reversed(list(working_intervals(calendar, now - dt.timedelta(days=30), now))):
        if end - start >= left:
            return (end - left).replace(second=0, microsecond=0)
        left -= end - start
    raise ValueError("No working time in the last 30 days.")


# --- the tickets ---------------------------------------------------------------------------------------------------


def _routine(calendar, customer, service, prefix, per_day, titles, day):
    """The routine tickets of one customer and working day: mostly within their goals, now and then late or waiting
    for the customer. The same on every run (seeded by customer and day)."""
    if not is_working_time(calendar, _at(day, 10)):
        return []
    rng = random.Random(f"{customer}-{day.isoformat()}")  # noqa: S311 - demo data, repeatable on purpose
    events = []
    for number in range(rng.choice(per_day)):
        ticket = f"{prefix}-D{day:%Y%m%d}-{number + 1}"
        priority = rng.choices(list(GOALS), weights=(1, 3, 6))[0]
        response_goal, resolution_goal = GOALS[priority]
        created = _at(day, 9) + dt.timedelta(minutes=rng.randrange(0, 8 * HOUR))
        answer = int(response_goal * (rng.uniform(1.2, 2) if rng.random() < 0.05 else rng.uniform(0.1, 0.8)))
        solve = int(resolution_goal * (rng.uniform(1.05, 1.6) if rng.random() < 0.05 else rng.uniform(0.15, 0.9)))
        solve = max(solve, answer + 5)
        wait = rng.randrange(60, 5 * HOUR) if rng.random() < 0.15 else 0

        def after(minutes, created=created):
            return add_working_time(calendar, created, dt.timedelta(minutes=minutes))

        row = [
            _event(
                ticket,
                1,
                "created",
                created,
                customer=customer,
                service=service,
                priority=priority,
                state="New",
                title=rng.choice(titles),
            ),
            _event(ticket, 2, "first_response", after(answer)),
            _event(ticket, 3, "state_changed", after(answer), state="In progress"),
        ]
        if wait:
            asked = answer + (solve - answer) // 2
            row += [
                _event(ticket, 4, "state_changed", after(asked), state="Waiting for customer"),
                _event(ticket, 5, "state_changed", after(asked + wait), state="In progress"),
            ]
        solved = after(solve + wait)
        row += [
            _event(ticket, 6, "state_changed", solved, state="Solved"),
            _event(ticket, 7, "state_changed", solved + dt.timedelta(days=2), state="Closed"),
        ]
        events += row
    return events


def _hanbit_story(calendar, now):
    """Hanbit Bank's desk tickets that each show one rule (docs/compliance.md, "Ticket clocks")."""
    d1, d2, d3, d4, d5 = _working_days_before(calendar, now, 5)
    common = {"customer": "hanbit-bank", "service": "service-desk"}
    events = []
    # Waiting for the customer: 4 h on the first day and 2 h on the next run; without the pause it would be late.
    t = "HB-1001"
    events += [
        _event(
            t, 1, "created", _at(d3, 10), priority="P2", state="New", title="Password reset for branch staff", **common
        ),
        _event(t, 2, "first_response", _at(d3, 10, 20)),
        _event(t, 3, "state_changed", _at(d3, 10, 20), state="In progress"),
        _event(t, 4, "state_changed", _at(d3, 14), state="Waiting for customer"),
        _event(t, 5, "state_changed", _at(d2, 11), state="In progress"),
        _event(t, 6, "state_changed", _at(d2, 13), state="Solved"),
    ]
    # Raised from P3 to P1: P1's four hours apply from the start.
    t = "HB-1002"
    events += [
        _event(
            t,
            1,
            "created",
            _at(d4, 9, 30),
            priority="P3",
            state="New",
            title="Card payments declined at ATMs",
            **common,
        ),
        _event(t, 2, "first_response", _at(d4, 10)),
        _event(t, 3, "priority_changed", _at(d4, 11), priority="P1"),
        _event(t, 4, "state_changed", _at(d4, 11), state="In progress"),
        _event(t, 5, "state_changed", _at(d4, 13), state="Solved"),
    ]
    # Reopened the next day: the same clock runs on, 3 h + 4 h of P2's 8 h.
    t = "HB-1003"
    events += [
        _event(t, 1, "created", _at(d5, 9), priority="P2", state="New", title="Statement export fails", **common),
        _event(t, 2, "first_response", _at(d5, 9, 20)),
        _event(t, 3, "state_changed", _at(d5, 12), state="Solved"),
        _event(t, 4, "reopened", _at(d4, 10)),
        _event(t, 5, "state_changed", _at(d4, 10, 1), state="In progress"),
        _event(t, 6, "state_changed", _at(d4, 14), state="Solved"),
    ]
    # Resolved late: breached at 13:10, four business hours after it came in.
    t = "HB-1004"
    events += [
        _event(
            t, 1, "created", _at(d2, 9, 10), priority="P1", state="New", title="Internet banking login errors", **common
        ),
        _event(t, 2, "first_response", _at(d2, 9, 25)),
        _event(t, 3, "state_changed", _at(d2, 9, 25), state="In progress"),
        _event(t, 4, "state_changed", _at(d2, 14, 40), state="Solved"),
    ]
    # Cancelled: counts nothing.
    t = "HB-1005"
    events += [
        _event(t, 1, "created", _at(d1, 10), priority="P3", state="New", title="Duplicate of HB-1004", **common),
        _event(t, 2, "cancelled", _at(d1, 11)),
    ]
    # Still open, five of its eight business hours used: at risk.
    t = "HB-1006"
    opened = _working_time_back(calendar, now, 5 * HOUR)
    events += [
        _event(t, 1, "created", opened, priority="P2", state="New", title="One-time passwords arrive late", **common),
        _event(t, 2, "first_response", opened + dt.timedelta(minutes=20)),
        _event(t, 3, "state_changed", opened + dt.timedelta(minutes=20), state="In progress"),
    ]
    # Last month: resolved after 12 business hours, breached; weeks later the desk sends that it waited for the
    # customer for 6 of them. The closed month keeps its result; the report lists the late events.
    month_start = _local(_month_start(now))
    day = next(
        day
        for day in (month_start.date() - dt.timedelta(days=offset) for offset in range(12, 40))
        if is_working_time(calendar, _at(day, 10)) and is_working_time(calendar, _at(day + dt.timedelta(days=1), 10))
    )
    after = day + dt.timedelta(days=1)
    t = "HB-0901"
    events += [
        _event(t, 1, "created", _at(day, 9), priority="P2", state="New", title="Quarterly report access", **common),
        _event(t, 2, "first_response", _at(day, 9, 30)),
        _event(t, 3, "state_changed", _at(day, 9, 30), state="In progress"),
        _event(t, 4, "state_changed", _at(day, 13), state="Waiting for customer", late=True),
        _event(t, 5, "state_changed", _at(after, 10), state="In progress", late=True),
        _event(t, 6, "state_changed", _at(after, 12), state="Solved"),
    ]
    return events


def _saebyeok_story(calendar, now):
    """Saebyeok Logistics: a P1 left waiting for a vendor (which does not pause its clock) breaches while still open;
    another ticket is at risk; one is lowered from P2 to P3; one is cancelled."""
    d1, d2, d3 = _working_days_before(calendar, now, 3)
    common = {"customer": "saebyeok-logistics", "service": "wms"}
    events = []
    t = "SB-2001"
    events += [
        _event(
            t, 1, "created", _at(d2, 10), priority="P1", state="New", title="Dispatch labels not printing", **common
        ),
        _event(t, 2, "first_response", _at(d2, 10, 15)),
        _event(t, 3, "state_changed", _at(d2, 11), state="Waiting for vendor"),
    ]
    t = "SB-2002"
    opened = _working_time_back(calendar, now, 6 * HOUR + 10)
    events += [
        _event(t, 1, "created", opened, priority="P2", state="New", title="Stock counts out of sync", **common),
        _event(t, 2, "first_response", opened + dt.timedelta(minutes=40)),
        _event(t, 3, "state_changed", opened + dt.timedelta(minutes=40), state="In progress"),
    ]
    t = "SB-2003"
    events += [
        _event(t, 1, "created", _at(d3, 9, 40), priority="P2", state="New", title="Picking slow in zone C", **common),
        _event(t, 2, "first_response", _at(d3, 10, 5)),
        _event(t, 3, "priority_changed", _at(d3, 11), priority="P3"),
        _event(t, 4, "state_changed", _at(d2, 15), state="Solved"),
    ]
    t = "SB-2004"
    events += [
        _event(t, 1, "created", _at(d1, 14), priority="P3", state="New", title="Label printer request", **common),
        _event(t, 2, "cancelled", _at(d1, 14, 30)),
    ]
    return events
