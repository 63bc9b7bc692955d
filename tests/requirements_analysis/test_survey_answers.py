"""Answering a survey through a personal link, and reading the results.

The issue's words: "an invalid, expired or other campaign's token answers 404 and stores nothing; a token cannot be
used to read anything but its own form; answers are editable only within the window". No login is needed: every
answer here is posted by the anonymous test client.
"""

import datetime as dt
import html
import re

import pytest
from django.utils import timezone

from requirements_analysis.choices import CampaignStatus, Category
from requirements_analysis.models import (
    CategoryRating,
    ServiceRating,
    SurveyCampaign,
    SurveyInvitation,
    SurveyResponse,
    hash_survey_token,
)
from tests.agreements.page_checks import page_text
from tests.factories import ServiceFactory
from tests.requirements_analysis.factories import (
    NA,
    CampaignFactory,
    InvitationFactory,
    ResponseFactory,
    invitation_with_token,
    survey_form_data,
    survey_rows,
)

pytestmark = pytest.mark.django_db

NOTHING = (0, 0, 0)  # responses, service ratings, category ratings


@pytest.fixture
def banking(db):
    return ServiceFactory(code="online-banking", name="Online banking")


@pytest.fixture
def mobile(db):
    return ServiceFactory(code="mobile-app", name="Mobile app")


@pytest.fixture
def campaign(customer_a, banking, mobile):
    return CampaignFactory(customer=customer_a, code="acme-2026-q4", title="Acme 2026-Q4", services=[banking, mobile])


@pytest.fixture
def other_campaign(customer_b):
    """Customer B's campaign over a service of its own: nothing of it may show through A's links."""
    warehouse = ServiceFactory(code="warehouse", name="Warehouse management")
    return CampaignFactory(customer=customer_b, code="globex-2026-q4", title="Globex survey", services=[warehouse])


@pytest.fixture
def link(campaign):
    """(invitation, token) of Ann, invited to A's campaign."""
    return invitation_with_token(campaign=campaign, email="ann@acme.example", name="Ann Lee")


def survey_url(token):
    return f"/survey/{token}/"


# --- links that do not open the form ---------------------------------------------------------------------------------


@pytest.mark.parametrize("token", ["not-a-token", "x" * 101, "A" * 43])
def test_an_invalid_token_answers_404_and_stores_nothing(client, campaign, link, token):
    assert client.get(survey_url(token)).status_code == 404
    assert client.post(survey_url(token), survey_form_data(campaign)).status_code == 404
    assert survey_rows() == NOTHING


@pytest.mark.parametrize("status", [CampaignStatus.DRAFT, CampaignStatus.CLOSED])
def test_a_link_of_a_draft_or_closed_campaign_answers_404_and_stores_nothing(client, campaign, link, status):
    SurveyCampaign.objects.filter(pk=campaign.pk).update(status=status)
    _invitation, token = link

    assert client.get(survey_url(token)).status_code == 404
    assert client.post(survey_url(token), survey_form_data(campaign)).status_code == 404
    assert survey_rows() == NOTHING


@pytest.mark.parametrize(
    ("opens", "closes"),
    [
        (dt.timedelta(days=-14), dt.timedelta(seconds=-1)),  # expired: closed a second ago
        (dt.timedelta(days=-14), dt.timedelta(0)),  # closes_at itself is outside the window
        (dt.timedelta(hours=1), dt.timedelta(days=14)),  # not open yet
    ],
    ids=["after-closes", "at-closes", "before-opens"],
)
def test_a_link_outside_the_campaigns_window_answers_404_and_stores_nothing(client, campaign, opens, closes):
    now = timezone.now()
    SurveyCampaign.objects.filter(pk=campaign.pk).update(opens_at=now + opens, closes_at=now + closes)
    _invitation, token = invitation_with_token(campaign=SurveyCampaign.objects.get(pk=campaign.pk))

    assert client.get(survey_url(token)).status_code == 404
    assert client.post(survey_url(token), survey_form_data(campaign)).status_code == 404
    assert survey_rows() == NOTHING


def test_answers_can_no_longer_be_changed_once_the_window_has_passed(client, campaign, link):
    _invitation, token = link
    client.post(survey_url(token), survey_form_data(campaign, default=4))
    SurveyCampaign.objects.filter(pk=campaign.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))

    assert client.post(survey_url(token), survey_form_data(campaign, default=1)).status_code == 404

    assert set(ServiceRating.objects.values_list("csat", flat=True)) == {4}


def test_another_campaigns_link_opens_only_that_campaigns_form(client, campaign, link, other_campaign):
    _mine, token = link
    _theirs, other_token = invitation_with_token(campaign=other_campaign, email="gil@globex.example")

    client.post(survey_url(other_token), survey_form_data(other_campaign))

    assert SurveyResponse.objects.get().invitation.campaign == other_campaign
    assert set(ServiceRating.objects.values_list("service__code", flat=True)) == {"warehouse"}
    assert "Warehouse management" not in page_text(client.get(survey_url(token)))


# --- the form --------------------------------------------------------------------------------------------------------


def test_the_page_needs_no_login_and_shows_only_its_campaigns_services(client, campaign, link, other_campaign):
    InvitationFactory(campaign=campaign, email="cho@acme.example")
    _invitation, token = link

    response = client.get(survey_url(token))

    assert response.status_code == 200
    text = page_text(response)
    assert "Acme 2026-Q4" in text
    assert [field.label for field in response.context["form"].service_fields()] == ["Mobile app", "Online banking"]
    for foreign in ("Globex", "Warehouse management", "globex-2026-q4", "cho@acme.example"):
        assert foreign not in text
    assert response["Cache-Control"].startswith("max-age=0")


def test_a_link_opens_its_own_form_and_nothing_else(client, campaign, link):
    _invitation, token = link

    # The campaign's results and the portal's pages still ask the anonymous visitor to log in.
    for url in ("/surveys/acme-2026-q4/", "/surveys/", "/requirements/", "/priorities/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    # The token is a path segment of the survey page only.
    assert client.get(f"/surveys/{token}/").status_code == 302


def test_answering_stores_one_response_with_a_rating_per_service_and_per_category(
    client, campaign, link, banking, mobile
):
    invitation, token = link
    data = survey_form_data(
        campaign,
        csat={banking: 2, mobile: 5},
        categories={Category.AVAILABILITY: (5, 2), Category.SECURITY: (4, 4)},
        comment="  The app logs me out too often.  ",
    )

    response = client.post(survey_url(token), data)

    assert 'id="survey-thanks"' in response.text
    response_row = SurveyResponse.objects.get()
    assert (response_row.invitation, response_row.comment) == (invitation, "The app logs me out too often.")
    assert dict(ServiceRating.objects.values_list("service__code", "csat")) == {"online-banking": 2, "mobile-app": 5}
    ratings = {row.category: (row.importance, row.performance) for row in CategoryRating.objects.all()}
    assert set(ratings) == set(Category.values)
    assert ratings[Category.AVAILABILITY] == (5, 2)
    assert ratings[Category.SECURITY] == (4, 4)
    assert ratings[Category.OTHER] == (4, 4)


def test_answering_again_changes_the_same_rows(client, campaign, link, banking):
    _invitation, token = link
    client.post(survey_url(token), survey_form_data(campaign, csat={banking: 2}))
    before = {
        "responses": list(SurveyResponse.objects.values_list("pk", flat=True)),
        "services": list(ServiceRating.objects.order_by("pk").values_list("pk", flat=True)),
        "categories": list(CategoryRating.objects.order_by("pk").values_list("pk", flat=True)),
    }

    page = client.get(survey_url(token))
    assert "You have answered; you can change your answers" in page_text(page)
    assert page.context["form"][f"csat_{banking.pk}"].initial == 2
    client.post(survey_url(token), survey_form_data(campaign, csat={banking: 4}, comment="Better now."))

    assert list(SurveyResponse.objects.values_list("pk", flat=True)) == before["responses"]
    assert list(ServiceRating.objects.order_by("pk").values_list("pk", flat=True)) == before["services"]
    assert list(CategoryRating.objects.order_by("pk").values_list("pk", flat=True)) == before["categories"]
    assert ServiceRating.objects.get(service=banking).csat == 4
    assert SurveyResponse.objects.get().comment == "Better now."


@pytest.mark.parametrize("overall", [None, NA, 0, 6])
def test_overall_satisfaction_is_required_and_without_it_nothing_is_stored(client, campaign, link, overall):
    _invitation, token = link

    response = client.post(survey_url(token), survey_form_data(campaign, overall=overall))

    assert response.status_code == 200
    text = page_text(response)
    assert "Please rate your overall satisfaction: it is the one question that needs an answer." in text
    assert survey_rows() == NOTHING


def test_only_overall_satisfaction_is_required_and_every_other_rating_offers_not_applicable(client, campaign, link):
    _invitation, token = link

    html = client.get(survey_url(token)).text

    # 2 services and 8 categories × (importance, performance): 18 ratings that may be N/A; overall may not.
    assert len(re.findall(r'<input type="radio" name="[a-z_0-9]+" value="na"', html)) == 18
    assert 'name="overall" value="na"' not in html
    assert len(re.findall(r'<input type="radio" name="overall" value="\d"[^>]*required', html)) == 5
    assert not re.search(r'name="(csat|importance|performance)_\w+" value="\w+"[^>]*required', html)


def test_ratings_left_out_or_not_applicable_are_stored_as_not_applicable(client, campaign, link, banking, mobile):
    invitation, token = link
    data = survey_form_data(
        campaign,
        overall=3,
        csat={banking: NA, mobile: None},
        categories={Category.AVAILABILITY: (NA, 2), Category.SECURITY: (None, None), Category.OTHER: (5, NA)},
    )

    response = client.post(survey_url(token), data)

    assert 'id="survey-thanks"' in response.text
    assert SurveyResponse.objects.get().overall_satisfaction == 3
    assert dict(ServiceRating.objects.values_list("service__code", "csat")) == {
        "online-banking": None,
        "mobile-app": None,
    }
    ratings = {row.category: (row.importance, row.performance) for row in CategoryRating.objects.all()}
    assert ratings[Category.AVAILABILITY] == (None, 2)
    assert ratings[Category.SECURITY] == (None, None)
    assert ratings[Category.OTHER] == (5, None)
    assert ratings[Category.CAPACITY] == (4, 4)


def test_an_answer_changed_to_not_applicable_is_stored_and_shown_as_such(client, campaign, link, banking):
    _invitation, token = link
    client.post(survey_url(token), survey_form_data(campaign, csat={banking: 2}))

    client.post(survey_url(token), survey_form_data(campaign, csat={banking: NA}, overall=5))

    assert ServiceRating.objects.get(service=banking).csat is None
    assert SurveyResponse.objects.get().overall_satisfaction == 5
    html = client.get(survey_url(token)).text
    assert re.search(rf'name="csat_{banking.pk}" value="na"[^>]*checked', html)
    assert re.search(r'name="overall" value="5"[^>]*checked', html)


def test_a_rating_outside_one_to_five_is_refused(client, campaign, link, banking):
    _invitation, token = link

    response = client.post(survey_url(token), survey_form_data(campaign, csat={banking: 6}))

    assert "Some answers could not be read: please choose again where marked." in page_text(response)
    assert survey_rows() == NOTHING


def test_the_comment_box_and_the_send_button_each_have_a_line_of_their_own(client, campaign, link):
    _invitation, token = link

    html = client.get(survey_url(token)).text

    comment = re.search(
        r'<div class="mt-4 mb-3">\s*<label[^>]*for="id_comment"[^>]*>.*?</label>\s*<textarea[^>]*>', html, re.S
    )
    assert comment
    assert "<button" not in comment.group(0)
    assert re.search(r'</textarea>\s*</div>\s*<div class="mb-4">\s*<button type="submit"[^>]*id="submit-survey"', html)


def test_only_the_hash_of_the_personal_token_is_stored(link):
    invitation, token = link

    stored = SurveyInvitation.objects.filter(pk=invitation.pk).values().get()
    assert stored["token_hash"] == hash_survey_token(token)
    assert len(stored["token_hash"]) == 64
    assert token not in {str(value) for value in stored.values()}


# --- results ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def answered(campaign, banking, mobile):
    """Three invited, two answered: Online banking 2 and 3 (2.50), Mobile app 4 and 5 (4.50); availability (5, 2)
    and (4, 3) -> (4.50, 2.50)."""
    ResponseFactory(
        invitation=InvitationFactory(campaign=campaign),
        csat={banking: 2, mobile: 4},
        categories={Category.AVAILABILITY: (5, 2)},
        comment="Transfers fail at month end.",
    )
    ResponseFactory(
        invitation=InvitationFactory(campaign=campaign),
        csat={banking: 3, mobile: 5},
        categories={Category.AVAILABILITY: (4, 3)},
    )
    InvitationFactory(campaign=campaign)
    return campaign


def result_rows(response, table_id):
    """The visible text of each body row of a results table."""
    body = response.text.split(f'id="{table_id}"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        " ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split()) for row in re.findall(r"<tr>(.*?)</tr>", body)
    ]


def test_results_show_the_response_rate_csat_per_service_category_means_and_comments(client, manager, answered):
    client.force_login(manager)

    response = client.get("/surveys/acme-2026-q4/")

    text = page_text(response)
    assert "2 of 3 invited people answered (66.7 %)." in text
    assert result_rows(response, "csat-per-service") == ["Mobile app 4.50 2 0", "Online banking 2.50 2 0"]
    assert result_rows(response, "category-ratings") == ["Availability 4.50 2.50 2"]
    assert "Overall satisfaction: 4.00 of 5, from 2 answers." in text
    assert "Transfers fail at month end." in text


def test_customer_reads_their_own_campaigns_results_but_not_who_was_invited(client, alice, answered):
    client.force_login(alice)

    response = client.get("/surveys/acme-2026-q4/")

    assert response.status_code == 200
    assert "2 of 3 invited people answered" in page_text(response)
    assert 'id="invitations"' not in response.text
    assert "@acme.example" not in response.text


def test_another_customers_campaign_results_answer_404(client, bob, answered, other_campaign):
    client.force_login(bob)

    assert client.get("/surveys/acme-2026-q4/").status_code == 404
    assert client.get("/surveys/globex-2026-q4/").status_code == 200
    listed = page_text(client.get("/surveys/"))
    assert "Globex survey" in listed
    assert "Acme 2026-Q4" not in listed
