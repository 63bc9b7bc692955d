"""Data-source pages as a service manager: a token is shown once and kept only as its SHA-256 hash; it writes to
the source's indicators only; "New token" retires the old one, "Revoke" stops it, and an edit of the allowed
indicators counts from the very next request."""

import hashlib
import re

import pytest

from monitoring.models import DataSource, Measurement
from tests.monitoring.factories import data_source_with_token


def batch_for(indicator, minute=0):
    if indicator.kind == "ratio":
        sample = {"t": f"2026-03-02T09:{minute:02d}:00Z", "good": 1, "total": 1}
    else:
        sample = {"t": f"2026-03-02T09:{minute:02d}:00Z", "value": 120}
    return {"indicator": indicator.code, "samples": [sample]}


@pytest.fixture
def as_manager(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def feed(acme_indicator):
    """A data source that may write to A's latency indicator, and its token."""
    return data_source_with_token(indicators=[acme_indicator], code="acme-feed", name="Acme feed")


def create_source(client, *indicators, code="grafana", name="Grafana alerts"):
    return client.post("/data-sources/new/", {"name": name, "code": code, "indicators": [i.pk for i in indicators]})


# Creating: the token once.


def test_creating_a_data_source_shows_its_token_once_and_stores_only_its_hash(as_manager, manager, acme_indicator):
    response = create_source(as_manager, acme_indicator)

    assert response.status_code == 201
    token = response.context["token"]
    assert token.startswith("slmds_")
    assert f'value="{token}"' in response.text
    assert "Copy the token now: it is shown only once." in response.text
    source = DataSource.objects.get(code="grafana")
    assert (source.name, source.created_by, list(source.indicators.all())) == (
        "Grafana alerts",
        manager,
        [acme_indicator],
    )
    row = DataSource.objects.filter(pk=source.pk).values().get()
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert not any(token in str(value) for value in row.values())


def test_the_detail_page_never_shows_the_token_again(as_manager, acme_indicator):
    token = create_source(as_manager, acme_indicator).context["token"]

    detail = as_manager.get("/data-sources/grafana/")
    listing = as_manager.get("/data-sources/")

    assert detail.status_code == 200
    assert token not in detail.text
    assert token not in listing.text
    # Only its first characters, to tell tokens apart.
    assert f"<code>{token[:12]}…</code>" in detail.text
    assert "acme-latency" in detail.text


def test_a_new_data_sources_token_writes_to_its_indicators_only(
    as_manager, acme_indicator, requests_indicator, post_batch
):
    token = create_source(as_manager, acme_indicator).context["token"]

    allowed = post_batch(batch_for(acme_indicator), token)
    refused = post_batch(batch_for(requests_indicator), token)

    assert allowed.status_code == 201
    assert refused.status_code == 403
    assert list(Measurement.objects.values_list("indicator__code", flat=True)) == ["acme-latency"]


@pytest.mark.parametrize(
    ("code", "message"),
    [("acme-feed", "Data source with this Code already exists."), ("new", "is reserved; choose another code.")],
    ids=["taken", "reserved"],
)
def test_a_data_source_with_a_taken_or_reserved_code_is_not_created(as_manager, feed, acme_indicator, code, message):
    response = create_source(as_manager, acme_indicator, code=code, name="Another")

    assert response.status_code == 200
    assert message in response.text
    assert "slmds_" not in response.text
    assert list(DataSource.objects.values_list("code", flat=True)) == ["acme-feed"]


# New token, revoke.


def test_a_new_token_replaces_the_old_one_at_once(as_manager, feed, acme_indicator, post_batch):
    source, old_token = feed

    response = as_manager.post("/data-sources/acme-feed/token/", {"action": "rotate"})

    assert response.status_code == 201
    new_token = response.context["token"]
    assert new_token != old_token
    assert new_token in response.text
    assert post_batch(batch_for(acme_indicator, 0), old_token).status_code == 401
    assert post_batch(batch_for(acme_indicator, 1), new_token).status_code == 201
    assert Measurement.objects.count() == 1
    source.refresh_from_db()
    assert source.token_hash == hashlib.sha256(new_token.encode()).hexdigest()


def test_revoking_the_token_makes_its_requests_answer_401(as_manager, feed, acme_indicator, post_batch):
    source, token = feed
    assert post_batch(batch_for(acme_indicator, 0), token).status_code == 201

    response = as_manager.post("/data-sources/acme-feed/token/", {"action": "revoke"}, follow=True)

    assert response.redirect_chain == [("/data-sources/acme-feed/", 302)]
    assert "The token of Acme feed is revoked; its requests now answer 401." in response.text
    assert re.search(r"·\s+revoked \w", response.text)
    assert 'value="revoke"' not in response.text  # nothing left to revoke; "New token" remains
    assert post_batch(batch_for(acme_indicator, 1), token).status_code == 401
    assert Measurement.objects.count() == 1
    assert not DataSource.objects.get(pk=source.pk).is_active


def test_a_revoked_data_source_comes_back_with_a_new_token(as_manager, feed, acme_indicator, post_batch):
    source, old_token = feed
    source.revoke()

    new_token = as_manager.post("/data-sources/acme-feed/token/", {"action": "rotate"}).context["token"]

    assert DataSource.objects.get(pk=source.pk).is_active
    assert post_batch(batch_for(acme_indicator), new_token).status_code == 201
    assert post_batch(batch_for(acme_indicator, 1), old_token).status_code == 401


@pytest.mark.parametrize("data", [{}, {"action": "revokee"}], ids=["no action", "unknown action"])
def test_a_token_request_without_a_known_action_changes_nothing(as_manager, feed, acme_indicator, post_batch, data):
    source, token = feed

    response = as_manager.post("/data-sources/acme-feed/token/", data)

    assert response.status_code == 400
    assert DataSource.objects.get(pk=source.pk).token_hash == source.token_hash
    assert post_batch(batch_for(acme_indicator), token).status_code == 201


# Editing.


def test_editing_the_allowed_indicators_counts_from_the_next_request(
    as_manager, feed, acme_indicator, requests_indicator, post_batch
):
    _source, token = feed
    assert post_batch(batch_for(requests_indicator, 0), token).status_code == 403

    response = as_manager.post(
        "/data-sources/acme-feed/edit/", {"name": "Acme feed", "indicators": [requests_indicator.pk]}
    )

    assert response.status_code == 302
    assert post_batch(batch_for(requests_indicator, 1), token).status_code == 201
    assert post_batch(batch_for(acme_indicator, 2), token).status_code == 403
    assert list(Measurement.objects.values_list("indicator__code", flat=True)) == ["checkout-requests"]


def test_editing_keeps_the_code_and_the_token(as_manager, feed, acme_indicator, post_batch):
    source, token = feed

    response = as_manager.post(
        "/data-sources/acme-feed/edit/",
        {"name": "Acme metrics", "code": "renamed", "indicators": [acme_indicator.pk]},
        follow=True,
    )

    assert response.redirect_chain == [("/data-sources/acme-feed/", 302)]
    assert "Acme metrics saved." in response.text
    source.refresh_from_db()
    assert (source.code, source.name) == ("acme-feed", "Acme metrics")
    assert post_batch(batch_for(acme_indicator), token).status_code == 201


def test_a_data_source_with_no_indicators_is_told_so_on_its_page(as_manager, feed):
    as_manager.post("/data-sources/acme-feed/edit/", {"name": "Acme feed"})

    response = as_manager.get("/data-sources/acme-feed/")

    assert "No indicators: every batch answers 403." in response.text
    assert not DataSource.objects.get(code="acme-feed").indicators.exists()
