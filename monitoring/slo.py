"""Compliance arithmetic: attainment, error budgets, burn rates, status and service credits (docs/compliance.md).

Plain Python on purpose (no Django): the evaluation, the API, dashboards and reports all call these functions, so
the numbers they show agree. Every result is an exact ``int`` or a ``Decimal``: arithmetic runs in a private decimal
context of 28 significant digits, never the thread's (changeable) default one, and public results are quantized to
12 decimal places (ROUND_HALF_EVEN), so the same inputs always give the same, exactly comparable, results. A slice's
good/total ratio is an integer count of 10^-12 units (``ratio_units``), so sums of ratios are exact integer sums.
Money is exact (``fractions.Fraction``) until it is rounded once, to the currency's minor unit. Fractions are
fractions: 0.999 means 99.9 %.
"""

from collections.abc import Iterable
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_EVEN, Context, Decimal, DivisionByZero, InvalidOperation, Overflow
from enum import Enum
from fractions import Fraction

__all__ = [
    "DEFAULT_BURN_RULES",
    "BurnRule",
    "ErrorBudget",
    "Method",
    "MissingData",
    "Status",
    "Tally",
    "attainment",
    "burn_rate",
    "counted_slices",
    "credit_amount",
    "credit_percent",
    "error_budget",
    "from_percent",
    "good_and_counted",
    "ratio_from_units",
    "projected_remaining",
    "ratio_units",
    "rounded",
    "rule_fires",
    "share",
    "status",
    "to_percent",
]

# Divisions and products happen here, never in the thread's (changeable) default context.
_CTX = Context(prec=28, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow])
PLACES = Decimal("1e-12")
RATIO_UNIT = 10**12  # a ratio of 1 in units of 10^-12: the 12 places every result keeps (PLACES)
ONE = Decimal(1)
ZERO = Decimal(0)


class Method(str, Enum):  # noqa: UP042 - the contract names a (str, Enum); values match agreements.BudgetingMethod
    OCCURRENCES = "occurrences"
    TIMESLICES = "timeslices"
    RATIO_TIMESLICES = "ratio_timeslices"


class MissingData(str, Enum):  # noqa: UP042
    IGNORE = "ignore"
    GOOD = "good"
    BAD = "bad"


class Status(str, Enum):  # noqa: UP042
    MET = "met"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    NO_DATA = "no_data"


def _decimal(value, name="value") -> Decimal:
    """An exact Decimal of ``value``; floats go through ``str`` (0.1 -> Decimal('0.1'), not its binary expansion)."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be a number, not a bool")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(str(value))
    else:
        raise TypeError(f"{name} must be a Decimal, int or float, not {type(value).__name__}")
    if not result.is_finite():
        raise ValueError(f"{name} must be finite, not {result}")
    return result


def _q(value: Decimal) -> Decimal:
    """A public result: quantized to 12 decimal places, half to even."""
    return value.quantize(PLACES, context=_CTX)


def _count(value, name) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    return value


def ratio_units(good: int, total: int) -> int:
    """good / total as an integer number of 10^-12 units, rounded half to even with integer arithmetic only.

    999 of 1,000 -> 999,000,000,000 (0.999 exactly); 1 of 3 -> 333,333,333,333; 2 of 3 -> 666,666,666,667. Sums of
    units are exact: a month of minutes at 999 of 1,000 sums to 43,156.8 slices, not 43,156.80000000009.
    """
    good, total = _count(good, "good"), _count(total, "total")
    if not 0 <= good <= total or total == 0:
        raise ValueError(f"a ratio needs 0 <= good <= total and total > 0, not {good} of {total}")
    quotient, remainder = divmod(good * RATIO_UNIT, total)
    if 2 * remainder > total or (2 * remainder == total and quotient % 2):
        quotient += 1
    return quotient


def ratio_from_units(units: int) -> Decimal:
    """A count of 10^-12 units as the exact Decimal it stands for: 999,000,000,000 -> Decimal('0.999000000000')."""
    return Decimal(_count(units, "units")).scaleb(-12, _CTX)


def share(part, whole) -> Decimal | None:
    """part / whole to 12 decimal places (half to even), divided in this module's context; None when whole == 0."""
    part, whole = _decimal(part, "part"), _decimal(whole, "whole")
    if whole == 0:
        return None
    return _q(_CTX.divide(part, whole))


def to_percent(fraction) -> Decimal:
    """A fraction as a percentage, exactly: Decimal('0.999') -> Decimal('99.9')."""
    return _decimal(fraction, "fraction").scaleb(2, _CTX)


def rounded(value, places: int) -> Decimal:
    """``value`` to ``places`` decimal places, half to even, in this module's context: for the figures pages show
    rounded (a mean to 0.01, an attainment in percent to 0.001), whatever the thread's decimal context."""
    return _decimal(value, "value").quantize(Decimal(1).scaleb(-places, _CTX), context=_CTX)


def from_percent(percent) -> Decimal:
    """A percentage as a fraction, exactly: Decimal('99.9') -> Decimal('0.999'), Decimal('25') -> Decimal('0.25')."""
    return _decimal(percent, "percent").scaleb(-2, _CTX)


def _objective(objective) -> Decimal:
    value = _decimal(objective, "objective")
    if not ZERO <= value < ONE:
        raise ValueError(f"objective must be a fraction in [0, 1), not {value} (99.9 % is Decimal('0.999'))")
    return value


# --- what was measured ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    """What was measured in one window, after service hours are applied."""

    good: int = 0  # good events (occurrences)
    total: int = 0  # all events
    slices_with_data: int = 0  # slices that had total > 0
    good_slices: int = 0  # slices with data whose ratio reached the slice target
    ratio_sum: Decimal = ZERO  # sum over slices with data of good/total, each to 12 places (ratio_units): exact
    slices_in_scope: int = 0  # slices of the window that count at all (in service hours, up to the evaluation time)

    def __post_init__(self):
        for field in fields(self):
            if field.name == "ratio_sum":
                continue
            value = getattr(self, field.name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"Tally.{field.name} must be an int, not {type(value).__name__}")
            if value < 0:
                raise ValueError(f"Tally.{field.name} must not be negative, not {value}")
        # An exact sum of 12-place ratios: a float (0.1 + 0.2 == 0.30000000000000004) is refused, not rounded.
        if isinstance(self.ratio_sum, float):
            raise TypeError("Tally.ratio_sum must be exact (a Decimal or an int), not a float")
        object.__setattr__(self, "ratio_sum", _decimal(self.ratio_sum, "Tally.ratio_sum"))
        if self.good > self.total:
            raise ValueError(f"Tally.good ({self.good}) exceeds total ({self.total})")
        if self.good_slices > self.slices_with_data:
            raise ValueError(f"Tally.good_slices ({self.good_slices}) exceeds slices_with_data")
        if self.slices_with_data > self.slices_in_scope:
            raise ValueError(
                f"Tally.slices_in_scope ({self.slices_in_scope}) is less than slices_with_data "
                f"({self.slices_with_data}): every slice with data is in scope"
            )
        if not ZERO <= self.ratio_sum <= self.slices_with_data:
            raise ValueError(f"Tally.ratio_sum ({self.ratio_sum}) must lie in [0, slices_with_data]")
        if self.ratio_sum != self.ratio_sum.quantize(PLACES, context=_CTX):
            raise ValueError(f"Tally.ratio_sum ({self.ratio_sum}) must be a sum of ratios to 12 places (ratio_units)")

    def __add__(self, other) -> "Tally":
        """Field-wise sum, so a window can be assembled from parts (days, slices of rollups)."""
        if not isinstance(other, Tally):
            return NotImplemented
        return Tally(
            good=self.good + other.good,
            total=self.total + other.total,
            slices_with_data=self.slices_with_data + other.slices_with_data,
            good_slices=self.good_slices + other.good_slices,
            ratio_sum=_CTX.add(self.ratio_sum, other.ratio_sum),
            slices_in_scope=self.slices_in_scope + other.slices_in_scope,
        )

    def __radd__(self, other) -> "Tally":
        """``sum(parts)`` works too: it starts from the int 0."""
        if other == 0 and not isinstance(other, Tally):
            return self
        return NotImplemented

    @property
    def ratio_units(self) -> int:
        """ratio_sum as an integer count of 10^-12 units, exactly (how the database keeps it)."""
        return int(self.ratio_sum.scaleb(12, _CTX))

    @property
    def bad(self) -> int:
        return self.total - self.good

    @property
    def slices_without_data(self) -> int:
        return self.slices_in_scope - self.slices_with_data


def counted_slices(tally: Tally, missing: MissingData = MissingData.IGNORE) -> tuple[int, int]:
    """(good slices, slices counted) after the missing-data policy.

    IGNORE leaves no-data slices out; GOOD adds them to both; BAD adds them to the count only.
    """
    missing = MissingData(missing)
    if missing is MissingData.IGNORE:
        return tally.good_slices, tally.slices_with_data
    if missing is MissingData.GOOD:
        return tally.good_slices + tally.slices_without_data, tally.slices_in_scope
    return tally.good_slices, tally.slices_in_scope


def good_and_counted(method: Method, tally: Tally, missing: MissingData) -> tuple[Decimal, int]:
    """The exact numerator and denominator of attainment under ``method`` (good amount, amount counted)."""
    if method is Method.OCCURRENCES:
        return Decimal(tally.good), tally.total
    if method is Method.TIMESLICES:
        good, counted = counted_slices(tally, missing)
        return Decimal(good), counted
    # ratio_timeslices: a slice with no data counts as ratio 1 (GOOD) or 0 (BAD), or not at all (IGNORE).
    _, counted = counted_slices(tally, missing)
    extra = tally.slices_without_data if MissingData(missing) is MissingData.GOOD else 0
    return _CTX.add(tally.ratio_sum, extra), counted


def attainment(method: Method, tally: Tally, missing: MissingData = MissingData.IGNORE) -> Decimal | None:
    """The share of good in the window, a fraction in [0, 1]; None when nothing counts (no data).

    occurrences: good / total; timeslices: good slices / counted slices; ratio_timeslices: (ratio_sum + no-data
    slices counted as 1 (GOOD) or 0 (BAD)) / counted slices.
    """
    good, counted = good_and_counted(Method(method), tally, MissingData(missing))
    if counted == 0:
        return None
    return _q(_CTX.divide(good, counted))


# --- error budget --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErrorBudget:
    unit: str  # "minutes" for time-based, "events" for event-based
    total: Decimal  # allowed failure in unit
    consumed: Decimal  # used so far in unit

    @property
    def remaining(self) -> Decimal | None:
        """1 - consumed / total: the share of the budget left (negative when overspent); None when total == 0."""
        if self.total == 0:
            return None
        return _q(_CTX.subtract(ONE, _CTX.divide(self.consumed, self.total)))

    @property
    def left(self) -> Decimal:
        """total - consumed, in unit (negative when overspent)."""
        return _q(_CTX.subtract(self.total, self.consumed))


def error_budget(
    method: Method,
    tally: Tally,
    objective: Decimal,
    *,
    period_minutes=None,
    slice_minutes=1,
    missing: MissingData = MissingData.IGNORE,
) -> ErrorBudget:
    """The error budget of a window (SRE workbook): the share of failure the objective allows, (1 - objective).

    Time-based (timeslices, ratio_timeslices): total = (1 - objective) x period_minutes, the length of the whole
    period (in-hours length when service hours apply), in minutes; consumed = bad slices x slice_minutes.
    Event-based (occurrences): total = (1 - objective) x events so far; consumed = bad events.
    """
    method = Method(method)
    missing = MissingData(missing)
    allowed = _CTX.subtract(ONE, _objective(objective))  # 1 - 0.999 == Decimal("0.001") exactly
    if method is Method.OCCURRENCES:
        return ErrorBudget(
            unit="events", total=_q(_CTX.multiply(allowed, tally.total)), consumed=_q(Decimal(tally.bad))
        )
    if period_minutes is None:
        raise ValueError(f"period_minutes is required for the time-based method {method.value}")
    period = _decimal(period_minutes, "period_minutes")
    slice_length = _decimal(slice_minutes, "slice_minutes")
    if period < 0:
        raise ValueError(f"period_minutes must not be negative, not {period}")
    if slice_length <= 0:
        raise ValueError(f"slice_minutes must be positive, not {slice_length}")
    # The "bad" amount is counted - good, with the missing-data policy applied (BAD adds the no-data slices).
    # For ratio_timeslices a slice is not simply good or bad: we charge each counted slice (1 - its ratio), so the
    # bad amount is counted - ratio_sum (- no-data slices counted as good). A slice at 0.75 spends a quarter of a
    # slice. This keeps budget and attainment consistent: consumed / (counted x slice) == 1 - attainment.
    good, counted = good_and_counted(method, tally, missing)
    bad = _CTX.subtract(counted, good)
    return ErrorBudget(
        unit="minutes",
        total=_q(_CTX.multiply(allowed, period)),
        consumed=_q(_CTX.multiply(bad, slice_length)),
    )


# --- burn rate and alerts ------------------------------------------------------------------------------------------


def burn_rate(
    method: Method, tally: Tally, objective: Decimal, missing: MissingData = MissingData.IGNORE
) -> Decimal | None:
    """(bad / total within the look-back window) / (1 - objective); None when the window has no data.

    1.0 spends exactly the budget over the period; 14.4 spends a 30-day budget in 50 hours. ``tally`` is the
    look-back window's tally, not the period's.
    """
    allowed = _CTX.subtract(ONE, _objective(objective))
    good, counted = good_and_counted(Method(method), tally, MissingData(missing))
    if counted == 0:
        return None
    # bad / total = 1 - attainment, taken unrounded so only the result is quantized.
    bad_share = _CTX.divide(_CTX.subtract(counted, good), counted)
    return _q(_CTX.divide(bad_share, allowed))


def projected_remaining(unit: str, remaining, elapsed_share) -> Decimal | None:
    """The share of the error budget left when the period ends, if it goes on as it went so far (a projection).

    ``remaining`` is the share left now (``ErrorBudget.remaining``), ``elapsed_share`` the share of the period's
    counted time gone by (0 < elapsed_share <= 1). A time budget ("minutes") is fixed for the period, so bad time
    at the same pace consumes (1 - remaining) / elapsed_share of it by the end. An event budget ("events") grows
    with the traffic: at the same error rate the share left stays what it is. None when either is unknown.
    """
    if remaining is None or elapsed_share is None:
        return None
    remaining = _decimal(remaining, "remaining")
    if unit == "events":
        return _q(remaining)
    elapsed = _decimal(elapsed_share, "elapsed_share")
    if not 0 < elapsed <= 1:
        return None
    return _q(_CTX.subtract(ONE, _CTX.divide(_CTX.subtract(ONE, remaining), elapsed)))


@dataclass(frozen=True)
class BurnRule:
    """A multi-window burn-rate alert: fires when both windows burn at ``threshold`` or faster."""

    name: str
    severity: str  # "page" or "ticket"
    long_window_minutes: int
    short_window_minutes: int
    threshold: Decimal


# SRE workbook, chapter 5 ("Alerting on SLOs"), multiwindow, multi-burn-rate alerts. Kept as data.
DEFAULT_BURN_RULES = (
    BurnRule("page-1h", "page", long_window_minutes=60, short_window_minutes=5, threshold=Decimal("14.4")),
    BurnRule("page-6h", "page", long_window_minutes=360, short_window_minutes=30, threshold=Decimal("6")),
    BurnRule("ticket-3d", "ticket", long_window_minutes=4320, short_window_minutes=360, threshold=Decimal("1")),
)


def rule_fires(rule: BurnRule, long_burn: Decimal | None, short_burn: Decimal | None) -> bool:
    """Both windows have data and both burn at or above the rule's threshold."""
    if long_burn is None or short_burn is None:
        return False
    return long_burn >= rule.threshold and short_burn >= rule.threshold


# --- status and credits --------------------------------------------------------------------------------------------


def status(
    *,
    attainment: Decimal | None,
    objective: Decimal,
    closed: bool,
    budget_remaining: Decimal | None,
    warning_threshold: Decimal,
    alert_firing: bool = False,
) -> Status:
    """The status of a target in a period.

    ``warning_threshold`` is a fraction of budget left (Decimal("0.25") for 25 %). No attainment: NO_DATA.
    Closed period: BREACHED under the objective, else MET (exactly at the objective is MET). Open period (a rolling
    window never closes): BREACHED once the budget is spent (remaining <= 0); AT_RISK with less than
    ``warning_threshold`` left or a firing alert; otherwise ON_TRACK. Only a closed period is MET: a running one has
    not met anything yet.
    """
    if attainment is None:
        return Status.NO_DATA
    if closed:
        return Status.BREACHED if attainment < objective else Status.MET
    if budget_remaining is not None and budget_remaining <= 0:
        return Status.BREACHED
    if (budget_remaining is not None and budget_remaining < warning_threshold) or alert_firing:
        return Status.AT_RISK
    return Status.ON_TRACK


def credit_percent(attainment_percent: Decimal, tiers: Iterable[tuple[Decimal, Decimal]]) -> Decimal:
    """The service credit % due at ``attainment_percent`` (a percentage: 99.9, not 0.999).

    ``tiers`` are (below_attainment %, credit %) pairs; the credit is that of the tier with the LOWEST threshold the
    attainment is strictly under, 0 when it is under none (exactly at a threshold earns no credit from that tier).
    """
    attained = _decimal(attainment_percent, "attainment_percent")
    due_below, due = None, ZERO
    for below, credit in tiers:
        below = _decimal(below, "below_attainment")
        if attained < below and (due_below is None or below < due_below):
            due_below, due = below, _decimal(credit, "credit_percent")
    return due


def credit_amount(monthly_fee, credit_percent, months, minor_unit: int) -> Decimal:
    """The credit due: monthly_fee x credit_percent / 100 x months, rounded once, half to even, to the currency's
    minor unit (``minor_unit`` decimal places: 0 for KRW and JPY, 2 for USD).

    ``months`` is the period's length in months as an exact int or ``fractions.Fraction`` (a week is 12/52 = 3/13 of a
    month). Everything before the one rounding is exact: 10 % of a 1,000,000 KRW fee for a week is
    1,000,000 x 0.1 x 3/13 = 23,076.923076... -> 23,077 KRW; the same fee in USD -> 23,076.92.
    """
    if isinstance(months, bool) or not isinstance(months, int | Fraction):
        raise TypeError(f"months must be an int or a Fraction (a week is Fraction(3, 13)), not {type(months).__name__}")
    minor_unit = _count(minor_unit, "minor_unit")
    fee = _decimal(monthly_fee, "monthly_fee")
    percent = _decimal(credit_percent, "credit_percent")
    if fee < 0 or percent < 0 or months < 0 or minor_unit < 0:
        raise ValueError("the fee, the credit %, the months and the minor unit must not be negative")
    exact = Fraction(fee) * Fraction(percent) / 100 * Fraction(months)
    in_minor_units = round(exact * 10**minor_unit)  # Fraction rounds half to even
    return Decimal(in_minor_units).scaleb(-minor_unit, _CTX)
