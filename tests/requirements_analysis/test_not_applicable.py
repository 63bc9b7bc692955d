"""Ratings left "not applicable": stored as NULL and left out of every mean and count of ratings — the campaign's
results, the priorities' performance and CSAT, the watermelon flag, the IPA chart and the review pack's CSV.

Known answers, worked by hand: a mean counts only the ratings given, so (2, N/A, 5) is 3.50, not 7 / 3 = 2.33
(N/A as nothing) nor (2 + 0 + 5) / 3 (N/A as zero).
"""

import csv
import io
from decimal import Decimal

import pytest

from requirements_analysis import analysis, scoring
from requirements_analysis.choices import Category
from tests.agreements.page_checks import page_text
from tests.factories import ServiceFactory
from tests.requirements_analysis.factories import (
    CampaignFactory,
    InvitationFactory,
    ResponseFactory,
    measured_service,
)

pytestmark = pytest.mark.django_db
D = Decimal


# --- the arithmetic (scoring.py, no database) -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ratings", "expected"),
    [
        ([5, None, 2], D("3.5")),
        ([2, None, 5, None], D("3.5")),
        ([None, 4], D(4)),
        ([1, 2, 2], D(5) / D(3)),
        ([None, None], None),
        ([], None),
    ],
)
def test_a_mean_rating_counts_only_the_ratings_given(ratings, expected):
    assert scoring.mean_rating(ratings) == expected


def test_the_ratings_given_are_counted_without_the_not_applicable_ones():
    assert scoring.given([5, None, 2, None]) == 2
    assert scoring.given([None]) == 0


# --- one campaign's results --------------------------------------------------------------------------------------


@pytest.fixture
def banking():
    return ServiceFactory(code="online-banking", name="Online banking")


@pytest.fixture
def desk():
    return ServiceFactory(code="service-desk", name="Service desk")


@pytest.fixture
def campaign(customer_a, banking, desk):
    """Three answers: banking 2, N/A, 5 (3.50 from 2, 1 N/A); the desk N/A, N/A, 3 (3.00 from 1, 2 N/A); overall 3, 4
    and one given before the survey asked it (3.50 from 2); availability importance 5, N/A, 4 (4.50) and performance
    N/A, 2, 3 (2.50); security N/A on both sides in one answer and (4, 4) in another."""
    campaign = CampaignFactory(customer=customer_a, code="acme-na", services=[banking, desk])
    answers = [
        (3, {banking: 2, desk: None}, {Category.AVAILABILITY: (5, None), Category.SECURITY: (None, None)}),
        (4, {banking: None, desk: None}, {Category.AVAILABILITY: (None, 2), Category.SECURITY: (4, 4)}),
        (None, {banking: 5, desk: 3}, {Category.AVAILABILITY: (4, 3)}),
    ]
    for overall, csat, categories in answers:
        ResponseFactory(
            invitation=InvitationFactory(campaign=campaign),
            overall_satisfaction=overall,
            csat=csat,
            categories=categories,
        )
    return campaign


def test_the_results_leave_not_applicable_out_of_every_mean(campaign):
    results = analysis.campaign_results(campaign)

    assert results["overall"] == {"mean": D("3.50"), "ratings": 2}
    assert results["services"] == [
        {"service": "Online banking", "csat": D("3.50"), "ratings": 2, "not_applicable": 1},
        {"service": "Service desk", "csat": D("3.00"), "ratings": 1, "not_applicable": 2},
    ]
    availability, security = results["categories"]
    assert (availability["importance"], availability["performance"], availability["ratings"]) == (
        D("4.50"),
        D("2.50"),
        3,
    )
    assert (security["importance"], security["performance"], security["ratings"]) == (D("4.00"), D("4.00"), 1)


def test_a_service_nobody_rated_shows_no_mean_rather_than_zero(customer_a, banking, desk):
    campaign = CampaignFactory(customer=customer_a, services=[banking, desk])
    ResponseFactory(invitation=InvitationFactory(campaign=campaign), csat={banking: 4, desk: None})

    services = analysis.campaign_results(campaign)["services"]

    assert services[1] == {"service": "Service desk", "csat": None, "ratings": 0, "not_applicable": 1}


def test_the_results_page_shows_the_means_and_the_not_applicable_counts(client, manager, campaign):
    client.force_login(manager)

    text = page_text(client.get("/surveys/acme-na/"))

    assert "Overall satisfaction: 3.50 of 5, from 2 answers." in text
    assert "Online banking 3.50 2 1" in text
    assert "Service desk 3.00 1 2" in text
    assert "Availability 4.50 2.50 3" in text
    assert "Means count the ratings given: a rating left “not applicable” is left out." in text


# --- the priorities page: performance, CSAT, watermelons, IPA ---------------------------------------------------


def test_the_priorities_leave_not_applicable_csat_out_of_performance_and_ratings(manager, customer_a, campaign):
    views = {view.service.code: view for view in analysis.service_views(manager, customer_a.pk)}

    assert (views["online-banking"].csat, views["online-banking"].ratings) == (D("3.50"), 2)
    assert (views["service-desk"].csat, views["service-desk"].ratings) == (D("3.00"), 1)
    assert views["online-banking"].performance == D("3.50")  # no open requirement: the CSAT ratings alone


def test_a_service_rated_only_not_applicable_is_not_ranked_for_its_ratings(manager, customer_a, desk):
    campaign = CampaignFactory(customer=customer_a, services=[desk])
    ResponseFactory(invitation=InvitationFactory(campaign=campaign), csat={desk: None})

    assert analysis.service_views(manager, customer_a.pk) == []


def test_the_watermelon_reads_the_ratings_given_only(client, manager, customer_a, desk):
    """The desk's SLA is met; its users rate it 3 and N/A twice: CSAT 3.00, no watermelon (N/A counted as 0 would
    make it 1.00, a watermelon)."""
    measured_service(desk, customer_a, {"2026-11": 0})
    campaign = CampaignFactory(customer=customer_a, services=[desk])
    for value in (3, None, None):
        ResponseFactory(invitation=InvitationFactory(campaign=campaign), csat={desk: value})
    client.force_login(manager)

    [view] = analysis.service_views(manager, customer_a.pk)

    assert (view.csat, view.ratings, view.flag) == (D("3.00"), 1, None)
    assert 'id="watermelons"' not in client.get("/priorities/").text


def test_the_ipa_point_of_a_category_is_the_mean_of_each_side_given(manager, customer_a, campaign):
    points = {point["category"]: point for point in analysis.ipa_points(manager, customer_a.pk)}

    # availability: importance (5 + 4) / 2 = 4.50, performance (2 + 3) / 2 = 2.50 -> concentrate here.
    assert points["availability"] == {
        "category": "availability",
        "importance": D("4.50"),
        "performance": D("2.50"),
        "ratings": 3,
        "quadrant": "concentrate",
    }
    # security: the answer with both sides N/A is left out entirely.
    assert (points["security"]["importance"], points["security"]["ratings"]) == (D("4.00"), 1)


def test_a_category_with_one_side_never_given_has_no_place_on_the_chart(manager, customer_a, banking):
    campaign = CampaignFactory(customer=customer_a, services=[banking])
    ResponseFactory(invitation=InvitationFactory(campaign=campaign), categories={Category.CAPACITY: (4, None)})

    assert [point["category"] for point in analysis.ipa_points(manager, customer_a.pk)] == []


# --- the review pack's CSV ------------------------------------------------------------------------------------------


def test_the_review_pack_csv_writes_the_means_of_the_ratings_given(client, manager, customer_a, agreement_a, campaign):
    campaign.period_label = "2026-11"
    campaign.save()
    client.force_login(manager)

    response = client.get("/customers/acme/review-pack.csv?period=2026-11")

    rows = [row[1:4] for row in csv.reader(io.StringIO(response.content.decode())) if row[0] == "satisfaction"]
    assert rows == [
        ["acme-na", "overall", "3.50"],
        ["acme-na", "Online banking", "3.50"],
        ["acme-na", "Service desk", "3.00"],
    ]
    page = page_text(client.get("/customers/acme/review-pack/?period=2026-11"))
    assert "Overall satisfaction: 3.50" in page
    assert "Online banking: CSAT 3.50 (1 not applicable)" in page
    assert "Service desk: CSAT 3.00 (2 not applicable)" in page
