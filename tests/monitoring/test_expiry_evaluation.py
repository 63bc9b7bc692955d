"""An agreement stops being evaluated after its end, and its last period is closed and frozen properly.

The scene: an agreement in force from 1 to 16 November 2026 (its *valid to* day: it holds up to 16 November 00:00 in
Seoul). Its monthly probe target (99.9 %, timeslices) is up all of 15 November but for 2 minutes; on 16 November,
after the end, the probe keeps reporting and is down for 100 minutes, which no period of the agreement may count.
November's period is [1 Nov, 16 Nov) and closes 15 minutes after its end.
"""

import datetime as dt
from decimal import Decimal

import pytest

from agreements.choices import AgreementStatus
from agreements.expiry import expire_ended
from monitoring.evaluation import evaluable_targets, evaluate_targets
from monitoring.models import ComplianceSnapshot
from monitoring.tasks import fan_out_evaluation
from tests.factories import BusinessCalendarFactory
from tests.monitoring.evaluation_helpers import (
    NOVEMBER,
    active_agreement,
    evaluate,
    kst,
    measured_target,
    record_probe_minutes,
    snapshot_rows,
)

pytestmark = pytest.mark.django_db
END = kst(2026, 11, 16)


@pytest.fixture
def target():
    agreement = active_agreement(code="short-sla", valid_from=dt.date(2026, 11, 1), valid_to=dt.date(2026, 11, 16))
    target = measured_target(agreement=agreement, code="uptime")
    record_probe_minutes(target, kst(2026, 11, 15), 1440, bad=[600, 601])
    record_probe_minutes(target, END, 1440, bad=range(100))
    return target


def the_snapshot(target):
    (row,) = ComplianceSnapshot.objects.filter(target=target)
    return row


def test_the_day_after_the_end_no_new_snapshot_appears_and_the_last_period_stays_closed(target):
    evaluate(target, kst(2026, 11, 15, 12))  # the last day in force: November is running
    assert (the_snapshot(target).is_closed, the_snapshot(target).period_end) == (False, END)
    evaluate(target, END + dt.timedelta(minutes=20))  # past the 15-minute grace: closed and frozen
    closed = the_snapshot(target)
    # [1 Nov, 16 Nov): 15 days; 1,440 minutes with data, 1,438 good; the budget is 0.001 x 21,600 = 21.6 minutes.
    assert (closed.period_start, closed.period_end, closed.is_closed) == (NOVEMBER, END, True)
    assert (closed.slices_with_data, closed.good_slices, closed.budget_total) == (1440, 1438, Decimal("21.6"))
    assert (closed.status, closed.is_current) == ("breached", False)  # 1,438 / 1,440 = 99.861 % < 99.9 %
    frozen = snapshot_rows(target)

    evaluate(target, kst(2026, 11, 17, 0, 30))  # the day after the end, still marked active
    assert snapshot_rows(target) == frozen  # no new period, and the closed one untouched

    assert expire_ended(dt.date(2026, 11, 17), kst(2026, 11, 17, 0, 30)) == ["short-sla"]
    target.agreement.refresh_from_db()
    assert target.agreement.status == AgreementStatus.EXPIRED
    assert snapshot_rows(target) == frozen
    assert not evaluable_targets().filter(pk=target.pk).exists()
    assert fan_out_evaluation(kst(2026, 11, 20)) == 0  # the regular run queues nothing: the agreement is not in it
    assert evaluate_targets([target.pk], kst(2026, 11, 20)).targets == 0
    assert snapshot_rows(target) == frozen


def test_expiring_closes_a_last_period_that_no_run_had_closed(target):
    evaluate(target, kst(2026, 11, 15, 12))  # the last evaluation before the workers stopped, say
    assert the_snapshot(target).is_closed is False

    assert expire_ended(dt.date(2026, 11, 17), kst(2026, 11, 17, 0, 30)) == ["short-sla"]

    closed = the_snapshot(target)
    assert (closed.period_end, closed.is_closed, closed.is_current) == (END, True, False)
    assert (closed.slices_with_data, closed.good_slices) == (
        1440,
        1438,
    )  # the 100 bad minutes after the end not counted
    assert closed.computed_at == kst(2026, 11, 17, 0, 30)
    assert ComplianceSnapshot.objects.filter(target=target).count() == 1


def test_an_agreement_whose_last_period_is_still_in_its_grace_somewhere_west_waits_for_a_later_run():
    # Service hours in Pago Pago (UTC-11): the agreement ends there at 16 Nov 00:00 SST = 11:00 UTC, closed at 11:15.
    hours = BusinessCalendarFactory(code="pago-pago", time_zone="Pacific/Pago_Pago")
    agreement = active_agreement(code="west-sla", valid_from=dt.date(2026, 11, 1), valid_to=dt.date(2026, 11, 16))
    measured_target(agreement=agreement, code="desk", service_hours=hours)
    utc = dt.UTC

    assert expire_ended(dt.date(2026, 11, 17), dt.datetime(2026, 11, 16, 11, 10, tzinfo=utc)) == []
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE

    assert expire_ended(dt.date(2026, 11, 17), dt.datetime(2026, 11, 16, 11, 20, tzinfo=utc)) == ["west-sla"]
