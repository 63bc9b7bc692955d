"""The pages benchmark's estate (`benchmarks.pages`): 200 customers x 10 active SLAs x 5 monthly targets (10,000
targets) measuring indicators of 30 services, with 24 months of compliance snapshots each (240,000), one user per
customer and a service manager, loaded into the benchmark's own database in one transaction: the snapshots with
COPY (about 12 s for all of it, where bulk_create took a minute for half as many), the rest with bulk_create.
"""

import datetime as dt
import json
import random
from decimal import Decimal

from monitoring import slo

PREFIX = "lb-"
PREFIX = "lb-"
CUSTOMERS, AGREEMENTS, TARGETS, MONTHS = 200, 10, 5, 24

SERVICE_NAMES = [
    "Internet Banking", "Mobile App API", "Service Desk", "Warehouse Management", "Corporate Email",
    "Payments Gateway", "Card Authorisation", "Customer Portal", "Data Warehouse", "Identity and Access",
    "Video Conferencing", "File Transfer", "ERP Finance", "ERP Logistics", "HR Self-Service", "Payroll",
    "Document Management", "Contact Centre", "Point of Sale", "E-commerce Storefront", "Search",
    "Messaging Queue", "Backup and Restore", "Network WAN", "Print Services", "CRM", "Analytics Dashboards",
    "Order Management", "Fleet Tracking", "Public Website",
]  # fmt: skip
# (code, name, budgeting method, objectives to pick from, indicator kind the target measures)
TARGET_KINDS = [
    ("availability", "Availability", "timeslices", ["99.9", "99.95", "99.5"], "availability"),
    ("latency", "Responses under 300 ms", "occurrences", ["99", "95", "99.5"], "latency"),
    ("success-rate", "Successful requests", "occurrences", ["99.9", "99.5"], "requests"),
    ("api-availability", "API availability (slice ratio)", "ratio_timeslices", ["99.5", "99.9"], "availability"),
    ("batch-on-time", "Batch jobs on time", "occurrences", ["98", "99"], "requests"),
]
BURN_WINDOWS = (5, 30, 60, 360, 4320)  # the default burn-rate rules' short and long windows (minutes)
LONG_WINDOWS = (60, 360, 4320)


# --- data ---------------------------------------------------------------------------------------------------------


def _months(now, count):
    """The last ``count`` monthly periods in the portal's zone, oldest first; the last one contains ``now``."""
    from django.conf import settings

    from monitoring import windows

    periods = [windows.calendar_period("month", now, settings.TIME_ZONE)]
    while len(periods) < count:
        periods.append(
            windows.calendar_period("month", periods[-1].start - dt.timedelta(minutes=1), settings.TIME_ZONE)
        )
    return periods[::-1]


def _dec(value, places):
    return Decimal(f"{value:.{places}f}")


def data_present(now):
    from monitoring.models import ComplianceSnapshot

    snapshots = ComplianceSnapshot.objects.filter(target__agreement__code__startswith=PREFIX)
    expected = CUSTOMERS * AGREEMENTS * TARGETS
    return (
        snapshots.count() == expected * MONTHS
        and snapshots.filter(is_current=True, period_label=_months(now, 1)[0].label).count() == expected
    )


def delete_data():
    from django.contrib.auth import get_user_model

    from agreements.models import Agreement, Customer, Service
    from monitoring.models import Breach, ComplianceSnapshot, Indicator, TargetIndicator

    ours = {"target__agreement__code__startswith": PREFIX}
    Breach.objects.filter(**ours).delete()
    ComplianceSnapshot.objects.filter(**ours).delete()
    TargetIndicator.objects.filter(**ours).delete()
    Agreement.objects.filter(code__startswith=PREFIX).delete()
    Indicator.objects.filter(code__startswith=PREFIX).delete()
    Service.objects.filter(code__startswith=PREFIX).delete()
    get_user_model().objects.filter(username__startswith=PREFIX).delete()
    Customer.objects.filter(code__startswith=PREFIX).delete()


def _snapshot_values(rng, kind, objective, period, now, closed):
    """Realistic figures of one target in one month: mostly met, a few per cent breached, some at risk when open."""
    method = kind[2]
    allowed = 1 - slo.from_percent(objective)  # exact, as the engine computes it
    minutes = (period.end - period.start).total_seconds() / 60
    elapsed = minutes if closed else max(60.0, (now - period.start).total_seconds() / 60)
    share = elapsed / minutes  # of the period gone by
    draw = rng.random()
    if closed:
        # share of the whole period's budget spent: 3 % of periods end over budget (breached)
        spent = rng.uniform(1.05, 3.0) if draw < 0.03 else rng.betavariate(1.3, 4.0) * 0.95
    elif draw < 0.005:
        spent = None  # no data yet this month
    elif draw < 0.025:
        spent = rng.uniform(1.0, 1.8)  # budget gone: breached
    elif draw < 0.085:
        spent = rng.uniform(0.76, 0.99)  # under 25 % left: at risk
    else:
        spent = rng.betavariate(1.3, 4.0) * 0.7 * min(1.0, share * 1.5)
    values = {"burn_rates": {}, "fastest_burn": None, "credit_percent": Decimal(0)}
    if method == "occurrences":
        total = int(rng.uniform(0.8e6, 3e6) * share)
        bad = 0 if spent is None else int(spent * float(allowed) * total)
        if spent is None:
            total = 0
        budget_total = allowed * total
        values.update(
            good=total - bad, total=total, good_slices=0, slices_with_data=0, slices_in_scope=0, ratio_units=0,
            budget_unit="events", budget_total=budget_total, budget_consumed=Decimal(bad),
            attainment=None if total == 0 else _dec(1 - bad / total, 12),
            budget_remaining=None if budget_total == 0 else _dec(1 - bad / float(budget_total), 12),
        )  # fmt: skip
    else:
        budget_total = allowed * int(minutes)
        in_scope = int(elapsed)
        with_data = 0 if spent is None else in_scope - rng.randint(0, 30)
        bad = 0 if spent is None else min(with_data, int(spent * float(budget_total)))
        requests = with_data * rng.randint(200, 2000)
        values.update(
            good=requests - bad * 50, total=requests, good_slices=with_data - bad, slices_with_data=with_data,
            slices_in_scope=in_scope,
            ratio_units=(with_data * 10 - bad * 8) * 10**11 if method == "ratio_timeslices" else 0,
            budget_unit="minutes", budget_total=budget_total, budget_consumed=Decimal(bad),
            attainment=None if with_data == 0 else _dec(1 - bad / with_data, 12),
            budget_remaining=_dec(1 - bad / float(budget_total), 12),
        )  # fmt: skip
    attainment, remaining = values["attainment"], values["budget_remaining"]
    if attainment is None:
        status = "no_data"
    elif closed:
        status = "breached" if attainment * 100 < objective else "met"
    elif remaining is not None and remaining <= 0:
        status = "breached"
    elif remaining is not None and remaining < Decimal("0.25"):
        status = "at_risk"
    else:
        status = "met"
    if not closed and spent is not None:
        pace = spent / share  # burn rate over the month so far; short windows wander around it
        burns = {m: max(0.0, pace * rng.uniform(0.2, 2.5 if m < 1440 else 1.3)) for m in BURN_WINDOWS}
        values["burn_rates"] = {str(m): f"{rate:.6f}".rstrip("0").rstrip(".") for m, rate in burns.items()}
        values["fastest_burn"] = _dec(max(burns[m] for m in LONG_WINDOWS), 6)
    if closed and status == "breached":
        values["credit_percent"] = Decimal(10)
    values["status"] = status
    return values


def load_data(now, seed=20261128):
    """Customers, users, services, indicators, agreements, targets and 24 months of snapshots, with bulk_create."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import transaction

    from agreements.choices import AgreementStatus
    from agreements.models import Agreement, Customer, Membership, Service, ServiceLevelTarget
    from core.tenancy import SERVICE_MANAGERS_GROUP
    from monitoring.choices import BreachKind
    from monitoring.models import Breach, Indicator, TargetIndicator

    rng = random.Random(seed)
    User = get_user_model()
    unusable = make_password(None)  # nobody logs in with a password: the benchmark makes sessions
    periods = _months(now, MONTHS)
    batch = 5000
    with transaction.atomic():
        services = Service.objects.bulk_create(
            Service(code=f"{PREFIX}svc-{n:02d}", name=name, criticality=1 + n % 4)
            for n, name in enumerate(SERVICE_NAMES)
        )
        indicators = {}
        for service in services:
            for kind, name, fields in (
                ("availability", "Up", {"kind": "ratio", "unit": "up/down"}),
                ("latency", "Response time", {"kind": "threshold", "unit": "ms", "operator": "lte", "threshold": 300}),
                ("requests", "Requests served", {"kind": "ratio", "unit": "requests"}),
            ):
                indicators[(service.pk, kind)] = Indicator(
                    service=service, code=f"{service.code}-{kind}", name=f"{service.name}: {name}", **fields
                )
        Indicator.objects.bulk_create(indicators.values())
        customers = Customer.objects.bulk_create(
            Customer(code=f"{PREFIX}cust-{n:03d}", name=f"Customer {n:03d} Co.", contact_email=f"it@c{n:03d}.example")
            for n in range(CUSTOMERS)
        )
        users = User.objects.bulk_create(
            User(username=f"{PREFIX}customer-{n:03d}", first_name="Customer", last_name=f"{n:03d}", password=unusable)
            for n in range(CUSTOMERS)
        )
        Membership.objects.bulk_create(
            Membership(user=user, customer=customer) for user, customer in zip(users, customers, strict=True)
        )
        manager = User.objects.create(
            username=f"{PREFIX}manager", first_name="Service", last_name="Manager", password=unusable
        )
        manager.groups.add(Group.objects.get(name=SERVICE_MANAGERS_GROUP))

        valid_from = periods[0].start.date()
        agreements = Agreement.objects.bulk_create(
            Agreement(
                code=f"{PREFIX}c{c:03d}-sla-{a:02d}",
                title=f"{customer.name} SLA {a + 1}",
                customer=customer,
                status=AgreementStatus.ACTIVE,
                valid_from=valid_from,
                monthly_fee=Decimal(rng.choice([5, 12, 30])) * 10**6,
            )
            for c, customer in enumerate(customers)
            for a in range(AGREEMENTS)
        )
        through, targets, links, kinds = [], [], [], []
        for agreement in agreements:
            chosen = rng.sample(services, rng.randint(2, 3))
            through += [Agreement.services.through(agreement=agreement, service=s) for s in chosen]
            for t, kind in enumerate(TARGET_KINDS):
                code, name, method, objectives, indicator_kind = kind
                service = chosen[t % len(chosen)]
                targets.append(
                    ServiceLevelTarget(
                        agreement=agreement,
                        code=code,
                        name=f"{name} – {service.name}",
                        objective=Decimal(rng.choice(objectives)),
                        budgeting_method=method,
                        window_kind="calendar",
                        calendar_period="month",
                    )
                )
                kinds.append((kind, indicators[(service.pk, indicator_kind)]))
        Agreement.services.through.objects.bulk_create(through)
        ServiceLevelTarget.objects.bulk_create(targets, batch_size=batch)
        for target, (_kind, indicator) in zip(targets, kinds, strict=True):
            links.append(TargetIndicator(target=target, indicator=indicator))
        TargetIndicator.objects.bulk_create(links, batch_size=batch)

        fees = {agreement.pk: agreement.monthly_fee for agreement in agreements}
        breaches = []
        with SnapshotCopy() as copy:
            for target, (kind, _indicator) in zip(targets, kinds, strict=True):
                for number, period in enumerate(periods):
                    closed = number < len(periods) - 1
                    values = _snapshot_values(rng, kind, target.objective, period, now, closed)
                    computed = period.end + dt.timedelta(minutes=20) if closed else now - dt.timedelta(minutes=2)
                    credit = slo.credit_amount(fees[target.agreement_id], values["credit_percent"], 1, minor_unit=0)
                    copy.write(
                        target_id=target.pk, period_start=period.start, period_end=period.end,
                        period_label=period.label, is_closed=closed, is_current=not closed,
                        objective=target.objective, method=kind[2], currency="KRW", computed_at=computed,
                        credit_amount=credit, **values,
                    )  # fmt: skip
                    if values["status"] == "breached":
                        breaches.append(
                            Breach(
                                target=target,
                                period_start=period.start,
                                period_end=period.end,
                                period_label=period.label,
                                kind=BreachKind.PERIOD_MISSED if closed else BreachKind.BUDGET_EXHAUSTED,
                                detected_at=period.end + dt.timedelta(minutes=15) if closed else computed,
                                attainment=values["attainment"],
                                objective=target.objective,
                            )
                        )
        Breach.objects.bulk_create(breaches, batch_size=batch)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # the state of a database some time after loading: no dead rows, statistics


def data_summary():
    from django.db.models import Count

    from agreements.models import Agreement, Customer, ServiceLevelTarget
    from monitoring.models import Breach, ComplianceSnapshot

    current = dict(
        ComplianceSnapshot.objects.filter(is_current=True, target__agreement__code__startswith=PREFIX)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {
        "customers": Customer.objects.filter(code__startswith=PREFIX).count(),
        "agreements": Agreement.objects.filter(code__startswith=PREFIX).active().count(),
        "targets": ServiceLevelTarget.objects.filter(agreement__code__startswith=PREFIX).count(),
        "snapshots": ComplianceSnapshot.objects.filter(target__agreement__code__startswith=PREFIX).count(),
        "breaches": Breach.objects.filter(target__agreement__code__startswith=PREFIX).count(),
        "current": current,
    }


class SnapshotCopy:
    """Compliance snapshots written with COPY, in the transaction of the connection: ``write(**fields)`` takes the
    model's field names (``target_id``); the fields left out take their defaults. Rows go to the server in blocks
    of 1 MiB of COPY text."""

    def __init__(self):
        from django.db import connection

        from monitoring.models import ComplianceSnapshot

        self.connection = connection
        self.fields = [field for field in ComplianceSnapshot._meta.concrete_fields if not field.primary_key]
        self.defaults = {field.attname: field.get_default() for field in self.fields}
        self.table = ComplianceSnapshot._meta.db_table

    def __enter__(self):
        self.cursor = self.connection.cursor()
        columns = ", ".join(self.connection.ops.quote_name(field.column) for field in self.fields)
        table = self.connection.ops.quote_name(self.table)
        self.started = self.cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN")
        self.copy = self.started.__enter__()
        return self

    def write(self, **values):
        row = []
        for field in self.fields:
            value = values.get(field.attname, self.defaults[field.attname])
            if isinstance(value, dict | list):
                value = json.dumps(value)
            row.append(value)
        self.copy.write_row(row)

    def __exit__(self, *exc):
        self.started.__exit__(*exc)
        self.cursor.close()
        return False
