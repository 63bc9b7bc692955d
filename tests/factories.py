"""factory_boy factories for the standard cast and the agreements domain."""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from agreements.choices import AgreementStatus, BudgetingMethod
from agreements.models import (
    Agreement,
    BusinessCalendar,
    Customer,
    Holiday,
    Membership,
    Service,
    ServiceCreditTier,
    ServiceLevelTarget,
    WorkingPeriod,
)
from core.tenancy import SERVICE_MANAGERS_GROUP

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save()


class ManagerFactory(UserFactory):
    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create:
            self.groups.add(Group.objects.get(name=SERVICE_MANAGERS_GROUP))


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Customer {n}")
    code = factory.Sequence(lambda n: f"customer-{n}")
    contact_email = factory.LazyAttribute(lambda customer: f"contact@{customer.code}.example")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    customer = factory.SubFactory(CustomerFactory)


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Service {n}")
    code = factory.Sequence(lambda n: f"service-{n}")


class BusinessCalendarFactory(factory.django.DjangoModelFactory):
    """Weekdays 09:00-18:00 in Asia/Seoul."""

    class Meta:
        model = BusinessCalendar
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Calendar {n}")
    code = factory.Sequence(lambda n: f"calendar-{n}")
    time_zone = "Asia/Seoul"

    @factory.post_generation
    def office_hours(self, create, extracted, **kwargs):
        if create and extracted is not False:
            for weekday in range(5):
                WorkingPeriod.objects.create(calendar=self, weekday=weekday, start=dt.time(9), end=dt.time(18))


class HolidayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Holiday

    calendar = factory.SubFactory(BusinessCalendarFactory)
    date = dt.date(2026, 12, 25)
    name = "Christmas Day"


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"sla-{n}")
    title = factory.Sequence(lambda n: f"Agreement {n}")
    customer = factory.SubFactory(CustomerFactory)
    valid_from = dt.date(2026, 1, 1)
    valid_to = None  # open-ended: an end date would meet the real clock in tests that evaluate at now
    monthly_fee = Decimal("1000000")
    status = AgreementStatus.DRAFT

    @factory.post_generation
    def services(self, create, extracted, **kwargs):
        if create:
            self.services.set(extracted if extracted is not None else [ServiceFactory()])


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceLevelTarget

    agreement = factory.SubFactory(AgreementFactory)
    code = factory.Sequence(lambda n: f"target-{n}")
    name = factory.Sequence(lambda n: f"Target {n}")
    objective = Decimal("99.900")
    budgeting_method = BudgetingMethod.OCCURRENCES


class CreditTierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceCreditTier

    target = factory.SubFactory(TargetFactory)
    below_attainment = Decimal("99.900")
    credit_percent = Decimal("10")
