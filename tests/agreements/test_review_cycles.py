"""Review-cycle arithmetic (agreements/review_cycles.py): the next review is the same day of the month the cycle's
months later, or that month's last day when it is shorter; counted from the meeting, never carried on."""

import datetime as dt

import pytest

from agreements.choices import ReviewCycle
from agreements.review_cycles import add_months, next_review_after

D = dt.date


@pytest.mark.parametrize(
    ("held_on", "cycle", "expected"),
    [
        (D(2027, 1, 15), ReviewCycle.QUARTERLY, D(2027, 4, 15)),
        (D(2027, 1, 31), ReviewCycle.QUARTERLY, D(2027, 4, 30)),  # April has no 31st: its last day
        (D(2027, 1, 31), ReviewCycle.MONTHLY, D(2027, 2, 28)),
        (D(2028, 1, 31), ReviewCycle.MONTHLY, D(2028, 2, 29)),  # a leap year
        (D(2028, 2, 29), ReviewCycle.YEARLY, D(2029, 2, 28)),
        (D(2027, 8, 31), ReviewCycle.HALF_YEARLY, D(2028, 2, 29)),
        (D(2026, 11, 30), ReviewCycle.QUARTERLY, D(2027, 2, 28)),  # across the year's end
        (D(2026, 12, 31), ReviewCycle.MONTHLY, D(2027, 1, 31)),
        (D(2026, 10, 31), ReviewCycle.QUARTERLY, D(2027, 1, 31)),
        (D(2027, 4, 30), ReviewCycle.QUARTERLY, D(2027, 7, 30)),  # a short month's clamp is not carried on
        (D(2026, 3, 1), ReviewCycle.YEARLY, D(2027, 3, 1)),
    ],
)
def test_the_next_review_is_the_same_day_or_the_shorter_months_last(held_on, cycle, expected):
    assert next_review_after(held_on, cycle.months) == expected


def test_no_fixed_cycle_gives_no_next_date():
    assert ReviewCycle.NONE.months == 0
    assert next_review_after(D(2027, 1, 31), ReviewCycle.NONE.months) is None


def test_each_cycle_knows_its_months():
    assert {cycle.value: cycle.months for cycle in ReviewCycle} == {
        "none": 0,
        "monthly": 1,
        "quarterly": 3,
        "half_yearly": 6,
        "yearly": 12,
    }


def test_months_move_backwards_too():
    assert add_months(D(2027, 5, 31), -3) == D(2027, 2, 28)
    assert add_months(D(2027, 1, 15), -1) == D(2026, 12, 15)
