"""The usual measurement batch the fast way: msgspec reads the JSON body and checks every sample's shape and types in
C, into typed objects, instead of the standard parser making dicts for ``validate_samples`` to check in Python.

It only ever accepts: a body it does not take whole, or might read differently from the standard parser and
``validate_samples``, gets None, and the API then goes the standard way, which names every problem. So a batch
stored this way is exactly the batch the standard way would store, and the errors stay the standard way's. Times
are read by Python's own ``datetime.fromisoformat``, as the standard way reads them. Numbers are msgspec's, except
in a body with a number of 19 digits or more (counting those after the point): beyond 64 bits msgspec reads an
integer as a float, where Python keeps every digit.
"""

import datetime as dt
from itertools import repeat
from operator import attrgetter, gt
from typing import Annotated

import msgspec

from monitoring.intake.samples import MAX_COUNT, Sample
from monitoring.kinds import COMPARISONS

# Digits and points all read "0": a run of 19 is a long number (or a false alarm, which only costs the standard
# way's time).
_DIGITS = bytes.maketrans(b"0123456789.", b"00000000000")
_LONG_NUMBER = b"0" * 19
Count = Annotated[int, msgspec.Meta(ge=0, le=MAX_COUNT)]


class Envelope(msgspec.Struct, forbid_unknown_fields=True):
    indicator: str
    samples: msgspec.Raw


class ThresholdSample(msgspec.Struct, forbid_unknown_fields=True):
    t: str
    value: float


class RatioSample(msgspec.Struct, forbid_unknown_fields=True):
    t: str
    good: Count
    total: Count


_ENVELOPE = msgspec.json.Decoder(Envelope)
_T, _VALUE, _GOOD, _TOTAL, _TZINFO = (attrgetter(name) for name in ("t", "value", "good", "total", "tzinfo"))
_SAMPLES = {"threshold": msgspec.json.Decoder(list[ThresholdSample]), "ratio": msgspec.json.Decoder(list[RatioSample])}


def read_envelope(body):
    """(the indicator's code, the samples still as JSON) of a body of exactly those two fields; else None."""
    if _LONG_NUMBER in body.translate(_DIGITS):
        return None
    try:
        envelope = _ENVELOPE.decode(body)
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):  # the standard way says what is wrong
        return None
    return envelope.indicator, envelope.samples


def read_samples(indicator, raw, latest, max_batch, parse=dt.datetime.fromisoformat):
    """The checked Samples of ``raw`` (JSON) for ``indicator``, when every sample is well formed, none is later than
    ``latest``, no time repeats and there are 1 to ``max_batch`` of them; else None."""
    decoder = _SAMPLES.get(indicator.sli_kind.value)
    if decoder is None or not indicator.sli_kind.pushed:
        return None
    try:
        decoded = decoder.decode(raw)
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):  # the standard way says what is wrong
        return None
    if not 0 < len(decoded) <= max_batch:
        return None
    try:
        times = list(map(parse, map(_T, decoded)))
        if set(map(_TZINFO, times)) != {dt.UTC}:
            if any(t.tzinfo is None or t.utcoffset() is None for t in times):
                return None
            times = [t.astimezone(dt.UTC) for t in times]
    except (ValueError, OverflowError):  # OverflowError: 0001-01-01T00:00+01:00 is before the first instant there is
        return None
    if max(times) > latest or len(set(times)) != len(times):
        return None
    # Built with map() over C functions, not a Python loop (10,000 samples: a loop costs milliseconds).
    if isinstance(decoded[0], ThresholdSample):
        values = list(map(_VALUE, decoded))
        goods = map(int, map(COMPARISONS[indicator.operator], values, repeat(indicator.threshold)))
        return list(map(tuple.__new__, repeat(Sample), zip(times, values, goods, repeat(1))))
    goods, totals = list(map(_GOOD, decoded)), list(map(_TOTAL, decoded))
    if any(map(gt, goods, totals)):
        return None
    return list(map(tuple.__new__, repeat(Sample), zip(times, repeat(None), goods, totals)))
