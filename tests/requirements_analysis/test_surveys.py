"""Survey campaigns: the manager creates and edits one, opens and closes it, adds the people to ask and sends their
personal links by e-mail (once each; a resend replaces the links), through Django's test outbox and a real SMTP
server on loopback. Answering through the links is in test_survey_answers.py."""

import re
import smtplib

import pytest
from django.core import mail
from django.utils import timezone

from requirements_analysis.choices import CampaignStatus
from requirements_analysis.invitations import send_invitations
from requirements_analysis.models import SurveyCampaign, SurveyInvitation, hash_survey_token
from tests.agreements.page_checks import field_error, page_text
from tests.factories import ServiceFactory
from tests.monitoring.factories import table_rows
from tests.requirements_analysis.factories import CampaignFactory, InvitationFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"(https?://\S+/survey/([\w-]+)/)")


@pytest.fixture
def services(db):
    return [ServiceFactory(code="online-banking", name="Online banking"), ServiceFactory(code="mobile-app")]


@pytest.fixture
def campaign(customer_a, services):
    return CampaignFactory(
        customer=customer_a, code="acme-2026-q4", title="Acme 2026-Q4", services=services, message="Thank you!"
    )


def campaign_data(customer, services, **fields):
    return {
        "customer": customer.pk,
        "code": "acme-2026-q4",
        "title": "How do you rate our services?",
        "period_label": "2026-Q4",
        "services": [service.pk for service in services],
        "message": "It takes five minutes.",
        "opens_at": "2026-12-01T09:00",
        "closes_at": "2026-12-15T18:00",
        **fields,
    }


def links_in(message):
    return LINK.findall(message.body if hasattr(message, "body") else message.get_content())


# --- campaigns -------------------------------------------------------------------------------------------------------


def test_manager_creates_a_draft_campaign(client, manager, customer_a, services):
    client.force_login(manager)

    response = client.post("/surveys/new/", campaign_data(customer_a, services))

    campaign = SurveyCampaign.objects.get()
    assert response["Location"] == "/surveys/acme-2026-q4/"
    assert (campaign.customer, campaign.status, campaign.created_by) == (customer_a, CampaignStatus.DRAFT, manager)
    assert set(campaign.services.all()) == set(services)
    assert campaign.closes_at > campaign.opens_at


@pytest.mark.parametrize("closes_at", ["2026-12-01T09:00", "2026-11-30T09:00"])
def test_a_campaign_must_close_after_it_opens(client, manager, customer_a, services, closes_at):
    client.force_login(manager)

    response = client.post("/surveys/new/", campaign_data(customer_a, services, closes_at=closes_at))

    assert field_error(response, "id_closes_at") == "The survey must close after it opens."
    assert not SurveyCampaign.objects.exists()


def test_a_campaign_code_is_unique(client, manager, campaign, customer_a, services):
    client.force_login(manager)

    response = client.post("/surveys/new/", campaign_data(customer_a, services, title="Again"))

    assert "already exists" in field_error(response, "id_code")
    assert SurveyCampaign.objects.count() == 1


def test_manager_edits_a_campaign_but_not_its_code_or_customer(client, manager, campaign, customer_b, services):
    client.force_login(manager)

    response = client.post(
        "/surveys/acme-2026-q4/edit/",
        campaign_data(customer_b, services[:1], code="renamed", title="Acme, end of 2026"),
    )

    assert response["Location"] == "/surveys/acme-2026-q4/"
    campaign.refresh_from_db()
    assert (campaign.code, campaign.customer.code, campaign.title) == ("acme-2026-q4", "acme", "Acme, end of 2026")
    assert list(campaign.services.all()) == services[:1]


def test_an_edit_that_closes_before_opening_is_refused(client, manager, campaign, customer_a, services):
    client.force_login(manager)

    response = client.post(
        "/surveys/acme-2026-q4/edit/", campaign_data(customer_a, services, closes_at="2026-11-01T00:00")
    )

    assert field_error(response, "id_closes_at") == "The survey must close after it opens."
    assert SurveyCampaign.objects.get().closes_at == campaign.closes_at


def test_a_campaign_goes_from_draft_to_open_to_closed(client, manager, campaign):
    SurveyCampaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.DRAFT)
    client.force_login(manager)

    assert client.post("/surveys/acme-2026-q4/status/open/").status_code == 302
    assert SurveyCampaign.objects.get().status == CampaignStatus.OPEN
    response = client.post("/surveys/acme-2026-q4/status/closed/", follow=True)
    assert SurveyCampaign.objects.get().status == CampaignStatus.CLOSED
    assert "The survey is now Closed." in page_text(response)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (CampaignStatus.DRAFT, "closed"),
        (CampaignStatus.DRAFT, "draft"),
        (CampaignStatus.OPEN, "open"),
        (CampaignStatus.OPEN, "draft"),
        (CampaignStatus.CLOSED, "open"),
        (CampaignStatus.CLOSED, "draft"),
        (CampaignStatus.OPEN, "archived"),
    ],
)
def test_any_other_status_change_answers_404(client, manager, campaign, old, new):
    SurveyCampaign.objects.filter(pk=campaign.pk).update(status=old)
    client.force_login(manager)

    assert client.post(f"/surveys/acme-2026-q4/status/{new}/").status_code == 404
    assert SurveyCampaign.objects.get().status == old


# --- the people to ask -----------------------------------------------------------------------------------------------


def invite(client, people):
    return client.post("/surveys/acme-2026-q4/invite/", {"people": people}, follow=True)


def invited(campaign):
    return list(SurveyInvitation.objects.filter(campaign=campaign).order_by("email").values_list("name", "email"))


def test_the_hint_shows_the_name_and_address_form_as_text(client, manager, campaign):
    client.force_login(manager)
    page = client.get("/surveys/acme-2026-q4/").text
    assert "One per line: an e-mail address, or &quot;Name &lt;e-mail&gt;&quot;." in page


def test_manager_adds_people_as_plain_addresses_or_name_and_address(client, manager, campaign):
    client.force_login(manager)

    response = invite(client, "ann@acme.example\n\n  Kim Minsu <Minsu.Kim@Acme.example>  \n")

    assert invited(campaign) == [("", "ann@acme.example"), ("Kim Minsu", "minsu.kim@acme.example")]
    assert "2 people added." in page_text(response)
    # Name and address each in a column of their own, without the brackets they were typed with.
    assert [row[:2] for row in table_rows(response.text, "invitations")] == [
        ["—", "ann@acme.example"],
        ["Kim Minsu", "minsu.kim@acme.example"],
    ]
    assert "&lt;" not in response.text.split('id="invitations"')[1].split("</table>")[0]


def test_a_line_that_is_not_an_address_is_named_and_nobody_is_added(client, manager, campaign):
    client.force_login(manager)

    typed = "ann@acme.example\nKim Minsu minsu@acme.example\nbob@acme.example\nsomeone at acme"
    response = invite(client, typed)

    assert response.status_code == 200
    assert response.redirect_chain == []  # the page is shown again, not left for a blank one
    assert field_error(response, "id_people") == (
        "Line 2 is not an e-mail address: Kim Minsu minsu@acme.example Line 4 is not an e-mail address: someone at acme"
    )
    assert "Nobody was added." in page_text(response)
    # Every line as it was typed, the good ones too, ready to be corrected.
    assert f'id="id_people">\n{typed}</textarea>' in response.text
    assert invited(campaign) == []


def test_people_already_invited_are_not_added_twice(client, manager, campaign):
    client.force_login(manager)
    invite(client, "ann@acme.example")

    response = invite(client, "ANN@acme.example\nAnn Lee <ann@acme.example>\ncho@acme.example\ncho@acme.example")

    assert invited(campaign) == [("", "ann@acme.example"), ("", "cho@acme.example")]
    assert "1 person added." in page_text(response)


def test_an_empty_list_adds_nobody(client, manager, campaign):
    client.force_login(manager)

    response = invite(client, "  \n")

    assert response.status_code == 200
    assert field_error(response, "id_people") == "This field is required."
    assert invited(campaign) == []


# --- sending the links -----------------------------------------------------------------------------------------------


@pytest.fixture
def two_invited(campaign):
    return [
        InvitationFactory(campaign=campaign, email="ann@acme.example", name="Ann Lee"),
        InvitationFactory(campaign=campaign, email="cho@acme.example"),
    ]


def test_each_person_gets_one_email_with_a_personal_link(client, campaign, two_invited, settings):
    settings.SLM_PORTAL_URL = "https://slm.example/"

    assert send_invitations(campaign.pk) == 2

    assert sorted(message.to[0] for message in mail.outbox) == ["ann@acme.example", "cho@acme.example"]
    assert all(len(message.to) == 1 for message in mail.outbox)
    assert "how do you rate our services? (2026-Q4)" in mail.outbox[0].subject
    ann = next(message for message in mail.outbox if message.to == ["ann@acme.example"])
    assert ann.body.startswith("Dear Ann Lee,")
    assert "Thank you!" in ann.body  # the campaign's message
    closes = timezone.localtime(campaign.closes_at)
    until = f"until {closes.day} {closes:%b %Y, %H:%M} KST."  # the portal's one format, one full stop
    assert until in " ".join(ann.body.split())
    links = [links_in(message)[0] for message in mail.outbox]
    assert all(url.startswith("https://slm.example/survey/") for url, _token in links)
    assert len({token for _url, token in links}) == 2
    for url, token in links:
        invitation = SurveyInvitation.objects.get(token_hash=hash_survey_token(token))
        assert invitation.sent_at is not None
        assert client.get(url.removeprefix("https://slm.example")).status_code == 200


def test_sending_twice_sends_nothing_new(campaign, two_invited):
    send_invitations(campaign.pk)
    hashes = set(SurveyInvitation.objects.values_list("token_hash", flat=True))

    assert send_invitations(campaign.pk) == 0

    assert len(mail.outbox) == 2
    assert set(SurveyInvitation.objects.values_list("token_hash", flat=True)) == hashes


def test_only_people_added_since_the_last_sending_are_sent_a_link(campaign, two_invited):
    send_invitations(campaign.pk)
    InvitationFactory(campaign=campaign, email="dae@acme.example")

    assert send_invitations(campaign.pk) == 1

    assert mail.outbox[-1].to == ["dae@acme.example"]


def test_resending_issues_new_links_and_the_old_ones_stop_working(client, campaign, two_invited):
    send_invitations(campaign.pk)
    old = [links_in(message)[0][1] for message in mail.outbox]

    assert send_invitations(campaign.pk, resend=True) == 2

    new = [links_in(message)[0][1] for message in mail.outbox[2:]]
    assert not set(old) & set(new)
    for token in old:
        assert client.get(f"/survey/{token}/").status_code == 404
    for token in new:
        assert client.get(f"/survey/{token}/").status_code == 200


def test_the_send_button_queues_the_sending_for_an_open_campaign(
    client, manager, campaign, two_invited, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the task runs in this process, after the view's commit
    client.force_login(manager)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post("/surveys/acme-2026-q4/send/")

    assert response["Location"] == "/surveys/acme-2026-q4/"
    assert len(callbacks) == 1
    assert sorted(message.to[0] for message in mail.outbox) == ["ann@acme.example", "cho@acme.example"]
    assert not SurveyInvitation.objects.filter(sent_at__isnull=True).exists()


@pytest.mark.parametrize(
    ("portal_url", "is_set", "expected"),
    [
        ("http://127.0.0.1:8000", False, "http://portal.lan:8101/survey/"),  # the address the manager reached
        ("https://slm.example.com", True, "https://slm.example.com/survey/"),  # SLM_PORTAL_URL, set, wins
    ],
    ids=["from-the-page", "set-wins"],
)
def test_the_send_button_links_to_the_address_the_portal_was_reached_at_unless_one_is_set(
    client, manager, campaign, two_invited, settings, django_capture_on_commit_callbacks, portal_url, is_set, expected
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.ALLOWED_HOSTS = ["portal.lan"]
    settings.SLM_PORTAL_URL, settings.SLM_PORTAL_URL_IS_SET = portal_url, is_set
    client.force_login(manager)

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/surveys/acme-2026-q4/send/", HTTP_HOST="portal.lan:8101")

    links = [links_in(message)[0] for message in mail.outbox]
    assert len(links) == 2
    for url, token in links:
        assert url == f"{expected}{token}/"


def test_a_draft_campaign_sends_nothing(client, manager, campaign, two_invited, django_capture_on_commit_callbacks):
    SurveyCampaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.DRAFT)
    client.force_login(manager)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post("/surveys/acme-2026-q4/send/", follow=True)

    assert "Open the survey before sending its invitations." in page_text(response)
    assert callbacks == []
    assert mail.outbox == []


# --- a real SMTP server ----------------------------------------------------------------------------------------------


@pytest.mark.integration
def test_the_invitation_arrives_over_smtp_with_a_working_link(client, campaign, smtp_inbox, settings):
    settings.SLM_PORTAL_URL = "http://portal.example"
    InvitationFactory(campaign=campaign, email="ann@acme.example", name="Ann Lee")

    assert send_invitations(campaign.pk) == 1

    [(recipients, message)] = smtp_inbox.messages
    assert recipients == ["ann@acme.example"]
    assert message["To"] == "ann@acme.example"
    assert "(2026-Q4)" in message["Subject"]
    [(url, token)] = links_in(message)
    assert url == f"http://portal.example/survey/{token}/"
    assert SurveyInvitation.objects.get().token_hash == hash_survey_token(token)
    assert client.get(f"/survey/{token}/").status_code == 200


@pytest.mark.integration
def test_a_refused_invitation_stays_unsent_and_goes_out_with_the_next_sending(campaign, smtp_inbox):
    InvitationFactory(campaign=campaign, email="ann@acme.example")
    InvitationFactory(campaign=campaign, email="cho@acme.example")
    smtp_inbox.refused = {"ann@acme.example"}

    with pytest.raises(smtplib.SMTPRecipientsRefused):
        send_invitations(campaign.pk)

    assert not SurveyInvitation.objects.filter(sent_at__isnull=False).exists()
    smtp_inbox.refused = set()
    assert send_invitations(campaign.pk) == 2
    assert sorted(recipients[0] for recipients, _message in smtp_inbox.messages) == [
        "ann@acme.example",
        "cho@acme.example",
    ]
