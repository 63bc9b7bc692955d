"""Fixtures shared by the monitoring tests: two indicators, a data source that may write to both, and a way to
post a batch with its token. Factories and sample builders are in tests/monitoring/factories.py."""

import json

import pytest
from django.db import connection

from monitoring.choices import Operator
from tests.factories import ServiceFactory
from tests.monitoring.factories import (
    IndicatorFactory,
    TargetIndicatorFactory,
    ThresholdIndicatorFactory,
    csv_file,
    data_source_with_token,
)
from tests.services import unavailable

MEASUREMENTS_URL = "/api/v1/measurements"


@pytest.fixture
def requests_indicator(db):
    """A ratio indicator (good and total request counts)."""
    return IndicatorFactory(code="checkout-requests", name="Checkout requests")


@pytest.fixture
def probe_indicator(db):
    """A threshold indicator, an up/down probe: good when value >= 1."""
    return ThresholdIndicatorFactory(code="checkout-up", name="Checkout up")


@pytest.fixture
def source_token(requests_indicator, probe_indicator):
    """The plaintext token of a data source that may write to both indicators."""
    _source, token = data_source_with_token(indicators=[requests_indicator, probe_indicator], code="prometheus")
    return token


@pytest.fixture
def post_batch(client):
    """``post_batch(body, token=...)``: POST to the measurement API; a str body is sent as it is (raw JSON)."""

    def post(body, token=None, **headers):
        if token is not None:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        return client.post(MEASUREMENTS_URL, data=data, content_type="application/json", **headers)

    return post


@pytest.fixture
def postgresql():
    """Skip (or, under CI, fail) a test that needs PostgreSQL when the suite runs on another database."""
    if connection.vendor != "postgresql":
        unavailable(f"needs PostgreSQL (DATABASE_URL); this run uses {connection.vendor}")


# The monitoring pages' estate: an indicator of a service only customer A uses, measured by A's target.


@pytest.fixture
def acme_service(agreement_a):
    """A service only customer A's agreement uses: its indicators are A's to read and unknown to B."""
    service = ServiceFactory(code="acme-only", name="Acme online banking")
    agreement_a.services.add(service)
    return service


@pytest.fixture
def acme_indicator(acme_service, agreement_a):
    """A threshold indicator of A's service (good when latency <= 300 ms), measured by A's availability target."""
    indicator = ThresholdIndicatorFactory(
        code="acme-latency",
        name="Acme latency",
        service=acme_service,
        operator=Operator.LTE,
        threshold=300.0,
        unit="ms",
    )
    TargetIndicatorFactory(target=agreement_a.targets.get(code="availability"), indicator=indicator)
    return indicator


@pytest.fixture
def acme_requests(acme_service):
    """A ratio indicator of A's service (good and total request counts)."""
    return IndicatorFactory(code="acme-requests", name="Acme requests", service=acme_service)


@pytest.fixture
def upload_csv(client):
    """``upload_csv(indicator, text)``: POST a CSV file to the indicator's upload page (str is sent as UTF-8)."""

    def upload(indicator, content, filename="samples.csv"):
        return client.post(f"/indicators/{indicator.code}/upload/", {"file": csv_file(content, filename)})

    return upload
