"""Prioritisation arithmetic in plain Python (no Django): the score of a requirement or a service, its parts, the
Importance-Performance Analysis quadrant, and watermelon detection.

A score is 0 to 100, the weighted mean of four parts, each 0 to 1:

- importance:  (importance - 1) / 4                      (1-5 scale: 1 -> 0, 5 -> 1)
- gap:         max(0, importance - performance) / 4      (how far the service falls short of what matters)
- criticality: (4 - tier) / 3                            (tier 1 mission critical -> 1, tier 4 -> 0)
- record:      (min(1, breaches / periods) + min(1, budget spent)) / 2
               over the service's last closed periods: how often it breached, and how much error budget it spent
               on average (1 = all of it; overspending counts as all)

score = 100 * sum(weight * part) / sum(weights). The weights are set by admins and shown with every score.

Survey ratings may be "not applicable" (None): a mean of ratings counts only those given, ``mean_rating([5, None, 2])``
is 3.5, not 7 / 3, and a mean of none given is None, not 0.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal, DivisionByZero, InvalidOperation, Overflow
from functools import reduce

ZERO, ONE, FOUR, HUNDRED = Decimal(0), Decimal(1), Decimal(4), Decimal(100)
PLACES = Decimal("0.01")
PARTS = ("importance", "gap", "criticality", "record")
# Every operation runs in this context, never the thread's (changeable) default one: 28 digits, half to even.
_CTX = Context(prec=28, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow])


def _sum(values):
    return reduce(_CTX.add, values, ZERO)


def mean(values):
    """The mean of Decimals, divided in this module's context; None when there are none."""
    values = list(values)
    return _CTX.divide(_sum(values), len(values)) if values else None


def mean_rating(ratings):
    """The mean of the ratings given, N/A (None) left out: [5, None, 2] -> 3.5; None when none was given."""
    return mean(Decimal(rating) for rating in ratings if rating is not None)


def given(ratings):
    """How many of ``ratings`` were given (N/A left out)."""
    return sum(1 for rating in ratings if rating is not None)


def percent_of(part, whole):
    """100 x part / whole, divided in this module's context (a response rate: 7 of 12 -> 58.333...)."""
    return _CTX.divide(_CTX.multiply(HUNDRED, Decimal(part)), Decimal(whole))


def _decimal(value):
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _clamp(value):
    return max(ZERO, min(ONE, value))


@dataclass(frozen=True)
class Weights:
    importance: Decimal = Decimal(3)
    gap: Decimal = Decimal(4)
    criticality: Decimal = Decimal(2)
    record: Decimal = Decimal(3)

    def __post_init__(self):
        for name in PARTS:
            if _decimal(getattr(self, name)) < 0:
                raise ValueError(f"the {name} weight must not be negative")
        if _sum(_decimal(getattr(self, name)) for name in PARTS) <= 0:
            raise ValueError("at least one weight must be more than 0")


def importance_part(importance):
    return _clamp(_CTX.divide(_CTX.subtract(_decimal(importance), ONE), FOUR))


def gap_part(importance, performance):
    return _clamp(_CTX.divide(_CTX.subtract(_decimal(importance), _decimal(performance)), FOUR))


def criticality_part(tier):
    return _clamp(_CTX.divide(_CTX.subtract(FOUR, _decimal(tier)), 3))


def record_part(breaches, periods, budget_spent):
    """``breaches`` among ``periods`` closed periods; ``budget_spent``: their mean share of budget used, or None."""
    if periods <= 0:
        return ZERO
    breach_share = min(ONE, _CTX.divide(Decimal(breaches), Decimal(periods)))
    spent = ZERO if budget_spent is None else _clamp(_decimal(budget_spent))
    return _CTX.divide(_CTX.add(breach_share, spent), 2)


@dataclass(frozen=True)
class Score:
    parts: dict  # name -> part (0..1)
    contributions: dict  # name -> points it adds to the total
    total: Decimal  # 0..100, two places


def score(weights, *, importance, performance, tier, breaches=0, periods=0, budget_spent=None):
    """The score and how it is made up."""
    parts = {
        "importance": importance_part(importance),
        "gap": gap_part(importance, performance),
        "criticality": criticality_part(tier),
        "record": record_part(breaches, periods, budget_spent),
    }
    weight = {name: _decimal(getattr(weights, name)) for name in PARTS}
    total_weight = _sum(weight.values())
    contributions = {
        name: _CTX.divide(_CTX.multiply(_CTX.multiply(HUNDRED, weight[name]), parts[name]), total_weight)
        for name in PARTS
    }
    total = _sum(contributions.values()).quantize(PLACES, rounding=ROUND_HALF_EVEN, context=_CTX)
    return Score(
        parts={name: part.quantize(Decimal("0.0001"), context=_CTX) for name, part in parts.items()},
        contributions={
            name: value.quantize(PLACES, rounding=ROUND_HALF_EVEN, context=_CTX)
            for name, value in contributions.items()
        },
        total=total,
    )


# Importance-Performance Analysis: the 1-5 scales are split at their middle, 3.
CONCENTRATE, KEEP_UP, LOW_PRIORITY, OVERKILL = "concentrate", "keep_up", "low_priority", "overkill"
MIDPOINT = Decimal(3)


def quadrant(importance, performance, midpoint=MIDPOINT):
    """Where a point falls: important and poorly done -> concentrate here; important and well done -> keep up the
    good work; neither -> low priority; unimportant but well done -> possible overkill. The midpoint belongs to the
    upper half (3 is "important" and "well done")."""
    important = _decimal(importance) >= midpoint
    performing = _decimal(performance) >= midpoint
    if important:
        return KEEP_UP if performing else CONCENTRATE
    return OVERKILL if performing else LOW_PRIORITY


# Watermelon: the SLA is green, the users are red (and the reverse).
WATERMELON, REVERSE_WATERMELON = "watermelon", "reverse"
LOW_SATISFACTION = Decimal(3)
HIGH_SATISFACTION = Decimal(4)


def watermelon(sla_met, csat, low=LOW_SATISFACTION, high=HIGH_SATISFACTION):
    """ "watermelon" when every target was met but the mean CSAT is under ``low``; "reverse" when a target was
    breached but the mean CSAT is ``high`` or more; None otherwise (or without ratings or SLA results)."""
    if csat is None or sla_met is None:
        return None
    csat = _decimal(csat)
    if sla_met and csat < low:
        return WATERMELON
    if not sla_met and csat >= high:
        return REVERSE_WATERMELON
    return None
