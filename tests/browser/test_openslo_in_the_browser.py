"""OpenSLO in the browser: the manager downloads the agreement's file from its page, uploads a changed copy, reads
the preview (in English and in Korean) and imports it; a file that cannot map shows its YAML paths."""

import pytest
from django.urls import reverse

from agreements.models import ServiceLevelTarget
from monitoring.openslo.exporting import export_text
from tests.browser.conftest import log_in, overflow, screenshot
from tests.factories import ServiceFactory
from tests.monitoring.factories import IndicatorFactory, TargetIndicatorFactory
from tests.monitoring.openslo_files import SPEC_EXAMPLE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def measured(agreement_a):
    service = ServiceFactory(code="checkout", name="Checkout")
    agreement_a.services.add(service)
    TargetIndicatorFactory(
        target=agreement_a.targets.get(code="availability"),
        indicator=IndicatorFactory(code="checkout-requests", name="Checkout requests", service=service),
    )
    return agreement_a


def upload(page, agreement, tmp_path, text, name="acme.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    page.goto(reverse("monitoring:openslo_import", kwargs={"code": agreement.code}))
    page.set_input_files("#id_file", str(path))
    page.click("#check-openslo")
    page.wait_for_url("**/openslo/import/preview/")


def test_manager_previews_then_imports_a_changed_file(new_page, measured, manager, tmp_path):
    page = log_in(new_page(viewport=DESKTOP), "manager")
    page.goto(measured.get_absolute_url())
    with page.expect_download() as download:
        page.get_by_role("link", name="OpenSLO export").click()
    exported = download.value.path().read_text(encoding="utf-8")
    assert exported == export_text(measured)

    upload(page, measured, tmp_path, exported.replace("target: 0.999\n", "target: 0.9995\n"))
    assert page.locator("#openslo-summary").inner_text() == "Importing makes 1 change, marked below."
    changed = page.locator("#openslo-preview tr.table-warning")
    assert changed.count() == 1
    assert changed.inner_text().split("\t") == [
        "#4 spec.objectives[0].target",
        "service level target: objective (%)",
        "99.9",
        "99.95",
    ]
    assert overflow(page) == {"scroll": 0, "over": []}
    screenshot(page, "openslo-preview-1366-en")
    assert str(ServiceLevelTarget.objects.get(code="availability").objective) == "99.900"

    korean = log_in(new_page(viewport=DESKTOP, locale="ko-KR"), "manager")
    upload(korean, measured, tmp_path, exported.replace("target: 0.999\n", "target: 0.9995\n"))
    assert korean.locator("#openslo-summary").inner_text() == "가져오면 1건이 바뀝니다. 아래에 표시했습니다."
    screenshot(korean, "openslo-preview-1366-ko")

    page.click("#confirm-openslo")
    page.wait_for_url(measured.get_absolute_url())
    assert "OpenSLO file imported: 1 changes." in page.inner_text("body")
    assert str(ServiceLevelTarget.objects.get(code="availability").objective) == "99.950"


def test_a_file_that_cannot_map_lists_its_paths(new_page, measured, manager, tmp_path):
    page = log_in(new_page(viewport=DESKTOP), "manager")
    upload(page, measured, tmp_path, SPEC_EXAMPLE.replace("duration: 1M", "duration: 2w"))
    rows = page.locator("#openslo-problems tbody tr")
    assert rows.count() == 1
    assert rows.first.inner_text().startswith("#3 spec.timeWindow[0].duration")
    assert page.locator("#confirm-openslo").count() == 0
    screenshot(page, "openslo-refused-1366-en")
