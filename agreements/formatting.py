from decimal import Context, Decimal

# Wider than any number the portal stores or computes (Decimal(0.1) has 55 digits): normalizing never rounds, whatever
# the thread's default context says.
_WIDE = Context(prec=100)


def plain_number(value):
    """A Decimal without trailing zeros or exponent: Decimal('10.00') -> '10', Decimal('99.900') -> '99.9'."""
    if value is None:
        return ""
    return format(Decimal(value).normalize(_WIDE), "f")
