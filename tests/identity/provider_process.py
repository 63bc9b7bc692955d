"""A real OpenID provider process for the single sign-on tests: node-oidc-provider (tests/identity/oidc_provider/)
started on a free port with the accounts and the client a test passes in.

``npm ci`` fills its node_modules from package-lock.json the first time. Without node or npm the test is skipped
with the reason, and fails under SLM_REQUIRE_SERVICES=1 (CI installs them, .ci/run).
"""

import json
import os
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import requests

from tests.services import unavailable

FOLDER = Path(__file__).resolve().parent / "oidc_provider"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _installed():
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        unavailable("node and npm are needed for the OpenID provider of the single sign-on tests")
    if not (FOLDER / "node_modules" / "oidc-provider").is_dir():
        result = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=FOLDER, capture_output=True, text=True, timeout=300
        )
        if result.returncode != 0:
            unavailable(f"npm ci of the test OpenID provider failed: {result.stderr[-500:]}")
    return node


@contextmanager
def oidc_provider(client, accounts):
    """Yields the issuer URL of a running provider that knows ``client`` and ``accounts``; stops it after."""
    node = _installed()
    port = _free_port()
    config = {"port": port, "client": client, "accounts": accounts}
    process = subprocess.Popen(
        [node, "server.mjs"],
        cwd=FOLDER,
        env=os.environ | {"OIDC_TEST_CONFIG": json.dumps(config), "NODE_ENV": "development"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the OpenID provider stopped: {process.stdout.read()[-2000:]}")
            try:
                if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the OpenID provider did not start within 30 s")
            time.sleep(0.2)
        yield issuer
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
