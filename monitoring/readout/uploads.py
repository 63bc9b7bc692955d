"""What a previewed CSV upload will store: its time range, how many samples, how many of them bad, and how many are
already stored (storing skips those), read before the manager confirms."""

import datetime as dt
from dataclasses import dataclass

from monitoring.models import Measurement


@dataclass(frozen=True)
class UploadSummary:
    first: dt.datetime
    last: dt.datetime
    samples: int
    good: int  # good events (samples of a judged kind)
    total: int  # all events (samples of a judged kind)
    stored: int  # samples whose time is already stored for the indicator: storing skips them

    @property
    def bad(self):
        """Bad events: samples not good against the threshold, or the bad events of ratio samples."""
        return self.total - self.good

    @property
    def new(self):
        return self.samples - self.stored


def summarise(indicator, samples):
    """The UploadSummary of checked ``samples`` (monitoring.intake.samples.Sample) for ``indicator``, in one query;
    None for no samples."""
    if not samples:
        return None
    instants = {sample.t for sample in samples}
    first, last = min(instants), max(instants)
    # As storing finds them (monitoring.intake.ingest): the indicator's samples at the same instants.
    known = Measurement.objects.filter(indicator=indicator, t__gte=first, t__lte=last).values_list("t", flat=True)
    stored = sum(1 for instant in known.iterator(chunk_size=10_000) if instant in instants)
    return UploadSummary(
        first=first,
        last=last,
        samples=len(samples),
        good=sum(sample.good for sample in samples),
        total=sum(sample.total for sample in samples),
        stored=stored,
    )
