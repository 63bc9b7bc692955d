"""The rules the database itself enforces: a write that skips the forms still cannot store a broken row."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from agreements.choices import WindowKind
from agreements.models import (
    Agreement,
    BusinessCalendar,
    Customer,
    Holiday,
    Service,
    ServiceCreditTier,
    ServiceLevelTarget,
    WorkingPeriod,
)
from tests.factories import AgreementFactory, BusinessCalendarFactory, CreditTierFactory, TargetFactory

pytestmark = pytest.mark.django_db


def refused(write, *args, **kwargs):
    """Asserts that ``write`` raises IntegrityError, inside a savepoint so the test can go on."""
    with pytest.raises(IntegrityError), transaction.atomic():
        write(*args, **kwargs)


@pytest.fixture
def availability(agreement_a):
    return agreement_a.targets.get()


def new_target(agreement, **fields):
    return ServiceLevelTarget.objects.create(
        agreement=agreement, **{"code": "uptime", "name": "Uptime", "objective": Decimal("99.9"), **fields}
    )


# Agreements


@pytest.mark.parametrize("valid_to", [dt.date(2026, 1, 1), dt.date(2025, 12, 31)], ids=["equal", "earlier"])
def test_valid_to_not_after_valid_from_is_refused(customer_a, valid_to):
    refused(AgreementFactory, customer=customer_a, valid_from=dt.date(2026, 1, 1), valid_to=valid_to)
    assert Agreement.objects.count() == 0


def test_next_review_before_valid_from_is_refused(customer_a):
    refused(AgreementFactory, customer=customer_a, valid_from=dt.date(2026, 3, 1), next_review=dt.date(2026, 2, 28))
    assert AgreementFactory(customer=customer_a, valid_from=dt.date(2026, 3, 1), next_review=dt.date(2026, 3, 1))


def test_agreement_code_is_unique(agreement_a, customer_b):
    refused(AgreementFactory, code="acme-sla", customer=customer_b)
    assert Agreement.objects.filter(code="acme-sla").count() == 1


def test_negative_monthly_fee_is_refused(customer_a):
    refused(AgreementFactory, customer=customer_a, monthly_fee=Decimal("-1"))


@pytest.mark.parametrize(("field", "value"), [("status", "paused"), ("kind", "sow")])
def test_unknown_status_or_kind_is_refused(agreement_a, field, value):
    refused(Agreement.objects.filter(pk=agreement_a.pk).update, **{field: value})
    agreement_a.refresh_from_db()
    assert (agreement_a.status, agreement_a.kind) == ("active", "sla")


# Targets


@pytest.mark.parametrize("objective", ["0", "100", "-1", "100.5"])
def test_objective_outside_0_to_100_is_refused(agreement_a, objective):
    refused(new_target, agreement_a, objective=Decimal(objective))
    assert agreement_a.targets.count() == 1


@pytest.mark.parametrize("objective", ["0.001", "99.999"])
def test_objective_just_inside_the_bounds_is_stored(agreement_a, objective):
    assert new_target(agreement_a, objective=Decimal(objective)).objective == Decimal(objective)


def test_target_code_is_unique_within_an_agreement(agreement_a, agreement_b):
    refused(new_target, agreement_a, code="availability")
    assert new_target(agreement_b, code="uptime").agreement == agreement_b


def test_rolling_window_without_days_is_refused(agreement_a):
    refused(new_target, agreement_a, window_kind=WindowKind.ROLLING, rolling_days=None)


@pytest.mark.parametrize("days", [0, 367])
def test_rolling_window_outside_one_to_366_days_is_refused(agreement_a, days):
    refused(new_target, agreement_a, window_kind=WindowKind.ROLLING, rolling_days=days)


def test_calendar_window_without_period_is_refused(agreement_a):
    refused(new_target, agreement_a, window_kind=WindowKind.CALENDAR, calendar_period="")


def test_slice_target_of_zero_is_refused(agreement_a):
    refused(new_target, agreement_a, slice_target=Decimal("0"))


# Credit tiers


def test_two_tiers_of_one_target_cannot_share_a_threshold(availability):
    CreditTierFactory(target=availability, below_attainment=Decimal("99.5"), credit_percent=Decimal("10"))
    refused(CreditTierFactory, target=availability, below_attainment=Decimal("99.5"), credit_percent=Decimal("20"))
    assert availability.credit_tiers.count() == 1


def test_tiers_of_different_targets_may_share_a_threshold(availability, agreement_b):
    CreditTierFactory(target=availability, below_attainment=Decimal("99.5"))
    CreditTierFactory(target=agreement_b.targets.get(), below_attainment=Decimal("99.5"))
    assert ServiceCreditTier.objects.filter(below_attainment=Decimal("99.5")).count() == 2


@pytest.mark.parametrize("credit", ["0", "100.01", "-5"])
def test_credit_of_zero_or_more_than_100_percent_is_refused(availability, credit):
    refused(CreditTierFactory, target=availability, credit_percent=Decimal(credit))


@pytest.mark.parametrize("threshold", ["0", "100.001"])
def test_threshold_outside_0_to_100_is_refused(availability, threshold):
    refused(CreditTierFactory, target=availability, below_attainment=Decimal(threshold))


# Catalogue and calendars


def test_customer_code_is_unique(customer_a):
    refused(Customer.objects.create, code="acme", name="Acme again")


def test_service_code_is_unique(service):
    refused(Service.objects.create, code="online-banking", name="Online banking again")


def test_service_criticality_is_one_to_four(db):
    refused(Service.objects.create, code="odd", name="Odd", criticality=5)


def test_calendar_code_is_unique(db):
    BusinessCalendarFactory(code="seoul-office")
    refused(BusinessCalendar.objects.create, code="seoul-office", name="Another")


@pytest.fixture
def office(db):
    return BusinessCalendarFactory(code="seoul-office", office_hours=False)


@pytest.mark.parametrize("end", [dt.time(8), dt.time(9)], ids=["before-start", "equal-to-start"])
def test_working_period_ending_before_it_starts_is_refused(office, end):
    refused(WorkingPeriod.objects.create, calendar=office, weekday=0, start=dt.time(9), end=end)


def test_working_period_ending_at_midnight_is_stored(office):
    period = WorkingPeriod.objects.create(calendar=office, weekday=5, start=dt.time(18), end=dt.time(0))
    assert period.pk is not None


def test_two_working_periods_cannot_start_together(office):
    WorkingPeriod.objects.create(calendar=office, weekday=0, start=dt.time(9), end=dt.time(12))
    refused(WorkingPeriod.objects.create, calendar=office, weekday=0, start=dt.time(9), end=dt.time(18))


def test_weekday_outside_monday_to_sunday_is_refused(office):
    refused(WorkingPeriod.objects.create, calendar=office, weekday=7, start=dt.time(9), end=dt.time(18))


def test_two_holidays_of_one_calendar_cannot_share_a_date(office):
    Holiday.objects.create(calendar=office, date=dt.date(2026, 12, 25), name="Christmas Day")
    refused(Holiday.objects.create, calendar=office, date=dt.date(2026, 12, 25), name="Again")
    assert office.holidays.count() == 1


def test_rolling_target_is_stored_without_a_calendar_period(agreement_a):
    target = TargetFactory(agreement=agreement_a, window_kind=WindowKind.ROLLING, rolling_days=28)
    assert (target.rolling_days, target.calendar_period) == (28, "")
