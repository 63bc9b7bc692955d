"""A requirement's draft target: what agreeing to a requirement may add to one of the customer's agreements, pre-filled
from the requirement (its objective read from the desired level), with no indicator yet.

The decision page and the API agree to a requirement through its workflow step (``ServiceLevelRequirement.
record_transition``), which makes the draft here.
"""

import re
from decimal import Decimal, InvalidOperation

from django.utils.text import slugify
from django.utils.translation import gettext as _

from agreements.choices import BudgetingMethod
from agreements.models import ServiceLevelTarget
from requirements_analysis.choices import Category

# A whole number (not the tail of a longer one: "99.9999 %" is not 99 %) followed by a per cent sign.
PERCENT = re.compile(r"(?<![\d.])(\d{1,2}(?:\.\d{1,3})?)\s*%")


def objective_from(desired_level, default=Decimal("99.9")):
    """The first percentage in a desired level ("99.95 % availability in business hours" -> 99.95)."""
    match = PERCENT.search(desired_level or "")
    if match:
        try:
            value = Decimal(match.group(1))
        except InvalidOperation:
            return default
        if 0 < value < 100:
            return value
    return default


def draft_target(requirement, agreement):
    """A target pre-filled from the requirement, with no indicator: nothing evaluates it until a manager picks one."""
    base = slugify(requirement.category)[:40] or "requirement"
    code, number = base, 2
    while ServiceLevelTarget.objects.filter(agreement=agreement, code=code).exists():
        code, number = f"{base}-{number}", number + 1
    method = (
        BudgetingMethod.TIMESLICES
        if requirement.category in (Category.AVAILABILITY, Category.CONTINUITY)
        else BudgetingMethod.OCCURRENCES
    )
    return ServiceLevelTarget.objects.create(
        agreement=agreement,
        code=code,
        name=requirement.statement[:200],
        objective=objective_from(requirement.desired_level),
        budgeting_method=method,
        description=_("From requirement %(code)s: %(level)s")
        % {"code": requirement.code, "level": requirement.desired_level or requirement.statement},
    )
