"""The test provider's process: without node or npm its tests are skipped with the reason, or fail under CI."""

import pytest

from tests import services
from tests.identity import provider_process


def test_missing_node_skips_with_the_reason(monkeypatch):
    monkeypatch.setattr(provider_process.shutil, "which", lambda name: None)
    monkeypatch.setattr(services, "REQUIRED", False)
    with pytest.raises(pytest.skip.Exception, match="node and npm are needed"):
        provider_process._installed()


def test_missing_node_fails_where_ci_requires_the_provider(monkeypatch):
    monkeypatch.setattr(provider_process.shutil, "which", lambda name: None)
    monkeypatch.setattr(services, "REQUIRED", True)
    with pytest.raises(pytest.fail.Exception, match="SLM_REQUIRE_SERVICES=1"):
        provider_process._installed()
