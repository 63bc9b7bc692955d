"""A rolling window's breach is one episode: from the first evaluation that finds its budget spent until the first
that finds it back, however many days it spans (monitoring/evaluation/episodes.py)."""

import datetime as dt
from decimal import Decimal

import pytest

from monitoring.choices import BreachKind
from monitoring.models import Breach
from tests.monitoring.evaluation_helpers import (
    active_agreement,
    evaluate,
    kst,
    measured_target,
    record_probe_minutes,
)

pytestmark = pytest.mark.django_db
DAY = 24 * 60


@pytest.fixture
def weekly_window():
    """A 99.9 % target over the last 7 days (a 10.08-minute budget), probed every minute from 1 to 21 November,
    down for 30 minutes from 10:00 on 2 November and for 20 minutes from 10:00 on 18 November."""
    agreement = active_agreement(valid_from=dt.date(2026, 11, 1))
    target = measured_target(agreement=agreement, code="rolling", window_kind="rolling", rolling_days=7)
    outages = [*range(DAY + 600, DAY + 630), *range(17 * DAY + 600, 17 * DAY + 620)]
    record_probe_minutes(target, kst(2026, 11, 1), 20 * DAY, bad=outages)
    return target


def episodes(target):
    return list(
        Breach.objects.filter(target=target).order_by("period_start").values_list("period_start", "ended_at", "kind")
    )


def test_one_outage_is_one_episode_however_many_days_its_window_holds_it(weekly_window):
    evaluate(weekly_window, kst(2026, 11, 2, 12))  # found spent at this evaluation
    evaluate(weekly_window, kst(2026, 11, 5, 12))  # still in the window
    (episode,) = Breach.objects.filter(target=weekly_window)
    assert (episode.period_start, episode.ended_at, episode.kind) == (
        kst(2026, 11, 2, 12),
        None,
        BreachKind.WINDOW_EXHAUSTED,
    )
    assert episode.period_end == kst(2026, 11, 5, 12)  # the last window found spent
    assert episode.period_label == "2026-11-02"  # the day's snapshot, which the pages link to
    assert episode.is_ongoing

    evaluate(weekly_window, kst(2026, 11, 12, 12))

    # The window ending at midnight on 9 November still held the outage of the 2nd; the one ending on the 10th not.
    assert episodes(weekly_window) == [(kst(2026, 11, 2, 12), kst(2026, 11, 10), BreachKind.WINDOW_EXHAUSTED)]


def test_the_episode_keeps_its_worst_attainment(weekly_window):
    evaluate(weekly_window, kst(2026, 11, 2, 12))
    first = Breach.objects.get(target=weekly_window).attainment  # 30 bad of 2,160 minutes so far
    evaluate(weekly_window, kst(2026, 11, 9, 12))  # a full week later the same 30 minutes weigh less

    episode = Breach.objects.get(target=weekly_window)
    assert first == Decimal("0.986111111111")  # 2,130 / 2,160
    assert episode.attainment == first  # later windows were better: the worst stays


def test_a_second_outage_after_the_budget_came_back_is_a_second_episode(weekly_window):
    for day in (2, 12, 18, 21):
        evaluate(weekly_window, kst(2026, 11, day, 12))

    assert episodes(weekly_window) == [
        (kst(2026, 11, 2, 12), kst(2026, 11, 10), BreachKind.WINDOW_EXHAUSTED),
        (kst(2026, 11, 18, 12), None, BreachKind.WINDOW_EXHAUSTED),
    ]


def test_evaluating_again_at_the_same_instant_writes_nothing_new(weekly_window):
    first = evaluate(weekly_window, kst(2026, 11, 2, 12))
    again = evaluate(weekly_window, kst(2026, 11, 2, 12))

    assert (first.breaches, again.breaches) == (1, 0)
    assert len(episodes(weekly_window)) == 1


def test_an_episode_found_while_evaluating_past_days_starts_at_the_first_window_found_spent(weekly_window):
    evaluate(weekly_window, kst(2026, 11, 6, 12))  # first evaluation: the days since the 1st are read at their ends

    assert episodes(weekly_window) == [(kst(2026, 11, 3), None, BreachKind.WINDOW_EXHAUSTED)]


def test_the_book_reads_only_each_targets_latest_episode_in_one_query(weekly_window):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from monitoring.evaluation.episodes import EpisodeBook

    for day in (2, 12, 18, 21):
        evaluate(weekly_window, kst(2026, 11, day, 12))
    assert Breach.objects.filter(target=weekly_window).count() == 2
    with CaptureQueriesContext(connection) as queries:
        book = EpisodeBook([weekly_window])
    assert len(queries) == 1
    assert [episode.period_start for episode in book.latest.values()] == [kst(2026, 11, 18, 12)]
