"""The surveys API (/api/v1/surveys): campaigns and their results, read only. The results are the survey page's
(``analysis.campaign_results``): means of the ratings given, N/A left out, to two places; the customer's people read
their organisation's, as on the page. Who was invited (addresses, link hashes) is never in an answer."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from requirements_analysis.choices import CampaignStatus, Category
from tests.api_ladder import Call, climb
from tests.factories import ServiceFactory
from tests.requirements_analysis.factories import CampaignFactory, InvitationFactory, ResponseFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/surveys"


def client_of(user):
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def banking():
    return ServiceFactory(code="online-banking", name="Online banking")


@pytest.fixture
def cards():
    return ServiceFactory(code="cards", name="Cards")


@pytest.fixture
def campaign(customer_a, banking, cards):
    """Three invited, two answered: overall 5 and 4; Online banking 2 and N/A, Cards 5 and 4; availability rated
    (5, 2) and (N/A, 4)."""
    campaign = CampaignFactory(code="acme-2026-q4", customer=customer_a, services=[banking, cards])
    ResponseFactory(
        invitation=InvitationFactory(campaign=campaign, email="kim@acme.example"),
        overall_satisfaction=5,
        csat={banking: 2, cards: 5},
        categories={Category.AVAILABILITY: (5, 2)},
        comment="Salary day was slow.",
    )
    ResponseFactory(
        invitation=InvitationFactory(campaign=campaign, email="lee@acme.example"),
        overall_satisfaction=4,
        csat={banking: None, cards: 4},
        categories={Category.AVAILABILITY: (None, 4)},
    )
    InvitationFactory(campaign=campaign, email="park@acme.example")
    return campaign


def test_list_and_detail_ladder(alice, bob, manager, campaign, customer_b):
    CampaignFactory(code="globex-2026-q4", customer=customer_b)
    listed = climb(Call("get", LIST, scoped=False), owner=alice, outsider=bob, manager=manager)
    assert sorted(row["code"] for row in listed.data["results"]) == ["acme-2026-q4", "globex-2026-q4"]
    assert [row["code"] for row in client_of(alice).get(LIST).data["results"]] == ["acme-2026-q4"]
    assert [row["code"] for row in client_of(bob).get(LIST).data["results"]] == ["globex-2026-q4"]
    detail = climb(Call("get", f"{LIST}/{campaign.code}"), owner=alice, outsider=bob, manager=manager)
    assert (detail.data["customer"], detail.data["status"]) == ("acme", "open")
    assert sorted(detail.data["services"]) == ["cards", "online-banking"]


def test_the_results_are_the_survey_pages(alice, campaign):
    results = client_of(alice).get(f"{LIST}/{campaign.code}").data["results"]
    assert (results["invited"], results["answered"], results["response_rate"]) == (3, 2, "66.7")
    assert results["overall"] == {"mean": "4.50", "ratings": 2}
    assert [dict(row) for row in results["services"]] == [
        {"service": "Cards", "csat": "4.50", "ratings": 2, "not_applicable": 0},
        {"service": "Online banking", "csat": "2.00", "ratings": 1, "not_applicable": 1},
    ]
    assert [dict(row) for row in results["categories"]] == [
        {"category": "availability", "label": "Availability", "importance": "5.00", "performance": "3.00", "ratings": 2}
    ]
    assert [row["comment"] for row in results["comments"]] == ["Salary day was slow."]


def test_a_survey_nobody_answered_has_no_means(manager, customer_a):
    empty = CampaignFactory(code="acme-empty", customer=customer_a)
    results = client_of(manager).get(f"{LIST}/{empty.code}").data["results"]
    assert (results["invited"], results["answered"], results["response_rate"]) == (0, 0, None)
    assert results["overall"] == {"mean": None, "ratings": 0}


def test_who_was_invited_is_never_shown(alice, manager, campaign):
    for client in (client_of(alice), client_of(manager)):
        for address in (LIST, f"{LIST}/{campaign.code}"):
            body = client.get(address).content.decode()
            assert "acme.example" not in body
            for invitation in campaign.invitations.all():
                assert invitation.token_hash not in body


def test_surveys_are_read_only_here(manager, alice, campaign):
    assert APIClient().post(LIST, {}, format="json").status_code == 401
    assert client_of(manager).post(LIST, {"code": "new"}, format="json").status_code == 405
    assert client_of(manager).patch(f"{LIST}/{campaign.code}", {"title": "x"}, format="json").status_code == 405
    assert client_of(manager).delete(f"{LIST}/{campaign.code}").status_code == 405
    campaign.refresh_from_db()
    assert campaign.title != "x"


def test_filters_ordering_and_cursor_paging(manager, customer_a, customer_b):
    now = timezone.now()
    for number, customer in enumerate([customer_a, customer_a, customer_b]):
        CampaignFactory(
            code=f"survey-{number}",
            customer=customer,
            opens_at=now - dt.timedelta(days=30 - number),
            status=CampaignStatus.CLOSED if number == 0 else CampaignStatus.OPEN,
        )
    client = client_of(manager)
    assert [row["code"] for row in client.get(LIST, {"status": "closed"}).data["results"]] == ["survey-0"]
    assert [row["code"] for row in client.get(LIST, {"customer": "globex"}).data["results"]] == ["survey-2"]
    assert [row["code"] for row in client.get(LIST).data["results"]] == ["survey-2", "survey-1", "survey-0"]
    oldest_first = client.get(LIST, {"ordering": "opens_at"}).data["results"]
    assert [row["code"] for row in oldest_first] == ["survey-0", "survey-1", "survey-2"]
    first = client.get(LIST, {"page_size": 1})
    assert [row["code"] for row in first.data["results"]] == ["survey-2"]
    second = client.get(first.data["next"])
    assert [row["code"] for row in second.data["results"]] == ["survey-1"]


def test_the_schema_lists_the_survey_paths_and_their_results(manager):
    schema = client_of(manager).get("/api/schema/?format=json").json()
    assert set(schema["paths"]["/api/v1/surveys"]) == {"get"}
    assert set(schema["paths"]["/api/v1/surveys/{code}"]) == {"get"}
    assert "results" in schema["components"]["schemas"]["SurveyDetail"]["properties"]
