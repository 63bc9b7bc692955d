"""Review-cycle arithmetic: the date an agreement is next reviewed, from the day a review was held.

The rule (calendar months, the way people read a contract's "quarterly review"):

* The next review is the same day of the month, ``months`` calendar months after the meeting: a quarterly review
  held on 15 January 2027 is next due on 15 April 2027.
* When that month has no such day, the next review is the month's last day: quarterly from 31 January 2027 is
  30 April 2027; monthly from 31 January is 28 February (29 February in a leap year: 2028); yearly from
  29 February 2028 is 28 February 2029; half-yearly from 31 August 2027 is 29 February 2028.
* Each review counts from its own meeting date, never from the date it was due: a review held late moves the next
  one later, and a short month's clamp is not carried on (held on 30 April, quarterly, the next is 30 July).
* No fixed cycle (0 months) gives no next date: the caller leaves the agreement's next review as a person set it.

Plain Python (no Django), so it is tested in microseconds; the cycles themselves are ``agreements.choices.ReviewCycle``.
"""

import calendar
import datetime as dt


def add_months(day, months):
    """``day`` moved on by ``months`` calendar months, clamped to the last day of a shorter month."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_review_after(held_on, months):
    """The next review date after a review held on ``held_on`` with a cycle of ``months`` (None for no cycle)."""
    if months <= 0:
        return None
    return add_months(held_on, months)
