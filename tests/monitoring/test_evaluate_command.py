"""``manage.py evaluate_slos``: evaluate as of an instant, for chosen targets or all, deterministically."""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from monitoring.models import ComplianceSnapshot
from tests.factories import AgreementFactory, TargetFactory
from tests.monitoring.evaluation_helpers import (
    NOVEMBER,
    active_agreement,
    kst,
    measured_target,
    record_probe_minutes,
    snapshot,
    snapshot_rows,
)

pytestmark = pytest.mark.django_db
AT = "2026-11-20T00:00:00+09:00"


@pytest.fixture
def agreement():
    return active_agreement(code="acme-sla", valid_from=dt.date(2026, 11, 1))


@pytest.fixture
def target(agreement):
    target = measured_target(agreement=agreement, code="availability")
    record_probe_minutes(target, NOVEMBER, 1440, bad=range(30))
    return target


def evaluate_slos(*args):
    out = io.StringIO()
    call_command("evaluate_slos", *args, stdout=out)
    return out.getvalue()


def test_the_command_evaluates_one_target_as_of_the_given_instant_and_says_what_it_wrote(target):
    output = evaluate_slos("--at", AT, "--target", "acme-sla/availability")
    assert output.strip() == (
        "Evaluated 1 targets as of 2026-11-20T00:00:00+09:00: 1 snapshots, 0 breaching, 0 alerts fired, 0 resolved."
    )
    row = snapshot(target)
    # 1,410 good of 1,440 minutes on 1 Nov; evaluated at 20 Nov 00:00 KST = 19 Nov 15:00Z.
    assert (row.period_label, row.computed_at) == ("2026-11", kst(2026, 11, 20))
    assert (row.attainment, row.budget_consumed, row.status) == (Decimal("0.979166666667"), 30, "on_track")


def test_the_same_instant_twice_gives_identical_rows(target):
    evaluate_slos("--at", AT, "--target", "acme-sla/availability")
    first = snapshot_rows(target)
    evaluate_slos("--at", AT, "--target", "acme-sla/availability")
    assert snapshot_rows(target) == first


def test_an_instant_given_in_another_zone_is_the_same_instant(target):
    evaluate_slos("--at", AT, "--target", "acme-sla/availability")
    first = snapshot_rows(target)
    evaluate_slos("--at", "2026-11-19T15:00:00Z", "--target", "acme-sla/availability")
    assert snapshot_rows(target) == first


def test_without_targets_it_evaluates_every_target_of_every_active_agreement(target, agreement):
    other = measured_target(agreement=agreement, code="latency")
    draft = measured_target(agreement=AgreementFactory(valid_from=dt.date(2026, 11, 1)))  # still a draft
    output = evaluate_slos("--at", AT)
    assert output.startswith("Evaluated 2 targets as of 2026-11-20T00:00:00+09:00")
    assert set(ComplianceSnapshot.objects.values_list("target", flat=True)) == {target.pk, other.pk}
    assert not ComplianceSnapshot.objects.filter(target=draft).exists()


def test_targets_can_be_named_more_than_once_and_are_evaluated_in_chunks(target, agreement):
    other = measured_target(agreement=agreement, code="latency")
    output = evaluate_slos(
        "--at", AT, "--target", "acme-sla/availability", "--target", "acme-sla/latency", "--chunk", "1"
    )
    assert output.startswith("Evaluated 2 targets")
    assert ComplianceSnapshot.objects.filter(target__in=[target, other]).count() == 2


def test_a_breaching_target_is_counted_in_the_output(agreement):
    target = measured_target(agreement=agreement, code="availability")
    record_probe_minutes(target, NOVEMBER, 1440, bad=range(50))  # 50 of 43.2 budget minutes
    assert "1 snapshots, 1 breaching" in evaluate_slos("--at", AT)


@pytest.mark.parametrize(
    ("at", "message"),
    [
        ("2026-11-20T00:00:00", "has no time zone; add Z or an offset such as +09:00"),
        ("next tuesday", "is not an ISO-8601 instant such as 2026-11-27T09:00:00+09:00"),
        ("2026-11-31T00:00:00Z", "is not an ISO-8601 instant"),
    ],
)
def test_an_instant_without_a_zone_or_that_is_no_instant_is_refused(target, at, message):
    with pytest.raises(CommandError, match=re.escape(f"--at '{at}' {message}")):
        evaluate_slos("--at", at)
    assert not ComplianceSnapshot.objects.exists()


@pytest.mark.parametrize("name", ["acme-sla/uptime", "globex-sla/availability", "acme-sla", "availability"])
def test_an_unknown_target_is_refused_by_name(target, name):
    with pytest.raises(CommandError, match=f"No evaluable target '{name}'"):
        evaluate_slos("--at", AT, "--target", name)
    assert not ComplianceSnapshot.objects.exists()


def test_a_target_without_an_indicator_is_not_evaluable(agreement):
    TargetFactory(agreement=agreement, code="response-time")
    with pytest.raises(CommandError, match="active agreement, with an indicator"):
        evaluate_slos("--at", AT, "--target", "acme-sla/response-time")


def test_without_an_instant_it_evaluates_now():
    agreement = active_agreement(code="open-ended", valid_from=dt.date(2020, 1, 1), valid_to=None)
    target = measured_target(agreement=agreement, code="availability")
    before = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
    output = evaluate_slos("--target", "open-ended/availability")
    assert "Evaluated 1 targets as of " in output
    latest = ComplianceSnapshot.objects.filter(target=target).latest("period_start")
    assert latest.period_start <= latest.computed_at
    assert before <= latest.computed_at <= dt.datetime.now(dt.UTC)
