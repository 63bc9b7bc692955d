"""improvement 0003: per-day breaches of a rolling window, written before episodes, become one episode per run of
days, and the plans that addressed any day of a run address the episode."""

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from monitoring.choices import BreachKind
from monitoring.models import Breach
from tests.improvement.factories import PlanFactory
from tests.monitoring.evaluation_helpers import evaluate, kst
from tests.monitoring.test_rolling_episodes import weekly_window  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db
migration = importlib.import_module("improvement.migrations.0003_rolling_breach_episodes")


def day_breach(target, day, attainment):
    start = kst(2026, 11, day)
    return Breach.objects.create(
        target=target,
        period_start=start,
        period_end=start + dt.timedelta(days=1),
        period_label=start.date().isoformat(),
        kind=BreachKind.BUDGET_EXHAUSTED,
        detected_at=start + dt.timedelta(days=1),
        attainment=Decimal(attainment),
        objective=target.objective,
    )


def test_consecutive_day_breaches_become_one_episode_and_plans_follow_it(weekly_window):  # noqa: F811
    evaluate(weekly_window, kst(2026, 11, 21, 12))  # the days' snapshots; then the rows as they were written before
    Breach.objects.filter(target=weekly_window).delete()
    days = {day: day_breach(weekly_window, day, f"0.99{day}") for day in range(2, 9)}  # 2 to 8 November
    later = day_breach(weekly_window, 18, "0.998")
    both, other = PlanFactory(), PlanFactory()
    both.breaches.set([days[2], days[3]])
    other.breaches.set([days[5]])

    migration.merge_rolling_breaches(apps, None)

    first, second = Breach.objects.filter(target=weekly_window).order_by("period_start")
    assert (first.pk, first.kind, first.period_start) == (days[2].pk, BreachKind.WINDOW_EXHAUSTED, kst(2026, 11, 2))
    assert first.period_end == kst(2026, 11, 9)  # the last day's window end
    assert first.ended_at == kst(2026, 11, 10)  # the 9th's window, ending at midnight on the 10th, was back
    assert first.attainment == Decimal("0.992")
    assert (second.pk, second.ended_at) == (later.pk, None)  # the 18th's outage is still in the window on the 21st
    assert list(both.breaches.all()) == [first]
    assert list(other.breaches.all()) == [first]
