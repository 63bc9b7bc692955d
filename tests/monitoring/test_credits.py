"""Service credit amounts (monitoring/slo.py ``credit_amount``): monthly fee x credit % / 100 x months in the period,
exact until one rounding, half to even, to the currency's minor unit. Known answers worked by hand beside each.

Pure Python: also runs with ``pytest -p no:django --noconftest tests/monitoring/test_credits.py`` except the last
test, which reads the currencies of agreements/choices.py.
"""

from decimal import Decimal, Inexact, Rounded, localcontext
from fractions import Fraction

import pytest

from monitoring.slo import credit_amount
from monitoring.windows import MONTH, MONTHS_IN, QUARTER, WEEK, YEAR

D = Decimal
KRW, USD = 0, 2  # decimal places of the minor unit: won, cents


def test_a_week_is_exactly_three_thirteenths_of_a_month():
    # 12 months / 52 weeks = 3/13; the float 12 / 52 is 0.23076923076923078, not 3/13.
    assert {WEEK: Fraction(3, 13), MONTH: 1, QUARTER: 3, YEAR: 12} == MONTHS_IN
    assert Fraction(12 / 52) != Fraction(3, 13)


@pytest.mark.parametrize(
    ("fee", "percent", "period", "minor_unit", "amount"),
    [
        # 1,000,000 x 10 % x 3/13 = 1,300,000 / 13 x ... = 23,076.923076... -> 23,077 won, 23,076.92 dollars
        (D("1000000"), D("10"), WEEK, KRW, D("23077")),
        (D("1000000"), D("10"), WEEK, USD, D("23076.92")),
        # a month: 1,000,000 x 10 % = 100,000 exactly
        (D("1000000"), D("10"), MONTH, KRW, D("100000")),
        # a quarter: 8,500,000 x 25 % x 3 = 6,375,000; 1,234.57 x 10 % x 3 = 370.371 -> 370.37
        (D("8500000"), D("25"), QUARTER, KRW, D("6375000")),
        (D("1234.57"), D("10"), QUARTER, USD, D("370.37")),
        # a year: 2,000.00 x 12.5 % x 12 = 3,000.00
        (D("2000.00"), D("12.5"), YEAR, USD, D("3000.00")),
        # 333.33 x 5 % x 3 = 49.9995 -> 50.00: rounded once, at the end (rounding the month's 16.6665 first, to
        # 16.67 or 16.66, and then x 3 would give 50.01 or 49.98)
        (D("333.33"), D("5"), QUARTER, USD, D("50.00")),
    ],
)
def test_known_credit_amounts(fee, percent, period, minor_unit, amount):
    assert credit_amount(fee, percent, MONTHS_IN[period], minor_unit) == amount


@pytest.mark.parametrize(
    ("fee", "period", "amount"),
    [
        # 10 % exactly half way between two won goes to the even one (half up would give 100,001, 100,002, 15,005)
        (D("1000005"), MONTH, D("100000")),  # 100,000.5 -> 100,000
        (D("1000015"), MONTH, D("100002")),  # 100,001.5 -> 100,002
        (D("650195"), WEEK, D("15004")),  # 650,195 x 0.1 x 3/13 = 195,058.5 / 13 = 15,004.5 -> 15,004
        (D("1300013"), WEEK, D("30000")),  # 1,300,013 x 0.1 x 3/13 = 30,000.3 -> 30,000 (no tie)
    ],
)
def test_a_tie_is_rounded_half_to_even(fee, period, amount):
    assert credit_amount(fee, D("10"), MONTHS_IN[period], KRW) == amount


def test_the_months_must_be_exact():
    with pytest.raises(TypeError, match="Fraction"):
        credit_amount(D("1000000"), D("10"), 12 / 52, KRW)


def test_a_credit_does_not_use_the_callers_decimal_context():
    with localcontext(prec=1, traps=[Inexact, Rounded]):
        assert credit_amount(D("1000000"), D("12.5"), MONTHS_IN[WEEK], USD) == D("28846.15")


def test_every_currency_has_its_minor_unit():
    from core.currencies import CURRENCY_MINOR_UNITS, Currency

    assert {currency.value: currency.minor_unit for currency in Currency} == {
        "KRW": 0,
        "USD": 2,
        "EUR": 2,
        "JPY": 0,
        "GBP": 2,
        "CNY": 2,
    }
    assert set(CURRENCY_MINOR_UNITS) == set(Currency)
