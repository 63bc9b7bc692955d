"""Rate limits of the REST API: each person's token, each person signed in by session, each data source and each
service desk has its own count of requests per window of the rate (SLM_API_RATE for people, SLM_API_MACHINE_RATE
for machines, read at each request). The request over the rate answers 429 with Retry-After and
``{"detail", "retry_after"}``; the next window lets it through again. The clock is frozen 10 seconds into a minute,
so the minute's window ends 50 seconds later."""

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from monitoring.intake import ticket_webhook
from monitoring.models import Measurement
from slm_portal.env import env_rate
from tests.monitoring.factories import api_token_for, data_source_with_token
from tests.monitoring.ticket_helpers import desk

NOW = dt.datetime(2026, 3, 3, 10, 0, 10, tzinfo=dt.UTC)
BATCH = {"indicator": "checkout-requests", "samples": [{"t": "2026-03-02T09:00:00Z", "good": 1, "total": 1}]}


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


def compliance_url(code):
    return f"/api/v1/agreements/{code}/compliance?period=2026-03"


@pytest.fixture
def read(client, agreement_a):
    """``read(token=None)``: GET the compliance of Acme's agreement with ``token`` (or the session)."""

    def get(token=None, **headers):
        if token is not None:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        return client.get(compliance_url(agreement_a.code), **headers)

    return get


@override_settings(SLM_API_RATE="3/min")
def test_the_request_over_the_rate_answers_429_with_retry_after_in_the_header_and_the_body(clock, alice, read):
    _api_token, token = api_token_for(alice)

    assert [read(token).status_code for _ in range(3)] == [200, 200, 200]
    refused = read(token)

    assert refused.status_code == 429
    assert refused["Retry-After"] == "50"
    assert refused.json() == {
        "detail": "Too many requests: the limit is 3/min. Try again in 50 seconds.",
        "retry_after": 50,
    }


@override_settings(SLM_API_RATE="2/min")
def test_one_tokens_use_does_not_throttle_another(clock, alice, manager, read):
    _first, busy = api_token_for(alice, name="busy")
    _second, quiet = api_token_for(alice, name="quiet")
    _managers, other = api_token_for(manager)

    assert [read(busy).status_code for _ in range(3)] == [200, 200, 429]

    assert [read(quiet).status_code for _ in range(2)] == [200, 200]
    assert read(other).status_code == 200


@override_settings(SLM_API_RATE="2/min")
def test_the_next_window_lets_the_token_through_again(clock, alice, read):
    _api_token, token = api_token_for(alice)
    assert [read(token).status_code for _ in range(3)] == [200, 200, 429]

    clock.move_to(NOW + dt.timedelta(seconds=49), tick=False)
    assert read(token).status_code == 429
    clock.move_to(NOW + dt.timedelta(seconds=50), tick=False)

    assert [read(token).status_code for _ in range(3)] == [200, 200, 429]


def test_the_rate_is_read_at_each_request(clock, alice, read, settings):
    _api_token, token = api_token_for(alice)
    settings.SLM_API_RATE = "1/min"
    assert [read(token).status_code for _ in range(2)] == [200, 429]

    settings.SLM_API_RATE = "5/min"

    assert read(token).status_code == 200


@override_settings(SLM_API_RATE="1/hour")
def test_a_longer_period_waits_for_its_own_window(clock, alice, read):
    _api_token, token = api_token_for(alice)
    assert read(token).status_code == 200

    refused = read(token)

    # 10:00:10 in a window of the hour that ends at 11:00.
    assert (refused.status_code, refused["Retry-After"], refused.json()["retry_after"]) == (429, "3590", 3590)


@override_settings(SLM_API_RATE="off")
def test_off_lifts_the_limit(clock, alice, read):
    _api_token, token = api_token_for(alice)

    assert {read(token).status_code for _ in range(5)} == {200}


@override_settings(SLM_API_RATE="2/min")
def test_a_person_signed_in_by_session_is_counted_apart_from_their_tokens(clock, client, alice, read):
    _api_token, token = api_token_for(alice)
    client.force_login(alice)
    assert [read().status_code for _ in range(3)] == [200, 200, 429]

    assert read(token).status_code == 200


@override_settings(SLM_API_RATE="2/min")
def test_the_429_is_said_in_korean_too(clock, alice, read):
    _api_token, token = api_token_for(alice)
    read(token), read(token)

    refused = read(token, HTTP_ACCEPT_LANGUAGE="ko")

    assert refused.status_code == 429
    assert refused.json() == {
        "detail": "요청이 너무 많습니다. 한도는 2/min입니다. 50초 후에 다시 시도하세요.",
        "retry_after": 50,
    }


@override_settings(SLM_API_RATE="1/min")
def test_a_cache_that_does_not_answer_lets_requests_through(clock, alice, read, monkeypatch, caplog):
    _api_token, token = api_token_for(alice)

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr("monitoring.api.throttling.cache.add", down)

    assert [read(token).status_code for _ in range(3)] == [200, 200, 200]
    assert "API rate limit not applied" in caplog.text


# Machines: data sources and service desks have the machines' rate, each its own.


@override_settings(SLM_API_RATE="1/min", SLM_API_MACHINE_RATE="3/min")
def test_a_data_source_has_the_machines_rate_and_its_own_count(clock, requests_indicator, post_batch):
    _source, token = data_source_with_token(indicators=[requests_indicator])
    _other, other_token = data_source_with_token(indicators=[requests_indicator])

    assert [post_batch(BATCH, token).status_code for _ in range(4)] == [201, 201, 201, 429]
    assert post_batch(BATCH, other_token).status_code == 201
    assert Measurement.objects.count() == 1  # the same sample each time: stored once, the refused one not read


@override_settings(SLM_API_MACHINE_RATE="1/min")
def test_a_service_desk_has_the_machines_rate(clock, client, customer_a):
    _source, token = desk([customer_a], [])
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    body = {"events": []}

    first, second = (client.post("/api/v1/ticket-events", body, "application/json", **headers) for _ in range(2))

    assert first.status_code == 400  # an empty batch is refused for what it holds, not for the rate
    assert (second.status_code, second["Retry-After"], second.json()["retry_after"]) == (429, "50", 50)


def webhook(client, source, *, key=None, signed=True, seconds=0):
    """POST an empty batch to ``source``'s webhook: signed with its key (or ``key``) ``seconds`` before now, or not
    signed at all."""
    raw = b'{"events": []}'
    timestamp = str(int(NOW.timestamp()) - seconds)
    headers = {}
    if signed:
        signing = ticket_webhook.signature(key or source.signing_key, timestamp, raw)
        headers = {"HTTP_X_SLM_TIMESTAMP": timestamp, "HTTP_X_SLM_SIGNATURE": signing}
    return client.post(f"/api/v1/ticket-events/webhook/{source.code}", raw, "application/json", **headers)


@override_settings(SLM_API_MACHINE_RATE="1/min", SLM_API_RATE="100/min")
def test_a_desks_webhook_is_counted_per_desk(clock, client, customer_a):
    first, _token = desk([customer_a], [])
    second, _token = desk([customer_a], [])

    # Signed: an empty batch is refused for what it holds (400), then the desk's allowance is used up (429).
    assert [webhook(client, first, seconds=n).status_code for n in range(2)] == [400, 429]
    assert webhook(client, second).status_code == 400  # another desk's deliveries have their own count


@override_settings(SLM_API_MACHINE_RATE="1/min", SLM_API_RATE="2/min")
def test_unsigned_requests_do_not_use_up_a_desks_allowance(clock, client, customer_a):
    source, _token = desk([customer_a], [])
    wrong_key = "0" * 64

    # Whoever knows the desk's code sends unsigned and badly signed requests: each is counted by its address, at the
    # people's rate, and refused (401, then 429 once that address's allowance is used up).
    flood = [webhook(client, source, signed=n % 2 == 0, key=wrong_key, seconds=n).status_code for n in range(5)]
    assert flood == [401, 401, 429, 429, 429]
    # The desk's own signed delivery still has its whole allowance, even from the same address.
    assert webhook(client, source).status_code == 400
    assert webhook(client, source, seconds=1).status_code == 429


# The rates as the environment gives them (slm_portal.env.env_rate).


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1200/min", "1200/min"), (" 20 / S ", "20/s"), ("50000/day", "50000/day"), ("off", None), ("", "600/min")],
)
def test_a_rate_is_read_from_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv("SLM_API_RATE", value)

    assert env_rate("SLM_API_RATE", "600/min") == expected


@pytest.mark.parametrize("value", ["1200", "fast", "0/min", "12/week", "-1/min", "1.5/s"])
def test_a_rate_that_is_no_rate_is_refused_with_the_variables_name(monkeypatch, value):
    monkeypatch.setenv("SLM_API_MACHINE_RATE", value)

    with pytest.raises(ImproperlyConfigured) as refused:
        env_rate("SLM_API_MACHINE_RATE", "6000/min")

    assert str(refused.value).startswith(f"SLM_API_MACHINE_RATE={value!r} is not a rate")
