"""Every requirements analysis page climbs the permission ladder (see tests/ladder.py): anonymous -> login, the
outsider (bob, customer B) -> 404 on A's rows, the read-only owner (alice, customer A) -> 403 on writes, the service
manager -> allowed. Exceptions are listed with their reasons."""

import pytest

from tests.factories import ServiceFactory
from tests.ladder import Rung, climb
from tests.requirements_analysis.factories import CampaignFactory, RequirementFactory, invitation_with_token

pytestmark = pytest.mark.django_db

REQUIREMENT = "req-acme0001"
SURVEY = "/surveys/acme-2026-q4"


@pytest.fixture
def estate(agreement_a):
    """A requirement of customer A and a draft survey of A over A's service."""
    service = ServiceFactory(code="online-banking", name="Online banking")
    agreement_a.services.add(service)
    RequirementFactory(code=REQUIREMENT, customer=agreement_a.customer, service=service)
    return CampaignFactory(code="acme-2026-q4", customer=agreement_a.customer, services=[service], status="draft")


PAGES = [
    Rung("/requirements/", scoped=False),
    # Exception: customer users write requirements for their own organisation, so the "read-only" owner and the
    # outsider (a customer user too) both get the form (and, posting nothing, its errors) instead of a 403.
    Rung("/requirements/new/", scoped=False),
    Rung("/requirements/new/", scoped=False, method="post"),
    Rung(f"/requirements/{REQUIREMENT}/"),
    Rung(f"/requirements/{REQUIREMENT}/edit/", write=True),
    Rung(f"/requirements/{REQUIREMENT}/edit/", write=True, method="post"),
    Rung(f"/requirements/{REQUIREMENT}/targets/", write=True),
    Rung(f"/requirements/{REQUIREMENT}/targets/", write=True, method="post"),
    Rung(f"/requirements/{REQUIREMENT}/status/analysed/", write=True),
    Rung(f"/requirements/{REQUIREMENT}/status/analysed/", write=True, method="post"),
    Rung("/surveys/", scoped=False),
    Rung("/surveys/new/", write=True, scoped=False),
    Rung("/surveys/new/", write=True, scoped=False, method="post"),
    Rung(f"{SURVEY}/"),
    Rung(f"{SURVEY}/edit/", write=True),
    Rung(f"{SURVEY}/edit/", write=True, method="post"),
    Rung(f"{SURVEY}/invite/", write=True, method="post"),
    Rung(f"{SURVEY}/send/", write=True, method="post"),
    Rung(f"{SURVEY}/status/open/", write=True, method="post"),
    # Exception: the priorities page reads every customer's requirements, so it is the service managers' alone:
    # customer users get 403 on reading it, as a read-only user does on a write.
    Rung("/priorities/", scoped=False, write=True),
]

# What the manager gets when the ladder's last step posts an empty body:
MANAGER_STATUS = {
    # the targets page only saves links; a GET goes back to the requirement
    (f"/requirements/{REQUIREMENT}/targets/", "get"): 302,
    (f"/requirements/{REQUIREMENT}/targets/", "post"): 302,
    # proposed -> analysed needs nothing more: it is recorded
    (f"/requirements/{REQUIREMENT}/status/analysed/", "post"): 302,
    # an empty list of people is the survey page again, with the field's error
    (f"{SURVEY}/invite/", "post"): 200,
    # sending a draft survey comes back to the survey page with an error message
    (f"{SURVEY}/send/", "post"): 302,
    (f"{SURVEY}/status/open/", "post"): 302,
}


@pytest.mark.parametrize("rung", PAGES, ids=lambda rung: f"{rung.method.upper()} {rung.url}")
def test_permission_ladder(client, rung, estate, alice, bob, manager):
    climb(
        client,
        rung,
        owner=alice,
        outsider=bob,
        manager=manager,
        allowed_status=MANAGER_STATUS.get((rung.url, rung.method), 200),
    )


@pytest.mark.parametrize("url", [f"{SURVEY}/invite/", f"{SURVEY}/send/", f"{SURVEY}/status/open/"])
def test_actions_answer_only_posts(client, estate, manager, url):
    client.force_login(manager)

    assert client.get(url).status_code == 405


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/requirements/", 200),
        (f"/requirements/{REQUIREMENT}/", 404),
        ("/requirements/new/", 403),
        ("/surveys/", 200),
        (f"{SURVEY}/", 404),
        ("/priorities/", 403),
    ],
)
def test_a_person_without_customer_or_role_sees_nothing(client, estate, nobody, url, expected):
    client.force_login(nobody)

    response = client.get(url)

    assert response.status_code == expected
    if expected == 200:  # the lists list none of customer A's rows
        assert REQUIREMENT not in response.text
        assert "acme-2026-q4" not in response.text


def test_the_public_survey_page_needs_no_login(client, estate):
    estate.status = "open"
    estate.save()
    _invitation, token = invitation_with_token(campaign=estate)

    response = client.get(f"/survey/{token}/")

    assert response.status_code == 200
    assert 'id="survey-form"' in response.text


def test_the_survey_link_works_whoever_is_logged_in(client, estate, bob):
    # The link is the credential: a person who happens to be logged in as someone else still answers as the invitee.
    estate.status = "open"
    estate.save()
    _invitation, token = invitation_with_token(campaign=estate)
    client.force_login(bob)

    assert client.get(f"/survey/{token}/").status_code == 200
