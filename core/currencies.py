"""The currencies an agreement's fee may be in, each with its ISO 4217 minor unit.

Here rather than in the agreements app because money is formatted everywhere (pages, CSV, the API) by
``core.formatting.money_amount``, and the toolkit imports no app.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Currency(models.TextChoices):
    KRW = "KRW", _("Korean won (KRW)")
    USD = "USD", _("US dollar (USD)")
    EUR = "EUR", _("Euro (EUR)")
    JPY = "JPY", _("Japanese yen (JPY)")
    GBP = "GBP", _("Pound sterling (GBP)")
    CNY = "CNY", _("Chinese yuan (CNY)")

    @property
    def minor_unit(self):
        """Decimal places of the currency's minor unit (ISO 4217): money in it is rounded to these, once."""
        return CURRENCY_MINOR_UNITS[self]


# Next to the choices so that a new currency is added with its minor unit (the check below fails loudly otherwise).
CURRENCY_MINOR_UNITS = {
    Currency.KRW: 0,  # won: no minor unit in use
    Currency.USD: 2,  # cents
    Currency.EUR: 2,
    Currency.JPY: 0,  # yen: no minor unit in use
    Currency.GBP: 2,
    Currency.CNY: 2,  # fen
}
if set(CURRENCY_MINOR_UNITS) != set(Currency):
    raise ValueError("every Currency needs its minor unit in CURRENCY_MINOR_UNITS")
