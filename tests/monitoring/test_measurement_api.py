"""POST /api/v1/measurements: a batch for one indicator, all or nothing, idempotent on (indicator, t).

Every refused batch answers 400 with ``{"errors": [{"index", "field", "message"}, ...]}`` and stores nothing.
Authentication and tokens are in test_api_tokens.py; the rollup arithmetic in test_rollups.py.
"""

import datetime as dt
import json

import pytest
from django.utils import timezone

from monitoring.models import Measurement
from tests.monitoring.factories import at, iso, make_samples, make_values, stored_counts

T0 = at("2026-03-02 09:00:00")
RATIO = "checkout-requests"
PROBE = "checkout-up"


def ratio_sample(t="2026-03-02T09:00:00Z", **fields):
    return {"t": t, "good": 1, "total": 1, **fields}


def probe_sample(t="2026-03-02T09:00:00Z", **fields):
    return {"t": t, "value": 1, **fields}


def without(sample, key):
    return {k: v for k, v in sample.items() if k != key}


def pairs(response):
    """The (index, field) of every error in a 400 response."""
    assert response.status_code == 400, response.content
    return [(error["index"], error["field"]) for error in response.json()["errors"]]


@pytest.fixture
def earlier_data(requests_indicator, probe_indicator, post_batch, source_token):
    """One sample already stored, so that "nothing stored" is checked against counts that are not all zero."""
    response = post_batch(
        {"indicator": RATIO, "samples": make_samples(at("2026-03-01 12:00:00"), [(1, 1)])}, source_token
    )
    assert response.status_code == 201
    return stored_counts()


# The happy path.


def test_a_ratio_batch_is_stored_and_counted(requests_indicator, post_batch, source_token):
    samples = make_samples(T0, [(10, 10), (9, 10), (0, 0)])

    response = post_batch({"indicator": RATIO, "samples": samples}, source_token)

    assert response.status_code == 201
    assert response.json() == {"indicator": RATIO, "received": 3, "new": 3, "duplicates": 0}
    rows = Measurement.objects.filter(indicator=requests_indicator).order_by("t")
    assert [(row.t, row.value, row.good, row.total) for row in rows] == [
        (T0, None, 10, 10),
        (T0 + dt.timedelta(seconds=30), None, 9, 10),
        (T0 + dt.timedelta(seconds=60), None, 0, 0),
    ]


def test_a_threshold_batch_stores_the_values_and_judges_each_against_the_threshold(
    probe_indicator, post_batch, source_token
):
    samples = make_values(T0, [1, 0, 2.5])

    response = post_batch({"indicator": PROBE, "samples": samples}, source_token)

    assert response.status_code == 201
    assert response.json() == {"indicator": PROBE, "received": 3, "new": 3, "duplicates": 0}
    rows = Measurement.objects.filter(indicator=probe_indicator).order_by("t")
    assert [(row.value, row.good, row.total) for row in rows] == [(1.0, 1, 1), (0.0, 0, 1), (2.5, 1, 1)]


def test_sending_the_same_batch_again_stores_nothing_new(requests_indicator, post_batch, source_token):
    body = {"indicator": RATIO, "samples": make_samples(T0, [(1, 1)] * 5)}
    post_batch(body, source_token)
    before = stored_counts()

    response = post_batch(body, source_token)

    assert response.status_code == 201
    assert response.json() == {"indicator": RATIO, "received": 5, "new": 0, "duplicates": 5}
    assert stored_counts() == before


def test_a_batch_overlapping_half_of_an_earlier_one_stores_only_its_new_half(
    requests_indicator, post_batch, source_token
):
    post_batch({"indicator": RATIO, "samples": make_samples(T0, [(1, 1)] * 4)}, source_token)

    later = make_samples(T0 + dt.timedelta(seconds=60), [(2, 2)] * 4)
    response = post_batch({"indicator": RATIO, "samples": later}, source_token)

    assert response.json() == {"indicator": RATIO, "received": 4, "new": 2, "duplicates": 2}
    assert Measurement.objects.filter(indicator=requests_indicator).count() == 6
    # The samples already stored keep their first values.
    assert Measurement.objects.get(indicator=requests_indicator, t=T0 + dt.timedelta(seconds=60)).good == 1


def test_the_same_instant_written_in_another_zone_is_a_duplicate_of_the_stored_sample(
    requests_indicator, post_batch, source_token
):
    post_batch({"indicator": RATIO, "samples": [ratio_sample("2026-03-02T09:00:00Z")]}, source_token)

    response = post_batch({"indicator": RATIO, "samples": [ratio_sample("2026-03-02T18:00:00+09:00")]}, source_token)

    assert response.json()["duplicates"] == 1
    assert Measurement.objects.get(indicator=requests_indicator).t == T0


def test_a_sample_one_minute_ahead_of_the_clock_is_accepted(requests_indicator, post_batch, source_token):
    ahead = timezone.now() + dt.timedelta(minutes=1)

    response = post_batch({"indicator": RATIO, "samples": [ratio_sample(iso(ahead))]}, source_token)

    assert response.status_code == 201
    assert Measurement.objects.filter(indicator=requests_indicator).count() == 1


def test_ten_thousand_samples_are_accepted_in_one_batch(requests_indicator, post_batch, source_token):
    samples = make_samples(T0, [(1, 1)] * 10_000, step=dt.timedelta(seconds=1))

    response = post_batch({"indicator": RATIO, "samples": samples}, source_token)

    assert response.status_code == 201
    assert response.json()["new"] == 10_000


# Refused batches: problems of the whole body (index None).


def _raw(indicator, sample_fields):
    """A body of one sample whose fields are written as raw JSON text (NaN, Infinity, 1e400)."""
    return f'{{"indicator": "{indicator}", "samples": [{{"t": "2026-03-02T09:00:00Z", {sample_fields}}}]}}'


BODY_PROBLEMS = [
    pytest.param('{"indicator": "checkout-requests", "samples": [', [(None, None)], id="malformed JSON"),
    pytest.param("", [(None, "indicator")], id="an empty body"),
    pytest.param(_raw(PROBE, '"value": NaN'), [(None, None)], id="NaN as a value"),
    pytest.param(_raw(PROBE, '"value": Infinity'), [(None, None)], id="Infinity as a value"),
    pytest.param(_raw(PROBE, '"value": -Infinity'), [(None, None)], id="-Infinity as a value"),
    pytest.param(_raw(RATIO, '"good": NaN, "total": 1'), [(None, None)], id="NaN as a count"),
    pytest.param(json.dumps([ratio_sample()]), [(None, None)], id="the body a list"),
    pytest.param('"checkout-requests"', [(None, None)], id="the body a string"),
    pytest.param({"indicator": RATIO, "samples": [ratio_sample()], "source": "x"}, [(None, "source")], id="unknown"),
    pytest.param({"indicator": "no-such-thing", "samples": [ratio_sample()]}, [(None, "indicator")], id="no indicator"),
    pytest.param({"indicator": 7, "samples": [ratio_sample()]}, [(None, "indicator")], id="indicator a number"),
    pytest.param({"samples": [ratio_sample()]}, [(None, "indicator")], id="indicator missing"),
    pytest.param({"indicator": RATIO}, [(None, "samples")], id="samples missing"),
    pytest.param({"indicator": RATIO, "samples": ratio_sample()}, [(None, "samples")], id="samples an object"),
    pytest.param({"indicator": RATIO, "samples": []}, [(None, "samples")], id="samples empty"),
]


@pytest.mark.parametrize(("body", "expected"), BODY_PROBLEMS)
def test_a_body_that_is_not_a_valid_batch_is_refused_and_nothing_is_stored(
    body, expected, earlier_data, post_batch, source_token
):
    response = post_batch(body, source_token)

    assert pairs(response) == expected
    assert all(error["message"] for error in response.json()["errors"])
    assert stored_counts() == earlier_data


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_the_error_for_a_non_finite_literal_names_it(literal, earlier_data, post_batch, source_token):
    response = post_batch(_raw(PROBE, f'"value": {literal}'), source_token)

    assert literal in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("count", [10_001, 11_000])
def test_more_than_ten_thousand_samples_are_refused_as_a_whole(count, earlier_data, post_batch, source_token):
    samples = make_samples(T0, [(1, 1)] * count, step=dt.timedelta(seconds=1))

    response = post_batch({"indicator": RATIO, "samples": samples}, source_token)

    assert pairs(response) == [(None, "samples")]
    assert str(count) in response.json()["errors"][0]["message"]
    assert stored_counts() == earlier_data


# Refused batches: problems of single samples, each named by its index and field.

NINE_AM = "2026-03-02T09:00:00Z"
SAMPLE_PROBLEMS = [
    pytest.param(RATIO, [ratio_sample(), 5], [(1, None)], id="a sample that is not an object"),
    pytest.param(RATIO, [ratio_sample(), [NINE_AM, 1, 1]], [(1, None)], id="a sample that is a list"),
    pytest.param(RATIO, [without(ratio_sample(), "t")], [(0, "t")], id="t missing"),
    pytest.param(RATIO, [ratio_sample("2026-03-02T09:00:00")], [(0, "t")], id="t without a zone"),
    pytest.param(RATIO, [ratio_sample("2026-03-02")], [(0, "t")], id="t a date"),
    pytest.param(RATIO, [ratio_sample(1772442000)], [(0, "t")], id="t a number"),
    pytest.param(RATIO, [ratio_sample(None)], [(0, "t")], id="t null"),
    pytest.param(RATIO, [ratio_sample("yesterday at nine")], [(0, "t")], id="t unparsable"),
    pytest.param(RATIO, [ratio_sample("0001-01-01T00:00:00+01:00")], [(0, "t")], id="t before year 1 in UTC"),
    pytest.param(RATIO, [ratio_sample(NINE_AM), ratio_sample(NINE_AM)], [(1, "t")], id="duplicate t"),
    pytest.param(
        RATIO,
        [ratio_sample("2026-03-02T09:00:00+09:00"), ratio_sample("2026-03-02T00:00:00Z")],
        [(1, "t")],
        id="duplicate t written in two zones",
    ),
    pytest.param(RATIO, [{"t": NINE_AM, "value": 1}], [(0, "value"), (0, "good"), (0, "total")], id="ratio value"),
    pytest.param(RATIO, [ratio_sample(good=3, total=2)], [(0, "good")], id="good above total"),
    pytest.param(RATIO, [ratio_sample(good=-1, total=2)], [(0, "good")], id="good negative"),
    pytest.param(RATIO, [ratio_sample(good=0, total=-1)], [(0, "total")], id="total negative"),
    pytest.param(RATIO, [ratio_sample(good=1.0, total=1)], [(0, "good")], id="good a float"),
    pytest.param(RATIO, [ratio_sample(good=1, total=2.5)], [(0, "total")], id="total a float"),
    pytest.param(RATIO, [ratio_sample(good="1", total=1)], [(0, "good")], id="good a string"),
    pytest.param(RATIO, [ratio_sample(good=1, total=True)], [(0, "total")], id="total a bool"),
    pytest.param(RATIO, [ratio_sample(good=None, total=1)], [(0, "good")], id="good null"),
    pytest.param(RATIO, [ratio_sample(good=10**20, total=10**20)], [(0, "good"), (0, "total")], id="counts too big"),
    pytest.param(
        RATIO, [ratio_sample("soon", good=-1, total="x")], [(0, "t"), (0, "good"), (0, "total")], id="three problems"
    ),
    pytest.param(
        PROBE, [{"t": NINE_AM, "good": 1, "total": 1}], [(0, "good"), (0, "total"), (0, "value")], id="threshold counts"
    ),
    pytest.param(PROBE, [probe_sample(value="1")], [(0, "value")], id="value a string"),
    pytest.param(PROBE, [probe_sample(value=False)], [(0, "value")], id="value a bool"),
    pytest.param(PROBE, [probe_sample(value=None)], [(0, "value")], id="value null"),
    pytest.param(PROBE, [probe_sample(value=[1])], [(0, "value")], id="value a list"),
    pytest.param(
        RATIO,
        [
            ratio_sample("2026-03-02T09:00:00Z"),
            ratio_sample("2026-03-02T09:00:30Z"),
            ratio_sample("2026-03-02T09:01:00Z", good=2),
            ratio_sample("2026-03-02T09:01:30Z"),
            {"t": "2026-03-02T09:02:00Z", "good": 1},
        ],
        [(2, "good"), (4, "total")],
        id="valid and invalid samples mixed",
    ),
]


@pytest.mark.parametrize(("indicator", "samples", "expected"), SAMPLE_PROBLEMS)
def test_a_batch_with_a_bad_sample_is_refused_naming_index_and_field_and_nothing_is_stored(
    indicator, samples, expected, earlier_data, post_batch, source_token
):
    response = post_batch({"indicator": indicator, "samples": samples}, source_token)

    assert pairs(response) == expected
    assert all(error["message"] for error in response.json()["errors"])
    assert stored_counts() == earlier_data


def test_a_value_too_large_for_a_float_is_refused_as_not_finite(earlier_data, post_batch, source_token):
    # JSON has no Infinity, but 1e400 parses to one.
    response = post_batch(_raw(PROBE, '"value": 1e400'), source_token)

    assert pairs(response) == [(0, "value")]
    assert "finite" in response.json()["errors"][0]["message"]
    assert stored_counts() == earlier_data


def test_an_integer_value_too_large_for_a_float_is_refused_as_not_finite(earlier_data, post_batch, source_token):
    response = post_batch(_raw(PROBE, '"value": 1' + "0" * 400), source_token)

    assert pairs(response) == [(0, "value")]
    assert stored_counts() == earlier_data


def test_a_duplicate_names_the_sample_it_repeats(earlier_data, post_batch, source_token):
    samples = [ratio_sample("2026-03-02T09:00:00+09:00"), ratio_sample(), ratio_sample("2026-03-02T00:00:00Z")]

    response = post_batch({"indicator": RATIO, "samples": samples}, source_token)

    assert pairs(response) == [(2, "t")]
    assert "sample 0" in response.json()["errors"][0]["message"]


def test_a_sample_more_than_five_minutes_ahead_of_the_clock_is_refused(earlier_data, post_batch, source_token):
    ahead = timezone.now() + dt.timedelta(minutes=6)
    samples = [ratio_sample(), ratio_sample(iso(ahead))]

    response = post_batch({"indicator": RATIO, "samples": samples}, source_token)

    assert pairs(response) == [(1, "t")]
    assert "future" in response.json()["errors"][0]["message"]
    assert stored_counts() == earlier_data


def test_a_refused_batch_reports_every_bad_sample_not_only_the_first(earlier_data, post_batch, source_token):
    samples = make_samples(T0, [(1, 1), (2, 1), (1, 1), (-1, 1), (1, 1), (1.5, 2)])

    response = post_batch({"indicator": RATIO, "samples": samples}, source_token)

    assert pairs(response) == [(1, "good"), (3, "good"), (5, "good")]


# The OpenAPI description.


def test_the_openapi_schema_describes_the_measurement_endpoint_and_the_bearer_scheme(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    schema = json.loads(response.content)
    assert "/api/v1/measurements" in schema["paths"]
    assert schema["components"]["securitySchemes"]["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schema["components"]["securitySchemes"]["bearer"]["description"],
    }
    assert {"bearer": []} in schema["paths"]["/api/v1/measurements"]["post"]["security"]


def test_the_api_docs_page_loads_swagger_ui_from_the_portals_own_static_files(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower()
    assert "jsdelivr" not in html.lower()


# Bodies no parser should choke on: each is a batch error in the API's own shape, nothing stored.


@pytest.mark.parametrize("code", ["checkout\u0000requests", "no such indicator", ""])
def test_an_indicator_code_that_is_no_slug_names_no_indicator(
    requests_indicator, earlier_data, post_batch, source_token, code
):
    response = post_batch(json.dumps({"indicator": code, "samples": [ratio_sample()]}), source_token)
    assert pairs(response) == [(None, "indicator")]
    assert stored_counts() == earlier_data


def test_a_body_that_is_not_json_is_a_batch_error(requests_indicator, earlier_data, client, source_token):
    response = client.post(
        "/api/v1/measurements", "indicator=x", content_type="text/plain", HTTP_AUTHORIZATION=f"Bearer {source_token}"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"].startswith('Unsupported media type "text/plain"')
    assert stored_counts() == earlier_data


@pytest.mark.parametrize("depth", [100, 100_000])
def test_deeply_nested_json_is_a_batch_error(requests_indicator, earlier_data, post_batch, source_token, depth):
    body = '{"indicator": "checkout-requests", "samples": ' + "[" * depth + "]" * depth + "}"
    response = post_batch(body, source_token)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert len(response.json()["errors"]) >= 1
    assert stored_counts() == earlier_data


def test_a_body_over_the_size_limit_is_a_json_error(
    requests_indicator, earlier_data, post_batch, source_token, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    samples = make_samples(T0, [(1, 1)] * 100)
    response = post_batch({"indicator": RATIO, "samples": samples}, source_token)
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "errors": [{"index": None, "field": None, "message": "The body is over the limit of 1000 bytes."}]
    }
    assert stored_counts() == earlier_data
