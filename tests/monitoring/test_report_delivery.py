"""Service reports delivered: the report as a real PDF whose text reads back with the page's numbers, queued once per
agreement and month when the month is final, e-mailed with the PDF in the customer's language, retried, recorded; the
PDF download, the resend and the preview of the next one, each with its permission ladder."""

import datetime as dt
import hashlib
import io
import re

import pytest
from django.utils import timezone

from monitoring.choices import DeliveryKind, NotificationStatus
from monitoring.evaluation import evaluate_targets
from monitoring.models import ReportDelivery
from monitoring.notify import MAX_ATTEMPTS
from monitoring.readout.report_pdf import report_pdf
from monitoring.readout.reports import parse_period
from monitoring.report_delivery import month_to_deliver, queue_monthly_reports, send_delivery, send_pending
from tests.factories import AgreementFactory
from tests.ladder import Rung, climb
from tests.monitoring.evaluation_helpers import (
    DECEMBER,
    NOVEMBER,
    active_agreement,
    kst,
    measured_target,
    record_probe_minutes,
)
from tests.services import unavailable

pytestmark = pytest.mark.django_db


def pdf_text(pdf):
    try:
        from pypdf import PdfReader
    except ImportError:  # pragma: no cover - pypdf is a dev requirement
        unavailable("needs pypdf")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture(autouse=True)
def weasyprint_runs():
    """The PDF tests need WeasyPrint's system libraries (Pango): skipped on a laptop without them, required on CI."""
    try:
        import weasyprint  # noqa: F401
    except OSError as error:
        unavailable(f"needs Pango for WeasyPrint ({error})")


@pytest.fixture
def november(customer_a):
    """An agreement of customer A with a 99.9 % monthly target whose November had 40 bad minutes, evaluated after
    the month closed."""
    agreement = active_agreement(customer=customer_a, code="hanbit-digital", title="Digital banking")
    target = measured_target(agreement=agreement, name="Availability")
    record_probe_minutes(target, NOVEMBER, 43_200, bad=range(1000, 1040))
    evaluate_targets([target.pk], DECEMBER + dt.timedelta(hours=2))
    return agreement


AFTER_NOVEMBER = DECEMBER + dt.timedelta(days=1, hours=6)  # 2 December, 06:00 in Seoul: November is final


def test_the_pdf_reads_back_with_the_numbers_of_the_report_page(client, manager, november):
    client.force_login(manager)
    page = client.get("/agreements/hanbit-digital/report/?period=2026-11").content.decode()
    attainment = re.search(r"(\d+\.\d{3}) %", page.split('id="report-targets"')[1]).group(1)
    assert attainment == "99.907"  # (43,200 - 40) / 43,200
    text = pdf_text(report_pdf(november, parse_period("2026-11"), "en"))
    assert "Service level report, 2026-11" in text
    assert f"{attainment} %" in text
    assert "Digital banking" in text
    assert "Attainment against the objective" in text  # the chart's heading
    assert "no outage" not in text.lower() or "Outages" in text


def test_the_pdf_is_written_in_the_language_asked(november):
    text = pdf_text(report_pdf(november, parse_period("2026-11"), "ko"))
    assert "서비스 수준 보고서" in text
    assert "99.907 %" in text


def test_the_month_is_delivered_once_it_is_final_in_every_zone():
    assert month_to_deliver(kst(2026, 12, 1, 9)) is None  # November has not ended everywhere yet
    assert month_to_deliver(AFTER_NOVEMBER) == "2026-11"
    assert month_to_deliver(kst(2026, 12, 31, 23)) == "2026-11"


def test_queued_once_per_agreement_and_month_whatever_the_runs(november, customer_b):
    ended = AgreementFactory(customer=customer_b, status="active", valid_to=dt.date(2026, 10, 1))
    draft = AgreementFactory(customer=customer_b)
    assert queue_monthly_reports(AFTER_NOVEMBER) == 1
    assert queue_monthly_reports(AFTER_NOVEMBER + dt.timedelta(hours=1)) == 0
    delivery = ReportDelivery.objects.get()
    assert (delivery.agreement, delivery.period_label, delivery.kind) == (november, "2026-11", DeliveryKind.MONTHLY)
    assert delivery.recipients == [november.customer.contact_email]
    assert not ReportDelivery.objects.filter(agreement__in=[ended, draft]).exists()


def test_an_agreement_without_anyone_to_send_to_is_recorded_as_failed(november):
    november.customer.contact_email = ""
    november.customer.save()
    queue_monthly_reports(AFTER_NOVEMBER)
    delivery = ReportDelivery.objects.get()
    assert (delivery.status, delivery.recipients) == (NotificationStatus.FAILED, [])
    assert "No report recipients" in delivery.error


def test_the_report_goes_out_with_its_pdf_in_the_customers_language_once(november, smtp_inbox):
    november.report_recipients = "cio@hanbit.example, ops@hanbit.example\ncio@HANBIT.example"
    november.save()
    november.customer.language = "ko"
    november.customer.save()
    queue_monthly_reports(AFTER_NOVEMBER)
    assert send_pending() == 1
    assert send_pending() == 0
    ((recipients, mail),) = smtp_inbox.messages
    assert sorted(recipients) == ["cio@hanbit.example", "ops@hanbit.example"]
    assert str(mail["Subject"]).strip() == "서비스 수준 보고서 2026-11: Digital banking"
    (attachment,) = list(mail.iter_attachments())
    assert attachment.get_filename() == "hanbit-digital-2026-11.pdf"
    pdf = attachment.get_content()
    assert "99.907 %" in pdf_text(pdf)
    delivery = ReportDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.language) == (NotificationStatus.SENT, 1, "ko")
    assert delivery.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
    assert delivery.sent_at is not None


def test_a_failed_send_is_retried_then_given_up(november, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens on 9
    queue_monthly_reports(AFTER_NOVEMBER)
    delivery = ReportDelivery.objects.get()
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert send_delivery(delivery.pk) is False
        delivery.refresh_from_db()
        assert delivery.attempts == attempt
    assert delivery.status == NotificationStatus.FAILED
    assert delivery.error


# --- the pages ---------------------------------------------------------------------------------------------------


def test_the_pdf_download_climbs_the_ladder(client, alice, bob, manager, november):
    response = climb(
        client,
        Rung("/agreements/hanbit-digital/report.pdf?period=2026-11"),
        owner=alice,
        outsider=bob,
        manager=manager,
    )
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="hanbit-digital-2026-11.pdf"' in response["Content-Disposition"]
    assert "99.907 %" in pdf_text(response.content)


def test_a_period_that_is_not_one_is_refused_for_the_pdf(client, manager, november):
    client.force_login(manager)
    assert client.get("/agreements/hanbit-digital/report.pdf?period=2026-13").status_code == 400


def test_a_manager_sends_a_report_again_and_the_page_lists_it(
    client, alice, bob, manager, november, monkeypatch, django_capture_on_commit_callbacks
):
    from monitoring.tasks import send_report_delivery

    queued = []
    monkeypatch.setattr(send_report_delivery, "delay", queued.append)
    climb(
        client,
        Rung("/agreements/hanbit-digital/report/resend/", write=True, method="post"),
        owner=alice,
        outsider=bob,
        manager=manager,
        allowed_status=302,  # without a period: last month's report
    )
    ReportDelivery.objects.all().delete()
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/agreements/hanbit-digital/report/resend/", {"period": "2026-11"})
    assert response.status_code == 302
    assert response["Location"].endswith("?period=2026-11#report-deliveries")
    delivery = ReportDelivery.objects.get(period_label="2026-11")
    assert (delivery.kind, delivery.requested_by, delivery.status) == (DeliveryKind.RESEND, manager, "pending")
    assert queued[-1] == delivery.pk
    assert client.post("/agreements/hanbit-digital/report/resend/", {"period": "2026-13"}).status_code == 400
    page = client.get("/agreements/hanbit-digital/report/?period=2026-11").content.decode()
    assert f'data-delivery="{delivery.pk}"' in page
    assert "Sent again" in page


def test_the_preview_of_the_next_report_is_for_managers(client, alice, bob, manager, november):
    response = climb(
        client,
        Rung("/agreements/hanbit-digital/report/next.pdf", write=True),
        owner=alice,
        outsider=bob,
        manager=manager,
    )
    assert response["Content-Type"] == "application/pdf"
    label = timezone.localdate().strftime("%Y-%m")
    assert f"Service level report, {label}" in pdf_text(response.content)


def test_customers_see_the_deliveries_of_their_agreement_but_no_buttons(client, alice, november, smtp_inbox):
    queue_monthly_reports(AFTER_NOVEMBER)
    send_pending()
    client.force_login(alice)
    page = client.get("/agreements/hanbit-digital/report/?period=2026-11").content.decode()
    assert 'id="report-delivery-list"' in page
    assert 'id="report-resend"' not in page
    assert 'id="report-preview-next"' not in page


def test_on_paper_the_report_lists_the_longest_outages_in_time_order():
    from monitoring.readout import report_pdf as module
    from monitoring.readout.timeline import Outage

    start = kst(2026, 11, 1)
    minute = dt.timedelta(minutes=1)
    # 45 outages: the i-th lasts i % 7 + 1 minutes; ties broken by bad events, then the earlier.
    outages = [
        Outage(start + i * 10 * minute, start + (i * 10 + i % 7 + 1) * minute, good=100 - i, total=100)
        for i in range(45)
    ]
    shown = module.on_paper({"outages": outages, "targets": []})
    assert shown["outages_left_out"] == 5
    assert len(shown["outages"]) == module.OUTAGES_ON_PAPER == 40
    assert [outage.start for outage in shown["outages"]] == sorted(outage.start for outage in shown["outages"])
    # Left out: the five shortest, 1-minute outages with the fewest bad events (i = 0, 7, 14, 21, 28).
    left_out = set(outages) - set(shown["outages"])
    assert sorted((o.start - start) // (10 * minute) for o in left_out) == [0, 7, 14, 21, 28]
    assert module.on_paper({"outages": outages[:40], "targets": []})["outages"] == outages[:40]
