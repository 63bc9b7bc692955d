"""Plain numbers, money amounts and people's names as the pages, reports, e-mails, CSV files and the API show them."""

import datetime as dt
from decimal import ROUND_HALF_EVEN, Context, Decimal

from django.db.models import Case, F, Value, When
from django.db.models.functions import Concat, Lower
from django.utils.translation import gettext as _

from core.currencies import Currency

# Wider than any number the portal stores or computes (Decimal(0.1) has 55 digits): normalizing never rounds, whatever
# the thread's default context says.
_WIDE = Context(prec=100)


def plain_number(value):
    """A Decimal without trailing zeros or exponent: Decimal('10.00') -> '10', Decimal('99.900') -> '99.9'."""
    if value is None:
        return ""
    return format(Decimal(value).normalize(_WIDE), "f")


def percent_of_one(value, places=1):
    """A fraction as a percentage rounded half to even to ``places``: Decimal('-0.388888888889') -> '-38.9',
    Decimal('0.5') -> '50'."""
    if value is None:
        return ""
    percent = (Decimal(value) * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN, context=_WIDE)
    return plain_number(percent)


def minutes_text(minutes):
    """A whole number of minutes in its largest whole unit: 5 -> "5 min", 60 -> "1 h", 4320 -> "3 d"."""
    if minutes is None:
        return ""
    minutes = int(minutes)
    if minutes and minutes % 1440 == 0:
        return _("%(count)s d") % {"count": minutes // 1440}
    if minutes and minutes % 60 == 0:
        return _("%(count)s h") % {"count": minutes // 60}
    return _("%(count)s min") % {"count": minutes}


def duration_text(duration, *, days=False):
    """A timedelta in hours and minutes, seconds dropped: 4 h 30 min -> "4 h 30 min", 27 h -> "27 h" (business time
    is not cut into days: a business day is not 24 hours); under a minute, in seconds: "45 s". With ``days`` (for
    wall-clock time), whole days first: 51 h 5 min -> "2 d 3 h 5 min"."""
    if duration is None:
        return ""
    seconds = int(duration.total_seconds())
    if abs(seconds) < 60:
        return _("%(count)s s") % {"count": seconds}
    if days and seconds >= 86_400:
        whole, rest = divmod(seconds, 86_400)
        rest_text = duration_text(dt.timedelta(seconds=rest)) if rest >= 60 else ""
        return " ".join(part for part in (_("%(count)s d") % {"count": whole}, rest_text) if part)
    hours, minutes = divmod(seconds // 60, 60)
    if hours and minutes:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    if hours:
        return _("%(count)s h") % {"count": hours}
    return _("%(count)s min") % {"count": minutes}


def money_amount(value, currency):
    """An amount with exactly the currency's minor-unit digits, as plain digits: 23076.9 USD -> '23076.90',
    Decimal('250000.00') KRW -> '250000'. A currency the portal does not know keeps the amount as it is."""
    if value is None:
        return ""
    try:
        places = Decimal(1).scaleb(-Currency(currency).minor_unit)
    except ValueError:
        return plain_number(value)
    return format(Decimal(value).quantize(places, context=_WIDE), "f")


def person_name(user):
    """How the portal names a person everywhere: their full name, or their username when they have none ("" for
    nobody). Pages use it as the ``person`` template filter."""
    if user is None:
        return ""
    return user.get_full_name().strip() or user.get_username()


def login_name(user):
    """The name a person signs in with: for what identifies an account (an authenticator app's label, a sign-in
    message about that account, a log line), never for showing the person (``person_name`` does that)."""
    return user.get_username()


def by_name(people):
    """A queryset of people in the order of the names ``person_name`` shows (a person with no name by username)."""
    shown = Case(
        When(first_name="", last_name="", then=F("username")),
        default=Concat("first_name", Value(" "), "last_name"),
    )
    return people.annotate(shown_name=shown).order_by(Lower("shown_name"), "username")
