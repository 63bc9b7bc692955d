"""POST /api/v1/ticket-events/webhook/<desk code>: the same events, signed instead of sent with a token.

``X-SLM-Timestamp`` is Unix seconds, ``X-SLM-Signature`` is ``sha256=`` and the hex HMAC-SHA256 of
``"<timestamp>.<raw body>"`` under the desk's signing key. A bad signature, a timestamp more than 5 minutes off and
the same signature again are refused, and nothing is stored. The clock is frozen at Monday 7 December 2026, 12:00
in Seoul."""

import datetime as dt
import hashlib
import hmac
import json

import pytest

from monitoring.intake import ticket_webhook
from monitoring.models import Ticket, TicketEventRecord, TicketSource, TicketWebhookDelivery
from tests.monitoring.ticket_helpers import TicketCast, kst

pytestmark = pytest.mark.django_db

FRIDAY = kst(2026, 12, 4, 16, 30)
NOW = kst(2026, 12, 7, 12)


@pytest.fixture
def cast(time_machine):
    time_machine.move_to(NOW, tick=False)
    return TicketCast()


def sign(key, timestamp, body):
    """The signature as a desk computes it, written out here rather than taken from the portal's code."""
    digest = hmac.new(key.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


@pytest.fixture
def deliver(client, cast):
    """``deliver(events, ...)``: a delivery to the cast's desk, signed with its key unless told otherwise."""

    def send(events, *, code=None, key=None, at=NOW, signature=None, body=None, headers=None):
        raw = body if body is not None else json.dumps({"events": events}).encode()
        timestamp = str(int(at.timestamp()))
        sent = {
            "HTTP_X_SLM_TIMESTAMP": timestamp,
            "HTTP_X_SLM_SIGNATURE": signature or sign(key or cast.source.signing_key, timestamp, raw),
        }
        sent.update(headers or {})
        sent = {name: value for name, value in sent.items() if value is not None}
        url = f"/api/v1/ticket-events/webhook/{code or cast.source.code}"
        return client.post(url, data=raw, content_type="application/json", **sent)

    return send


def nothing_stored():
    return not Ticket.objects.exists() and not TicketEventRecord.objects.exists()


def test_a_signed_delivery_is_stored_with_its_counts(cast, deliver):
    events = [cast.event("INC-1", "created", FRIDAY), cast.event("INC-1", "first_response", FRIDAY)]

    response = deliver(events)

    assert response.status_code == 201
    assert response.json() == {"received": 2, "stored": 2, "tickets_created": 1, "clocks": 2}
    assert TicketEventRecord.objects.filter(ticket__external_id="INC-1").count() == 2
    assert TicketSource.objects.get(pk=cast.source.pk).last_used_at == NOW
    assert TicketWebhookDelivery.objects.filter(source=cast.source).count() == 1


def test_the_portals_signature_is_the_one_a_desk_computes(cast):
    body = b'{"events": []}'

    assert ticket_webhook.signature(cast.source.signing_key, 1796169600, body) == sign(
        cast.source.signing_key, 1796169600, body
    )


def test_no_bearer_token_is_needed_and_a_session_is_not_enough(cast, deliver, client, manager):
    client.force_login(manager)  # a signed-in person without a signature is still refused

    response = deliver([cast.event("INC-1", "created", FRIDAY)], signature="sha256=" + "0" * 64)

    assert response.status_code == 401
    assert nothing_stored()


MISMATCH = "the signature does not match the body and timestamp under this desk's signing key"
NO_SIGNATURE = 'X-SLM-Signature is missing: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">'
NO_TIMESTAMP = "X-SLM-Timestamp is missing: Unix seconds when the delivery was signed"
NOT_SECONDS = "X-SLM-Timestamp must be Unix seconds, such as 1796169600"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"key": "0" * 64}, MISMATCH),
        ({"signature": "sha256=" + "a" * 64}, MISMATCH),
        ({"signature": "md5=abc"}, "X-SLM-Signature must be sha256= and 64 hexadecimal digits"),
        ({"headers": {"HTTP_X_SLM_SIGNATURE": None}}, NO_SIGNATURE),
        ({"headers": {"HTTP_X_SLM_TIMESTAMP": None}}, NO_TIMESTAMP),
        ({"headers": {"HTTP_X_SLM_TIMESTAMP": "2026-12-07T03:00:00Z"}}, NOT_SECONDS),
    ],
    ids=["another key", "forged", "another algorithm", "no signature", "no timestamp", "timestamp not seconds"],
)
def test_a_bad_signature_is_refused_with_401_and_nothing_stored(cast, deliver, change, message):
    response = deliver([cast.event("INC-1", "created", FRIDAY)], **change)

    assert response.status_code == 401
    assert response.json() == {"detail": message}
    assert response["WWW-Authenticate"].startswith("SLM-Signature")
    assert nothing_stored()


def test_a_body_changed_after_signing_is_refused(cast, deliver):
    signed = json.dumps({"events": [cast.event("INC-1", "created", FRIDAY)]}).encode()
    timestamp = str(int(NOW.timestamp()))
    tampered = signed.replace(b"P1", b"P2")

    response = deliver([], body=tampered, signature=sign(cast.source.signing_key, timestamp, signed))

    assert response.status_code == 401
    assert nothing_stored()


@pytest.mark.parametrize(
    ("offset", "status"),
    [
        (dt.timedelta(minutes=-5), 201),
        (dt.timedelta(minutes=5), 201),
        (dt.timedelta(minutes=-5, seconds=-1), 401),
        (dt.timedelta(minutes=5, seconds=1), 401),
        (dt.timedelta(days=-1), 401),
    ],
    ids=["5 min old", "5 min ahead", "5 min 1 s old", "5 min 1 s ahead", "a day old"],
)
def test_a_timestamp_more_than_5_minutes_off_is_refused(cast, deliver, offset, status):
    response = deliver([cast.event("INC-1", "created", FRIDAY)], at=NOW + offset)

    assert response.status_code == status
    if status == 401:
        assert "away from the portal's clock; at most 5 minutes are taken" in response.json()["detail"]
        assert nothing_stored()


def test_a_replayed_delivery_is_refused_with_409(cast, deliver):
    events = [cast.event("INC-1", "created", FRIDAY)]
    assert deliver(events).status_code == 201
    TicketEventRecord.objects.all().delete()  # even were the events gone, the delivery is not taken twice
    Ticket.objects.all().delete()

    response = deliver(events)

    assert response.status_code == 409
    assert response.json() == {"detail": "this delivery was received before; a replay is refused"}
    assert nothing_stored()


def test_the_same_events_signed_again_later_are_a_resend_not_a_replay(cast, deliver):
    events = [cast.event("INC-1", "created", FRIDAY)]
    assert deliver(events).status_code == 201

    response = deliver(events, at=NOW + dt.timedelta(seconds=30))  # a new timestamp: a new signature

    assert response.status_code == 200
    assert response.json()["stored"] == 0


def test_a_refused_batch_is_not_remembered_and_its_errors_are_listed(cast, deliver):
    events = [cast.event("INC-1", "resolved", FRIDAY)]

    first, again = deliver(events), deliver(events)

    assert [(error["index"], error["field"]) for error in first.json()["errors"]] == [(0, "ticket")]
    assert (first.status_code, again.status_code) == (400, 400)  # checked again, not taken for a replay
    assert not TicketWebhookDelivery.objects.exists()
    assert nothing_stored()


def test_malformed_json_with_a_good_signature_is_a_batch_error(cast, deliver):
    response = deliver([], body=b'{"events": [')

    assert response.status_code == 400
    assert response.json()["errors"][0]["index"] is None
    assert not TicketWebhookDelivery.objects.exists()


@pytest.mark.parametrize("code", ["no-such-desk", "revoked"], ids=["unknown desk", "revoked desk"])
def test_an_unknown_or_revoked_desk_is_refused(cast, deliver, code):
    if code == "revoked":
        cast.source.revoke()
        code = cast.source.code

    response = deliver([cast.event("INC-1", "created", FRIDAY)], code=code)

    assert response.status_code == 401
    assert response.json() == {"detail": f"no active service desk {code!r}"}
    assert nothing_stored()


def test_a_new_token_brings_a_new_signing_key_and_retires_the_old_one(cast, deliver):
    old_key = cast.source.signing_key
    cast.source.issue_token()
    cast.source.save()

    refused = deliver([cast.event("INC-1", "created", FRIDAY)], key=old_key)
    taken = deliver([cast.event("INC-1", "created", FRIDAY)])

    assert cast.source.signing_key != old_key
    assert (refused.status_code, taken.status_code) == (401, 201)


def test_one_desks_key_does_not_sign_for_another(cast, deliver):
    other = TicketCast()

    response = deliver([cast.event("INC-1", "created", FRIDAY)], code=other.source.code)

    assert response.status_code == 401


def test_deliveries_are_forgotten_after_a_day_when_another_is_stored(cast, deliver, time_machine):
    assert deliver([cast.event("INC-1", "created", FRIDAY)]).status_code == 201
    later = NOW + dt.timedelta(days=1, minutes=1)
    time_machine.move_to(later, tick=False)

    assert deliver([cast.event("INC-2", "created", FRIDAY)], at=later).status_code == 201

    assert list(TicketWebhookDelivery.objects.values_list("received_at", flat=True)) == [later]


def test_the_same_events_as_the_api_are_refused_alike(cast, deliver):
    events = [cast.event("INC-1", "created", FRIDAY, priority="P9")]

    response = deliver(events)

    assert response.status_code == 400
    assert response.json() == {
        "errors": [{"index": 0, "field": "priority", "message": "'P9' has no goal for this service"}]
    }


def test_a_body_over_the_size_limit_answers_413_before_the_signature_is_checked(cast, deliver, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = deliver([cast.event(f"INC-{n}", "created", FRIDAY) for n in range(20)])

    assert response.status_code == 413
    assert response.json()["errors"][0]["message"] == "The body is over the limit of 1000 bytes."
    assert nothing_stored()
