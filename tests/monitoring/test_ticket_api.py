"""POST /api/v1/ticket-events: a service desk's batch of ticket events with its bearer token, all or nothing,
idempotent per event id; out-of-order events give the clocks in-order ones give.

Every refused batch answers 400 with ``{"errors": [{"index", "field", "message"}, ...]}`` (the measurement API's
shape) and stores nothing. The clock time is frozen at Monday 7 December 2026, 12:00 in Seoul."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from monitoring.models import Measurement, Ticket, TicketClock, TicketEventRecord, TicketSource
from tests.monitoring.factories import api_token_for, data_source_with_token
from tests.monitoring.ticket_helpers import TicketCast, desk, kst

pytestmark = pytest.mark.django_db

URL = "/api/v1/ticket-events"
FRIDAY = kst(2026, 12, 4, 16, 30)
MONDAY = kst(2026, 12, 7, 9)
NOW = kst(2026, 12, 7, 12)


@pytest.fixture
def cast(time_machine):
    time_machine.move_to(NOW, tick=False)
    return TicketCast()


@pytest.fixture
def post(client):
    """``post(body, token)``: POST to the ticket-event API; a str body is sent as it is."""

    def send(body, token=None, **headers):
        if token is not None:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        return client.post(URL, data=data, content_type="application/json", **headers)

    return send


def stored():
    """Everything a batch may write, counted."""
    return (
        Ticket.objects.count(),
        TicketEventRecord.objects.count(),
        TicketClock.objects.count(),
        Measurement.objects.count(),
    )


def errors_of(response):
    assert response.status_code == 400, response.content
    return [(error["index"], error["field"], error["message"]) for error in response.json()["errors"]]


@pytest.fixture
def earlier(cast, post):
    """INC-1 stored already (created Friday, resolved Monday 10:00), so that "nothing stored" is checked against
    counts that are not all zero."""
    events = [cast.event("INC-1", "created", FRIDAY), cast.event("INC-1", "resolved", MONDAY.replace(hour=10))]
    assert post({"events": events}, cast.token).status_code == 201
    return stored()


# The happy path.


def test_a_batch_is_stored_with_its_counts_and_the_desk_is_marked_used(cast, post):
    events = [
        cast.event("INC-1", "created", FRIDAY, title="Transfers fail", state="New"),
        cast.event("INC-1", "state_changed", FRIDAY + dt.timedelta(hours=1), state="In progress"),
        cast.event("INC-1", "resolved", MONDAY.replace(hour=10)),
    ]

    response = post({"events": events}, cast.token)

    assert response.status_code == 201
    assert response.json() == {"received": 3, "stored": 3, "tickets_created": 1, "clocks": 2}
    ticket = Ticket.objects.get()
    assert (ticket.external_id, ticket.title, ticket.category, ticket.customer) == (
        "INC-1",
        "Transfers fail",
        "resolved",
        cast.customer,
    )
    assert TicketClock.objects.get(indicator=cast.resolution).state == "met"
    assert TicketSource.objects.get(pk=cast.source.pk).last_used_at == NOW


def test_a_resent_batch_stores_nothing_again_and_answers_200(cast, post, earlier):
    events = [cast.event("INC-1", "created", FRIDAY), cast.event("INC-1", "resolved", MONDAY.replace(hour=10))]
    events[0]["id"], events[1]["id"] = "evt-1", "evt-2"  # the ids of the earlier batch

    response = post({"events": events}, cast.token)

    assert response.status_code == 200
    assert response.json() == {"received": 2, "stored": 0, "tickets_created": 0, "clocks": 0}
    assert stored() == earlier


def test_a_batch_mixing_a_resend_and_new_events_stores_the_new_ones(cast, post, earlier):
    events = [
        {"id": "evt-1", "ticket": "INC-1", "type": "created", "at": FRIDAY.isoformat(), "customer": cast.customer.code,
         "service": cast.service.code, "priority": "P1"},
        cast.event("INC-1", "reopened", MONDAY.replace(hour=11)),
    ]  # fmt: skip

    response = post({"events": events}, cast.token)

    assert response.status_code == 201
    assert response.json()["stored"] == 1
    assert Ticket.objects.get().category == "open"


def test_an_event_id_sent_again_with_other_content_is_refused(cast, post, earlier):
    changed = cast.event("INC-1", "resolved", MONDAY.replace(hour=11))
    changed["id"] = "evt-2"

    response = post({"events": [changed]}, cast.token)

    assert errors_of(response) == [(0, "id", "'evt-2' was stored before with other content")]
    assert stored() == earlier


# The issue's bad input: each refused with its index and message, nothing of the batch stored.


def test_events_of_an_unknown_ticket_that_is_not_being_created_are_refused(cast, post, earlier):
    events = [cast.event("INC-2", "created", FRIDAY), cast.event("INC-9", "resolved", MONDAY)]

    response = post({"events": events}, cast.token)

    assert errors_of(response) == [(1, "ticket", "'INC-9' is unknown and not created in this batch")]
    assert stored() == earlier


def test_a_time_in_the_future_is_refused(cast, post, earlier):
    later = NOW + dt.timedelta(minutes=6)  # 5 minutes of clock skew are allowed
    events = [cast.event("INC-2", "created", FRIDAY), cast.event("INC-2", "resolved", later)]

    response = post({"events": events}, cast.token)

    assert errors_of(response) == [(1, "at", f"{later.isoformat()!r} is in the future")]
    assert stored() == earlier


def test_a_priority_the_target_does_not_know_is_refused(cast, post, earlier):
    events = [
        cast.event("INC-2", "created", FRIDAY, priority="P9"),
        cast.event("INC-1", "priority_changed", MONDAY, priority="Urgent"),
    ]

    response = post({"events": events}, cast.token)

    assert errors_of(response) == [
        (0, "priority", "'P9' has no goal for this service"),
        (1, "priority", "'Urgent' has no goal for this service"),
    ]
    assert stored() == earlier


def test_a_state_the_desk_has_not_mapped_is_refused(cast, post, earlier):
    events = [cast.event("INC-1", "state_changed", MONDAY, state="Escalated to L3")]

    response = post({"events": events}, cast.token)

    assert errors_of(response) == [(0, "state", "'Escalated to L3' is not a state this desk has mapped")]
    assert stored() == earlier


def test_a_resolve_before_the_create_is_refused(cast, post, earlier):
    events = [cast.event("INC-2", "created", MONDAY), cast.event("INC-2", "resolved", FRIDAY)]

    response = post({"events": events}, cast.token)

    assert errors_of(response) == [(1, "at", "before ticket 'INC-2' was created")]
    assert stored() == earlier


def test_a_desk_writing_for_another_customers_service_is_refused(cast, post, earlier):
    other = TicketCast()  # another customer, with an agreement on a service of its own
    cast.source.customers.add(other.customer)
    cast.source.services.add(other.service)
    events = [
        cast.event("INC-2", "created", FRIDAY, customer=cast.customer.code, service=other.service.code),
        cast.event("INC-3", "created", FRIDAY, customer="no-such-customer"),
    ]

    response = post({"events": events}, cast.token)

    assert errors_of(response) == [
        (0, "service", f"{other.service.code!r} is not a service of {cast.customer.code!r}"),
        (1, "customer", "this desk does not write for customer 'no-such-customer'"),
    ]
    assert stored() == earlier


def test_the_events_of_a_ticket_whose_creation_is_refused_are_not_called_unknown_too(cast, post, earlier):
    events = [cast.event("INC-2", "created", FRIDAY, state="Limbo"), cast.event("INC-2", "resolved", MONDAY)]

    response = post({"events": events}, cast.token)

    assert errors_of(response) == [(0, "state", "'Limbo' is not a state this desk has mapped")]
    assert stored() == earlier


def test_every_bad_event_is_listed_not_only_the_first(cast, post, earlier):
    events = [
        cast.event("INC-2", "created", FRIDAY),
        cast.event("INC-2", "state_changed", MONDAY, state="Limbo"),
        cast.event("INC-2", "resolved", NOW + dt.timedelta(hours=1)),
        {"id": "x", "ticket": "INC-2", "type": "exploded", "at": MONDAY.isoformat()},
        cast.event("INC-7", "closed", MONDAY),
    ]

    assert [(index, field) for index, field, _ in errors_of(post({"events": events}, cast.token))] == [
        (1, "state"),
        (2, "at"),
        (3, "type"),
        (4, "ticket"),
    ]
    assert stored() == earlier


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"events": []}, [(None, "events", "must not be empty")]),
        ({"events": {"id": "e"}}, [(None, "events", "must be a list")]),
        ({}, [(None, "events", "must be a list")]),
        ({"events": [], "desk": "x"}, [(None, "desk", "unknown field")]),
        ([], [(None, None, "the body must be a JSON object")]),
        ({"events": ["evt"]}, [(0, None, "each event must be an object")]),
    ],
    ids=["empty", "not a list", "no events", "unknown field", "not an object", "event not an object"],
)
def test_a_body_of_the_wrong_shape_is_a_batch_error(cast, post, body, expected):
    assert errors_of(post(body, cast.token)) == expected
    assert stored() == (0, 0, 0, 0)


def test_malformed_json_is_a_batch_error(cast, post):
    response = post('{"events": [', cast.token)

    assert response.status_code == 400
    assert response.json()["errors"][0]["index"] is None
    assert stored() == (0, 0, 0, 0)


@pytest.mark.parametrize(
    ("at", "message"),
    [
        ("0001-01-01T00:00:00+09:00", "'0001-01-01T00:00:00+09:00' is out of range"),
        ("2026-12-07T09:00:00", "'2026-12-07T09:00:00' has no zone"),
        ("yesterday", "'yesterday' is not an ISO 8601 time"),
    ],
    ids=["before the first instant", "no zone", "not a time"],
)
def test_a_time_that_is_no_instant_is_refused_with_its_reason(cast, post, at, message):
    event = cast.event("INC-1", "created", FRIDAY)
    event["at"] = at

    assert errors_of(post({"events": [event]}, cast.token)) == [(0, "at", message)]


@pytest.mark.parametrize(
    "at",
    ["2026-12-04 07:30:00 UTC", "2026-12-04T07:30:00.0+0000", "2026-12-04T07:30:00Z"],
    ids=["Zammad", "Jira", "ISO 8601 Z"],
)
def test_times_as_the_desks_write_them_are_read(cast, post, at):
    event = cast.event("INC-1", "created", FRIDAY)
    event["at"] = at  # Friday 16:30 in Seoul

    assert post({"events": [event]}, cast.token).status_code == 201
    assert Ticket.objects.get().created_at == FRIDAY


def test_a_nul_character_in_an_event_is_refused(cast, post):
    events = [cast.event("INC\x001", "created", FRIDAY, title="a\x00b")]

    assert errors_of(post({"events": events}, cast.token)) == [
        (0, "ticket", "must not hold a NUL character"),
        (0, "title", "must not hold a NUL character"),
    ]


def test_a_priority_change_of_a_ticket_created_for_a_foreign_customer_is_refused_not_a_server_error(cast, post):
    # The priority check of the change looks up the pair of the ticket's creation, which names no customer the
    # desk writes for: that creation has its own error, the change none.
    events = [
        cast.event("INC-1", "created", FRIDAY, customer="no-such-customer"),
        cast.event("INC-1", "priority_changed", MONDAY, priority="P2"),
    ]

    assert errors_of(post({"events": events}, cast.token)) == [
        (0, "customer", "this desk does not write for customer 'no-such-customer'")
    ]


# Order does not matter.


def clock_of(name, indicator):
    row = TicketClock.objects.get(ticket__external_id=name, indicator=indicator)
    return (row.state, row.running_time, row.due_at, row.breached_at, row.pauses, row.counted_at, row.good)


def test_events_arriving_out_of_order_across_two_batches_give_the_clocks_of_in_order_arrival(cast, post):
    def story(name):
        return [
            cast.event(name, "created", FRIDAY, priority="P2"),
            cast.event(name, "first_response", FRIDAY + dt.timedelta(minutes=20)),
            cast.event(name, "state_changed", FRIDAY + dt.timedelta(hours=1), state="Waiting for customer"),
            cast.event(name, "state_changed", MONDAY + dt.timedelta(minutes=30), state="In progress"),
            cast.event(name, "priority_changed", MONDAY + dt.timedelta(hours=1), priority="P1"),
            cast.event(name, "resolved", MONDAY + dt.timedelta(hours=2)),
        ]

    assert post({"events": story("IN-ORDER")}, cast.token).status_code == 201
    late = story("LATE")
    # First the creation, the resolve and the priority change; the response and the waiting arrive afterwards.
    assert post({"events": [late[5], late[0], late[4]]}, cast.token).status_code == 201
    assert post({"events": [late[3], late[1], late[2]]}, cast.token).status_code == 201

    for indicator in (cast.resolution, cast.response):
        assert clock_of("LATE", indicator) == clock_of("IN-ORDER", indicator)
    # Friday 16:30-17:30 and Monday 09:30-11:00 running: 2 h 30 of P1's 4 h, met.
    assert clock_of("LATE", cast.resolution)[:2] == ("met", dt.timedelta(hours=2, minutes=30))


# Who may send.


def test_no_token_answers_401_and_stores_nothing(cast, post):
    response = post({"events": [cast.event("INC-1", "created", FRIDAY)]})

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert stored() == (0, 0, 0, 0)


@pytest.mark.parametrize("token", ["slmsd_not-a-real-token", "garbage"], ids=["unknown desk token", "no kind"])
def test_a_bad_token_answers_401(cast, post, token):
    assert post({"events": [cast.event("INC-1", "created", FRIDAY)]}, token).status_code == 401
    assert stored() == (0, 0, 0, 0)


def test_a_revoked_desk_token_answers_401(cast, post):
    cast.source.revoke()

    response = post({"events": [cast.event("INC-1", "created", FRIDAY)]}, cast.token)

    assert response.status_code == 401
    assert response.json() == {"detail": "Unknown or revoked service desk token."}
    assert stored() == (0, 0, 0, 0)


def test_a_new_token_retires_the_old_one(cast, post):
    new_token = cast.source.issue_token()
    cast.source.save()

    assert post({"events": [cast.event("INC-1", "created", FRIDAY)]}, cast.token).status_code == 401
    assert post({"events": [cast.event("INC-1", "created", FRIDAY)]}, new_token).status_code == 201


def test_a_personal_or_data_source_token_is_refused(cast, post, manager):
    _api_token, personal = api_token_for(manager)
    _source, feed = data_source_with_token()
    body = {"events": [cast.event("INC-1", "created", FRIDAY)]}

    for token in (personal, feed):
        response = post(body, token)
        assert response.status_code == 403
        assert "service desk token" in response.json()["detail"]
    assert stored() == (0, 0, 0, 0)


def test_a_signed_in_person_is_refused_too(cast, post, client, manager):
    client.force_login(manager)

    assert post({"events": [cast.event("INC-1", "created", FRIDAY)]}).status_code == 403


def test_a_desk_token_reads_no_compliance(cast, client):
    response = client.get(
        f"/api/v1/agreements/{cast.agreement.code}/compliance", HTTP_AUTHORIZATION=f"Bearer {cast.token}"
    )

    assert response.status_code == 403


def test_a_desk_writes_its_own_tickets_only(cast, post):
    """Ticket ids are the desk's own: another desk's INC-1 is another ticket."""
    other, other_token = desk([cast.customer], [cast.service], state_map=TicketCast.STATE_MAP)
    created = cast.event("INC-1", "created", FRIDAY)

    assert post({"events": [created]}, cast.token).status_code == 201
    assert post({"events": [created]}, other_token).status_code == 201
    assert errors_of(post({"events": [cast.event("INC-1", "resolved", MONDAY)]}, desk([], [])[1])) == [
        (0, "ticket", "'INC-1' is unknown and not created in this batch")
    ]
    assert sorted(Ticket.objects.values_list("source__code", flat=True)) == sorted([cast.source.code, other.code])


# The OpenAPI description.


def test_the_schema_lists_both_ways_in_with_their_shapes(client):
    schema = json.loads(client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").content)

    api = schema["paths"]["/api/v1/ticket-events"]["post"]
    webhook = schema["paths"]["/api/v1/ticket-events/webhook/{code}"]["post"]
    assert {"bearer": []} in api["security"]
    assert set(api["responses"]) == {"200", "201", "400", "401", "403", "413", "429"}
    assert set(webhook["responses"]) == {"200", "201", "400", "401", "409", "413", "429"}
    assert not webhook.get("security")  # no token: the signature is the proof
    assert "security" not in schema
    headers = {parameter["name"] for parameter in webhook["parameters"] if parameter["in"] == "header"}
    assert headers == {"X-SLM-Timestamp", "X-SLM-Signature"}
    components = schema["components"]["schemas"]
    assert set(components["TicketEvent"]["properties"]) == {
        "id", "ticket", "type", "at", "customer", "service", "priority", "state", "title"
    }  # fmt: skip
    assert set(components["TicketEventResult"]["properties"]) == {"received", "stored", "tickets_created", "clocks"}
    assert set(components["BatchError"]["properties"]) == {"index", "field", "message"}
    assert "slmsd_" in schema["components"]["securitySchemes"]["bearer"]["description"]


def test_a_resend_reads_the_stored_events_in_a_fixed_number_of_queries(cast, post):
    def batch(count):
        events = [cast.event(f"INC-{count}-{n}", "created", FRIDAY) for n in range(count)]
        for n, event in enumerate(events):
            event["id"] = f"fixed-{count}-{n}"
        return {"events": events}

    small, large = batch(2), batch(40)
    assert post(small, cast.token).status_code == 201
    assert post(large, cast.token).status_code == 201
    with CaptureQueriesContext(connection) as few:
        assert post(small, cast.token).status_code == 200
    with CaptureQueriesContext(connection) as many:
        assert post(large, cast.token).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_body_over_the_size_limit_answers_413_with_a_batch_error(cast, post, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = post({"events": [cast.event(f"INC-{n}", "created", FRIDAY) for n in range(20)]}, cast.token)

    assert response.status_code == 413
    assert response.json() == {
        "errors": [{"index": None, "field": None, "message": "The body is over the limit of 1000 bytes."}]
    }
    assert stored() == (0, 0, 0, 0)
