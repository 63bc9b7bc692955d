"""CSV uploads through the pages, as a service manager: upload, preview (every bad line by its line number, the header
being line 1), then store or discard. Nothing is stored before the confirmation, and a confirmation counts once."""

import datetime as dt

import pytest

from monitoring.intake.csv_import import MAX_LINES
from monitoring.models import CsvUpload, Measurement
from tests.monitoring.factories import at, csv_file, iso, table_rows

THRESHOLD_CSV = "t,value\n2026-03-02T09:00:00Z,120\n2026-03-02T09:01:00Z,450.5\n2026-03-02T09:02:00+09:00,80\n"
RATIO_CSV = "t,good,total\n2026-03-02T09:00:00Z,998,1000\n2026-03-02T09:01:00Z,1000,1000\n"


@pytest.fixture
def as_manager(client, manager):
    client.force_login(manager)
    return client


def latest_upload():
    return CsvUpload.objects.latest("pk")


def confirm(client, upload, action="store"):
    return client.post(f"/uploads/{upload.pk}/confirm/", {"action": action}, follow=True)


def stored(indicator):
    rows = Measurement.objects.filter(indicator=indicator).order_by("t").values_list("t", "value", "good", "total")
    return [(iso(t), value, good, total) for t, value, good, total in rows]


# A good file: preview, then store.


def test_a_good_file_is_previewed_with_its_first_samples_and_nothing_is_stored_yet(
    as_manager, acme_indicator, upload_csv
):
    response = upload_csv(acme_indicator, THRESHOLD_CSV, filename="latency.csv")

    upload = latest_upload()
    assert response.status_code == 302
    assert response["Location"] == f"/uploads/{upload.pk}/"
    preview = as_manager.get(response["Location"])
    assert "3 samples are ready to be stored." in preview.text
    # Times in the portal's zone, named (09:00 UTC is 18:00 in Seoul); good when latency <= 300 ms.
    assert table_rows(preview.text, "upload-preview") == [
        ["2026-03-02 18:00:00 KST", "120.0", "1 / 1"],
        ["2026-03-02 18:01:00 KST", "450.5", "0 / 1"],
        ["2026-03-02 09:02:00 KST", "80.0", "1 / 1"],
    ]
    assert 'id="store-upload"' in preview.text
    assert (upload.filename, upload.status, upload.sample_count, upload.errors) == ("latency.csv", "preview", 3, [])
    assert Measurement.objects.count() == 0


def test_storing_a_previewed_file_stores_its_samples_and_says_how_many_were_new(as_manager, acme_indicator, upload_csv):
    upload_csv(acme_indicator, THRESHOLD_CSV)
    upload = latest_upload()

    response = confirm(as_manager, upload)

    assert response.redirect_chain == [("/indicators/acme-latency/", 302)]
    assert "3 new samples stored, 0 already known." in response.text
    assert stored(acme_indicator) == [
        ("2026-03-02T00:02:00Z", 80.0, 1, 1),
        ("2026-03-02T09:00:00Z", 120.0, 1, 1),
        ("2026-03-02T09:01:00Z", 450.5, 0, 1),
    ]
    upload.refresh_from_db()
    assert (upload.status, upload.new_count, upload.duplicate_count) == ("stored", 3, 0)
    page = as_manager.get(f"/uploads/{upload.pk}/")
    assert "3 new samples stored, 0 already known." in page.text
    assert 'id="store-upload"' not in page.text


def test_a_ratio_file_with_a_utf8_bom_and_columns_in_any_order_is_stored(as_manager, acme_requests, upload_csv):
    content = "\ufefftotal,t,good\r\n1000,2026-03-02T09:00:00Z,998\r\n10,2026-03-02T09:01:00Z,10\r\n".encode()

    upload_csv(acme_requests, content)
    upload = latest_upload()
    preview = as_manager.get(f"/uploads/{upload.pk}/")
    response = confirm(as_manager, upload)

    assert table_rows(preview.text, "upload-preview") == [
        ["2026-03-02 18:00:00 KST", "—", "998 / 1000"],
        ["2026-03-02 18:01:00 KST", "—", "10 / 10"],
    ]
    assert "2 new samples stored, 0 already known." in response.text
    assert stored(acme_requests) == [("2026-03-02T09:00:00Z", None, 998, 1000), ("2026-03-02T09:01:00Z", None, 10, 10)]


def test_uploading_the_same_file_again_finds_every_sample_already_known(as_manager, acme_requests, upload_csv):
    upload_csv(acme_requests, RATIO_CSV)
    confirm(as_manager, latest_upload())

    upload_csv(acme_requests, RATIO_CSV)
    upload = latest_upload()
    response = confirm(as_manager, upload)

    assert "0 new samples stored, 2 already known." in response.text
    assert Measurement.objects.count() == 2
    upload.refresh_from_db()
    assert (upload.new_count, upload.duplicate_count) == (0, 2)


def test_the_preview_shows_the_first_twenty_samples_and_counts_them_all(as_manager, acme_requests, upload_csv):
    start = at("2026-03-02 09:00:00")
    lines = [f"{iso(start + dt.timedelta(minutes=i))},{i},100" for i in range(45)]

    upload_csv(acme_requests, "t,good,total\n" + "\n".join(lines))
    preview = as_manager.get(f"/uploads/{latest_upload().pk}/")

    assert "45 samples are ready to be stored." in preview.text
    rows = table_rows(preview.text, "upload-preview")
    assert len(rows) == 20
    assert rows[0] == ["2026-03-02 18:00:00 KST", "—", "0 / 100"]
    assert rows[-1] == ["2026-03-02 18:19:00 KST", "—", "19 / 100"]
    assert Measurement.objects.count() == 0


# Bad files: every problem by its line number, nothing stored.

BAD_THRESHOLD_FILES = {
    "no zone": ("t,value\n2026-03-02T09:00:00Z,1\n2026-03-02T09:01:00,1\n", [("3", "t", "has no time zone")]),
    "NaN": ("t,value\n2026-03-02T09:00:00Z,NaN\n", [("2", "value", "must be a finite number")]),
    "infinity": ("t,value\n2026-03-02T09:00:00Z,inf\n", [("2", "value", "must be a finite number")]),
    "text as a value": ("t,value\n2026-03-02T09:00:00Z,fast\n", [("2", "value", "must be a number")]),
    "missing value": ("t,value\n2026-03-02T09:00:00Z,\n", [("2", "value", "is required")]),
    "not a time": ("t,value\nyesterday,1\n", [("2", "t", "is not an ISO-8601 timestamp")]),
    "in the future": ("t,value\n2099-01-01T00:00:00Z,1\n", [("2", "t", "is in the future")]),
    "same time twice": (
        "t,value\n2026-03-02T09:00:00Z,1\n2026-03-02T09:01:00Z,1\n2026-03-02T18:00:00+09:00,1\n",
        [("4", "t", "the same time as line 2")],
    ),
    "extra cells": ("t,value\n2026-03-02T09:00:00Z,1,2\n", [("2", "", "more cells than the header names")]),
    "wrong header": ("time,value\n2026-03-02T09:00:00Z,1\n", [("1", "", "the header must name the columns t,value")]),
    "ratio header": ("t,good,total\n2026-03-02T09:00:00Z,1,1\n", [("1", "", "the header must name the columns")]),
    "a column named twice": ("t,value,value\n2026-03-02T09:00:00Z,1,2\n", [("1", "", "the header must name")]),
    "header only": ("t,value\n", [("—", "", "the file has no samples")]),
    "blank lines count": ("t,value\n\n2026-03-02T09:00:00Z,1\n\nnow,1\n", [("5", "t", "is not an ISO-8601")]),
    "several bad lines": (
        "t,value\n2026-03-02T09:00:00Z,1\n2026-03-02T09:01:00Z,x\n2026-03-02T09:02:00Z,1\n2026-03-02T09:03:00,1\n",
        [("3", "value", "must be a number"), ("5", "t", "has no time zone")],
    ),
}
BAD_RATIO_FILES = {
    "text as a count": ("t,good,total\n2026-03-02T09:00:00Z,ten,10\n", [("2", "good", "must be a whole number")]),
    "a fraction": ("t,good,total\n2026-03-02T09:00:00Z,1,2.5\n", [("2", "total", "must be a whole number")]),
    "good over total": ("t,good,total\n2026-03-02T09:00:00Z,11,10\n", [("2", "good", "must not be more than total")]),
    "negative": ("t,good,total\n2026-03-02T09:00:00Z,-1,10\n", [("2", "good", "must not be negative")]),
    "fewer cells": ("t,good,total\n2026-03-02T09:00:00Z,1\n", [("2", "total", "is required")]),
}


def assert_problems_shown(client, expected):
    upload = latest_upload()
    page = client.get(f"/uploads/{upload.pk}/")
    rows = table_rows(page.text, "upload-errors")
    assert [(line, field) for line, field, _message in rows] == [(line, field) for line, field, _ in expected]
    for (_line, _field, message), (_l, _f, fragment) in zip(rows, expected, strict=True):
        assert fragment in message
    assert f"The file was rejected for {len(expected)} problem" in page.text
    assert '<strong id="upload-status">Rejected</strong>' in page.text
    assert "Waiting for confirmation" not in page.text
    assert 'id="store-upload"' not in page.text
    assert (upload.status, upload.sample_count, upload.content) == ("rejected", 0, "")
    assert Measurement.objects.count() == 0


@pytest.mark.parametrize(("content", "expected"), BAD_THRESHOLD_FILES.values(), ids=BAD_THRESHOLD_FILES.keys())
def test_a_threshold_file_with_bad_lines_shows_each_problem_by_line_and_stores_nothing(
    as_manager, acme_indicator, upload_csv, content, expected
):
    assert upload_csv(acme_indicator, content).status_code == 302

    assert_problems_shown(as_manager, expected)


@pytest.mark.parametrize(("content", "expected"), BAD_RATIO_FILES.values(), ids=BAD_RATIO_FILES.keys())
def test_a_ratio_file_with_bad_lines_shows_each_problem_by_line_and_stores_nothing(
    as_manager, acme_requests, upload_csv, content, expected
):
    assert upload_csv(acme_requests, content).status_code == 302

    assert_problems_shown(as_manager, expected)


def test_a_rejected_file_cannot_be_stored_by_posting_the_confirmation(as_manager, acme_indicator, upload_csv):
    upload_csv(acme_indicator, "t,value\n2026-03-02T09:00:00Z,1\n2026-03-02T09:01:00Z,x\n")
    upload = latest_upload()

    response = confirm(as_manager, upload)

    assert "This upload was rejected; nothing was stored. Upload a corrected file." in response.text
    assert Measurement.objects.count() == 0
    upload.refresh_from_db()
    assert upload.status == "rejected"
    assert [error["line"] for error in upload.errors] == [3]


def test_a_file_found_bad_when_confirmed_is_rejected_and_stores_nothing(
    as_manager, acme_indicator, upload_csv, monkeypatch
):
    upload_csv(acme_indicator, THRESHOLD_CSV)
    upload = latest_upload()
    problem = {"line": 2, "field": "t", "message": "line 2: too far in the future"}
    monkeypatch.setattr("monitoring.views.indicators.read_csv", lambda indicator, content: ([], [problem]))

    response = confirm(as_manager, upload)

    assert "The file has problems now; nothing was stored." in response.text
    assert "The file was rejected for 1 problem; nothing was stored." in response.text
    assert Measurement.objects.count() == 0
    upload.refresh_from_db()
    assert (upload.status, upload.errors, upload.content, upload.sample_count) == ("rejected", [problem], "", 0)


def test_a_file_of_more_than_100000_lines_is_refused_whole(as_manager, acme_requests, upload_csv):
    start = at("2026-01-01 00:00:00")
    lines = [f"{iso(start + dt.timedelta(seconds=i))},1,1" for i in range(MAX_LINES + 1)]

    upload_csv(acme_requests, "t,good,total\n" + "\n".join(lines))

    assert_problems_shown(as_manager, [("—", "", f"more than {MAX_LINES} lines; split the file")])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The submitted file is empty."),
        ("t,value\n2026-03-02T09:00:00Z,1\n# café\n".encode("latin-1"), "The file is not UTF-8 text."),
    ],
    ids=["empty", "latin-1"],
)
def test_an_empty_or_non_utf8_file_is_refused_on_the_upload_form(as_manager, acme_indicator, content, message):
    response = as_manager.post("/indicators/acme-latency/upload/", {"file": csv_file(content)})

    assert response.status_code == 200
    assert message in response.text
    assert CsvUpload.objects.count() == 0


# Discarding, confirming twice, and who may confirm.


@pytest.mark.parametrize("action", ["", "stor", "delete"])
def test_an_unknown_action_stores_nothing_and_keeps_the_preview(as_manager, acme_indicator, upload_csv, action):
    upload_csv(acme_indicator, THRESHOLD_CSV)
    upload = latest_upload()

    response = as_manager.post(f"/uploads/{upload.pk}/confirm/", {"action": action})

    assert response.status_code == 400
    assert Measurement.objects.count() == 0
    upload.refresh_from_db()
    assert upload.status == "preview"


def test_discarding_an_upload_stores_nothing(as_manager, acme_indicator, upload_csv):
    upload_csv(acme_indicator, THRESHOLD_CSV)
    upload = latest_upload()

    response = confirm(as_manager, upload, action="discard")

    assert "The upload was discarded; nothing was stored." in response.text
    assert Measurement.objects.count() == 0
    upload.refresh_from_db()
    assert upload.status == "discarded"
    page = as_manager.get(f"/uploads/{upload.pk}/")
    assert "Discarded" in page.text
    assert "new samples stored" not in page.text
    assert 'id="store-upload"' not in page.text


def test_confirming_twice_stores_the_samples_once(as_manager, acme_indicator, upload_csv):
    upload_csv(acme_indicator, THRESHOLD_CSV)
    upload = latest_upload()

    first = confirm(as_manager, upload)
    second = confirm(as_manager, upload)

    assert "3 new samples stored, 0 already known." in first.text
    assert second.redirect_chain == [(f"/uploads/{upload.pk}/", 302)]
    assert "This upload was already handled." in second.text
    assert Measurement.objects.count() == 3
    upload.refresh_from_db()
    assert (upload.status, upload.new_count, upload.duplicate_count) == ("stored", 3, 0)


def test_a_stored_upload_cannot_be_discarded_afterwards(as_manager, acme_indicator, upload_csv):
    upload_csv(acme_indicator, THRESHOLD_CSV)
    upload = latest_upload()
    confirm(as_manager, upload)

    response = confirm(as_manager, upload, action="discard")

    assert "This upload was already handled." in response.text
    assert Measurement.objects.count() == 3
    upload.refresh_from_db()
    assert upload.status == "stored"


def test_a_customer_can_neither_upload_nor_confirm(client, acme_indicator, alice, manager, upload_csv):
    client.force_login(manager)
    upload_csv(acme_indicator, THRESHOLD_CSV)
    upload = latest_upload()
    client.force_login(alice)

    assert upload_csv(acme_indicator, THRESHOLD_CSV).status_code == 403
    # Uploads are invisible to customers, even uploads for their own indicators: 404, not 403.
    assert client.get(f"/uploads/{upload.pk}/").status_code == 404
    assert client.post(f"/uploads/{upload.pk}/confirm/", {"action": "store"}).status_code == 404
    assert CsvUpload.objects.count() == 1
    assert Measurement.objects.count() == 0
    upload.refresh_from_db()
    assert upload.status == "preview"


def test_an_outsiders_upload_id_is_not_found(client, acme_indicator, bob, manager, upload_csv):
    client.force_login(manager)
    upload_csv(acme_indicator, THRESHOLD_CSV)
    upload = latest_upload()
    client.force_login(bob)

    assert upload_csv(acme_indicator, THRESHOLD_CSV).status_code == 404
    assert client.get(f"/uploads/{upload.pk}/").status_code == 404
    assert client.post(f"/uploads/{upload.pk}/confirm/", {"action": "store"}).status_code == 404
    assert Measurement.objects.count() == 0


def test_the_indicator_page_lists_its_uploads_for_managers_only(client, acme_indicator, alice, manager, upload_csv):
    client.force_login(manager)
    upload_csv(acme_indicator, THRESHOLD_CSV, filename="march.csv")
    upload = latest_upload()

    upload_csv(acme_indicator, "t,value\nyesterday,1\n", filename="bad.csv")
    rejected = latest_upload()

    page = client.get("/indicators/acme-latency/")
    assert f'href="/uploads/{upload.pk}/">march.csv</a> · Waiting for confirmation' in page.text
    assert f'href="/uploads/{rejected.pk}/">bad.csv</a> · Rejected' in page.text

    client.force_login(alice)
    assert "march.csv" not in client.get("/indicators/acme-latency/").text
