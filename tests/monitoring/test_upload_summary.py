"""The preview of a CSV upload says what storing it will do before the manager confirms: the samples' time range
(first and last, in the portal's time zone, the zone named), how many samples, how many of them bad (samples not good
against the threshold, bad events of ratio samples), and how many are already stored (storing skips those)."""

import re
from html import unescape

import pytest

from monitoring.intake.ingest import record_samples
from monitoring.models import CsvUpload

# 00:02Z is the earliest (written in Seoul time), 09:01Z the latest; 450.5 ms is over the 300 ms threshold.
THRESHOLD_CSV = "t,value\n2026-03-02T09:00:00Z,120\n2026-03-02T09:01:00Z,450.5\n2026-03-02T09:02:00+09:00,80\n"
RATIO_CSV = "t,good,total\n2026-03-02T09:00:00Z,998,1000\n2026-03-02T09:01:00Z,1000,1000\n2026-03-02T09:02:00Z,0,0\n"


@pytest.fixture
def as_manager(client, manager):
    client.force_login(manager)
    return client


def summary_of(client, indicator, upload_csv, content):
    """{card id: its text} of the preview of ``content`` uploaded for ``indicator``."""
    upload_csv(indicator, content)
    html = client.get(f"/uploads/{CsvUpload.objects.latest('pk').pk}/").text
    return card_texts(html)


def card_texts(html):
    found = re.search(r'id="upload-summary">(.*?)\n</div>', html, re.S)
    assert found, "no upload summary on the page"
    cards = re.findall(r'<div class="card-body">(.*?)</div></div></div>', found.group(1), re.S)
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", card)).split()) for card in cards]


def test_a_threshold_files_preview_gives_its_time_range_samples_bad_ones_and_none_stored(
    as_manager, acme_indicator, upload_csv
):
    cards = summary_of(as_manager, acme_indicator, upload_csv, THRESHOLD_CSV)

    assert cards == [
        "Time range First 2 Mar 2026, 09:02 KST Last 2 Mar 2026, 18:01 KST",
        "Samples 3",
        "Bad 1 samples not good against value ≤ 300 ms",
        "Already stored 0 all of them are new",
    ]


def test_the_time_range_is_shown_in_the_portals_time_zone(as_manager, acme_indicator, upload_csv, settings):
    settings.TIME_ZONE = "Europe/Berlin"

    cards = summary_of(as_manager, acme_indicator, upload_csv, THRESHOLD_CSV)

    assert cards[0] == "Time range First 2 Mar 2026, 01:02 CET Last 2 Mar 2026, 10:01 CET"


def test_samples_already_stored_are_counted_and_storing_skips_exactly_them(as_manager, acme_indicator, upload_csv):
    record_samples(
        acme_indicator, [{"t": "2026-03-02T09:01:00Z", "value": 999}, {"t": "2026-03-02T09:03:00Z", "value": 1}]
    )

    cards = summary_of(as_manager, acme_indicator, upload_csv, THRESHOLD_CSV)
    response = as_manager.post(
        f"/uploads/{CsvUpload.objects.latest('pk').pk}/confirm/", {"action": "store"}, follow=True
    )

    # 09:03Z is stored too, but the file holds no sample at that time.
    assert cards[3] == "Already stored 1 storing skips them and adds 2 new"
    assert "2 new samples stored, 1 already known." in response.text


def test_a_ratio_files_preview_counts_its_bad_events(as_manager, acme_requests, upload_csv):
    cards = summary_of(as_manager, acme_requests, upload_csv, RATIO_CSV)

    assert cards == [
        "Time range First 2 Mar 2026, 18:00 KST Last 2 Mar 2026, 18:02 KST",
        "Samples 3 with 2,000 events",
        "Bad 2 bad events of 2,000",
        "Already stored 0 all of them are new",
    ]


def test_a_rejected_file_has_no_summary_only_its_problems(as_manager, acme_indicator, upload_csv):
    upload_csv(acme_indicator, "t,value\n2026-03-02T09:00:00Z,fast\n")

    html = as_manager.get(f"/uploads/{CsvUpload.objects.latest('pk').pk}/").text

    assert 'id="upload-errors"' in html
    assert 'id="upload-summary"' not in html
