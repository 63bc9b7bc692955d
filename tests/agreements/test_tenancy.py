"""The ``.for_user()`` checkpoint on every customer-owned model: managers see all, a customer only its own rows."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from agreements.models import (
    Agreement,
    BusinessCalendar,
    Customer,
    Membership,
    Service,
    ServiceCreditTier,
    ServiceLevelTarget,
)
from tests.factories import AgreementFactory, BusinessCalendarFactory, CreditTierFactory, ServiceFactory, TargetFactory

MODELS = [Customer, Membership, Service, BusinessCalendar, Agreement, ServiceLevelTarget, ServiceCreditTier]
by_model = pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)


@pytest.fixture
def estate(agreement_a, agreement_b, alice, bob):
    """Rows of Acme and of Globex, per model; Acme's service and calendar serve two of its agreements.

    Returns {model: (Acme's rows, Globex's rows)}. A service and a calendar that no agreement uses belong to no one.
    """
    acme_service = agreement_a.services.get()
    acme_hours = BusinessCalendarFactory(code="acme-hours")
    acme_target = agreement_a.targets.get()
    acme_target.service_hours = acme_hours
    acme_target.save()
    acme_ola = AgreementFactory(code="acme-ola", customer=agreement_a.customer, services=[acme_service])
    acme_ola_target = TargetFactory(agreement=acme_ola, code="desk", service_hours=acme_hours)
    acme_tiers = {CreditTierFactory(target=acme_target), CreditTierFactory(target=acme_ola_target)}

    globex_hours = BusinessCalendarFactory(code="globex-hours")
    globex_target = agreement_b.targets.get()
    globex_target.service_hours = globex_hours
    globex_target.save()

    ServiceFactory(code="unused-service")
    BusinessCalendarFactory(code="unused-hours")
    return {
        Customer: ({agreement_a.customer}, {agreement_b.customer}),
        Membership: ({alice.customer_membership}, {bob.customer_membership}),
        Service: ({acme_service}, {agreement_b.services.get()}),
        BusinessCalendar: ({acme_hours}, {globex_hours}),
        Agreement: ({agreement_a, acme_ola}, {agreement_b}),
        ServiceLevelTarget: ({acme_target, acme_ola_target}, {globex_target}),
        ServiceCreditTier: (acme_tiers, {CreditTierFactory(target=globex_target)}),
    }


def visible(model, user):
    rows = list(model.objects.for_user(user))
    assert len(rows) == len(set(rows)), f"{model.__name__}.for_user() repeats rows"
    return set(rows)


def fresh(user, **changes):
    """The user re-read from the database after ``changes``, with no per-request caches."""
    get_user_model().objects.filter(pk=user.pk).update(**changes)
    return get_user_model().objects.get(pk=user.pk)


@by_model
def test_manager_sees_every_row(estate, manager, model):
    acme, globex = estate[model]

    rows = visible(model, manager)

    assert rows == set(model.objects.all())
    assert acme | globex <= rows


@by_model
def test_superuser_sees_every_row(estate, model):
    admin = get_user_model().objects.create_superuser("admin", "admin@example.com", "x")

    assert visible(model, admin) == set(model.objects.all())


@by_model
def test_customer_user_sees_only_own_rows(estate, alice, bob, model):
    acme, globex = estate[model]

    assert visible(model, alice) == acme
    assert visible(model, bob) == globex


@by_model
def test_person_without_customer_sees_nothing(estate, nobody, model):
    assert visible(model, nobody) == set()


@by_model
def test_anonymous_user_sees_nothing(estate, model):
    assert visible(model, AnonymousUser()) == set()


@by_model
def test_inactive_customer_user_sees_nothing(estate, alice, model):
    assert visible(model, fresh(alice, is_active=False)) == set()


@by_model
def test_inactive_manager_sees_nothing(estate, manager, model):
    assert visible(model, fresh(manager, is_active=False)) == set()


def test_service_and_calendar_no_agreement_uses_are_seen_by_managers_only(estate, manager, alice):
    assert Service.objects.get(code="unused-service") in visible(Service, manager)
    assert BusinessCalendar.objects.get(code="unused-hours") in visible(BusinessCalendar, manager)
    assert "unused-service" not in {service.code for service in visible(Service, alice)}
    assert "unused-hours" not in {calendar.code for calendar in visible(BusinessCalendar, alice)}


def test_for_user_keeps_other_filters(estate, alice):
    assert set(Agreement.objects.active().for_user(alice)) == {Agreement.objects.get(code="acme-sla")}
    assert set(Agreement.objects.for_user(alice).filter(code__startswith="globex")) == set()


def test_membership_moving_to_another_customer_moves_what_is_seen(estate, alice, customer_b):
    Membership.objects.filter(user=alice).update(customer=customer_b)

    moved = fresh(alice)

    assert {agreement.code for agreement in visible(Agreement, moved)} == {"globex-sla"}
