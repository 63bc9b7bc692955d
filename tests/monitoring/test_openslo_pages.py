"""The OpenSLO pages (download, upload, preview, confirm) and ``manage.py openslo``."""

import hashlib
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from agreements.models import ServiceLevelTarget
from monitoring.openslo.exporting import export_text
from tests.factories import ServiceFactory
from tests.ladder import Rung, climb
from tests.monitoring.factories import IndicatorFactory, TargetIndicatorFactory
from tests.monitoring.openslo_files import BILLION_LAUGHS, SPEC_EXAMPLE


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English (pages ask for Korean where a test says so)."""
    with translation.override("en"):
        yield


@pytest.fixture
def measured(agreement_a):
    service = ServiceFactory(code="checkout", name="Checkout")
    agreement_a.services.add(service)
    TargetIndicatorFactory(
        target=agreement_a.targets.get(code="availability"),
        indicator=IndicatorFactory(code="checkout-requests", name="Checkout requests", service=service),
    )
    return agreement_a


def url(name, agreement):
    return reverse(f"monitoring:{name}", kwargs={"code": agreement.code})


def upload(client, agreement, text, name="slo.yaml"):
    data = text.encode() if isinstance(text, str) else text
    return client.post(url("openslo_import", agreement), {"file": SimpleUploadedFile(name, data)})


def test_the_permission_ladder(client, measured, alice, bob, manager):
    response = climb(client, Rung(url("openslo_export", measured)), owner=alice, outsider=bob, manager=manager)
    assert response["Content-Disposition"] == 'attachment; filename="acme-sla.openslo.yaml"'
    assert response.content.decode() == export_text(measured)
    climb(client, Rung(url("openslo_import", measured), write=True), owner=alice, outsider=bob, manager=manager)
    rung = Rung(url("openslo_preview", measured), write=True)
    climb(client, rung, owner=alice, outsider=bob, manager=manager, allowed_status=302)
    rung = Rung(url("openslo_confirm", measured), write=True, method="post")
    climb(client, rung, owner=alice, outsider=bob, manager=manager, allowed_status=302)


def test_the_agreement_page_links_export_for_its_customer_and_import_for_managers(client, measured, alice, manager):
    client.force_login(alice)
    page = client.get(measured.get_absolute_url()).content.decode()
    assert url("openslo_export", measured) in page
    assert url("openslo_import", measured) not in page
    client.force_login(manager)
    assert url("openslo_import", measured) in client.get(measured.get_absolute_url()).content.decode()


def test_upload_preview_confirm_stores_only_when_confirmed(client, measured, manager):
    client.force_login(manager)
    text = export_text(measured).replace("target: 0.999\n", "target: 0.9995\n")
    response = upload(client, measured, text)
    assert response.status_code == 302
    assert response["Location"] == url("openslo_preview", measured)
    page = client.get(url("openslo_preview", measured)).content.decode()
    assert "Importing makes 1 change, marked below." in page
    assert "spec.objectives[0].target" in page
    target = ServiceLevelTarget.objects.get(code="availability")
    assert target.objective == Decimal("99.9")  # nothing stored by the preview
    digest = hashlib.sha256(text.encode()).hexdigest()
    refused = client.post(url("openslo_confirm", measured), {"action": "store", "digest": "0" * 64})
    assert refused.status_code == 302
    target.refresh_from_db()
    assert target.objective == Decimal("99.9")
    response = client.post(url("openslo_confirm", measured), {"action": "store", "digest": digest})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.objective == Decimal("99.95")
    # The kept upload is gone: a second confirmation stores nothing more.
    again = client.post(url("openslo_confirm", measured), {"action": "store", "digest": digest})
    assert again["Location"] == url("openslo_import", measured)


def test_a_file_that_cannot_map_shows_its_paths_and_the_confirmation_stores_nothing(client, measured, manager):
    client.force_login(manager)
    text = SPEC_EXAMPLE.replace("duration: 1M", "duration: 2w")
    upload(client, measured, text)
    page = client.get(url("openslo_preview", measured)).content.decode()
    assert "#3 spec.timeWindow[0].duration" in page
    assert "nothing was stored" in page
    before = ServiceLevelTarget.objects.count()
    client.post(
        url("openslo_confirm", measured), {"action": "store", "digest": hashlib.sha256(text.encode()).hexdigest()}
    )
    assert ServiceLevelTarget.objects.count() == before


def test_an_unreadable_or_oversized_file_is_refused(client, measured, manager):
    client.force_login(manager)
    upload(client, measured, BILLION_LAUGHS)
    page = client.get(url("openslo_preview", measured)).content.decode()
    assert "YAML aliases are not accepted" in page
    response = upload(client, measured, b"#" * (10 * 1024 * 1024 + 1))
    assert response.status_code == 200
    assert "The file is over 10 MB." in response.content.decode()


def test_the_preview_speaks_korean(client, measured, manager):
    client.force_login(manager)
    upload(client, measured, export_text(measured))
    page = client.get(url("openslo_preview", measured), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "파일이 포털과 같습니다" in page


def test_the_command_exports_and_imports_all_or_nothing(measured, tmp_path, capsys):
    path = tmp_path / "acme.yaml"
    call_command("openslo", "export", "acme-sla", str(path))
    assert path.read_text() == export_text(measured)
    path.write_text(path.read_text().replace("target: 0.999\n", "target: 0.9995\n"))
    call_command("openslo", "import", "acme-sla", str(path), "--dry-run")
    out = capsys.readouterr().out
    assert "~ #4 spec.objectives[0].target: service level target: objective (%): 99.9 -> 99.95" in out
    assert (
        "= #4 spec.budgetingMethod: service level target: budgeting method: Occurrences (good events / all events)\n"
        in out
    )
    assert "Dry run: 1 changes, nothing stored." in out
    assert ServiceLevelTarget.objects.get(code="availability").objective == Decimal("99.9")
    call_command("openslo", "import", "acme-sla", str(path))
    assert ServiceLevelTarget.objects.get(code="availability").objective == Decimal("99.95")
    path.write_text(SPEC_EXAMPLE.replace("target: 0.995", "target: 0.999995"))
    with pytest.raises(CommandError, match=r"#3 spec.objectives\[0\].target"):
        call_command("openslo", "import", "acme-sla", str(path))
    with pytest.raises(CommandError, match="No agreement"):
        call_command("openslo", "export", "nope", str(path))
