"""Django admin: the pages that answered 500 once, and what they answer now."""

import pytest
from django.contrib.auth import get_user_model

from monitoring.models import CsvUpload, Indicator, OpenSloMetadata
from slm_portal.models import Heartbeat
from tests.monitoring.factories import ThresholdIndicatorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.com", "x"))
    return client


def indicator_form(indicator, **changes):
    return {
        "service": indicator.service_id,
        "code": indicator.code,
        "name": indicator.name,
        "kind": indicator.kind,
        "unit": indicator.unit,
        "operator": indicator.operator,
        "threshold": indicator.threshold,
        "description": "",
        "pause_categories": "[]",
        "warning_points": "[]",
        # The inline of a ticket indicator's goals (none here).
        "ticket_goals-TOTAL_FORMS": "0",
        "ticket_goals-INITIAL_FORMS": "0",
        "_save": "Save",
    } | changes


@pytest.mark.parametrize(("field", "message"), [("threshold", "needs a threshold"), ("operator", "needs an operator")])
def test_a_threshold_indicator_saved_without_its_threshold_shows_the_error_and_keeps_the_row(
    admin_client, field, message
):
    indicator = ThresholdIndicatorFactory(code="uptime", threshold=1)
    response = admin_client.post(
        f"/admin/monitoring/indicator/{indicator.pk}/change/", indicator_form(indicator, **{field: ""})
    )
    assert response.status_code == 200
    assert f"A threshold indicator {message}." in response.text
    indicator.refresh_from_db()
    assert (indicator.operator, indicator.threshold) == ("gte", 1)


def test_an_indicator_without_a_threshold_still_has_a_name():
    assert str(Indicator(name="Uptime", kind="threshold", operator="gte", threshold=None)) == "Uptime"


def test_a_ratio_indicator_saved_in_the_admin_drops_any_threshold(admin_client):
    indicator = ThresholdIndicatorFactory(code="uptime", threshold=1)
    indicator.kind, indicator.operator, indicator.threshold = "ratio", "", None
    indicator.save()
    response = admin_client.post(
        f"/admin/monitoring/indicator/{indicator.pk}/change/", indicator_form(indicator, operator="lt", threshold=5)
    )
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert (indicator.kind, indicator.operator, indicator.threshold) == ("ratio", "", None)


@pytest.mark.parametrize(
    ("url", "model"),
    [
        ("slm_portal/heartbeat", Heartbeat),
        ("monitoring/csvupload", CsvUpload),
        ("monitoring/openslometadata", OpenSloMetadata),
    ],
)
def test_rows_the_portal_writes_itself_cannot_be_added_in_the_admin(admin_client, url, model):
    assert admin_client.get(f"/admin/{url}/add/").status_code == 403
    assert admin_client.post(f"/admin/{url}/add/", {"_save": "Save"}).status_code == 403
    assert model.objects.count() == 0
    assert admin_client.get(f"/admin/{url}/").status_code == 200
