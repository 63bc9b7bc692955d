"""Bearer tokens: data-source tokens push measurements, people's API tokens read compliance as that person.

Both kinds are shown once and stored as a SHA-256 hash; a revoked or unknown token answers 401, a token of the
wrong kind or for another indicator 403, and a refused request stores nothing.
"""

import hashlib

import pytest
from django.utils import timezone

from monitoring.models import ApiToken, DataSource, Measurement
from tests.monitoring.conftest import MEASUREMENTS_URL
from tests.monitoring.factories import IndicatorFactory, api_token_for, data_source_with_token, stored_counts

BATCH = {"indicator": "checkout-requests", "samples": [{"t": "2026-03-02T09:00:00Z", "good": 1, "total": 1}]}


def compliance_url(code):
    return f"/api/v1/agreements/{code}/compliance?period=2026-03"


# Data-source tokens on POST /api/v1/measurements.


def test_a_request_without_a_token_answers_401_with_a_bearer_challenge(requests_indicator, post_batch):
    response = post_batch(BATCH)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert Measurement.objects.count() == 0


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer one two", "Bearer slmds_", "Bearer not-a-token", "Bearer slmds_unknown", "Bearer slmpt_unknown"],
)
def test_a_malformed_header_or_an_unknown_token_answers_401(header, requests_indicator, source_token, post_batch):
    response = post_batch(BATCH, HTTP_AUTHORIZATION=header)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert Measurement.objects.count() == 0


def test_another_authorization_scheme_is_not_taken_for_a_token(requests_indicator, source_token, post_batch):
    response = post_batch(BATCH, HTTP_AUTHORIZATION=f"Token {source_token}")

    assert response.status_code == 401


def test_a_revoked_data_source_token_answers_401_and_stores_nothing(requests_indicator, post_batch):
    source, token = data_source_with_token(indicators=[requests_indicator])
    source.revoke()

    response = post_batch(BATCH, token)

    assert response.status_code == 401
    assert Measurement.objects.count() == 0


def test_a_data_source_token_for_another_indicator_answers_403_and_stores_nothing(requests_indicator, post_batch):
    _source, token = data_source_with_token(indicators=[IndicatorFactory(code="payroll-requests")])

    response = post_batch(BATCH, token)

    assert response.status_code == 403
    assert "checkout-requests" in response.json()["detail"]
    assert stored_counts() == (0, 0, 0)


def test_a_data_source_with_no_indicators_may_write_to_none(requests_indicator, post_batch):
    _source, token = data_source_with_token(indicators=[])

    assert post_batch(BATCH, token).status_code == 403


def test_a_persons_api_token_cannot_send_measurements(requests_indicator, manager, post_batch):
    _api_token, token = api_token_for(manager)

    response = post_batch(BATCH, token)

    assert response.status_code == 403
    assert Measurement.objects.count() == 0


def test_a_logged_in_manager_cannot_send_measurements_through_the_session(requests_indicator, manager, client):
    client.force_login(manager)

    response = client.post(MEASUREMENTS_URL, data=BATCH, content_type="application/json")

    assert response.status_code == 403
    assert Measurement.objects.count() == 0


def test_a_successful_batch_marks_the_data_source_as_used(requests_indicator, post_batch):
    source, token = data_source_with_token(indicators=[requests_indicator])
    assert source.last_used_at is None
    before = timezone.now()

    assert post_batch(BATCH, token).status_code == 201

    source.refresh_from_db()
    assert before <= source.last_used_at <= timezone.now()


def test_a_data_source_token_is_stored_only_as_its_hash(requests_indicator):
    source, token = data_source_with_token(indicators=[requests_indicator])

    row = DataSource.objects.filter(pk=source.pk).values().get()
    assert token.startswith("slmds_")
    assert len(token) > 40
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert row["token_hint"] == token[:12]
    assert not any(token in str(value) for value in row.values())


def test_issuing_a_new_token_retires_the_old_one(requests_indicator, post_batch):
    source, old_token = data_source_with_token(indicators=[requests_indicator])
    new_token = source.issue_token()
    source.save()

    assert post_batch(BATCH, old_token).status_code == 401
    assert post_batch(BATCH, new_token).status_code == 201


def test_a_data_source_token_cannot_read_compliance(requests_indicator, agreement_a, client):
    _source, token = data_source_with_token(indicators=[requests_indicator])

    response = client.get(compliance_url(agreement_a.code), HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 403


# People's API tokens on GET /api/v1/agreements/<code>/compliance.


def test_a_persons_token_is_shown_once_and_stored_only_as_its_hash(alice):
    api_token = ApiToken(user=alice, name="reporting script")
    token = api_token.issue_token()
    api_token.save()

    row = ApiToken.objects.filter(pk=api_token.pk).values().get()
    assert token.startswith("slmpt_")
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert not any(token in str(value) for value in row.values())
    assert token[:12] in str(ApiToken.objects.get(pk=api_token.pk))
    assert token not in str(ApiToken.objects.get(pk=api_token.pk))


def test_a_customer_reads_their_own_agreements_compliance_with_their_token(alice, agreement_a, client):
    api_token, token = api_token_for(alice)

    response = client.get(compliance_url(agreement_a.code), HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 200
    body = response.json()
    assert (body["agreement"], body["customer"], body["period"]) == ("acme-sla", "Acme Bank", "2026-03")
    assert [(target["code"], target["status"]) for target in body["targets"]] == [("availability", "no_data")]
    api_token.refresh_from_db()
    assert api_token.last_used_at is not None


def test_a_customers_token_does_not_see_another_customers_agreement(alice, agreement_b, client):
    _api_token, token = api_token_for(alice)

    response = client.get(compliance_url(agreement_b.code), HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 404


def test_a_managers_token_sees_every_customers_agreement(manager, agreement_a, agreement_b, client):
    _api_token, token = api_token_for(manager)

    for agreement in (agreement_a, agreement_b):
        response = client.get(compliance_url(agreement.code), HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 200
        assert response.json()["agreement"] == agreement.code


def test_a_revoked_persons_token_answers_401(alice, agreement_a, client):
    api_token, token = api_token_for(alice)
    api_token.revoke()

    response = client.get(compliance_url(agreement_a.code), HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_the_token_of_a_deactivated_person_answers_401(alice, agreement_a, client):
    _api_token, token = api_token_for(alice)
    alice.is_active = False
    alice.save()

    response = client.get(compliance_url(agreement_a.code), HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 401


def test_compliance_without_a_token_answers_401(agreement_a, client):
    response = client.get(compliance_url(agreement_a.code))

    assert response.status_code == 401


def test_a_malformed_period_is_a_400_naming_the_period(alice, agreement_a, client):
    _api_token, token = api_token_for(alice)

    response = client.get(
        f"/api/v1/agreements/{agreement_a.code}/compliance?period=March", HTTP_AUTHORIZATION=f"Bearer {token}"
    )

    assert response.status_code == 400
    assert "period" in response.json()


def test_a_token_made_on_the_account_page_is_shown_once_works_and_stops_working_when_revoked(
    alice, agreement_a, client
):
    client.force_login(alice)

    created = client.post("/account/api-tokens/", {"name": "monthly report"})

    assert created.status_code == 201
    token = created.context["token"]
    assert token.startswith("slmpt_")
    assert token in created.content.decode()
    api_token = ApiToken.objects.get(user=alice, name="monthly report")
    assert api_token.token_hash == hashlib.sha256(token.encode()).hexdigest()
    listing = client.get("/account/api-tokens/").content.decode()
    assert api_token.token_hint in listing
    assert token not in listing
    client.logout()
    assert client.get(compliance_url(agreement_a.code), HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200

    client.force_login(alice)
    client.post(f"/account/api-tokens/{api_token.pk}/revoke/")
    client.logout()

    assert client.get(compliance_url(agreement_a.code), HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
