"""Monthly partitions of the raw measurements (PostgreSQL; monitoring/partitions.py): made ahead, idempotently, rows
waiting in the default partition moved into a new month, samples stored into them by the real ingestion path (COPY),
whole months dropped by prune_measurements with the rollups and later rows kept; beat and /health.

The months are five years back from now, where the test database (partitioned from the month it was made in) has no
partition of its own.
"""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from monitoring.intake.ingest import record_samples
from monitoring.models import HourRollup, Measurement
from monitoring.partitions import (
    DEFAULT_PARTITION,
    add_months,
    detach_months_before,
    ensure_partitions,
    list_partitions,
    month_start,
    partition_name,
    prune_raw,
)
from monitoring.tasks import ensure_measurement_partitions
from slm_portal.health import check_partitions
from tests.monitoring.factories import ThresholdIndicatorFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

BASE = add_months(month_start(timezone.now()), -60)
LATER = add_months(BASE, 12)  # "now" for ingestion: every sample of these tests is before it


def month(number):
    return add_months(BASE, number)


def record(indicator, *instants):
    return record_samples(indicator, [{"t": t.isoformat(), "value": 1} for t in instants], now=LATER)


def homes(indicator):
    """{t: the partition its row is in} of the indicator's measurements."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t, tableoid::regclass::text FROM monitoring_measurement WHERE indicator_id = %s", [indicator.pk]
        )
        return dict(cursor.fetchall())


def labels():
    return [partition.label for partition in list_partitions(rows=False)]


def test_ensure_partitions_makes_this_month_and_the_months_ahead_once(postgresql):
    made = ensure_partitions(ahead=3, now=month(0) + dt.timedelta(days=17, hours=5))

    assert made.created == [partition_name(month(n)) for n in range(4)]
    assert made.moved == 0
    assert ensure_partitions(ahead=3, now=month(0) + dt.timedelta(days=20)).created == []
    assert ensure_partitions(ahead=4, now=month(1)).created == [partition_name(month(4)), partition_name(month(5))]
    ours = [p for p in list_partitions() if p.start and month(0) <= p.start < month(12)]
    assert [(p.name, p.start, p.end, p.rows) for p in ours] == [
        (partition_name(month(n)), month(n), month(n + 1), 0) for n in range(6)
    ]
    assert partition_name(month(0)) == f"monitoring_measurement_y{month(0):%Y}m{month(0):%m}"


def test_the_beat_task_makes_the_months_the_setting_asks_for(postgresql, settings, time_machine):
    time_machine.move_to(month(0) + dt.timedelta(days=3), tick=False)
    settings.SLM_MEASUREMENT_PARTITIONS_AHEAD = 2

    assert ensure_measurement_partitions.apply().get() == [partition_name(month(n)) for n in range(3)]
    assert ensure_measurement_partitions.apply().get() == []
    assert settings.CELERY_BEAT_SCHEDULE["measurement-partitions"]["task"] == (
        "monitoring.tasks.ensure_measurement_partitions"
    )


def test_ingestion_copies_samples_into_their_months_and_the_rest_into_the_default_partition(postgresql):
    ensure_partitions(ahead=0, now=month(0))
    indicator = ThresholdIndicatorFactory()
    last_instant = month(1) - dt.timedelta(seconds=1)

    # In time order (the append path), then earlier samples and duplicates (the anti-join path).
    assert record(indicator, month(0) + dt.timedelta(days=3), last_instant, month(1), month(2)).new == 4
    assert record(indicator, month(0), month(0) + dt.timedelta(days=3), month(-1), month(1)).new == 2

    assert homes(indicator) == {
        month(-1): DEFAULT_PARTITION,  # no partition for that month: the default one takes it
        month(0): partition_name(month(0)),
        month(0) + dt.timedelta(days=3): partition_name(month(0)),
        last_instant: partition_name(month(0)),
        month(1): DEFAULT_PARTITION,
        month(2): DEFAULT_PARTITION,
    }
    assert sum(HourRollup.objects.filter(indicator=indicator).values_list("samples", flat=True)) == 6


def test_a_new_month_takes_its_rows_out_of_the_default_partition(postgresql):
    indicator = ThresholdIndicatorFactory()
    record(indicator, month(0) + dt.timedelta(hours=1), month(0) + dt.timedelta(days=9), month(1))
    assert set(homes(indicator).values()) == {DEFAULT_PARTITION}

    made = ensure_partitions(ahead=0, now=month(0))

    assert (made.created, made.moved) == ([partition_name(month(0))], 2)
    assert homes(indicator) == {
        month(0) + dt.timedelta(hours=1): partition_name(month(0)),
        month(0) + dt.timedelta(days=9): partition_name(month(0)),
        month(1): DEFAULT_PARTITION,
    }
    # The new partition has the table's indexes (the primary key and the BRIN on t): a sample sent again is a
    # duplicate, and its rollups are unchanged.
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE tablename = %s", [partition_name(month(0))])
        assert cursor.fetchone()[0] == 2
    assert record(indicator, month(0) + dt.timedelta(hours=1)).new == 0
    assert Measurement.objects.filter(indicator=indicator).count() == 3


def test_pruning_drops_whole_months_and_deletes_only_the_rows_of_the_month_it_cuts(postgresql, time_machine):
    now = month(4) + dt.timedelta(days=9, hours=12, minutes=30)
    time_machine.move_to(now, tick=False)
    ensure_partitions(ahead=4, now=month(0))
    indicator = ThresholdIndicatorFactory()
    early, late = month(2) + dt.timedelta(days=2), month(2) + dt.timedelta(days=20)
    record(indicator, month(-1) + dt.timedelta(days=3), month(0), month(0) + dt.timedelta(days=20))
    record(indicator, month(1) + dt.timedelta(days=5), early, late, month(3), month(6))
    hours = list(HourRollup.objects.filter(indicator=indicator).order_by("hour").values_list("hour", "good", "total"))
    days = (now - (month(2) + dt.timedelta(days=10))).days  # cuts month 2 on its 10th or 11th day
    cutoff = (now - dt.timedelta(days=days)).replace(minute=0)
    out = StringIO()

    call_command("prune_measurements", "--older-than", str(days), stdout=out)

    assert out.getvalue().splitlines() == [
        f"Dropped 2 monthly partitions of raw measurements ({month(0):%Y-%m}, {month(1):%Y-%m}; about 3 rows).",
        f"Deleted 2 raw measurements from before {cutoff:%Y-%m-%d %H:%M} UTC.",  # month 2's early one, the default's
    ]
    assert sorted(homes(indicator).items()) == [
        (late, partition_name(month(2))),
        (month(3), partition_name(month(3))),
        (month(6), DEFAULT_PARTITION),  # after the cut: kept
    ]
    assert f"{month(0):%Y-%m}" not in labels()
    assert f"{month(1):%Y-%m}" not in labels()
    with connection.cursor() as cursor:  # detached and dropped: no table left behind
        cursor.execute("SELECT to_regclass(%s), to_regclass(%s)", [partition_name(month(0)), partition_name(month(1))])
        assert cursor.fetchone() == (None, None)
    assert {f"{month(n):%Y-%m}" for n in (2, 3, 4)} <= set(labels())
    assert list(
        HourRollup.objects.filter(indicator=indicator).order_by("hour").values_list("hour", "good", "total")
    ) == (hours)
    call_command("prune_measurements", "--older-than", str(days), stdout=out)
    assert out.getvalue().splitlines()[-2:] == [
        "Dropped 0 monthly partitions of raw measurements.",
        f"Deleted 0 raw measurements from before {cutoff:%Y-%m-%d %H:%M} UTC.",
    ]


def test_pruning_drops_a_month_an_interrupted_prune_left_detached(postgresql):
    ensure_partitions(ahead=3, now=month(0))
    indicator = ThresholdIndicatorFactory()
    record(indicator, month(0) + dt.timedelta(days=1), month(0) + dt.timedelta(days=2), month(2))
    detach_months_before(month(1))  # ...and the prune stopped there: month 0 is a table of its own now
    assert f"{month(0):%Y-%m}" not in labels()
    stray = partition_name(month(0))

    pruned = prune_raw(month(1))

    assert [(partition.label, partition.rows) for partition in pruned.dropped] == [(f"{month(0):%Y-%m}", 2)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [stray])
        assert cursor.fetchone() == (None,)
    assert list(homes(indicator).values()) == [partition_name(month(2))]  # later months untouched


def test_a_detached_month_after_the_cut_is_left_alone(postgresql):
    ensure_partitions(ahead=3, now=month(0))
    detach_months_before(month(2))  # months 0 and 1 detached; a prune now cuts at month 1 only

    pruned = prune_raw(month(1))

    assert [partition.label for partition in pruned.dropped] == [f"{month(0):%Y-%m}"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [partition_name(month(1))])
        assert cursor.fetchone() == (partition_name(month(1)),)


def test_health_names_a_month_without_its_partition(postgresql, client, time_machine):
    time_machine.move_to(month(0) + dt.timedelta(days=28), tick=False)
    labels_now = [f"{month(0):%Y-%m}", f"{month(1):%Y-%m}"]
    assert check_partitions() == {"ok": False, "partitioned": True, "missing_months": labels_now}

    ensure_partitions(ahead=0)
    assert client.get("/health").json()["partitions"] == {
        "ok": False,
        "partitioned": True,
        "missing_months": labels_now[1:],
    }
    ensure_partitions(ahead=1)
    assert check_partitions() == {"ok": True, "partitioned": True, "missing_months": []}
