"""Consecutive bad minutes are one outage (monitoring.readout.timeline.outages)."""

import datetime as dt

from monitoring.readout.timeline import Outage, outages

T = dt.datetime(2026, 11, 2, 1, 0, tzinfo=dt.UTC)


def minute(offset):
    return T + dt.timedelta(minutes=offset)


def test_consecutive_minutes_make_one_outage_and_a_gap_starts_another():
    rows = [(minute(0), 1, 2), (minute(1), 0, 2), (minute(2), 3, 4), (minute(5), 0, 1)]

    assert outages(rows) == [Outage(minute(0), minute(3), 4, 8), Outage(minute(5), minute(6), 0, 1)]
    assert [outage.minutes for outage in outages(rows)] == [3, 1]


def test_no_bad_minutes_no_outage():
    assert outages([]) == []
