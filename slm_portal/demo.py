"""Demo data for a first run: two customers, a service catalogue, a Seoul business calendar, SLAs and people.

Every function is idempotent (rows are found by their code and updated), so `manage.py seed_demo` can run on
every start.
"""

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from agreements.choices import (
    AgreementKind,
    AgreementStatus,
    BudgetingMethod,
    CalendarPeriod,
    Criticality,
    ReviewCycle,
    WindowKind,
)
from agreements.models import (
    Agreement,
    BusinessCalendar,
    Customer,
    Holiday,
    Membership,
    Service,
    ServiceCreditTier,
    ServiceLevelTarget,
    Underpinning,
    WorkingPeriod,
)
from agreements.signoffs import answer, send_for_sign_off
from core.tenancy import SERVICE_MANAGERS_GROUP
from monitoring.windows import first_of_month
from slm_portal.identity.models import AuthenticatorDevice

# The demo admin's and manager's authenticator key (two-factor sign-in), public like the demo password: add it to an
# authenticator app, or compute the code with `oathtool --totp -b <base32>`. In hex; stored encrypted like any key.
DEMO_TOTP_KEY = b"slm-portal-demo-2fa!".hex()
DEMO_TOTP_BASE32 = "ONWG2LLQN5ZHIYLMFVSGK3LPFUZGMYJB"

# (username, first name, last name, role, customer code)
DEMO_PEOPLE = [
    ("admin", "Portal", "Admin", "admin", None),
    ("manager", "Minsu", "Park", "manager", None),
    ("hanbit", "Jiyeon", "Kim", "customer admin", "hanbit-bank"),
    ("saebyeok", "Hyunwoo", "Lee", "customer", "saebyeok-logistics"),
]

CUSTOMERS = [
    ("hanbit-bank", "Hanbit Bank", "Jiyeon Kim", "it-vendor@hanbit-bank.example"),
    ("saebyeok-logistics", "Saebyeok Logistics", "Hyunwoo Lee", "ops@saebyeok.example"),
    # The provider's own operations team, party to the operational level agreement (OLA) behind the bank's SLA: a
    # customer of its own, so that the bank's people never see the OLA.
    ("it-operations", "IT Operations (internal)", "Operations team lead", "it-operations@example.com"),
]

SERVICES = [
    ("internet-banking", "Internet Banking", Criticality.MISSION_CRITICAL, "Retail and corporate online banking."),
    ("mobile-api", "Mobile App API", Criticality.MISSION_CRITICAL, "The API behind the banking and tracking apps."),
    ("service-desk", "Service Desk", Criticality.BUSINESS_CRITICAL, "Incident and request handling, phone and web."),
    ("wms", "Warehouse Management", Criticality.BUSINESS_CRITICAL, "Stock, picking and dispatch for warehouses."),
    ("email", "Corporate Email", Criticality.BUSINESS_OPERATIONAL, "Mail and calendars for staff."),
    ("slm-portal", "SLM Portal", Criticality.ADMINISTRATIVE, "This portal, watched by its own probe."),
]

# Public holidays of the Republic of Korea on fixed solar dates, every year.
SOLAR_HOLIDAYS = [
    ((1, 1), "New Year's Day"),
    ((3, 1), "Independence Movement Day"),
    ((5, 5), "Children's Day"),
    ((6, 6), "Memorial Day"),
    ((8, 15), "Liberation Day"),
    ((10, 3), "National Foundation Day"),
    ((10, 9), "Hangul Day"),
    ((12, 25), "Christmas Day"),
]
# Holidays of the lunar calendar, and substitute days, of the years the demo was written for; the calendar page
# adds those of other years.
LUNAR_AND_SUBSTITUTE_HOLIDAYS = [
    ("2026-02-16", "Seollal"),
    ("2026-02-17", "Seollal"),
    ("2026-02-18", "Seollal"),
    ("2026-03-02", "Independence Movement Day (substitute)"),
    ("2026-05-25", "Buddha's Birthday (substitute)"),
    ("2026-06-03", "Local elections"),
    ("2026-08-17", "Liberation Day (substitute)"),
    ("2026-09-24", "Chuseok"),
    ("2026-09-25", "Chuseok"),
    ("2026-10-05", "National Foundation Day (substitute)"),
    ("2027-02-06", "Seollal"),
    ("2027-02-07", "Seollal"),
    ("2027-02-08", "Seollal"),
    ("2027-02-09", "Seollal (substitute)"),
    ("2027-05-13", "Buddha's Birthday"),
    ("2027-08-16", "Liberation Day (substitute)"),
    ("2027-09-14", "Chuseok"),
    ("2027-09-15", "Chuseok"),
    ("2027-09-16", "Chuseok"),
    ("2027-10-04", "National Foundation Day (substitute)"),
    ("2027-10-11", "Hangul Day (substitute)"),
    ("2027-12-27", "Christmas Day (substitute)"),
]


def korean_holidays(years):
    """(date, name) of the demo calendar's holidays in ``years``."""
    days = {dt.date(year, month, day): name for year in years for (month, day), name in SOLAR_HOLIDAYS}
    days.update(
        (day, name)
        for day, name in ((dt.date.fromisoformat(text), name) for text, name in LUNAR_AND_SUBSTITUTE_HOLIDAYS)
        if day.year in years
    )
    return sorted(days.items())


def seed_people(password):
    User = get_user_model()
    managers = Group.objects.get(name=SERVICE_MANAGERS_GROUP)
    people = {}
    for username, first, last, role, customer_code in DEMO_PEOPLE:
        user, created = User.objects.get_or_create(
            username=username, defaults={"first_name": first, "last_name": last, "email": f"{username}@example.com"}
        )
        if created:
            user.set_password(password)
        user.is_staff = user.is_superuser = role == "admin"
        user.save()
        if role == "manager":
            user.groups.add(managers)
        if role in ("admin", "manager") and not AuthenticatorDevice.objects.filter(user=user).exists():
            device = AuthenticatorDevice(user=user, name="Authenticator app (demo key)")
            device.set_key(bytes.fromhex(DEMO_TOTP_KEY))
            device.save()
        if customer_code:
            Membership.objects.update_or_create(
                user=user,
                defaults={"customer": Customer.objects.get(code=customer_code), "is_admin": role == "customer admin"},
            )
        people[username] = user
    return people


def seed_calendar(today):
    calendar, _ = BusinessCalendar.objects.update_or_create(
        code="seoul-business-hours",
        defaults={
            "name": "Seoul business hours",
            "time_zone": "Asia/Seoul",
            "description": "Weekdays 09:00–18:00 KST, public holidays of Korea excluded.",
        },
    )
    for weekday in range(5):
        WorkingPeriod.objects.update_or_create(
            calendar=calendar, weekday=weekday, start=dt.time(9), defaults={"end": dt.time(18)}
        )
    for day, name in korean_holidays(range(today.year - 1, today.year + 2)):
        Holiday.objects.update_or_create(calendar=calendar, date=day, defaults={"name": name})
    return calendar


def _target(agreement, code, name, objective, **fields):
    target, _ = ServiceLevelTarget.objects.update_or_create(
        agreement=agreement, code=code, defaults={"name": name, "objective": Decimal(objective), **fields}
    )
    return target


def _tiers(target, tiers):
    for below, credit in tiers:
        ServiceCreditTier.objects.update_or_create(
            target=target, below_attainment=Decimal(below), defaults={"credit_percent": Decimal(credit)}
        )


def _ticket_targets(agreement, minimum_events):
    """Monthly ticket targets (occurrences: a share of tickets within their goal), measured by the ticket indicators
    of ``monitoring.demo_tickets``; a customer with few tickets sets a minimum under which a month is not judged."""
    resolved = _target(
        agreement,
        "tickets-resolved",
        "Tickets resolved within their goal",
        "95.000",
        budgeting_method=BudgetingMethod.OCCURRENCES,
        window_kind=WindowKind.CALENDAR,
        calendar_period=CalendarPeriod.MONTH,
        minimum_events=minimum_events,
    )
    _tiers(resolved, [("95", "3"), ("90", "8")])
    _target(
        agreement,
        "tickets-answered",
        "Tickets answered within the first-response goal",
        "90.000",
        budgeting_method=BudgetingMethod.OCCURRENCES,
        window_kind=WindowKind.CALENDAR,
        calendar_period=CalendarPeriod.MONTH,
    )


def _agreement(code, customer, services, owner, status, dates, **fields):
    """``dates`` (validity and next review) are set when the agreement is created and left alone afterwards, so
    that a demo loaded months ago keeps its history when ``seed_demo`` runs again."""
    agreement, _ = Agreement.objects.update_or_create(
        code=code,
        defaults={"customer": customer, "owner": owner, **fields},
        create_defaults={"customer": customer, "owner": owner, **fields, **dates},
    )
    agreement.services.set(services)
    if agreement.status != status:
        # Demo rows are placed in their state directly; people go through the workflow buttons.
        Agreement.objects.filter(pk=agreement.pk).update(status=status)
        agreement.status = status
    return agreement


def seed_agreements(people, calendar, today):
    """The demo's agreements, dated around ``today``: live ones whatever the day of the first run."""
    customers = {code: Customer.objects.get(code=code) for code, *_ in CUSTOMERS}
    services = {code: Service.objects.get(code=code) for code, *_ in SERVICES}
    manager = people["manager"]
    bank_sla = _agreement(
        "hanbit-digital-sla",
        customers["hanbit-bank"],
        [services["internet-banking"], services["mobile-api"]],
        manager,
        AgreementStatus.ACTIVE,
        kind=AgreementKind.SLA,
        title="Digital banking services",
        dates={
            "valid_from": first_of_month(today, -11),
            "valid_to": first_of_month(today, 13),
            "next_review": today + dt.timedelta(days=12),
        },
        monthly_fee=Decimal("42000000"),
        currency="KRW",
        description="Availability and speed of internet banking and the mobile API.",
        maintenance_notice_days=5,
        maintenance_cap_minutes=240,
        review_cycle=ReviewCycle.QUARTERLY,
    )
    availability = _target(
        bank_sla,
        "availability",
        "Internet banking availability",
        "99.900",
        budgeting_method=BudgetingMethod.TIMESLICES,
        window_kind=WindowKind.CALENDAR,
        calendar_period=CalendarPeriod.MONTH,
    )
    _tiers(availability, [("99.9", "5"), ("99.5", "10"), ("99", "25")])
    _target(
        bank_sla,
        "api-latency",
        "Mobile API requests under 300 ms",
        "99.000",
        budgeting_method=BudgetingMethod.OCCURRENCES,
        window_kind=WindowKind.CALENDAR,
        calendar_period=CalendarPeriod.MONTH,
    )
    desk_sla = _agreement(
        "hanbit-desk-sla",
        customers["hanbit-bank"],
        [services["service-desk"]],
        manager,
        AgreementStatus.ACTIVE,
        kind=AgreementKind.SLA,
        title="Service desk",
        dates={"valid_from": first_of_month(today, -11), "next_review": first_of_month(today, 3)},
        monthly_fee=Decimal("8500000"),
        currency="KRW",
        review_cycle=ReviewCycle.HALF_YEARLY,
    )
    _target(
        desk_sla,
        "desk-availability",
        "Service desk reachable in business hours",
        "99.500",
        budgeting_method=BudgetingMethod.TIMESLICES,
        service_hours=calendar,
        window_kind=WindowKind.CALENDAR,
        calendar_period=CalendarPeriod.MONTH,
    )
    _ticket_targets(desk_sla, minimum_events=None)
    wms_sla = _agreement(
        "saebyeok-wms-sla",
        customers["saebyeok-logistics"],
        [services["wms"], services["mobile-api"]],
        manager,
        AgreementStatus.ACTIVE,
        kind=AgreementKind.SLA,
        title="Warehouse management",
        dates={
            "valid_from": first_of_month(today, -9),
            "valid_to": first_of_month(today, 15),
            "next_review": today - dt.timedelta(days=2),
        },
        monthly_fee=Decimal("25000000"),
        currency="KRW",
        maintenance_notice_days=5,
        maintenance_cap_minutes=240,
        review_cycle=ReviewCycle.QUARTERLY,
    )
    wms_availability = _target(
        wms_sla,
        "availability",
        "WMS availability",
        "99.500",
        budgeting_method=BudgetingMethod.TIMESLICES,
        window_kind=WindowKind.CALENDAR,
        calendar_period=CalendarPeriod.MONTH,
    )
    _tiers(wms_availability, [("99.5", "5"), ("98", "15")])
    _ticket_targets(wms_sla, minimum_events=10)
    _target(
        wms_sla,
        "dispatch-success",
        "Dispatch requests processed",
        "99.900",
        budgeting_method=BudgetingMethod.RATIO_TIMESLICES,
        window_kind=WindowKind.ROLLING,
        rolling_days=28,
        slice_minutes=5,
    )
    email_draft = _agreement(
        "saebyeok-email-sla",
        customers["saebyeok-logistics"],
        [services["email"]],
        manager,
        AgreementStatus.DRAFT,
        kind=AgreementKind.SLA,
        title="Corporate email (in negotiation)",
        dates={"valid_from": first_of_month(today, 1)},
        monthly_fee=Decimal("3000000"),
        currency="KRW",
    )
    _target(email_draft, "availability", "Email availability", "99.500")
    banking_ola = seed_underpinning(customers["it-operations"], services, manager, availability, today)
    return [bank_sla, desk_sla, wms_sla, email_draft, banking_ola]


def seed_underpinning(operations, services, manager, availability, today):
    """The OLA of the operations team that runs the internet banking platform, under the bank's availability target.
    The team promises 99.8 % where the bank was promised 99.9 %, on the same probe and method: the chain check flags
    it, and last month's outage breached both, so the OLA's breach shows on the SLA target's page as a possible
    cause."""
    ola = _agreement(
        "banking-ops-ola",
        operations,
        [services["internet-banking"]],
        manager,
        AgreementStatus.ACTIVE,
        kind=AgreementKind.OLA,
        title="Internet banking platform operations",
        dates={"valid_from": first_of_month(today, -11)},
        monthly_fee=Decimal("0"),
        currency="KRW",
        description="The operations team keeps the internet banking platform up, around the clock.",
    )
    platform = _target(
        ola,
        "platform-up",
        "Banking platform up",
        "99.800",
        budgeting_method=BudgetingMethod.TIMESLICES,
        window_kind=WindowKind.CALENDAR,
        calendar_period=CalendarPeriod.MONTH,
    )
    if not Underpinning.objects.filter(target=availability, underpinning=platform).exists():
        Underpinning.objects.create(target=availability, underpinning=platform)
    return ola


def seed_sign_offs(people, now):
    """Hanbit Bank signed its digital banking SLA (version 1, three weeks ago); Saebyeok Logistics has the warehouse
    SLA waiting for its sign-off. Each of the two customers' demo people may sign. Requests are made once."""
    for username in ("hanbit", "saebyeok"):
        Membership.objects.filter(user=people[username]).update(may_sign_agreements=True)
        people[username].refresh_from_db()
    manager = people["manager"]
    bank = Agreement.objects.get(code="hanbit-digital-sla")
    if not bank.sign_offs.exists():
        sign_off = send_for_sign_off(
            bank, manager, "The terms we agreed in the last service review.", now=now - dt.timedelta(days=21)
        )
        answer(sign_off, people["hanbit"], True, "Signed for Hanbit Bank.", now=now - dt.timedelta(days=19))
    wms = Agreement.objects.get(code="saebyeok-wms-sla")
    if not wms.sign_offs.exists():
        send_for_sign_off(
            wms,
            manager,
            "Dispatch success is now measured over 28 rolling days; please sign the new terms.",
            now=now - dt.timedelta(days=1),
        )


@transaction.atomic
def seed_demo(password, today=None):
    today = today or timezone.localdate()
    for code, name, contact, email in CUSTOMERS:
        Customer.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "contact_name": contact,
                "contact_email": email,
                # Invitations go to addresses under the domain of the customer's contact address.
                "email_domains": email.rpartition("@")[2],
            },
        )
    for code, name, tier, description in SERVICES:
        Service.objects.update_or_create(
            code=code, defaults={"name": name, "criticality": tier, "description": description}
        )
    people = seed_people(password)
    Service.objects.filter(owner__isnull=True).update(owner=people["manager"])
    calendar = seed_calendar(today)
    agreements = seed_agreements(people, calendar, today)
    seed_sign_offs(people, timezone.now())
    return {"people": people, "agreements": agreements, "calendar": calendar}
