"""factory_boy factories and sample builders for the monitoring domain.

Tokens are never stored in plain text, so the helpers that make a data source or a personal API token return the
row together with its plaintext token: ``source, token = data_source_with_token(indicators=[indicator])``.
"""

import datetime as dt
import itertools
import random
import re
from html import unescape

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from monitoring.choices import Operator
from monitoring.intake.rollups import minute_counts
from monitoring.kinds import IndicatorKind
from monitoring.models import ApiToken, DataSource, HourRollup, Indicator, Measurement, TargetIndicator
from monitoring.slo import ratio_units
from tests.factories import ServiceFactory, TargetFactory

UTC = dt.UTC
_source_numbers = itertools.count(1)


class IndicatorFactory(factory.django.DjangoModelFactory):
    """A ratio indicator: samples carry good and total event counts."""

    class Meta:
        model = Indicator
        django_get_or_create = ("code",)

    service = factory.SubFactory(ServiceFactory)
    code = factory.Sequence(lambda n: f"indicator-{n}")
    name = factory.Sequence(lambda n: f"Indicator {n}")
    kind = IndicatorKind.RATIO
    unit = "requests"


class ThresholdIndicatorFactory(IndicatorFactory):
    """An up/down probe by default: a sample is good when ``value >= 1``."""

    kind = IndicatorKind.THRESHOLD
    unit = "up/down"
    operator = Operator.GTE
    threshold = 1.0


class TargetIndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TargetIndicator

    target = factory.SubFactory(TargetFactory)
    indicator = factory.SubFactory(IndicatorFactory)


def data_source_with_token(indicators=(), code=None, **fields):
    """A saved data source allowed to write to ``indicators``, and its plaintext token (shown once)."""
    number = next(_source_numbers)
    source = DataSource(code=code or f"source-{number}", name=fields.pop("name", f"Source {number}"), **fields)
    token = source.issue_token()
    source.save()
    source.indicators.set(indicators)
    return source, token


def api_token_for(user, name="reporting script"):
    """A saved personal API token of ``user``, and its plaintext token (shown once)."""
    api_token = ApiToken(user=user, name=name)
    token = api_token.issue_token()
    api_token.save()
    return api_token, token


# Samples as the API takes them.


def iso(instant):
    """An aware datetime as the API's clients write it: ISO-8601 with Z."""
    return instant.astimezone(UTC).isoformat().replace("+00:00", "Z")


def at(text):
    """``"2026-03-02 09:00:10"`` -> an aware UTC datetime."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def make_samples(start, counts, step=dt.timedelta(seconds=30)):
    """Ratio samples ``{"t", "good", "total"}`` from (good, total) pairs, one every ``step`` from ``start``."""
    return [{"t": iso(start + i * step), "good": good, "total": total} for i, (good, total) in enumerate(counts)]


def make_values(start, values, step=dt.timedelta(seconds=30)):
    """Threshold samples ``{"t", "value"}``, one every ``step`` from ``start``."""
    return [{"t": iso(start + i * step), "value": value} for i, value in enumerate(values)]


def random_batches(seed, *, batches=4, size=1500, start=None, span_minutes=180):
    """Seeded ratio batches over a few hours, with repeats across batches, total=0 samples and whole-second
    as well as sub-second timestamps: the material for comparing storage paths."""
    rng = random.Random(seed)
    start = start or at("2026-03-02 08:30:00")
    sent = []  # every instant sent so far, in a stable order for rng.sample
    result = []
    for _ in range(batches):
        batch = dict.fromkeys(rng.sample(sent, min(len(sent), size // 3)))
        while len(batch) < size:
            offset = dt.timedelta(seconds=rng.randrange(span_minutes * 60), microseconds=rng.choice([0, 0, 250_000]))
            batch[start + offset] = None
        samples = []
        for instant in batch:
            total = rng.choice([0, 1, 1, 1, 5, 100])
            good = total if rng.random() < 0.7 else rng.randint(0, total)
            samples.append({"t": iso(instant), "good": good, "total": total})
        rng.shuffle(samples)
        known = set(sent)
        sent.extend(instant for instant in batch if instant not in known)
        result.append(samples)
    return result


# Reading back what was stored.


def stored_counts():
    """(measurements, hour rollups, minutes with samples): what "nothing stored" is checked against."""
    minutes = sum(
        sum(1 for count in row if count) for row in HourRollup.objects.values_list("minute_samples", flat=True)
    )
    return Measurement.objects.count(), HourRollup.objects.count(), minutes


def minute_rollups(indicator):
    """{minute: (good, total, samples)} of one indicator, read from its hours' per-minute counts."""
    start, end = dt.datetime(1970, 1, 1, tzinfo=UTC), dt.datetime(2100, 1, 1, tzinfo=UTC)
    return {minute.astimezone(UTC): counts for minute, counts in minute_counts(indicator.pk, start, end).items()}


def hour_rollups(indicator):
    """{hour: (good, total, samples, minutes_with_data, minutes_all_good, ratio_units)} of one indicator; ratio_units
    is the sum of the minutes' good/total ratios in 10^-12 units (an int: 1.5 is 1_500_000_000_000)."""
    rows = HourRollup.objects.filter(indicator=indicator).values_list(
        "hour", "good", "total", "samples", "minutes_with_data", "minutes_all_good", "ratio_units"
    )
    return {row[0].astimezone(UTC): tuple(row[1:]) for row in rows}


def rollups_from_measurements(indicator):
    """The minute and hour rollups recomputed from scratch out of the stored measurements (the reference)."""
    minutes = {}
    for t, good, total in Measurement.objects.filter(indicator=indicator).values_list("t", "good", "total"):
        minute = t.astimezone(UTC).replace(second=0, microsecond=0)
        old = minutes.get(minute, (0, 0, 0))
        minutes[minute] = (old[0] + good, old[1] + total, old[2] + 1)
    hours = {}
    for minute, (good, total, samples) in minutes.items():
        hour = hours.setdefault(minute.replace(minute=0), [0, 0, 0, 0, 0, 0])
        hour[0] += good
        hour[1] += total
        hour[2] += samples
        hour[3] += total > 0
        hour[4] += total > 0 and good == total
        hour[5] += ratio_units(good, total) if total else 0
    return minutes, {hour: tuple(values) for hour, values in hours.items()}


def assert_hours_equal(actual, expected):
    """Hour rollups equal field by field, the sums of ratios too: they are exact integers, not float sums."""
    assert actual.keys() == expected.keys()
    for hour in expected:
        assert actual[hour] == expected[hour], hour


def csv_file(content, filename="samples.csv"):
    """An uploaded CSV file: a str is encoded as UTF-8, bytes are sent as they are (a BOM, another encoding)."""
    data = content.encode() if isinstance(content, str) else content
    return SimpleUploadedFile(filename, data, content_type="text/csv")


def table_rows(html, table_id):
    """The text of each body row's cells in the page's table ``id="table_id"``: [["2", "t", "…"], …]."""
    body = re.search(rf'id="{table_id}">.*?<tbody>(.*?)</tbody>', html, re.S)
    assert body, f"no table {table_id!r} on the page"
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S)
    return [
        [unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in rows
    ]
