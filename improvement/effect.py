"""Did the plan work? The effect review's arithmetic in plain Python (no Django).

For each target the plan addresses, the N closed periods before the plan started are compared with the N closed
periods after it completed: mean attainment and number of breaches. A difference smaller than a tenth of the
target's error budget (0.1 × (1 − objective)) counts as no change.

- not enough data: fewer than N measured periods on either side;
- worse: more breaches after, or mean attainment lower by more than the tolerance;
- improved: fewer breaches after (and attainment not lower beyond the tolerance), or attainment higher by more than
  the tolerance with no more breaches;
- no change: anything else.

A plan's verdict over several targets: worse if any target is worse, else improved if any improved, else no change
if any had enough data, else not enough data.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal, DivisionByZero, InvalidOperation, Overflow
from functools import reduce

IMPROVED, NO_CHANGE, WORSE, NOT_ENOUGH_DATA = "improved", "no_change", "worse", "not_enough_data"
TOLERANCE_SHARE = Decimal("0.1")
# Means, differences and tolerances are computed here, never in the thread's (changeable) default context.
_CTX = Context(prec=28, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow])


@dataclass(frozen=True)
class Period:
    label: str
    attainment: Decimal | None  # a fraction; None without data
    breached: bool


@dataclass(frozen=True)
class Side:
    periods: tuple
    mean_attainment: Decimal | None
    breaches: int


@dataclass(frozen=True)
class TargetEffect:
    before: Side
    after: Side
    verdict: str
    tolerance: Decimal


def side(periods):
    measured = [period.attainment for period in periods if period.attainment is not None]
    mean = _CTX.divide(reduce(_CTX.add, measured, Decimal(0)), len(measured)) if measured else None
    return Side(tuple(periods), mean, sum(1 for period in periods if period.breached))


def target_effect(before, after, n, objective):
    """Compare the last ``n`` periods before with the first ``n`` after (lists of Period, in time order)."""
    before, after = side(list(before)[-n:]), side(list(after)[:n])
    tolerance = _CTX.multiply(TOLERANCE_SHARE, _CTX.subtract(Decimal(1), Decimal(objective)))
    measured_before = sum(1 for p in before.periods if p.attainment is not None)
    measured_after = sum(1 for p in after.periods if p.attainment is not None)
    if n < 1 or measured_before < n or measured_after < n:
        return TargetEffect(before, after, NOT_ENOUGH_DATA, tolerance)
    change = _CTX.subtract(after.mean_attainment, before.mean_attainment)
    if after.breaches > before.breaches or change < _CTX.minus(tolerance):
        verdict = WORSE
    elif after.breaches < before.breaches or change > tolerance:
        verdict = IMPROVED
    else:
        verdict = NO_CHANGE
    return TargetEffect(before, after, verdict, tolerance)


def plan_verdict(effects):
    return combined_verdict(effect.verdict for effect in effects)


def combined_verdict(verdicts):
    """The verdict over several targets' verdicts (see the module's docstring)."""
    verdicts = list(verdicts)
    if WORSE in verdicts:
        return WORSE
    if IMPROVED in verdicts:
        return IMPROVED
    if NO_CHANGE in verdicts:
        return NO_CHANGE
    return NOT_ENOUGH_DATA
