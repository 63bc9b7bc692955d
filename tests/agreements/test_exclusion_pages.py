"""Exclusions after the fact, and the agreement's maintenance terms, on the agreement's pages."""

import dataclasses
import datetime as dt

import pytest
from django.utils import timezone

from agreements.choices import ExclusionReason
from agreements.models import Agreement, Exclusion
from tests.agreements.forms_data import edit_post
from tests.agreements.maintenance_helpers import close_period, exclusion_post, local, make_exclusion
from tests.agreements.page_checks import field_error, history_rows, page_text, saves_nothing
from tests.ladder import Rung, climb


def minute_ago(minutes):
    return timezone.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=minutes)


@pytest.fixture
def banking(agreement_a):
    return agreement_a.services.get()


@pytest.fixture
def exclusion(agreement_a, manager):
    return make_exclusion(agreement_a, minute_ago(90), minutes=40, recorded_by=manager)


PAGES = [
    Rung("/agreements/acme-sla/exclusions/new/", write=True),
    Rung("/agreements/acme-sla/exclusions/new/", write=True, method="post"),
    Rung("/agreements/acme-sla/exclusions/{exclusion}/delete/", write=True),
    Rung("/agreements/acme-sla/exclusions/{exclusion}/delete/", write=True, method="post"),
]
MANAGER_STATUS = {("/agreements/acme-sla/exclusions/{exclusion}/delete/", "post"): 302}


@pytest.mark.parametrize("rung", PAGES, ids=lambda rung: f"{rung.method.upper()} {rung.url}")
def test_permission_ladder(client, rung, exclusion, alice, bob, manager):
    page = dataclasses.replace(rung, url=rung.url.format(exclusion=exclusion.pk))
    allowed = MANAGER_STATUS.get((rung.url, rung.method), 200)
    climb(client, page, owner=alice, outsider=bob, manager=manager, allowed_status=allowed)


def test_an_exclusion_of_another_agreement_is_not_found_under_this_one(manager_client, agreement_b, exclusion):
    other = make_exclusion(agreement_b, minute_ago(200))
    assert manager_client.get(f"/agreements/acme-sla/exclusions/{other.pk}/delete/").status_code == 404
    assert manager_client.post(f"/agreements/acme-sla/exclusions/{other.pk}/delete/").status_code == 404
    assert Exclusion.objects.filter(pk=other.pk).exists()


# --- recording -----------------------------------------------------------------------------------------------------


def test_a_manager_records_an_exclusion_and_the_agreement_page_lists_it(manager_client, banking, manager):
    start, end = minute_ago(120), minute_ago(80)
    page = manager_client.get("/agreements/acme-sla/exclusions/new/")
    assert "Date and time in Asia/Seoul." in page_text(page)
    response = manager_client.post("/agreements/acme-sla/exclusions/new/", exclusion_post(banking, start, end))
    assert response.status_code == 302
    assert response["Location"] == "/agreements/acme-sla/#maintenance"
    exclusion = Exclusion.objects.get()
    assert (exclusion.agreement.code, exclusion.service, exclusion.recorded_by) == ("acme-sla", banking, manager)
    assert (exclusion.starts_at, exclusion.ends_at, exclusion.reason) == (start, end, ExclusionReason.CUSTOMER_CAUSED)
    text = page_text(manager_client.get("/agreements/acme-sla/"))
    assert "Exclusion recorded: its time no longer counts for acme-sla." in text
    assert "Caused by the customer The customer's firewall change blocked the probes." in text
    assert "J. Kim, e-mail of the same day Minsu Park" in text


def test_the_service_choices_are_the_agreements_own(manager_client, banking, agreement_b):
    page = manager_client.get("/agreements/acme-sla/exclusions/new/")
    assert f'<option value="{banking.pk}">' in page.text
    foreign = agreement_b.services.get()
    assert f'<option value="{foreign.pk}">' not in page.text
    with saves_nothing():
        response = manager_client.post(
            "/agreements/acme-sla/exclusions/new/", exclusion_post(foreign, minute_ago(120), minute_ago(80))
        )
    assert "Select a valid choice" in field_error(response, "id_service")


def in_a_closed_period(banking):
    month_start = local(0).replace(day=1)
    last_month = (month_start - dt.timedelta(days=1)).replace(day=1)
    close_period(banking.agreements.get(), last_month, month_start)
    return exclusion_post(banking, last_month + dt.timedelta(days=3), last_month + dt.timedelta(days=3, hours=1))


BAD_EXCLUSIONS = [
    (
        "ends_before_start",
        lambda s: exclusion_post(s, minute_ago(60), minute_ago(90)),
        "id_ends_at",
        "The exclusion must end after it starts.",
    ),
    (
        "ends_in_the_future",
        lambda s: exclusion_post(s, minute_ago(60), timezone.now() + dt.timedelta(hours=1)),
        "id_ends_at",
        "An exclusion records what has happened: it cannot end later than now.",
    ),
    (
        "closed_period",
        in_a_closed_period,
        "id_starts_at",
        "It reaches into a closed period (acme-sla / closed-availability",
    ),
    ("no_reason", lambda s: exclusion_post(s, minute_ago(90), minute_ago(60), reason=""), "id_reason", "required"),
    (
        "no_customer_agreement",
        lambda s: exclusion_post(s, minute_ago(90), minute_ago(60), customer_agreement=""),
        "id_customer_agreement",
        "required",
    ),
    ("no_start", lambda s: exclusion_post(s, minute_ago(90), minute_ago(60), starts_at=""), "id_starts_at", "required"),
]


@pytest.mark.parametrize(("name", "post", "field", "message"), BAD_EXCLUSIONS, ids=[case[0] for case in BAD_EXCLUSIONS])
def test_a_bad_exclusion_is_refused_under_its_field_and_nothing_is_stored(
    manager_client, banking, name, post, field, message
):
    data = post(banking)
    with saves_nothing():
        response = manager_client.post("/agreements/acme-sla/exclusions/new/", data)
    assert response.status_code == 200
    assert message in field_error(response, field)


def test_a_closed_period_refusal_says_why(manager_client, banking):
    data = in_a_closed_period(banking)
    with saves_nothing():
        response = manager_client.post("/agreements/acme-sla/exclusions/new/", data)
    assert "the results of a closed period never change" in field_error(response, "id_starts_at")


# --- deleting ------------------------------------------------------------------------------------------------------


def test_a_manager_deletes_an_exclusion_and_the_history_keeps_it(manager_client, exclusion):
    confirm = page_text(manager_client.get(f"/agreements/acme-sla/exclusions/{exclusion.pk}/delete/"))
    assert "Delete this exclusion of acme-sla?" in confirm
    response = manager_client.post(f"/agreements/acme-sla/exclusions/{exclusion.pk}/delete/", follow=True)
    assert not Exclusion.objects.exists()
    assert Exclusion.history.filter(id=exclusion.pk, history_type="-").count() == 1
    text = page_text(response)
    assert "Exclusion deleted: its time counts again for acme-sla." in text
    assert "No exclusions recorded." in text
    who, what, _changes = history_rows(response)[0]
    start = timezone.localtime(exclusion.starts_at)
    assert what.startswith(f"Exclusion (Caused by the customer) from {start:%-d %b %Y, %H:%M KST} to ")
    assert what.endswith("(deleted)")
    assert who == "Minsu Park"


def test_an_exclusion_in_a_closed_period_cannot_be_deleted_and_the_page_says_why(manager_client, agreement_a):
    month_start = local(0).replace(day=1)
    last_month = (month_start - dt.timedelta(days=1)).replace(day=1)
    close_period(agreement_a, last_month, month_start)
    exclusion = make_exclusion(agreement_a, last_month + dt.timedelta(days=3))
    url = f"/agreements/acme-sla/exclusions/{exclusion.pk}/delete/"
    assert "It reaches into a closed period" in page_text(manager_client.get(url))
    with saves_nothing():
        response = manager_client.post(url)
    assert response.status_code == 409
    assert "This exclusion cannot be deleted: It reaches into a closed period (acme-sla / closed-availability" in (
        page_text(response)
    )


# --- what customers read -------------------------------------------------------------------------------------------


def test_a_customer_reads_the_exclusions_of_their_agreement_but_is_offered_no_change(client, exclusion, alice):
    client.force_login(alice)
    page = client.get("/agreements/acme-sla/")
    text = page_text(page)
    assert "Maintenance and exclusions" in text
    assert "Caused by the customer The customer's firewall blocked the probes." in text
    assert "J. Kim, e-mail Minsu Park" in text  # agreed by, recorded by
    assert "/exclusions/new/" not in page.text
    assert f"/exclusions/{exclusion.pk}/delete/" not in page.text


# --- the agreement's terms -----------------------------------------------------------------------------------------


def test_the_agreement_page_says_the_maintenance_terms_in_words(client, agreement_a, alice):
    client.force_login(alice)
    assert "Maintenance always counts" in page_text(client.get("/agreements/acme-sla/"))
    agreement_a.maintenance_notice_days, agreement_a.maintenance_cap_minutes = 5, 240
    agreement_a.save()
    text = page_text(client.get("/agreements/acme-sla/"))
    assert "Announced maintenance is excluded up to 4 h a month when announced at least 5 days ahead." in text
    agreement_a.maintenance_notice_days, agreement_a.maintenance_cap_minutes = 1, 90
    agreement_a.save()
    text = page_text(client.get("/agreements/acme-sla/"))
    assert "Announced maintenance is excluded up to 90 min a month when announced at least 1 day ahead." in text


def test_a_manager_sets_the_maintenance_terms_on_the_agreement_form(manager_client, agreement_a):
    form = manager_client.get("/agreements/acme-sla/edit/")
    assert 'name="maintenance_notice_days"' in form.text
    assert 'name="maintenance_cap_minutes"' in form.text
    response = manager_client.post(
        "/agreements/acme-sla/edit/", edit_post(agreement_a, maintenance_notice_days="7", maintenance_cap_minutes="240")
    )
    assert response.status_code == 302
    agreement_a.refresh_from_db()
    assert (agreement_a.maintenance_notice_days, agreement_a.maintenance_cap_minutes) == (7, 240)


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("maintenance_notice_days", "The notice cannot be negative"),
        ("maintenance_cap_minutes", "The cap cannot be negative: 0 minutes means maintenance always counts."),
    ],
)
def test_negative_maintenance_terms_are_refused_and_nothing_is_stored(manager_client, agreement_a, field, message):
    data = edit_post(agreement_a, **{field: "-1"})
    with saves_nothing():
        response = manager_client.post("/agreements/acme-sla/edit/", data)
    assert response.status_code == 200
    assert message in field_error(response, f"id_{field}")
    assert Agreement.objects.get(code="acme-sla").maintenance_cap_minutes == 0
