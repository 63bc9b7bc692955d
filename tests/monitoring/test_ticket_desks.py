"""Service desk pages, for service managers: a desk's token and webhook signing key are shown once, on creation and
on "New token"; its state names are edited as rows; "Revoke" stops both ways in. Customers find none of it: 403
where there is no row to look up, 404 where the URL names one. The clock is frozen at Monday 7 December 2026, 12:00
in Seoul."""

import datetime as dt
import hashlib
import json

import pytest
from django.conf import settings
from django.db import connection
from django.shortcuts import resolve_url
from django.test.utils import CaptureQueriesContext

from monitoring.intake import ticket_webhook
from monitoring.models import TicketSource, TicketUpload
from tests.factories import ServiceFactory
from tests.monitoring.factories import table_rows
from tests.monitoring.ticket_helpers import TicketCast, kst

pytestmark = pytest.mark.django_db

NOW = kst(2026, 12, 7, 12)
FRIDAY = kst(2026, 12, 4, 16, 30)
LOGIN_URL = resolve_url(settings.LOGIN_URL)


@pytest.fixture
def cast(time_machine):
    time_machine.move_to(NOW, tick=False)
    return TicketCast()


@pytest.fixture
def as_manager(client, manager):
    client.force_login(manager)
    return client


def desk_form(cast, code="zammad", name="Zammad", states=(), **fields):
    """The create/edit form as a browser posts it, with ``states`` [(name, category), ...] as its rows."""
    data = {
        "name": name,
        "code": code,
        "customers": [cast.customer.pk],
        "services": [cast.service.pk],
        "states-TOTAL_FORMS": str(len(states) + 1),
        "states-INITIAL_FORMS": "0",
        "states-MIN_NUM_FORMS": "0",
        "states-MAX_NUM_FORMS": "1000",
    }
    for index, (state, category) in enumerate([*states, ("", "")]):
        data[f"states-{index}-name"], data[f"states-{index}-category"] = state, category
    data.update(fields)
    return data


def post_events(client, token, events):
    return client.post(
        "/api/v1/ticket-events",
        data=json.dumps({"events": events}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def deliver(client, code, key, events):
    body = json.dumps({"events": events}).encode()
    timestamp = str(int(NOW.timestamp()))
    return client.post(
        f"/api/v1/ticket-events/webhook/{code}",
        data=body,
        content_type="application/json",
        HTTP_X_SLM_TIMESTAMP=timestamp,
        HTTP_X_SLM_SIGNATURE=ticket_webhook.signature(key, timestamp, body),
    )


# Creating: the token and the signing key, once.


def test_creating_a_desk_shows_its_token_and_signing_key_once(cast, as_manager, manager, client):
    response = as_manager.post(
        "/service-desks/new/", desk_form(cast, states=[("Pending", "waiting_customer"), ("Solved", "resolved")])
    )

    assert response.status_code == 201
    token, key = response.context["token"], response.context["signing_key"]
    assert token.startswith("slmsd_")
    assert f'value="{token}"' in response.text
    assert f'value="{key}"' in response.text
    assert "http://testserver/api/v1/ticket-events/webhook/zammad" in response.text
    source = TicketSource.objects.get(code="zammad")
    assert (source.name, source.created_by, source.signing_key) == ("Zammad", manager, key)
    assert source.state_map == {"Pending": "waiting_customer", "Solved": "resolved"}
    assert list(source.customers.all()) == [cast.customer]
    row = TicketSource.objects.filter(pk=source.pk).values().get()
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert not any(token in str(value) or key in str(value) for value in row.values())
    # Both work at once.
    event = cast.event("INC-1", "created", FRIDAY)
    assert post_events(client, token, [event]).status_code == 201
    assert (
        deliver(client, "zammad", key, [cast.event("INC-1", "state_changed", NOW, state="Pending")]).status_code == 201
    )


def test_the_desk_pages_never_show_the_token_or_key_again(cast, as_manager):
    created = as_manager.post("/service-desks/new/", desk_form(cast))
    token, key = created.context["token"], created.context["signing_key"]

    pages = [
        as_manager.get(url) for url in ("/service-desks/", "/service-desks/zammad/", "/service-desks/zammad/edit/")
    ]

    for page in pages:
        assert page.status_code == 200
        assert token not in page.text
        assert key not in page.text
    assert f"<code>{token[:12]}…</code>" in pages[1].text


@pytest.mark.parametrize(
    ("states", "errors"),
    [
        ([("Pending", "")], ["Choose the category of this state."]),
        ([("", "resolved")], ["Name the desk&#x27;s state, or leave its category empty."]),
        ([("resolved", "closed")], ["“resolved” is a category&#x27;s own name: events may use it as it is."]),
        ([("Pending", "waiting_customer"), ("Pending", "open")], ["“Pending” is named twice."]),
    ],
    ids=["no category", "no name", "a category's name", "twice"],
)
def test_state_rows_that_do_not_map_a_name_are_refused_and_nothing_is_created(cast, as_manager, states, errors):
    response = as_manager.post("/service-desks/new/", desk_form(cast, states=states))

    assert response.status_code == 200
    for error in errors:
        assert error in response.text
    assert "slmsd_" not in response.text
    assert not TicketSource.objects.filter(code="zammad").exists()


@pytest.mark.parametrize(
    ("code", "message"),
    [("new", "is reserved; choose another code."), ("taken", "Service desk with this Code already exists.")],
    ids=["reserved", "taken"],
)
def test_a_desk_with_a_reserved_or_taken_code_is_not_created(cast, as_manager, code, message):
    if code == "taken":
        cast.source.code = "taken"
        cast.source.save()

    response = as_manager.post("/service-desks/new/", desk_form(cast, code=code))

    assert response.status_code == 200
    assert message in response.text
    assert TicketSource.objects.count() == 1


def test_a_desk_needs_a_customer_and_a_service(cast, as_manager):
    response = as_manager.post("/service-desks/new/", desk_form(cast, customers=[], services=[]))

    assert response.status_code == 200
    assert response.text.count("This field is required.") == 2
    assert TicketSource.objects.count() == 1


# Editing: scope and state names as rows.


def test_editing_the_state_names_renames_removes_and_adds_rows(cast, as_manager, client):
    current = sorted(cast.source.state_map.items(), key=lambda item: item[0].lower())
    rows = [(name, category) for name, category in current if name != "Closed"]  # emptied: removed
    rows = [
        ("Awaiting reply", category) if name == "Waiting for customer" else (name, category) for name, category in rows
    ]
    rows.append(("On hold", "waiting_third_party"))

    response = as_manager.post(
        f"/service-desks/{cast.source.code}/edit/", desk_form(cast, code="renamed", name="Desk", states=rows)
    )

    assert response.status_code == 302
    source = TicketSource.objects.get(pk=cast.source.pk)
    assert source.code == cast.source.code  # the webhook address carries it: not editable
    assert source.state_map == {
        "New": "open",
        "In progress": "open",
        "Awaiting reply": "waiting_customer",
        "Waiting for vendor": "waiting_third_party",
        "Solved": "resolved",
        "On hold": "waiting_third_party",
    }
    # Counted from the next event on: the old name is unknown now, the new one is taken.
    created = cast.event("INC-1", "created", FRIDAY)
    assert post_events(client, cast.token, [created]).status_code == 201
    old = post_events(client, cast.token, [cast.event("INC-1", "state_changed", NOW, state="Waiting for customer")])
    assert old.status_code == 400
    assert (
        post_events(client, cast.token, [cast.event("INC-1", "state_changed", NOW, state="On hold")]).status_code == 201
    )


def test_the_edit_page_shows_the_state_names_as_rows(cast, as_manager):
    response = as_manager.get(f"/service-desks/{cast.source.code}/edit/")

    formset = response.context["states"]
    assert [(form.initial.get("name"), form.initial.get("category")) for form in formset.forms][:2] == [
        ("Closed", "closed"),
        ("In progress", "open"),
    ]
    assert len(formset.forms) == len(cast.source.state_map) + 1  # and one empty row to add another
    assert 'name="states-0-name"' in response.text
    assert '<option value="waiting_customer"' in response.text


def test_editing_the_scope_counts_from_the_next_event(cast, as_manager, client):
    elsewhere = ServiceFactory(code="elsewhere")
    cast.agreement.services.add(elsewhere)

    refused = post_events(client, cast.token, [cast.event("INC-1", "created", FRIDAY, service="elsewhere")])
    as_manager.post(
        f"/service-desks/{cast.source.code}/edit/",
        desk_form(cast, name="Desk", services=[elsewhere.pk], states=list(cast.source.state_map.items())),
    )
    taken = post_events(client, cast.token, [cast.event("INC-1", "created", FRIDAY, service="elsewhere")])

    assert (refused.status_code, taken.status_code) == (400, 201)


# New token, revoke.


def test_a_new_token_replaces_the_old_token_and_signing_key(cast, as_manager, client):
    old_key = cast.source.signing_key

    response = as_manager.post(f"/service-desks/{cast.source.code}/token/", {"action": "rotate"})

    assert response.status_code == 201
    new_token, new_key = response.context["token"], response.context["signing_key"]
    assert (new_token, new_key) != (cast.token, old_key)
    assert new_key in response.text
    event = cast.event("INC-1", "created", FRIDAY)
    assert post_events(client, cast.token, [event]).status_code == 401
    assert deliver(client, cast.source.code, old_key, [event]).status_code == 401
    assert post_events(client, new_token, [event]).status_code == 201
    assert deliver(client, cast.source.code, new_key, [cast.event("INC-1", "first_response", NOW)]).status_code == 201


def test_revoking_stops_the_token_and_the_webhook(cast, as_manager, client):
    key = cast.source.signing_key

    response = as_manager.post(f"/service-desks/{cast.source.code}/token/", {"action": "revoke"}, follow=True)

    assert response.redirect_chain == [(f"/service-desks/{cast.source.code}/", 302)]
    assert "its requests and webhooks now answer 401" in response.text
    assert "revoked" in response.text
    assert 'value="revoke"' not in response.text  # nothing left to revoke; "New token" remains
    event = cast.event("INC-1", "created", FRIDAY)
    assert post_events(client, cast.token, [event]).status_code == 401
    assert deliver(client, cast.source.code, key, [event]).status_code == 401


@pytest.mark.parametrize("data", [{}, {"action": "revokee"}], ids=["no action", "unknown action"])
def test_a_token_request_without_a_known_action_changes_nothing(cast, as_manager, data):
    response = as_manager.post(f"/service-desks/{cast.source.code}/token/", data)

    assert response.status_code == 400
    source = TicketSource.objects.get(pk=cast.source.pk)
    assert (source.token_hash, source.signing_key, source.is_active) == (
        cast.source.token_hash,
        cast.source.signing_key,
        True,
    )


# The detail page.


def test_the_detail_page_shows_scope_state_names_and_the_events_received_last(cast, as_manager, client):
    post_events(client, cast.token, [cast.event("INC-1", "created", FRIDAY), cast.event("INC-1", "resolved", NOW)])

    response = as_manager.get(f"/service-desks/{cast.source.code}/")

    html = response.text
    assert cast.customer.name in html
    assert cast.service.name in html
    assert ["Waiting for customer", "Waiting for the customer"] in table_rows(html, "state-names")
    events = table_rows(html, "recent-events")
    assert [(row[1], row[4]) for row in events] == [("INC-1", "Resolved"), ("INC-1", "Created")]
    assert 'action="/service-desks/' + cast.source.code + '/upload/"' in html
    assert "Tickets in all: 1" in html


def test_the_detail_page_reads_a_fixed_number_of_queries(cast, as_manager, client):
    post_events(client, cast.token, [cast.event("INC-0", "created", FRIDAY)])
    url = f"/service-desks/{cast.source.code}/"
    as_manager.get(url)  # the session and the user's permissions, read once

    with CaptureQueriesContext(connection) as few:
        as_manager.get(url)
    post_events(client, cast.token, [cast.event(f"INC-{n}", "created", FRIDAY) for n in range(1, 30)])
    TicketUpload.objects.create(source=cast.source, filename="a.csv", content="", status="stored")
    TicketUpload.objects.create(source=cast.source, filename="b.csv", content="", status="rejected")
    with CaptureQueriesContext(connection) as many:
        response = as_manager.get(url)

    assert len(table_rows(response.text, "recent-events")) == 20
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_navigation_links_the_desks_for_managers_only(cast, client, manager, alice):
    client.force_login(manager)
    assert 'href="/service-desks/"' in client.get("/data-sources/").text

    client.force_login(alice)
    assert 'href="/service-desks/"' not in client.get("/").text


# The permission ladder: manager-only pages. Every customer, A's included, gets the same answer: 403 where there is
# no row to look up (the list, the create page), 404 where the URL names a row they cannot see.


@pytest.fixture
def estate(cast, manager):
    upload = TicketUpload.objects.create(
        source=cast.source,
        uploaded_by=manager,
        filename="events.csv",
        content="id,ticket,type,at\n",
        event_count=0,
    )
    return {"code": cast.source.code, "upload": upload.pk}


MANAGER_ONLY = [
    ("get", "/service-desks/", {}, 403, 200),
    ("get", "/service-desks/new/", {}, 403, 200),
    ("post", "/service-desks/new/", {}, 403, 200),
    ("get", "/service-desks/{code}/", {}, 404, 200),
    ("get", "/service-desks/{code}/edit/", {}, 404, 200),
    ("post", "/service-desks/{code}/edit/", {}, 404, 200),
    ("post", "/service-desks/{code}/token/", {"action": "rotate"}, 404, 201),
    ("get", "/service-desks/{code}/upload/", {}, 404, 200),
    ("post", "/service-desks/{code}/upload/", {}, 404, 200),
    ("get", "/service-desks/{code}/uploads/{upload}/", {}, 404, 200),
    ("post", "/service-desks/{code}/uploads/{upload}/confirm/", {"action": "discard"}, 404, 302),
]


@pytest.mark.parametrize(
    ("method", "url", "data", "customer_status", "manager_status"),
    MANAGER_ONLY,
    ids=[f"{method.upper()} {url}" for method, url, *_ in MANAGER_ONLY],
)
def test_every_desk_page_answers_customers_alike_and_managers_fully(
    client, estate, alice, bob, nobody, manager, method, url, data, customer_status, manager_status
):
    url = url.format(**estate)
    call = getattr(client, method)

    response = call(url, data)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)

    for customer in (alice, bob, nobody):
        client.force_login(customer)
        assert call(url, data).status_code == customer_status, customer.username

    client.force_login(manager)
    assert call(url, data).status_code == manager_status


@pytest.fixture
def alice(cast):
    """A customer user of the cast's customer: reads its agreements, finds no desk."""
    from tests.factories import MembershipFactory, UserFactory

    return MembershipFactory(user=UserFactory(username="alice"), customer=cast.customer).user


def test_customers_requests_change_no_desk_or_upload(cast, estate, client, alice):
    client.force_login(alice)

    client.post(f"/service-desks/{cast.source.code}/edit/", desk_form(cast, name="Renamed"))
    client.post(f"/service-desks/{cast.source.code}/token/", {"action": "revoke"})
    client.post(f"/service-desks/{cast.source.code}/uploads/{estate['upload']}/confirm/", {"action": "store"})

    source = TicketSource.objects.get(pk=cast.source.pk)
    assert (source.name, source.token_hash, source.is_active) == (cast.source.name, cast.source.token_hash, True)
    assert TicketUpload.objects.get(pk=estate["upload"]).status == "preview"


def test_an_upload_is_found_under_its_own_desk_only(cast, estate, as_manager):
    other = TicketCast()

    assert as_manager.get(f"/service-desks/{other.source.code}/uploads/{estate['upload']}/").status_code == 404
    assert as_manager.get(f"/service-desks/{cast.source.code}/uploads/{estate['upload'] + 1000}/").status_code == 404


def test_token_and_confirm_endpoints_answer_only_post(cast, estate, as_manager):
    assert as_manager.get(f"/service-desks/{cast.source.code}/token/").status_code == 405
    assert as_manager.get(f"/service-desks/{cast.source.code}/uploads/{estate['upload']}/confirm/").status_code == 405
    assert TicketSource.objects.get(pk=cast.source.pk).is_active


def test_last_used_is_shown_after_a_delivery(cast, as_manager, client, time_machine):
    time_machine.move_to(NOW + dt.timedelta(minutes=3), tick=False)
    post_events(client, cast.token, [cast.event("INC-1", "created", FRIDAY)])

    html = as_manager.get(f"/service-desks/{cast.source.code}/").text

    assert 'id="last-used">7 Dec 2026, 12:03' in html
