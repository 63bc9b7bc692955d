"""The production deployment: Dockerfile, docker-compose.yml and .env.example agree with each other and with the
settings, and the image's start-up commands work. No Docker engine is needed: the files are parsed, and the commands
run here in subprocesses with the environment that compose would give the containers."""

import ast
import json
import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from slm_portal.env import weak_key_problem
from tests.smtp import free_port

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERIGNORE = ROOT / ".dockerignore"
DEPLOYMENT_DOC = ROOT / "docs" / "deployment.md"
BASE_REQUIREMENTS = ROOT / "requirements" / "base.txt"

APP_SERVICES = ("migrate", "web", "worker", "beat")
LONG_RUNNING_SERVICES = ("db", "redis", "web", "worker", "beat")
# ${NAME}, ${NAME:?message}, ${NAME:-default}, ... ; "$${" is compose's escape for a literal "${".
COMPOSE_VARIABLE = re.compile(r"(?<!\$)\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<modifier>[^}]*)\}")
ENV_EXAMPLE_LINE = re.compile(r"^(?P<commented>#\s*)?(?P<name>[A-Z][A-Z0-9_]*)=(?P<value>.*)$")

# `manage.py check --deploy` warnings that the production configuration accepts, each for a stated reason.
ACCEPTED_DEPLOY_WARNINGS = {
    # HSTS for subdomains and preload lists are opt-in (HSTS_INCLUDE_SUBDOMAINS, HSTS_PRELOAD): both bind every host
    # of the domain to HTTPS for a long time, which only the domain's owner can decide.
    "security.W005",
    "security.W021",
}


# --- reading the files --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def services(compose):
    return compose["services"]


def command_of(service):
    command = service.get("command")
    if isinstance(command, str):
        return shlex.split(command)
    return list(command or [])


def environment_of(service):
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in environment)
    return {name: "" if value is None else str(value) for name, value in environment.items()}


def interpolate(text, values):
    """What compose makes of ``text`` with ``values`` as the contents of .env."""
    return COMPOSE_VARIABLE.sub(lambda match: values[match["name"]], text)


def env_example_entries():
    """(name, value, commented, line number) of every VAR=value line of .env.example, commented-out ones too."""
    entries = []
    for number, line in enumerate(ENV_EXAMPLE.read_text().splitlines()):
        match = ENV_EXAMPLE_LINE.match(line.strip())
        if match:
            entries.append((match["name"], match["value"], bool(match["commented"]), number))
    return entries


def documented_variables():
    return {name for name, _value, _commented, _number in env_example_entries()}


def env_example_values():
    """What compose's env_file would read from .env.example: the uncommented assignments, quotes removed."""
    values = {}
    for name, value, commented, _number in env_example_entries():
        if not commented:
            values[name] = shlex.split(value)[0] if value.strip() else ""
    return values


def variables_read_by_settings():
    """Every variable settings.py reads through the helpers of slm_portal/env.py (or os.environ directly)."""
    env_module = ast.parse((ROOT / "slm_portal" / "env.py").read_text())
    helpers = {node.name for node in env_module.body if isinstance(node, ast.FunctionDef) and node.name[:4] == "env_"}
    names = set()
    for node in ast.walk(ast.parse((ROOT / "slm_portal" / "settings.py").read_text())):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        first = node.args[0]
        if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
            continue
        called = ast.unparse(node.func)
        if called in helpers or called in {"os.environ.get", "os.getenv"}:
            names.add(first.value)
    return names


def dockerfile_instructions():
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined and comments dropped."""
    lines = [line for line in DOCKERFILE.read_text().splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    instructions = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, arguments = line.strip().partition(" ")
            instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def dockerfile_arguments(keyword):
    return [arguments for instruction, arguments in dockerfile_instructions() if instruction == keyword]


def dockerfile_cmd():
    (cmd,) = dockerfile_arguments("CMD")
    return json.loads(cmd)


def dockerfile_env():
    env = {}
    for arguments in dockerfile_arguments("ENV"):
        for item in shlex.split(arguments):
            name, _, value = item.partition("=")
            env[name] = value
    return env


def dockerfile_healthcheck_command():
    (healthcheck,) = dockerfile_arguments("HEALTHCHECK")
    return json.loads(healthcheck[healthcheck.index("CMD") + len("CMD") :].strip())


# --- running the image's commands here ----------------------------------------------------------------------


def container_environment(tmp_path, services, service="web", **overrides):
    """The environment compose gives ``service`` with .env.example as its .env, on this machine.

    Nothing of this test run's own settings leaks in: every variable the portal documents is taken from the
    example file or from compose. The database is a SQLite file in tmp_path and SLM_VAR_DIR a folder there.
    """
    documented = documented_variables()
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in documented and not name.startswith(("DJANGO_", "SLM_", "CELERY_", "WEB_"))
    }
    dotenv = env_example_values()
    env.update(dotenv)
    env.update(
        {name: interpolate(value, dotenv) for name, value in environment_of(services[service]).items()},
    )
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "slm_portal.settings",
            "PYTHONPATH": str(ROOT),
            "SLM_VAR_DIR": str(tmp_path / "var"),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        }
    )
    env.update(overrides)
    return env


def run(command, env, cwd, timeout=120):
    return subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)


def wait_for_port(port, process, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.2)
    return False


# --- docker-compose.yml -------------------------------------------------------------------------------------


def test_compose_file_follows_the_compose_spec_without_a_version_key(compose):
    assert "version" not in compose


def test_compose_defines_the_database_the_broker_and_the_four_portal_services(services):
    assert {"db", "redis", "migrate", "web", "worker", "beat"} <= set(services)


def test_web_worker_beat_and_migrate_share_one_image_built_from_the_dockerfile(services):
    images = {services[name].get("image") for name in APP_SERVICES}
    assert len(images) == 1
    assert None not in images
    builders = [name for name in APP_SERVICES if "build" in services[name]]
    assert len(builders) == 1, "exactly one service builds the image; the others run it"
    build = services[builders[0]]["build"]
    context = build if isinstance(build, str) else build.get("context", ".")
    assert context in {".", "./"}


def test_the_database_and_the_broker_use_the_agreed_images(services):
    assert services["db"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")


def test_web_runs_gunicorn_with_the_images_default_command(services):
    command = command_of(services["web"])
    assert command[0] == "gunicorn"
    assert "slm_portal.wsgi:application" in command
    assert command == dockerfile_cmd(), "web and the Dockerfile's CMD must not drift apart"


def test_worker_runs_a_celery_worker_of_the_portal(services):
    assert command_of(services["worker"])[:4] == ["celery", "-A", "slm_portal", "worker"]


def test_beat_runs_celery_beat_with_its_schedule_in_a_writable_place(services):
    command = command_of(services["beat"])
    assert command[:4] == ["celery", "-A", "slm_portal", "beat"]
    # The container's own /tmp: the image's files belong to root, and beat runs as the portal's user.
    assert command[command.index("--schedule") + 1] == "/tmp/celerybeat-schedule"  # noqa: S108


def test_migrate_applies_the_migrations_without_asking(services):
    assert command_of(services["migrate"]) == ["python", "manage.py", "migrate", "--no-input"]


def test_exactly_one_service_runs_celery_beat_and_it_is_not_replicated(services):
    beats = [name for name, service in services.items() if {"celery", "beat"} <= set(command_of(service))]
    assert beats == ["beat"]
    beat = services["beat"]
    assert beat.get("scale", 1) == 1
    assert (beat.get("deploy") or {}).get("replicas", 1) == 1


def test_web_publishes_port_8000(services):
    container_ports = []
    for port in services["web"].get("ports", []):
        if isinstance(port, dict):
            container_ports.append(str(port["target"]))
        else:
            container_ports.append(str(port).rsplit(":", 1)[-1].split("/")[0])
    assert "8000" in container_ports


def test_the_database_and_the_broker_have_health_checks(services):
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert "redis-cli ping" in " ".join(services["redis"]["healthcheck"]["test"])


def test_web_checks_its_own_health_on_the_health_endpoint(services):
    test = services["web"]["healthcheck"]["test"]
    assert test[0] in {"CMD", "CMD-SHELL"}
    assert "/health" in " ".join(test)
    assert test == ["CMD", *dockerfile_healthcheck_command()], "same check as the Dockerfile's HEALTHCHECK"


def test_services_that_serve_no_http_do_not_inherit_the_web_health_check(services):
    for name in ("migrate", "worker", "beat"):
        assert services[name]["healthcheck"] == {"disable": True}, name


def test_web_waits_for_a_healthy_database_and_broker_and_a_finished_migration(services):
    depends_on = services["web"]["depends_on"]
    assert depends_on["db"]["condition"] == "service_healthy"
    assert depends_on["redis"]["condition"] == "service_healthy"
    assert depends_on["migrate"]["condition"] == "service_completed_successfully"


def test_worker_and_beat_also_start_only_after_the_migration(services):
    for name in ("worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully", name


def test_migrate_waits_for_a_healthy_database(services):
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"


def test_long_running_services_restart_unless_stopped_and_migrate_runs_once(services):
    for name in LONG_RUNNING_SERVICES:
        assert services[name]["restart"] == "unless-stopped", name
    assert services["migrate"]["restart"] == "no"


def test_portal_services_read_their_settings_from_the_env_file(services):
    for name in APP_SERVICES:
        env_file = services[name]["env_file"]
        assert env_file == ".env" or env_file == [".env"], name


def test_database_and_broker_urls_point_at_the_compose_services(services):
    dotenv = {"POSTGRES_PASSWORD": "pw", "SECRET_KEY": "k", "ALLOWED_HOSTS": "h"}
    for name in APP_SERVICES:
        environment = environment_of(services[name])
        database = urlsplit(interpolate(environment["DATABASE_URL"], dotenv))
        assert (database.scheme, database.hostname, database.port, database.path) == ("postgres", "db", 5432, "/slm")
        assert database.username == "slm"
        broker = urlsplit(environment["CELERY_BROKER_URL"])
        assert (broker.scheme, broker.hostname, broker.port) == ("redis", "redis", 6379)


def test_the_database_password_comes_from_the_env_file_and_is_required(services):
    assert services["db"]["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    database_url = environment_of(services["web"])["DATABASE_URL"]
    password = database_url.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]
    assert COMPOSE_VARIABLE.fullmatch(password)
    assert password.startswith("${POSTGRES_PASSWORD:?")


def test_compose_holds_no_literal_password_or_secret(services):
    secret_like = re.compile(r"PASSWORD|SECRET|TOKEN|_KEY$")
    for service_name, service in services.items():
        for name, value in environment_of(service).items():
            if secret_like.search(name):
                assert COMPOSE_VARIABLE.fullmatch(value), f"{service_name}.{name} must be a ${{...}} reference"
            for url in re.findall(r"\w+://[^\s\"']+", value):
                credentials = urlsplit(url).netloc.rpartition("@")[0]
                if ":" in credentials:
                    assert COMPOSE_VARIABLE.fullmatch(credentials.split(":", 1)[1]), f"{service_name}.{name}"


def strings_in(node):
    if isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from strings_in(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings_in(item)
    elif isinstance(node, str):
        yield node


def test_every_variable_used_in_compose_is_documented_in_the_env_example(compose):
    used = {match["name"] for text in strings_in(compose) for match in COMPOSE_VARIABLE.finditer(text)}
    assert used, "compose takes its secrets from variables"
    assert used <= documented_variables()


# --- Dockerfile, .dockerignore, requirements ---------------------------------------------------------------


def test_the_image_starts_from_python_3_11_slim():
    (base,) = dockerfile_arguments("FROM")
    assert base.split()[0] == "python:3.11-slim"


def test_the_image_runs_as_a_user_other_than_root():
    users = dockerfile_arguments("USER")
    assert users, "the Dockerfile sets a USER"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}


def test_the_image_installs_only_the_pinned_production_requirements():
    installs = [step for step in dockerfile_arguments("RUN") if "pip install" in step]
    assert len(installs) == 1
    assert "-r requirements/base.txt" in installs[0]
    assert "dev.txt" not in DOCKERFILE.read_text()


def test_the_image_sets_python_to_write_no_bytecode_and_unbuffered_output():
    env = dockerfile_env()
    assert env["PYTHONDONTWRITEBYTECODE"] == "1"
    assert env["PYTHONUNBUFFERED"] == "1"


def test_the_portals_user_can_write_the_var_folder_the_portal_creates():
    var_dir = dockerfile_env()["SLM_VAR_DIR"]
    assert any("chown" in step and var_dir in step for step in dockerfile_arguments("RUN"))


def test_the_image_collects_static_files_at_build_time_with_debug_off_and_a_dummy_key():
    (collect,) = [step for step in dockerfile_arguments("RUN") if "collectstatic" in step]
    assignments = dict(word.split("=", 1) for word in shlex.split(collect) if re.match(r"^[A-Z_]+=", word))
    assert assignments["DEBUG"] in {"0", "off", "false", "no"}
    assert assignments["SECRET_KEY"]
    assert weak_key_problem(assignments["SECRET_KEY"]) is None, "settings refuse a weak key with DEBUG off"
    assert "SECRET_KEY" not in dockerfile_env(), "the build-only key must not stay in the image"


def test_the_image_exposes_port_8000():
    assert "8000" in " ".join(dockerfile_arguments("EXPOSE")).split()


def test_the_image_has_a_health_check_on_the_health_endpoint_with_python_urllib():
    command = dockerfile_healthcheck_command()
    assert command[:2] == ["python", "-c"]
    assert "urllib" in command[2]
    assert "/health" in command[2]


def test_the_images_default_command_runs_gunicorn_on_the_portals_wsgi_application():
    cmd = dockerfile_cmd()
    assert cmd[0] == "gunicorn"
    assert "slm_portal.wsgi:application" in cmd
    assert cmd[cmd.index("--bind") + 1] == "0.0.0.0:8000"
    assert cmd[cmd.index("--access-logfile") + 1] == "-", "access log to standard output"


def test_the_build_context_leaves_out_secrets_environments_and_run_time_data():
    ignored = {line.strip() for line in DOCKERIGNORE.read_text().splitlines() if line.strip()[:1] not in {"", "#"}}
    assert {".env", ".venv", ".git", "var", "staticfiles", "test-results"} <= ignored
    assert not {"requirements", "slm_portal", "static", "templates", "manage.py"} & ignored


@pytest.mark.parametrize("package", ["gunicorn", "psycopg", "redis", "celery", "whitenoise"])
def test_what_the_containers_run_is_pinned_in_the_production_requirements(package):
    assert re.search(rf"^{package}==\S+$", BASE_REQUIREMENTS.read_text(), re.MULTILINE)


# --- the image's commands, run here ---------------------------------------------------------------------------


def test_the_wsgi_application_imports_with_the_environment_compose_gives_web(tmp_path, services):
    env = container_environment(tmp_path, services, SECRET_KEY=secrets.token_urlsafe(50))
    assert env["DEBUG"] in {"0", "off", "false", "no"}
    result = run([sys.executable, "-c", "import slm_portal.wsgi"], env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_the_wsgi_application_loads_its_views_and_freezes_them_out_of_the_collectors_sight(tmp_path, services):
    env = container_environment(tmp_path, services, SECRET_KEY=secrets.token_urlsafe(50))
    code = "import gc, sys, slm_portal.wsgi; print(gc.get_freeze_count(), 'monitoring.api.tickets' in sys.modules)"
    result = run([sys.executable, "-c", code], env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    frozen, views_loaded = result.stdout.split()
    assert int(frozen) > 50_000
    assert views_loaded == "True"


def test_the_deployment_check_reports_nothing_but_the_accepted_warnings(tmp_path, services):
    env = container_environment(
        tmp_path,
        services,
        SECRET_KEY=secrets.token_urlsafe(50),
        SECURE_SSL_REDIRECT="on",
        BEHIND_TLS_PROXY="on",
    )
    assert len(env["SECRET_KEY"]) >= 50
    result = run([sys.executable, str(ROOT / "manage.py"), "check", "--deploy"], env, cwd=tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified" in output
    reported = set(re.findall(r"\(([a-z_]+\.[EWCI]\d+)\)", output))
    assert reported - ACCEPTED_DEPLOY_WARNINGS == set(), output


def test_collectstatic_succeeds_with_debug_off_as_the_image_build_runs_it(tmp_path):
    (collect,) = [step for step in dockerfile_arguments("RUN") if "collectstatic" in step]
    build_env = dict(word.split("=", 1) for word in shlex.split(collect) if re.match(r"^[A-Z_]+=", word))
    static_root = tmp_path / "staticfiles"
    (tmp_path / "build_settings.py").write_text(
        f"from slm_portal.settings import *  # noqa: F403\nSTATIC_ROOT = {str(static_root)!r}\n"
    )
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in documented_variables() and not name.startswith(("DJANGO_", "SLM_", "CELERY_"))
    }
    env.update(build_env)
    env.update(
        {
            "SLM_VAR_DIR": str(tmp_path / "build-var"),
            "DJANGO_SETTINGS_MODULE": "build_settings",
            "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)]),
        }
    )
    result = run([sys.executable, str(ROOT / "manage.py"), "collectstatic", "--no-input"], env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (static_root / "staticfiles.json").exists(), "WhiteNoise's manifest storage was used"


@pytest.mark.integration
def test_gunicorn_serves_health_and_the_containers_health_check_passes(tmp_path, services):
    port = free_port()
    cmd = dockerfile_cmd()
    cmd[cmd.index("--bind") + 1] = f"127.0.0.1:{port}"
    # The real broker is the redis service; here the file-system broker stands in so that /health can answer 200.
    env = container_environment(
        tmp_path, services, SECRET_KEY=secrets.token_urlsafe(50), CELERY_BROKER_URL="filesystem://", WEB_CONCURRENCY="1"
    )
    health_code = dockerfile_healthcheck_command()[2]
    assert "http://127.0.0.1:8000/health" in health_code
    health_code = health_code.replace("127.0.0.1:8000", f"127.0.0.1:{port}")

    server = subprocess.Popen(
        [sys.executable, "-m", *cmd],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        assert wait_for_port(port, server), "gunicorn did not start"
        result = run([sys.executable, "-c", health_code], env, cwd=tmp_path, timeout=30)
        assert result.returncode == 0, result.stderr
        feed = f"http://127.0.0.1:{port}/maintenance/feed/slmcal_SECRETTOKEN.ics"
        asked = run(
            [sys.executable, "-c", f"import urllib.request as u\ntry: u.urlopen({feed!r})\nexcept Exception: pass"],
            env,
            cwd=tmp_path,
        )
        assert asked.returncode == 0, asked.stderr
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            log, _ = server.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            log, _ = server.communicate()
    assert "GET /health" in log, "the access log goes to standard output"
    assert "GET /maintenance/feed/….ics" in log
    assert "SECRETTOKEN" not in log, "a calendar feed's token never reaches the access log"


def test_the_health_check_fails_when_nothing_answers(tmp_path, services):
    env = container_environment(tmp_path, services)
    health_code = dockerfile_healthcheck_command()[2].replace("127.0.0.1:8000", f"127.0.0.1:{free_port()}")
    result = run([sys.executable, "-c", health_code], env, cwd=tmp_path, timeout=30)
    assert result.returncode != 0


def test_the_placeholder_key_of_the_env_example_stops_start_up(tmp_path, services):
    env = container_environment(tmp_path, services)
    assert "change-me" in env["SECRET_KEY"]
    result = run([sys.executable, "-c", "import slm_portal.wsgi"], env, cwd=tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY still holds the placeholder" in result.stderr


@pytest.mark.parametrize(
    ("line", "logged"),
    [
        ("GET /maintenance/feed/slmcal_a-B_9.ics HTTP/1.1", "GET /maintenance/feed/….ics HTTP/1.1"),
        ("GET /survey/abc123/ HTTP/1.1", "GET /survey/…/ HTTP/1.1"),
        ("GET /survey/abc123/?lang=ko HTTP/1.1", "GET /survey/…/?lang=ko HTTP/1.1"),
        ("GET /maintenance/feed/ HTTP/1.1", "GET /maintenance/feed/ HTTP/1.1"),
        ("GET /maintenance/7/ HTTP/1.1", "GET /maintenance/7/ HTTP/1.1"),
    ],
)
def test_the_access_log_keeps_no_token_of_a_feed_or_survey_link(line, logged):
    from slm_portal.access_log import redact

    assert redact(line) == logged
