"""What the benchmark commands share: their own database, the machine they ran on, a gunicorn serving the portal.

Each command measures in a PostgreSQL database of its own, created and migrated on first use, so a run never
touches the portal's data and its data survives for the next run. A report starts with the date and the machine,
the two things docs/benchmarks.md names beside every figure.
"""

import argparse
import contextlib
import datetime as dt
import http.client
import os
import platform
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent


def argument_parser(module, doc, database_env, default_database_url):
    """The command's parser, its docstring as the help, with --database-url (default from ``database_env``)."""
    parser = argparse.ArgumentParser(
        prog=f"python -m {module}", description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get(database_env, default_database_url),
        help=f"the benchmark's own PostgreSQL database, created and migrated if missing (default: ${database_env} "
        f"or {default_database_url})",
    )
    return parser


def setup_django(url):
    """Create the database at ``url`` if missing, set Django up on it and migrate it."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "slm_portal.settings")
    os.environ["LOG_LEVEL"] = "WARNING"
    parsed = urlparse(url)
    import psycopg

    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [parsed.path.lstrip("/")]).fetchone():
            conn.execute(f'CREATE DATABASE "{parsed.path.lstrip("/")}"')
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def machine():
    """Cores, CPU model, memory, Python and the PostgreSQL server's version (Django must be set up)."""
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    return f"{os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, Python {platform.python_version()}, PostgreSQL {server}"


def print_header(title):
    """The report's first lines, in Markdown: what it measures, when (UTC), and on which machine."""
    print(f"# {title}, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    print(f"Machine: {machine()}\n")


# --- a gunicorn to measure ------------------------------------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(url, **settings):
    """The environment of a production-like portal on ``url``: DEBUG off, plain HTTP on 127.0.0.1, quiet logs. The
    API's rate limits are raised far above what the ingestion benchmarks send (their clients post as fast as the
    portal answers), so that they measure the portal and not the limit; each request is still counted as it is in
    production."""
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
        "SLM_API_RATE": "1000000/min",
        "SLM_API_MACHINE_RATE": "1000000/min",
        **settings,
    }


def collect_static(env):
    """Run collectstatic with the server's environment ``env`` (``server_env``): with DEBUG off the pages name their
    static files from the manifest it writes to STATIC_ROOT, whatever DEBUG the benchmark itself was started with."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"], cwd=ROOT, env=env, check=True
    )


@contextlib.contextmanager
def gunicorn(env, workers, timeout, ready_within=60):
    """Yield the port of a gunicorn serving the portal, once its /health answers; stop it on leaving."""
    with gunicorn_server(env, workers, timeout, ready_within) as (port, _pid):
        yield port


@contextlib.contextmanager
def gunicorn_server(env, workers, timeout, ready_within=60):
    """``gunicorn``, yielding (port, the master's process id): its workers are the master's children."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "slm_portal.wsgi:application", "--workers", str(workers),
         "--bind", f"127.0.0.1:{port}", "--no-control-socket", "--timeout", str(timeout), "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        _wait_for_health(server, port, ready_within)
        yield port, server.pid
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a worker still busy with a slow request the load left behind
            server.kill()
            server.wait()


# --- CPU time from /proc (Linux) ----------------------------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pid):
    """User + system CPU seconds a process has used so far (0 when it is gone or /proc is missing)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime and stime (fields 14 and 15 of stat)


def children(pid):
    """Process ids of ``pid``'s children (gunicorn's workers)."""
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _wait_for_health(server, port, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with status {server.returncode}")
        probe = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            probe.request("GET", "/health")
            probe.getresponse().read()
            return
        except OSError:
            time.sleep(0.3)
        finally:
            probe.close()
    raise SystemExit(f"gunicorn did not answer /health within {seconds} s")
