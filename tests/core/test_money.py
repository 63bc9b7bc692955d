"""Money is shown with exactly its currency's minor-unit digits: none for the won and the yen, cents for the rest."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from core.formatting import money_amount


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (Decimal("23076.90"), "USD", "23076.90"),
        (Decimal("23076.9"), "EUR", "23076.90"),
        (Decimal("250000.00"), "KRW", "250000"),
        (Decimal("15004"), "JPY", "15004"),
        (Decimal("50"), "GBP", "50.00"),
        (Decimal("0"), "CNY", "0.00"),
        (Decimal("12.5"), "", "12.5"),  # a snapshot written before it kept its currency
        (None, "USD", ""),
    ],
)
def test_an_amount_has_its_currencys_minor_unit(amount, currency, shown):
    assert money_amount(amount, currency) == shown


def test_pages_group_the_thousands_and_keep_the_cents():
    template = Template("{% load slm_format %}{{ amount|money:currency }}")
    assert template.render(Context({"amount": Decimal("23076.9"), "currency": "USD"})) == "23,076.90"
    assert template.render(Context({"amount": Decimal("2100000.00"), "currency": "KRW"})) == "2,100,000"
