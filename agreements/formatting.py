from decimal import Decimal


def plain_number(value):
    """A Decimal without trailing zeros or exponent: Decimal('10.00') -> '10', Decimal('99.900') -> '99.9'."""
    if value is None:
        return ""
    return format(Decimal(value).normalize(), "f")
