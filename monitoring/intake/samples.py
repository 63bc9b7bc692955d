"""The pieces every sample is made of and checked with, whatever its indicator's kind (``monitoring.kinds``).

Plain Python: the kinds read their fields with these, and ``ingest`` checks the batch and the times with them.
"""

import datetime as dt
import math
from typing import NamedTuple

# Counts are stored as 64-bit integers and summed into the rollups; a trillion events in one sample is far beyond
# any real source and leaves millions of such samples of headroom in a minute's or an hour's sum.
MAX_COUNT = 10**12


class Sample(NamedTuple):
    """One checked sample. A named tuple: a batch makes ten thousand of them, and tuples are cheap to build."""

    t: dt.datetime  # aware, UTC
    value: float | None
    good: int
    total: int


def problem(index, field, message):
    """One problem of a batch: the sample's index (None for the batch), the field (None for the sample), what."""
    return {"index": index, "field": field, "message": message}


def whole_number(raw, index, field):
    """(the count, None) or (None, the problem)."""
    if isinstance(raw, bool) or not isinstance(raw, int):
        return None, problem(index, field, "must be a whole number")
    if raw < 0:
        return None, problem(index, field, "must not be negative")
    if raw > MAX_COUNT:
        return None, problem(index, field, f"must not be more than {MAX_COUNT:,}")
    return raw, None


def finite(number):
    try:
        return math.isfinite(number)
    except OverflowError:  # an integer beyond any float: JSON allows 1 followed by 400 zeros
        return False


def utc_instant(text, _parse=dt.datetime.fromisoformat, _utc=dt.UTC):
    """An ISO 8601 time with a zone, in UTC; None for anything else (the thorough check then says what is wrong)."""
    try:
        instant = _parse(text)
        if instant.tzinfo is not _utc:
            if instant.tzinfo is None or instant.utcoffset() is None:
                return None
            instant = instant.astimezone(_utc)
    except (ValueError, OverflowError):
        return None
    return instant
