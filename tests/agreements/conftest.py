"""Fixtures shared by the agreements page tests (the cast itself is in tests/conftest.py)."""

import pytest

from tests.factories import ServiceFactory


@pytest.fixture
def manager_client(client, manager):
    """The test client, logged in as the service manager."""
    client.force_login(manager)
    return client


@pytest.fixture
def service(db):
    return ServiceFactory(code="online-banking", name="Online banking")
