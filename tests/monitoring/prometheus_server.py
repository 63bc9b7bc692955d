"""A real Prometheus (Debian's ``prometheus``) on a free loopback port, over a data directory that ``promtool tsdb
create-blocks-from openmetrics`` builds from a fixture written here. Skips with the reason when either program is
absent, and fails under SLM_REQUIRE_SERVICES=1 (CI installs them, .ci/run).

The fixture: a counter ``requests_total`` with a series for code="200" and one for code="500", sampled every 15 s at
seconds 7, 22, 37 and 52 of each minute, for ``MINUTES`` minutes from ``start`` (a whole minute, hours in the past so
that promtool writes finished blocks the server keeps). code="200" grows by 9 a sample throughout; code="500" grows by
1 a sample in the minutes ``ERROR_MINUTES`` only. ``increase(...[1m])`` at the end of a minute sees that minute's
four samples (three steps, 45 s) and extrapolates them to 60 s: 36 requests of code 200 a minute, and 4 of code 500
in the error minutes.
"""

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import requests

from tests.services import unavailable
from tests.smtp import free_port

PROMETHEUS = os.environ.get("PROMETHEUS_PATH") or shutil.which("prometheus") or "/usr/bin/prometheus"
PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"
MINUTES = 60
ERROR_MINUTES = range(10, 15)


def fixture_text(start):
    """The OpenMetrics fixture: ``start`` is an aware datetime on a whole minute."""
    first = int(start.timestamp())
    good, bad, rows = 0, 0, []
    for step in range(MINUTES * 4):
        good += 9
        if step // 4 in ERROR_MINUTES:
            bad += 1
        rows.append((first + step * 15 + 7, good, bad))
    lines = ["# TYPE requests counter", "# HELP requests Requests answered."]
    lines += [f'requests_total{{code="200"}} {good} {t}' for t, good, _ in rows]
    lines += [f'requests_total{{code="500"}} {bad} {t}' for t, _, bad in rows]
    return "\n".join([*lines, "# EOF"]) + "\n"


def _require_programs():
    for program in (PROMETHEUS, PROMTOOL):
        if not (os.path.isfile(program) and os.access(program, os.X_OK)):
            unavailable(f"{program} is not installed (Debian's prometheus package)")


@contextlib.contextmanager
def prometheus_server(start):
    """A running Prometheus holding the fixture from ``start``; yields its base URL."""
    _require_programs()
    with tempfile.TemporaryDirectory(prefix="slm-prometheus-") as folder:
        folder = Path(folder)
        fixture = folder / "fixture.om"
        fixture.write_text(fixture_text(start))
        data = folder / "data"
        subprocess.run(
            [PROMTOOL, "tsdb", "create-blocks-from", "openmetrics", str(fixture), str(data)],
            check=True,
            capture_output=True,
            timeout=60,
        )
        config = folder / "prometheus.yml"
        config.write_text("global:\n  scrape_interval: 15s\n")
        port = free_port()
        log = (folder / "prometheus.log").open("w")
        process = subprocess.Popen(  # noqa: S603 - a fixed program with arguments built here
            [
                PROMETHEUS,
                f"--config.file={config}",
                f"--storage.tsdb.path={data}",
                # The fixture's blocks are hours old; the default retention keeps them, a short one would not.
                "--storage.tsdb.retention.time=100y",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(url, process, folder / "prometheus.log")
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()


def _wait_ready(url, process, log_path):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"prometheus exited with {process.returncode}: {log_path.read_text()[-2000:]}")
        try:
            if requests.get(f"{url}/-/ready", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"prometheus did not become ready in 30 s: {log_path.read_text()[-2000:]}")
