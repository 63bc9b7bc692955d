"""People's API tokens have a scope (read only, or read and write) and an expiry (30 days, 90 days, a year or never).

The token page makes read-only tokens that expire in 90 days unless the person chooses otherwise, and lists each
token's scope, expiry and state; an expired token answers 401 and says when it expired; the tokens made before
scopes existed keep writing (migration monitoring 0024). The clock is frozen at Tuesday 3 March 2026, 10:00 UTC.
"""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from monitoring.choices import TokenScope, TokenState
from monitoring.models import ApiToken, DataSource, TicketSource
from slm_portal.identity.choices import EventKind
from slm_portal.identity.models import SignInEvent
from tests.monitoring.factories import api_token_for

NOW = dt.datetime(2026, 3, 3, 10, 0, tzinfo=dt.UTC)
PAGE = "/account/api-tokens/"


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


def compliance_url(code):
    return f"/api/v1/agreements/{code}/compliance?period=2026-03"


def made_on_the_page(client, person, **fields):
    client.force_login(person)
    response = client.post(PAGE, {"name": "monthly report", **fields})
    assert response.status_code == 201, response.content.decode()[:500]
    client.logout()
    return ApiToken.objects.get(user=person, name="monthly report"), response.context["token"]


# The page: what is chosen is what is stored.


@pytest.mark.parametrize(
    ("scope", "lifetime", "expires_at"),
    [
        ("read", "30", NOW + dt.timedelta(days=30)),
        ("write", "90", NOW + dt.timedelta(days=90)),
        ("read", "365", NOW + dt.timedelta(days=365)),
        ("write", "never", None),
    ],
)
def test_the_scope_and_expiry_chosen_on_the_page_are_stored(clock, client, alice, scope, lifetime, expires_at):
    api_token, _token = made_on_the_page(client, alice, scope=scope, lifetime=lifetime)

    assert (api_token.scope, api_token.expires_at) == (scope, expires_at)
    assert api_token.allows_write is (scope == "write")


def test_the_page_offers_read_only_and_90_days_first_and_stores_them_when_left_out(clock, client, alice):
    client.force_login(alice)

    page = client.get(PAGE)

    form = page.context["form"]
    assert (form["scope"].initial, form["lifetime"].initial) == ("read", "90")
    html = page.content.decode()
    assert 'name="scope" value="read"  id="id_scope_0" checked' in html
    assert 'name="scope" value="write"  id="id_scope_1">' in html
    assert '<option value="90" selected>in 90 days</option>' in html
    assert "never does more than you may" in html
    client.logout()
    api_token, _token = made_on_the_page(client, alice)
    assert (api_token.scope, api_token.expires_at) == ("read", NOW + dt.timedelta(days=90))
    assert api_token.allows_write is False


@pytest.mark.parametrize("fields", [{"scope": "admin"}, {"lifetime": "3650"}, {"name": ""}])
def test_a_scope_or_expiry_the_page_does_not_offer_is_refused_and_nothing_made(client, alice, fields):
    client.force_login(alice)

    response = client.post(PAGE, {"name": "script", "scope": "read", "lifetime": "30", **fields})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not ApiToken.objects.exists()


def stored_token(person, name, **fields):
    """A token row made directly (its plaintext is not needed), with ``fields`` such as scope and expires_at."""
    return ApiToken.objects.create(user=person, name=name, token_hash=name.ljust(64, "0"), token_hint=f"slmpt_{name}",
                                   **fields)  # fmt: skip


def test_the_list_shows_scope_expiry_and_state_of_each_token(clock, client, alice):
    stored_token(alice, "soon", scope=TokenScope.READ, expires_at=NOW + dt.timedelta(days=12, hours=3))
    stored_token(alice, "gone", scope=TokenScope.WRITE, expires_at=NOW - dt.timedelta(days=1))
    stored_token(alice, "ever", scope=TokenScope.WRITE, expires_at=None)
    stored_token(alice, "quit", expires_at=NOW - dt.timedelta(days=2), revoked_at=NOW - dt.timedelta(days=3))
    client.force_login(alice)

    response = client.get(PAGE)

    rows = {row["token"].name: row for row in response.context["tokens"]}
    assert {name: (row["state"], row["expiry"], row["revocable"]) for name, row in rows.items()} == {
        "soon": (TokenState.ACTIVE, "expires in 12 days", True),
        "gone": (TokenState.EXPIRED, "expired", False),
        "ever": (TokenState.ACTIVE, "never", True),
        "quit": (TokenState.REVOKED, "—", False),
    }
    html = response.content.decode()
    assert html.count('class="btn btn-sm btn-outline-danger"') == 2  # revoke: only the tokens that still work
    assert html.count("token-expired text-bg-warning") == 1
    assert html.count("token-revoked text-bg-secondary") == 1
    assert html.count("token-active text-bg-success") == 2
    assert html.count('<td class="token-scope">Read only</td>') == 1  # soon; the others write
    assert html.count('<td class="token-scope">Read and write</td>') == 3


def test_a_token_expiring_within_a_day_says_so(clock, client, alice):
    stored_token(alice, "last", expires_at=NOW + dt.timedelta(hours=5))
    client.force_login(alice)

    (row,) = client.get(PAGE).context["tokens"]

    assert (row["state"], row["expiry"]) == (TokenState.ACTIVE, "expires within a day")


def test_the_page_in_korean_says_scope_and_expiry_in_korean(clock, client, alice):
    stored_token(alice, "soon", scope=TokenScope.READ, expires_at=NOW + dt.timedelta(days=12, hours=3))
    client.force_login(alice)

    html = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="ko").content.decode()

    assert "읽기 전용" in html
    assert "12일 후 만료" in html


def test_an_expired_token_can_still_be_revoked_but_a_revoked_one_not_again(clock, client, alice):
    api_token, _token = api_token_for(alice)
    api_token.expires_at = NOW - dt.timedelta(minutes=1)
    api_token.save()
    client.force_login(alice)

    assert client.post(f"{PAGE}{api_token.pk}/revoke/").status_code == 302
    api_token.refresh_from_db()
    assert api_token.revoked_at == NOW
    assert client.post(f"{PAGE}{api_token.pk}/revoke/").status_code == 404


# The API: expired tokens answer 401 and say when; a read token reads.


def test_an_expired_token_answers_401_with_the_date_it_expired(clock, client, alice, agreement_a):
    api_token, token = made_on_the_page(client, alice, scope="read", lifetime="30")
    assert client.get(compliance_url(agreement_a.code), HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200

    clock.move_to(NOW + dt.timedelta(days=30), tick=False)
    response = client.get(compliance_url(agreement_a.code), HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    # 2 April 2026 10:00 UTC in the portal's time zone (Asia/Seoul).
    assert response.json() == {"detail": "This API token expired on 2026-04-02T19:00+09:00."}
    assert ApiToken.objects.authenticate(token) is None
    assert ApiToken.objects.holding(token) == api_token
    assert not ApiToken.objects.active().filter(pk=api_token.pk).exists()


def test_a_token_works_until_the_instant_it_expires(clock, client, alice, agreement_a):
    api_token, token = api_token_for(alice)
    api_token.expires_at = NOW + dt.timedelta(seconds=1)
    api_token.save()

    assert client.get(compliance_url(agreement_a.code), HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    assert ApiToken.objects.active().get() == api_token
    clock.move_to(NOW + dt.timedelta(seconds=1), tick=False)
    assert client.get(compliance_url(agreement_a.code), HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    assert not ApiToken.objects.active().exists()


def test_the_expiry_message_is_translated(clock, client, alice, agreement_a):
    api_token, token = api_token_for(alice)
    api_token.expires_at = NOW - dt.timedelta(days=1)
    api_token.save()

    response = client.get(
        compliance_url(agreement_a.code), HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="ko"
    )

    assert response.status_code == 401
    assert response.json()["detail"] == "이 API 토큰은 2026-03-02T19:00+09:00에 만료되었습니다."


def test_a_revoked_token_answers_401_as_unknown_or_revoked_even_before_its_expiry(clock, client, alice, agreement_a):
    api_token, token = made_on_the_page(client, alice, scope="write", lifetime="365")
    api_token.revoke()

    response = client.get(compliance_url(agreement_a.code), HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 401
    assert response.json() == {"detail": "Unknown or revoked API token."}


def test_a_read_only_token_reads_compliance(clock, client, alice, agreement_a):
    api_token, token = made_on_the_page(client, alice, scope="read", lifetime="90")

    response = client.get(compliance_url(agreement_a.code), HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 200
    assert response.json()["agreement"] == "acme-sla"
    assert api_token.allows_write is False


def test_machine_tokens_carry_no_scope():
    """The API's permission classes ask ``allows_write`` of a person's token only; a machine's token has none."""
    assert not hasattr(DataSource(), "allows_write")
    assert not hasattr(TicketSource(), "allows_write")


# The sign-in record names the new token's scope and expiry.


def test_the_sign_in_record_keeps_the_scope_and_expiry_of_a_new_token(clock, client, alice):
    api_token, _token = made_on_the_page(client, alice, scope="write", lifetime="30")
    forever, _token = api_token_for(alice, name="nightly export")
    forever.refresh_from_db()

    made = SignInEvent.objects.filter(kind=EventKind.TOKEN_CREATED).order_by("pk")
    first, second = made
    assert first.detail == f"monthly report ({api_token.token_hint}…) [write, 2026-04-02T10:00+00:00]"
    assert (
        first.description()
        == f"monthly report ({api_token.token_hint}…): Read and write, expires 2 Apr 2026, 19:00 KST"
    )
    assert second.detail == f"nightly export ({forever.token_hint}…) [write, never]"
    assert second.description() == f"nightly export ({forever.token_hint}…): Read and write, does not expire"


def test_an_older_record_of_a_token_is_shown_as_it_was_written(alice):
    event = SignInEvent(kind=EventKind.TOKEN_CREATED, user=alice, detail="reporting script (slmpt_abcdef…)")

    assert event.description() == "reporting script (slmpt_abcdef…)"


# Migration 0024: the tokens made before could write and never expired, and still do.


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_tokens_made_before_the_migration_keep_writing_and_never_expire(alice):
    old = _migrate([("monitoring", "0023_openslo_metadata")])
    try:
        old.get_model("monitoring", "ApiToken").objects.create(
            user_id=alice.pk, name="old script", token_hash="0" * 64, token_hint="slmpt_old"
        )
        new = _migrate([("monitoring", "0024_api_token_scope_and_expiry")])
        row = new.get_model("monitoring", "ApiToken").objects.values("scope", "expires_at").get(name="old script")
        assert row == {"scope": "write", "expires_at": None}
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    made_later = ApiToken.objects.create(user=alice, name="made later", token_hash="1" * 64, token_hint="slmpt_new")
    assert (made_later.scope, made_later.expires_at, made_later.allows_write) == ("write", None, True)
