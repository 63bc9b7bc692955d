"""Invitations by e-mail (agreements/people.py and the accepting page under /accounts/): sent through a real SMTP
server in the customer's language; accepted once, creating the account and the membership; refused with a clear
message, and nothing created, in every other case."""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from agreements.models import Invitation, Membership
from agreements.people import InvitationRefused, invite
from slm_portal.identity.choices import EventKind
from slm_portal.identity.models import SignInEvent
from tests.agreements.page_checks import field_error, page_text
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-new-passphrase-7"


@pytest.fixture
def acme(customer_a):
    customer_a.email_domains = "acme.example, acme-bank.example"
    customer_a.save()
    return customer_a


@pytest.fixture
def carol(acme):
    return MembershipFactory(user=UserFactory(username="carol"), customer=acme, is_admin=True).user


def counts():
    return (get_user_model().objects.count(), Membership.objects.count(), Invitation.objects.count())


def link_of(message):
    return re.search(r"http://\S+/accounts/invitations/(\S+)/", message.get_content()).group(0)


def accept_data(username="newcomer"):
    return {
        "username": username,
        "first_name": "Nari",
        "last_name": "Yoon",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }


def test_invitation_end_to_end_through_smtp_in_the_customers_language(client, acme, carol, smtp_inbox, settings):
    acme.language = "ko"
    acme.save()
    settings.SLM_INVITATION_DAYS = 3
    client.force_login(carol)
    response = client.post("/customers/acme/people/", {"email": "nari@acme.example"})
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.expires_at - invitation.created_at == dt.timedelta(days=3)
    [(recipients, message)] = smtp_inbox.messages
    assert recipients == ["nari@acme.example"]
    assert message["Subject"] == "Acme Bank의 SLM Portal 초대"
    url = link_of(message)
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert token not in invitation.token_hash
    assert len(invitation.token_hash) == 64
    assert "한 번만" in message.get_content()

    client.logout()
    path = url.split("testserver", 1)[-1] if "testserver" in url else re.sub(r"^http://[^/]+", "", url)
    assert "nari@acme.example" in page_text(client.get(path))
    before = counts()
    response = client.post(path, accept_data())
    assert response.status_code == 302
    assert counts() == (before[0] + 1, before[1] + 1, before[2])
    user = get_user_model().objects.get(username="newcomer")
    assert (user.email, user.first_name, user.customer_membership.customer, user.customer_membership.is_admin) == (
        "nari@acme.example",
        "Nari",
        acme,
        False,
    )
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    assert invitation.accepted_at is not None
    assert client.get("/").context["user"] == user  # signed in at once
    assert SignInEvent.objects.filter(user=user, kind=EventKind.MEMBERSHIP_CREATED, customer=acme).count() == 1
    assert SignInEvent.objects.filter(user=user, kind=EventKind.SIGNED_IN, method="password").count() == 1

    # Used twice: refused, nothing created.
    client.logout()
    before = counts()
    response = client.post(path, accept_data("second"))
    assert response.status_code == 410
    assert "used already" in page_text(response)
    assert counts() == before


def sent_invitation(customer, email="nari@acme.example", *, expires_in=dt.timedelta(days=7), inviter=None):
    now = timezone.now()
    invitation = Invitation(customer=customer, email=email, invited_by=inviter, created_at=now - dt.timedelta(days=8))
    invitation.expires_at = now + expires_in
    token = invitation.issue_token()
    invitation.save()
    return invitation, f"/accounts/invitations/{token}/"


def test_expired_invitation_is_refused(client, acme):
    _, path = sent_invitation(acme, expires_in=-dt.timedelta(minutes=1))
    before = counts()
    response = client.post(path, accept_data())
    assert response.status_code == 410
    assert "expired" in page_text(response)
    assert counts() == before


def test_withdrawn_invitation_is_refused(client, acme, carol):
    invitation, path = sent_invitation(acme)
    client.force_login(carol)
    client.post(f"/customers/acme/invitations/{invitation.pk}/withdraw/")
    client.logout()
    before = counts()
    response = client.post(path, accept_data())
    assert response.status_code == 410
    assert "withdrawn" in page_text(response)
    assert counts() == before


def test_unknown_token_is_refused(client, acme):
    response = client.get("/accounts/invitations/not-a-token/")
    assert response.status_code == 410
    assert "not valid" in page_text(response)


def test_address_outside_the_domains_is_refused_at_invite_time(client, acme, carol, smtp_inbox):
    client.force_login(carol)
    response = client.post("/customers/acme/people/", {"email": "someone@globex.example"})
    assert response.status_code == 400
    assert "not an address of Acme Bank" in field_error(response, "id_email")
    assert Invitation.objects.count() == 0
    assert smtp_inbox.messages == []


def test_no_domains_means_nobody_can_be_invited(client, customer_a, manager, smtp_inbox):
    client.force_login(manager)
    response = client.post("/customers/acme/people/", {"email": "someone@acme.example"})
    assert response.status_code == 400
    assert "no e-mail domains set" in field_error(response, "id_email")
    assert Invitation.objects.count() == 0
    assert smtp_inbox.messages == []


def test_address_with_an_account_is_refused_at_invite_and_at_accept(client, acme, carol, smtp_inbox):
    UserFactory(username="taken", email="Taken@acme.example")
    client.force_login(carol)
    response = client.post("/customers/acme/people/", {"email": "taken@acme.example"})
    assert response.status_code == 400
    assert "exists already" in field_error(response, "id_email")
    assert Invitation.objects.count() == 0
    assert smtp_inbox.messages == []

    _, path = sent_invitation(acme, "later@acme.example")
    UserFactory(username="later", email="later@acme.example")  # an account made after the invitation was sent
    client.logout()
    before = counts()
    response = client.post(path, accept_data())
    assert response.status_code == 410
    assert "exists already" in page_text(response)
    assert counts() == before


def test_domain_removed_after_sending_refuses_the_link(client, acme):
    _, path = sent_invitation(acme, "nari@acme-bank.example")
    acme.email_domains = "acme.example"
    acme.save()
    before = counts()
    assert client.post(path, accept_data()).status_code == 410
    assert counts() == before


def test_bad_form_creates_nothing(client, acme):
    UserFactory(username="newcomer", email="other@example.com")
    _, path = sent_invitation(acme)
    before = counts()
    response = client.post(path, {**accept_data(), "password2": "different-passphrase"})
    assert response.status_code == 400
    assert field_error(response, "id_password2") == "The two passwords differ."
    response = client.post(path, accept_data("NEWCOMER"))
    assert field_error(response, "id_username") == "That username is taken; choose another."
    assert counts() == before


def test_a_new_invitation_replaces_the_pending_one(acme, carol, smtp_inbox):
    first = invite(acme, "nari@acme.example", carol, "http://portal.example")
    second = invite(acme, "nari@acme.example", carol, "http://portal.example")
    first.refresh_from_db()
    assert first.withdrawn_at is not None
    assert second.is_pending
    assert len(smtp_inbox.messages) == 2
    assert link_of(smtp_inbox.messages[1][1]).startswith("http://portal.example/accounts/invitations/")


def test_invite_refusal_is_an_exception_with_the_reason(acme, carol):
    with pytest.raises(InvitationRefused, match="not an address of Acme Bank"):
        invite(acme, "x@elsewhere.example", carol, "http://portal.example")


def test_signed_in_person_cannot_accept(client, acme, carol):
    _, path = sent_invitation(acme)
    client.force_login(carol)
    before = counts()
    assert client.post(path, accept_data()).status_code == 302
    assert counts() == before


def test_invalid_domains_are_refused_on_the_customer_form(client, manager, acme):
    client.force_login(manager)
    response = client.post(
        "/customers/acme/edit/",
        {"name": "Acme Bank", "code": "acme", "language": "en", "email_domains": "acme.example, @bad"},
    )
    assert response.status_code == 200
    assert "Not an e-mail domain: @bad" in field_error(response, "id_email_domains")
    acme.refresh_from_db()
    assert acme.email_domains == "acme.example, acme-bank.example"
