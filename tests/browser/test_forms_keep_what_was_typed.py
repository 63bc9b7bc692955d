"""Forms keep what was typed, in the browser: a list of people with one bad line comes back whole, the bad line named,
and nobody is added until it is right; the invited list shows names and addresses in columns of their own; a CSV
file with a bad line says it was rejected and why, offers no button to store it, and stores nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from monitoring.models import Measurement
from requirements_analysis.choices import CampaignStatus
from requirements_analysis.models import SurveyInvitation
from tests.browser.conftest import log_in
from tests.factories import ServiceFactory
from tests.monitoring.factories import ThresholdIndicatorFactory
from tests.requirements_analysis.factories import CampaignFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def campaign(customer_a):
    now = timezone.now()
    return CampaignFactory(
        customer=customer_a,
        code="acme-2026-q4",
        services=[ServiceFactory()],
        status=CampaignStatus.OPEN,
        opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=14),
    )


def test_people_with_one_bad_line_come_back_as_typed_and_are_added_once_corrected(new_page, manager, campaign):
    page = log_in(new_page(), "manager")
    page.goto("/surveys/acme-2026-q4/")
    typed = "Kim Minsu <minsu.kim@acme.example>\nann@acme.example\nLee Jiwoo jiwoo@acme.example"

    page.fill("#id_people", typed)
    page.click("#add-people")

    page.wait_for_selector("#id_people.is-invalid")
    assert page.input_value("#id_people") == typed  # every line, the good ones too
    assert page.locator("#id_people_error").inner_text() == (
        "Line 3 is not an e-mail address: Lee Jiwoo jiwoo@acme.example"
    )
    assert page.locator("#invite-refused").inner_text() == "Nobody was added."
    assert page.locator("#invitations tbody").inner_text().strip() == "Nobody yet."
    assert not SurveyInvitation.objects.exists()

    # Correct the one line, where it is.
    page.fill("#id_people", typed.replace("Lee Jiwoo jiwoo@", "Lee Jiwoo <jiwoo@") + ">")
    page.click("#add-people")

    page.wait_for_selector("text=3 people added.")
    rows = [row.locator("td").all_inner_texts()[:2] for row in page.locator("#invitations tbody tr").all()]
    assert rows == [
        ["—", "ann@acme.example"],
        ["Lee Jiwoo", "jiwoo@acme.example"],
        ["Kim Minsu", "minsu.kim@acme.example"],
    ]
    assert "<" not in page.locator("#invitations").inner_text()
    assert page.input_value("#id_people") == ""  # added: the box is ready for more


def test_a_csv_file_with_a_bad_line_says_it_was_rejected_and_why(new_page, manager, agreement_a):
    indicator = ThresholdIndicatorFactory(code="acme-probe", name="Acme probe", service=agreement_a.services.first())
    page = log_in(new_page(), "manager")
    page.goto("/indicators/acme-probe/upload/")
    content = b"t,value\n2026-03-02T09:00:00Z,1\n2026-03-02T09:01:00,1\n2026-03-02T09:02:00Z,up\n"

    page.set_input_files("#id_file", files=[{"name": "march.csv", "mimeType": "text/csv", "buffer": content}])
    page.get_by_role("button", name="Check the file").click()

    page.wait_for_selector("#upload-rejected")
    assert page.locator("#upload-status").inner_text() == "Rejected"
    assert page.locator("#upload-rejected").inner_text() == "The file was rejected for 2 problems; nothing was stored."
    lines = [row.locator("td").first.inner_text() for row in page.locator("#upload-errors tbody tr").all()]
    assert lines == ["3", "4"]
    assert page.locator("#store-upload").count() == 0
    assert "Waiting for confirmation" not in page.content()

    page.goto(indicator.get_absolute_url())
    assert "march.csv · Rejected" in page.locator("body").inner_text()
    assert Measurement.objects.count() == 0
