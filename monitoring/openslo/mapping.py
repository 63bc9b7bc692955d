"""The one table of how portal fields and OpenSLO fields correspond, used by both the export and the import."""

import datetime as dt

from agreements.choices import BudgetingMethod, CalendarPeriod

METHODS = {
    BudgetingMethod.OCCURRENCES: "Occurrences",
    BudgetingMethod.TIMESLICES: "Timeslices",
    BudgetingMethod.RATIO_TIMESLICES: "RatioTimeslices",
}
METHOD_OF = {name: method for method, name in METHODS.items()}
PERIODS = {
    CalendarPeriod.WEEK: "1w",
    CalendarPeriod.MONTH: "1M",
    CalendarPeriod.QUARTER: "1Q",
    CalendarPeriod.YEAR: "1Y",
}
PERIOD_OF = {duration: period for period, duration in PERIODS.items()}
SOURCE_TYPE = "SLMPortal"  # the metric source of an indicator fed by the portal's own intake
PREFIX = "slm-portal/"  # annotations the portal reads and writes itself
WARNING = PREFIX + "warning-threshold"
NO_DATA = PREFIX + "slices-without-data"
SERVICE_HOURS = PREFIX + "service-hours"
MINIMUM = PREFIX + "minimum-events"
CREDITS = PREFIX + "credit-tiers"
PORTAL_ANNOTATIONS = (WARNING, NO_DATA, SERVICE_HOURS, MINIMUM, CREDITS)
POLICY_FLAGS = {"alertWhenBreaching": True, "alertWhenResolved": False, "alertWhenNoData": False}


def period_start(period, day):
    """The first day of the calendar period holding ``day``."""
    if period == CalendarPeriod.WEEK:
        return day - dt.timedelta(days=day.weekday())
    if period == CalendarPeriod.MONTH:
        return day.replace(day=1)
    if period == CalendarPeriod.QUARTER:
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(month=1, day=1)


def minutes_text(minutes):
    """A number of minutes as an OpenSLO duration: 1440 -> 1d, 60 -> 1h, 5 -> 5m."""
    for size, unit in ((1440, "d"), (60, "h")):
        if minutes % size == 0:
            return f"{minutes // size}{unit}"
    return f"{minutes}m"


def duration_minutes(text):
    """An OpenSLO duration in m, h or d as minutes, or None for w, M, Q and Y."""
    number, unit = int(text[:-1]), text[-1]
    return {"m": 1, "h": 60, "d": 1440}.get(unit, 0) * number or None


def rule_name(name):
    """A burn-rate rule's name as an OpenSLO name (no underscores)."""
    return name.lower().replace("_", "-")
