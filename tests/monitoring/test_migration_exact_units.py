"""Migration monitoring 0006: the float ratio sums become exact integer units of 10^-12.

An hour rollup's units are recomputed from its stored per-minute counts (so the float's drift is dropped, not
carried over); an hour without minute counts and a snapshot (which keeps none) are taken from the float as written.
The conversion functions are checked on their own, then the migration is run forwards on a database with a float row
and backwards again.
"""

import datetime as dt
import importlib
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from monitoring.models import ComplianceSnapshot
from monitoring.slo import ratio_units
from tests.factories import TargetFactory

migration = importlib.import_module("monitoring.migrations.0006_exact_ratio_units")

BEFORE = [("monitoring", "0005_dashboards")]
AFTER = [("monitoring", "0006_exact_ratio_units")]
HOUR = dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC)
# An hour whose 60 minutes each had 999 good of 1,000 events: 60 x 0.999 = 59.94 exactly; the float sum is not.
MINUTES_AT_999 = (json.dumps([999] * 60), json.dumps([1_000] * 60))
FLOAT_SUM = sum(999 / 1000 for _ in range(60))


def test_the_migrations_ratio_units_is_the_apps():
    # The migration keeps a frozen copy; it must agree with monitoring.slo.ratio_units.
    for good, total in ((999, 1_000), (1, 3), (2, 3), (6, 7), (1, 2 * 10**12), (3, 2 * 10**12), (0, 5), (5, 5)):
        assert migration.ratio_units(good, total) == ratio_units(good, total)


def test_an_hour_with_minute_counts_is_recomputed_exactly_whatever_its_float_said():
    assert FLOAT_SUM != 59.94
    assert migration.hour_units(*MINUTES_AT_999, FLOAT_SUM) == 59_940_000_000_000
    # Minutes without events (total 0) are not in the sum: 1/2 + 2/3 = 1.166666666667
    good, total = [1, 0, 2] + [0] * 57, [2, 0, 3] + [0] * 57
    assert migration.hour_units(json.dumps(good), json.dumps(total), 1.1666666666666667) == 1_166_666_666_667


def test_an_hour_without_minute_counts_and_a_snapshot_take_the_float_as_written():
    # 2.78 is written 2.78 (its repr), though the float is 2.779999999999999804...: 2,780,000,000,000 units.
    assert Decimal(2.78) != Decimal("2.78")
    assert migration.hour_units("[]", "[]", 2.78) == 2_780_000_000_000
    assert migration.units_of_float(43156.8) == 43_156_800_000_000_000
    assert migration.units_of_float(0.0) == 0


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _snapshot():
    return ComplianceSnapshot.objects.create(
        target=TargetFactory(),
        period_start=HOUR,
        period_end=HOUR + dt.timedelta(days=30),
        period_label="2026-11",
        objective=Decimal("99.9"),
        method="ratio_timeslices",
        budget_unit="minutes",
        status="met",
        computed_at=HOUR,
    )


@pytest.mark.django_db(transaction=True)
def test_the_migration_converts_float_rows_to_exact_units_and_back():
    snapshot = _snapshot()
    old = _migrate(BEFORE)
    try:
        old.get_model("monitoring", "ComplianceSnapshot").objects.filter(pk=snapshot.pk).update(ratio_sum=43156.8)
        hours = old.get_model("monitoring", "HourRollup")
        hours.objects.create(
            indicator_id=1, hour=HOUR, good=59_940, total=60_000, samples=60, minutes_with_data=60,
            ratio_sum=FLOAT_SUM, minute_good=MINUTES_AT_999[0], minute_total=MINUTES_AT_999[1],
            minute_samples=json.dumps([1] * 60),
        )  # fmt: skip
        hours.objects.create(indicator_id=1, hour=HOUR + dt.timedelta(hours=1), ratio_sum=2.78, minutes_with_data=3)
        hours.objects.create(indicator_id=2, hour=HOUR)  # nothing measured: stays 0
        new = _migrate(AFTER)
        rows = new.get_model("monitoring", "HourRollup").objects.order_by("indicator_id", "hour")
        assert list(rows.values_list("indicator_id", "ratio_units")) == [
            (1, 59_940_000_000_000),  # recomputed from the minutes: 60 x 0.999
            (1, 2_780_000_000_000),  # no minute counts: the float as written
            (2, 0),
        ]
        converted = new.get_model("monitoring", "ComplianceSnapshot").objects.get(pk=snapshot.pk)
        assert converted.ratio_units == 43_156_800_000_000_000  # the float 43156.8 as written
        # Backwards: the nearest float of each exact sum.
        old = _migrate(BEFORE)
        floats = old.get_model("monitoring", "HourRollup").objects.order_by("indicator_id", "hour")
        assert list(floats.values_list("ratio_sum", flat=True)) == [59.94, 2.78, 0.0]
        assert old.get_model("monitoring", "ComplianceSnapshot").objects.get(pk=snapshot.pk).ratio_sum == 43156.8
    finally:
        _migrate(executor_leaves())


def executor_leaves():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()
