"""Skip a test whose outside part (a server, a browser) is missing, or fail it where CI promises that part."""

import os

import pytest

REQUIRED = os.environ.get("SLM_REQUIRE_SERVICES") == "1"


def unavailable(reason):
    """Skip with ``reason`` on a laptop; fail under CI (SLM_REQUIRE_SERVICES=1), where nothing may be skipped."""
    if REQUIRED:
        pytest.fail(f"{reason} (SLM_REQUIRE_SERVICES=1: CI must run this test)")
    pytest.skip(reason)
