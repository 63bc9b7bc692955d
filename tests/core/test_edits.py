"""The edits counter: every write to a table people edit raises it, however the write is made; nothing else does."""

import logging

import pytest
from django.contrib.auth.models import Permission
from django.db import connection, transaction

from agreements.models import Agreement, Customer
from core import edits
from monitoring.models import Measurement
from tests.factories import AgreementFactory, CustomerFactory, UserFactory


@pytest.mark.parametrize(
    ("sql", "counted"),
    [
        ('INSERT INTO "agreements_agreement" ("code") VALUES (%s)', True),
        ('UPDATE "agreements_serviceleveltarget" SET "name" = %s WHERE "id" = %s', True),
        ('DELETE FROM "auth_user_groups" WHERE "user_id" = %s', True),
        ('INSERT OR IGNORE INTO "auth_user_groups" ("user_id", "group_id") VALUES (%s, %s)', True),  # SQLite
        ('UPDATE "monitoring_indicator" SET "name" = %s', True),
        ('INSERT INTO "monitoring_alert" ("state") VALUES (%s)', True),
        ("  update agreements_service set name = 'x'", True),  # raw SQL, as a person might write it
        ('TRUNCATE "agreements_customer", "monitoring_measurement"', True),
        ('SELECT "id" FROM "agreements_agreement"', False),
        ('INSERT INTO "monitoring_measurement" ("t") VALUES (%s)', False),
        ('UPDATE "monitoring_compliancesnapshot" SET "status" = %s', False),
        ('INSERT INTO "django_session" ("session_key") VALUES (%s)', False),
        ('UPDATE "agreements_calendarfeed" SET "last_used_at" = %s WHERE "id" = %s', False),
        ('UPDATE "auth_user" SET "last_login" = %s WHERE "auth_user"."id" = %s', False),  # a sign-in
        ('UPDATE "auth_user" SET "is_active" = %s WHERE "auth_user"."id" = %s', True),
        ('UPDATE "auth_user" SET "last_login" = %s, "is_staff" = %s WHERE "id" = %s', True),
    ],
)
def test_which_statements_are_edits(sql, counted):
    assert edits.edited(sql) is counted


@pytest.mark.django_db
def test_every_way_of_writing_an_edited_table_raises_the_counter():
    customer = CustomerFactory(code="acme")
    agreement = AgreementFactory(customer=customer)
    seen = [edits.version()]

    def raised():
        seen.append(edits.version())
        return seen[-1] > seen[-2]

    Customer.objects.filter(pk=customer.pk).update(name="Acme Bank")  # no signal is sent for this
    assert raised()
    Agreement.objects.bulk_create(
        [
            Agreement(
                code="bulk", title="Bulk", customer=customer, owner=agreement.owner, valid_from=agreement.valid_from
            )
        ]
    )
    assert raised()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE agreements_agreement SET title = 'Raw' WHERE id = %s", [agreement.pk])
    assert raised()
    UserFactory().user_permissions.add(Permission.objects.get(codename="view_agreement"))
    assert raised()
    Agreement.objects.filter(code="bulk").delete()
    assert raised()

    list(Agreement.objects.all())
    Measurement.objects.create(indicator_id=1, t="2026-11-16T00:00:00Z", good=1, total=1)
    assert not raised()


@pytest.mark.django_db(transaction=True)
def test_a_transaction_raises_it_as_it_writes_and_once_more_when_it_commits():
    customer = CustomerFactory(code="acme")
    before = edits.version()
    with transaction.atomic():
        for number in range(5):
            Customer.objects.filter(pk=customer.pk).update(name=f"Acme {number}")
        assert edits.version() == before + 5  # each statement: the writer's own next page is fresh
    assert edits.version() == before + 6  # and once at the commit, whatever the number of statements

    def rolled_back():
        with transaction.atomic():
            Customer.objects.filter(pk=customer.pk).update(name="Rolled back")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        rolled_back()
    assert edits.version() == before + 7  # rolled back: nothing at a commit that did not happen


@pytest.mark.django_db
def test_a_cache_that_cannot_be_reached_does_not_stop_the_write(monkeypatch, caplog):
    customer = CustomerFactory(code="acme")

    def unreachable(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(edits.cache, "incr", unreachable)
    with caplog.at_level(logging.WARNING, logger="core.edits"):
        Customer.objects.filter(pk=customer.pk).update(name="Acme Bank")

    assert Customer.objects.get(pk=customer.pk).name == "Acme Bank"
    assert "could not be raised" in caplog.text
