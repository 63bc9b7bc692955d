"""Plain numbers and money amounts as the pages, reports, CSV files and the API show them."""

from decimal import ROUND_HALF_EVEN, Context, Decimal

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
