"""Prometheus as a source: pull each indicator's PromQL with ``query_range``, one point a minute, turn the points
into samples with ``to_counts`` (ratio) or ``to_value`` (threshold), and store them with ``ingest.store_samples``.

A point Prometheus evaluates at instant T describes the minute that ends at T (``increase(x[1m])`` counts the
events of (T−1m, T]); it is stored as that minute's sample, at T − 1 minute. The live pull asks, each minute, for the
minutes that have settled (up to the current minute less ``SLM_PROMETHEUS_SETTLE_SECONDS``) since the query's
``pulled_until``; a backfill asks for a chosen range. A range is asked in pieces of at most ``MAX_POINTS`` points a
series (Prometheus refuses more than 11,000). Each piece of a query is fetched whole, checked whole and stored in one
transaction with the query's progress: a bad answer (a timeout, garbage, NaN) is recorded on the source as its last
error and stores nothing of that piece.
"""

import datetime as dt
import math

import requests
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from monitoring.intake.ingest import store_samples, validate_samples
from monitoring.intake.samples import MAX_COUNT
from monitoring.models import PrometheusQuery, PrometheusSource
from monitoring.models.prometheus import SecretUnavailable

MAX_POINTS = 11_000  # Prometheus's limit of points a series in one query_range answer
STEP = dt.timedelta(minutes=1)


class PullError(Exception):
    """A pull that failed; its text is recorded on the source as the last error."""


def to_counts(good, total):
    """The rule that turns Prometheus's good and total of one minute into whole event counts.

    Rates and increases come back fractional (``increase`` extrapolates), and good can come back above total (the
    two series are sampled a moment apart). So:

    1. a minute missing either number (None) has no sample: returns None;
    2. NaN, +Inf, -Inf and negative numbers are refused (PullError): they are not counts, and storing them would
       be a guess;
    3. each number is rounded to the nearest whole number, halves up (0.5 → 1, 2.5 → 3);
    4. good is then clipped to total (good above total counts as all good, never more).
    """
    if good is None or total is None:
        return None
    for name, number in (("good", good), ("total", total)):
        if not math.isfinite(number):
            raise PullError(f"{name} is {number}, not a count")
        if number < 0:
            raise PullError(f"{name} is {number:g}, a negative count")
        if number > MAX_COUNT:
            raise PullError(f"{name} is {number:g}, more than {MAX_COUNT:,} events in a minute")
    good, total = math.floor(good + 0.5), math.floor(total + 0.5)
    return min(good, total), total


def to_value(value):
    """A threshold indicator's value of one minute: None when missing; NaN and infinities refused (PullError)."""
    if value is None:
        return None
    if not math.isfinite(value):
        raise PullError(f"the value is {value}, not a number")
    return value


def floor_minute(instant):
    return instant.replace(second=0, microsecond=0)


def settled_until(now=None):
    """The end of the last minute that has settled: later points may still change as Prometheus scrapes."""
    now = now or timezone.now()
    return floor_minute(now - dt.timedelta(seconds=settings.SLM_PROMETHEUS_SETTLE_SECONDS))


def pieces(start, end, max_points=MAX_POINTS):
    """[start, end) in whole minutes cut into (first, last) minute ranges of at most ``max_points`` minutes."""
    start, end = floor_minute(start), floor_minute(end)
    while start < end:
        stop = min(end, start + max_points * STEP)
        yield start, stop
        start = stop


def _session(source):
    session = requests.Session()
    try:
        secret = source.secret()
    except SecretUnavailable as error:
        raise PullError(str(error)) from None
    if source.auth == "bearer":
        session.headers["Authorization"] = f"Bearer {secret}"
    elif source.auth == "basic":
        session.auth = (source.username, secret)
    return session


def fetch(session, source, query, start, end):
    """{minute start: float} of one PromQL over the minutes [start, end); raises PullError with what went wrong."""
    params = {
        "query": query,
        "start": (start + STEP).timestamp(),
        "end": end.timestamp(),
        "step": f"{int(STEP.total_seconds())}s",
    }
    url = source.base_url.rstrip("/") + "/api/v1/query_range"
    try:
        response = session.get(url, params=params, timeout=source.timeout_seconds, allow_redirects=False)
    except requests.Timeout:
        raise PullError(f"Prometheus did not answer within {source.timeout_seconds:g} s") from None
    except requests.RequestException as error:
        raise PullError(f"cannot reach Prometheus: {type(error).__name__}: {error}") from None
    try:
        body = response.json()
        status = body["status"]
    except (ValueError, TypeError, KeyError):
        kind = response.headers.get("Content-Type", "no content type")
        raise PullError(f"the answer is not Prometheus's API (HTTP {response.status_code}, {kind})") from None
    if status != "success":
        raise PullError(f"Prometheus refused the query {query!r}: {body.get('error', 'no reason given')}")
    # Only the minutes asked for: a server answering more must not write past the range (or the settled minute).
    return {minute: value for minute, value in _points(body, query).items() if start <= minute < end}


def _points(body, query):
    try:
        data = body["data"]
        if data["resultType"] != "matrix":
            raise PullError(f"the query {query!r} gave a {data['resultType']}, not a range of points")
        series = data["result"]
        if len(series) > 1:
            raise PullError(f"the query {query!r} gives {len(series)} series; aggregate it to one, e.g. with sum()")
        points = {}
        for stamp, text in series[0]["values"] if series else ():
            instant = dt.datetime.fromtimestamp(float(stamp), tz=dt.UTC) - STEP
            points[floor_minute(instant)] = float(text)
    except (KeyError, TypeError, ValueError, IndexError):
        raise PullError(f"the answer to {query!r} is not a range of points") from None
    return points


def samples_of(query, session, start, end):
    """The raw samples (as the API takes them) of one query over [start, end); raises PullError."""
    source = query.source
    if query.indicator.sli_kind.judged:
        values = fetch(session, source, query.value_query, start, end)
        return [
            {"t": minute.isoformat(), "value": value}
            for minute, raw in sorted(values.items())
            if (value := _at(to_value, minute, raw)) is not None
        ]
    good = fetch(session, source, query.good_query, start, end)
    total = fetch(session, source, query.total_query, start, end)
    samples = []
    for minute in sorted(total):
        counts = _at(to_counts, minute, good.get(minute), total[minute])
        if counts is not None:
            samples.append({"t": minute.isoformat(), "good": counts[0], "total": counts[1]})
    return samples


def _at(rule, minute, *numbers):
    try:
        return rule(*numbers)
    except PullError as error:
        raise PullError(f"at {minute:%Y-%m-%d %H:%M} UTC: {error}") from None


def pull_range(query, start, end, *, session=None, advance=False, max_points=MAX_POINTS, now=None):
    """Pull and store the minutes [start, end) of one query, piece by piece; returns how many samples were new.
    ``advance`` moves the query's ``pulled_until`` with each stored piece (the live pull; a backfill does not)."""
    session = session or _session(query.source)
    new = 0
    for first, stop in pieces(start, end, max_points):
        raw = samples_of(query, session, first, stop)
        with transaction.atomic():
            if raw:
                samples = validate_samples(query.indicator, raw, now=now, max_batch=max_points)
                new += store_samples(query.indicator, samples).new
            if advance:
                PrometheusQuery.objects.filter(pk=query.pk).update(pulled_until=stop)
                query.pulled_until = stop
    return new


def _record(source, now, errors):
    source.last_pull_at = now
    if errors:
        source.last_error = "\n".join(errors)[:2000]
        source.last_error_at = now
    else:
        source.last_error = ""
    PrometheusSource.objects.filter(pk=source.pk).update(
        last_pull_at=now, last_error=source.last_error, last_error_at=source.last_error_at
    )


def pull_source(source, now=None, *, max_points=MAX_POINTS):
    """The live pull of one source: every query up to the settled minute. Returns (new samples, errors)."""
    now = now or timezone.now()
    end = settled_until(now)
    new, errors = 0, []
    queries = list(source.queries.select_related("indicator", "source"))
    try:
        session = _session(source)
    except PullError as error:
        _record(source, now, [str(error)])
        return 0, [str(error)]
    for query in queries:
        start = query.pulled_until or floor_minute(query.created_at)
        try:
            new += pull_range(query, start, end, session=session, advance=True, max_points=max_points, now=now)
        except PullError as error:
            errors.append(f"{query.indicator.code}: {error}")
    _record(source, now, errors)
    return new, errors


def backfill(source, start, end, now=None, *, max_points=MAX_POINTS):
    """Pull [start, end) of every query of the source again (what is stored already is kept as it is)."""
    now = now or timezone.now()
    end = min(floor_minute(end), settled_until(now))
    new, errors = 0, []
    try:
        session = _session(source)
    except PullError as error:
        _record(source, now, [str(error)])
        return 0, [str(error)]
    for query in source.queries.select_related("indicator", "source"):
        try:
            new += pull_range(query, start, end, session=session, max_points=max_points, now=now)
        except PullError as error:
            errors.append(f"{query.indicator.code}: {error}")
    _record(source, now, errors)
    return new, errors


def pull_all(now=None):
    """The beat task's work: pull every active source; returns the number of new samples."""
    now = now or timezone.now()
    return sum(pull_source(source, now)[0] for source in PrometheusSource.objects.filter(is_active=True))


def behind_sources(now=None):
    """Active sources whose data lag more than SLM_PROMETHEUS_BEHIND_SECONDS behind now (or that never pulled)."""
    now = now or timezone.now()
    limit = dt.timedelta(seconds=settings.SLM_PROMETHEUS_BEHIND_SECONDS)
    behind = []
    for source in PrometheusSource.objects.filter(is_active=True).prefetch_related("queries"):
        if not source.queries.all():
            continue
        lag = source.behind(now)
        if lag is None or lag > limit:
            behind.append((source, lag))
    return behind
