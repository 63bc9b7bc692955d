"""Settings come from the environment, and a bad value stops start-up with a message that names the variable.

The helpers of slm_portal/env.py are called with a patched environment; a few whole start-ups load the settings
module in a fresh Python process (``manage.py check``), as a deployment would.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from slm_portal import env

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("helper", "arguments", "value", "message"),
    [
        (env.env_bool, (False,), "maybe", "DEBUG='maybe' is not a boolean; use one of 1/0, true/false, yes/no"),
        (env.env_int, (30,), "thirty", "DEBUG='thirty' is not a whole number."),
        (lambda name, default: env.env_int(name, default, minimum=1), (30,), "0", "DEBUG='0' must be at least 1."),
        (env.env_time_zone, ("UTC",), "Mars/Olympus", "DEBUG='Mars/Olympus' is not a known IANA time zone"),
        (env.env_choice, ("en", ("en", "ko")), "fr", "DEBUG='fr' is not one of en, ko."),
        (env.env_database, ("sqlite:///x",), "mongodb://db/slm", "DEBUG='mongodb://db/slm'"),
        (env.env_broker_url, ("memory://",), "kafka://bus", "DEBUG='kafka://bus' is not a broker URL"),
        (env.env_cache, ("locmem://",), "memcached://c", "DEBUG='memcached://c' is not a cache URL"),
    ],
)
def test_a_bad_value_is_refused_with_the_variables_name(monkeypatch, helper, arguments, value, message):
    monkeypatch.setenv("DEBUG", value)  # any name will do: the message must carry it
    with pytest.raises(ImproperlyConfigured) as refused:
        helper("DEBUG", *arguments)
    assert str(refused.value).startswith(message)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("yes", True), ("ON", True), ("true", True), ("0", False), ("no", False), ("Off", False), ("", True)],
)
def test_booleans_take_the_usual_spellings_and_an_empty_value_means_the_default(monkeypatch, value, expected):
    monkeypatch.setenv("SLM_FLAG", value)
    assert env.env_bool("SLM_FLAG", True) is expected


def test_good_values_are_read(monkeypatch):
    monkeypatch.setenv("SLM_NUMBER", "42")
    monkeypatch.setenv("SLM_HOSTS", " a.example , b.example ,")
    monkeypatch.setenv("SLM_ZONE", "Asia/Seoul")
    monkeypatch.setenv("SLM_LANGUAGE", "KO")
    monkeypatch.setenv("SLM_CACHE", "redis://127.0.0.1:6379/2")
    monkeypatch.setenv("SLM_DB", "postgres://slm:pw@db:5432/slm")
    assert env.env_int("SLM_NUMBER", 1, minimum=1) == 42
    assert env.env_list("SLM_HOSTS") == ["a.example", "b.example"]
    assert env.env_time_zone("SLM_ZONE", "UTC") == "Asia/Seoul"
    assert env.env_choice("SLM_LANGUAGE", "en", ("en", "ko")) == "ko"
    assert env.env_cache("SLM_CACHE", "locmem://")["LOCATION"] == "redis://127.0.0.1:6379/2"
    database = env.env_database("SLM_DB", "sqlite:///x")
    assert (database["ENGINE"], database["NAME"], database["HOST"], database["PORT"]) == (
        "django.db.backends.postgresql",
        "slm",
        "db",
        5432,
    )


def test_a_required_value_that_is_missing_is_named(monkeypatch):
    monkeypatch.delenv("SLM_NEEDED", raising=False)
    with pytest.raises(ImproperlyConfigured, match="The environment variable SLM_NEEDED must be set."):
        env.env_str("SLM_NEEDED", required=True)


def start_up(tmp_path, **variables):
    """``manage.py check`` in a fresh process with the portal's own settings and only these variables set."""
    return fresh_process(tmp_path, "manage.py", "check", **variables)


def fresh_process(tmp_path, *arguments, **variables):
    """Python with ``arguments`` in a fresh process: the portal's own settings, SLM_VAR_DIR in tmp_path, and only
    these variables set."""
    keep = {"PATH", "HOME", "LANG", "SYSTEMROOT"}
    environment = {name: value for name, value in os.environ.items() if name in keep}
    environment.update({"DJANGO_SETTINGS_MODULE": "slm_portal.settings", "SLM_VAR_DIR": str(tmp_path)})
    environment.update(variables)
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({}, "The environment variable SECRET_KEY must be set when DEBUG is off."),
        ({"SECRET_KEY": "change-me-please"}, "SECRET_KEY still holds the placeholder of .env.example"),
        ({"SECRET_KEY": "short-but-not-empty"}, "SECRET_KEY is too weak for DEBUG off: it has 19 characters, fewer"),
        (
            {"SECRET_KEY": "ab" * 40},
            "SECRET_KEY is too weak for DEBUG off: it has 2 different characters, fewer than 5",
        ),
        (
            {"SECRET_KEY": "django-insecure-" + "k3y-of-more-than-fifty-characters-0123456789-abcdef"},
            "SECRET_KEY is too weak for DEBUG off: it starts with 'django-insecure-'",
        ),
        ({"DEBUG": "1", "TIME_ZONE": "Seoul"}, "TIME_ZONE='Seoul' is not a known IANA time zone"),
        ({"DEBUG": "1", "LANGUAGE_CODE": "fr"}, "LANGUAGE_CODE='fr' is not one of en, ko."),
        ({"DEBUG": "1", "LOG_LEVEL": "LOUD"}, "LOG_LEVEL='LOUD' is not one of DEBUG, INFO, WARNING, ERROR, CRITICAL."),
        ({"DEBUG": "1", "SLM_OIDC_PROVIDERS": "[{"}, "SLM_OIDC_PROVIDERS is not valid JSON"),
        (
            {"DEBUG": "1", "SLM_PASSWORD_SIGN_IN_OFF": "admins"},
            "SLM_PASSWORD_SIGN_IN_OFF takes managers, customers or both",
        ),
    ],
)
def test_start_up_stops_on_a_bad_setting_and_names_it(tmp_path, variables, message):
    result = start_up(tmp_path, **variables)
    assert result.returncode != 0
    assert message in result.stderr


def test_a_weak_key_is_fine_with_debug_on(tmp_path):
    result = start_up(tmp_path, SECRET_KEY="short", DEBUG="1")
    assert result.returncode == 0, result.stderr


def test_the_key_check_is_the_one_of_djangos_deployment_checks():
    from django.core.checks.security.base import _check_secret_key

    for key in (
        "short",
        "ab" * 40,
        "django-insecure-" + "x1y2z3" * 10,
        "a-key-of-forty-five-characters-0123456789-abc",
        "a-real-key-of-more-than-fifty-characters-0123456789",
        secrets.token_urlsafe(50),
    ):
        assert (env.weak_key_problem(key) is None) == _check_secret_key(key)
    assert env.weak_key_problem(secrets.token_urlsafe(50)) is None


def test_start_up_succeeds_with_a_real_key_and_debug_off(tmp_path):
    result = start_up(tmp_path, SECRET_KEY="a-real-key-of-more-than-fifty-characters-0123456789-abcdef")
    assert result.returncode == 0, result.stderr


# --- renamed variables ------------------------------------------------------------------------------------------


def test_a_renamed_variable_is_still_read_under_its_old_name_with_a_warning_naming_the_new_one(monkeypatch):
    monkeypatch.delenv("SLM_PORTAL_URL", raising=False)
    monkeypatch.setenv("PORTAL_URL", "https://slm.example.com")

    with pytest.warns(env.RenamedVariableWarning, match="PORTAL_URL is deprecated: rename it SLM_PORTAL_URL"):
        value = env.env_str("SLM_PORTAL_URL", "http://127.0.0.1:8000", deprecated="PORTAL_URL")

    assert value == "https://slm.example.com"
    assert issubclass(env.RenamedVariableWarning, DeprecationWarning)


def test_the_new_name_wins_over_the_old_one_and_the_old_one_still_warns(monkeypatch):
    monkeypatch.setenv("SLM_HEARTBEAT_INTERVAL_SECONDS", "20")
    monkeypatch.setenv("HEARTBEAT_INTERVAL_SECONDS", "7")

    with pytest.warns(env.RenamedVariableWarning, match="HEARTBEAT_INTERVAL_SECONDS is deprecated"):
        value = env.env_int("SLM_HEARTBEAT_INTERVAL_SECONDS", 30, deprecated="HEARTBEAT_INTERVAL_SECONDS")

    assert value == 20


def test_a_bad_value_under_the_old_name_is_refused_with_the_old_name(monkeypatch):
    monkeypatch.delenv("SLM_HEARTBEAT_INTERVAL_SECONDS", raising=False)
    monkeypatch.setenv("HEARTBEAT_INTERVAL_SECONDS", "often")

    with pytest.warns(env.RenamedVariableWarning), pytest.raises(ImproperlyConfigured) as refused:
        env.env_int("SLM_HEARTBEAT_INTERVAL_SECONDS", 30, deprecated="HEARTBEAT_INTERVAL_SECONDS")

    assert str(refused.value) == "HEARTBEAT_INTERVAL_SECONDS='often' is not a whole number."


def test_no_warning_without_the_old_name(monkeypatch, recwarn):
    monkeypatch.delenv("PORTAL_NAME", raising=False)
    monkeypatch.setenv("SLM_PORTAL_NAME", "Hanbit SLM")

    assert env.env_str("SLM_PORTAL_NAME", "SLM Portal", deprecated="PORTAL_NAME") == "Hanbit SLM"
    assert not [warning for warning in recwarn if issubclass(warning.category, env.RenamedVariableWarning)]


PRINT_RENAMED = (
    "from django.conf import settings; "
    "print(settings.SLM_PORTAL_NAME, settings.SLM_PORTAL_URL, settings.SLM_HEARTBEAT_INTERVAL.total_seconds())"
)


def test_a_start_up_with_the_old_names_works_and_says_which_new_names_to_use(tmp_path):
    result = fresh_process(
        tmp_path,
        "-c",
        PRINT_RENAMED,
        DEBUG="1",
        PORTAL_NAME="Hanbit",
        PORTAL_URL="https://old.example",
        HEARTBEAT_INTERVAL_SECONDS="7",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["Hanbit", "https://old.example", "7.0"]
    for old, new in [
        ("PORTAL_NAME", "SLM_PORTAL_NAME"),
        ("PORTAL_URL", "SLM_PORTAL_URL"),
        ("HEARTBEAT_INTERVAL_SECONDS", "SLM_HEARTBEAT_INTERVAL_SECONDS"),
    ]:
        assert f"RenamedVariableWarning: The environment variable {old} is deprecated: rename it {new}" in result.stderr


def test_a_start_up_with_the_new_names_reads_them_and_warns_of_nothing(tmp_path):
    result = fresh_process(
        tmp_path,
        "-c",
        PRINT_RENAMED,
        DEBUG="1",
        SLM_PORTAL_NAME="Hanbit",
        SLM_PORTAL_URL="https://new.example",
        SLM_HEARTBEAT_INTERVAL_SECONDS="9",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["Hanbit", "https://new.example", "9.0"]
    assert "Warning" not in result.stderr


PRINT_PORTAL_URL = "from django.conf import settings; print(settings.SLM_PORTAL_URL, settings.SLM_PORTAL_URL_IS_SET)"


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({}, "http://127.0.0.1:8000 False"),
        ({"PORT": "8101"}, "http://127.0.0.1:8101 False"),  # `PORT=8101 make run`: links follow the port
        ({"PORT": "8101", "SLM_PORTAL_URL": "https://slm.example.com"}, "https://slm.example.com True"),
        ({"SLM_PORTAL_URL": "http://10.0.0.5:8000"}, "http://10.0.0.5:8000 True"),
    ],
    ids=["default", "port", "set-wins", "set"],
)
def test_the_portal_url_follows_the_port_unless_it_is_set(tmp_path, variables, expected):
    result = fresh_process(tmp_path, "-c", PRINT_PORTAL_URL, DEBUG="1", **variables)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


PRINT_SESSIONS = "from django.conf import settings; print(settings.SESSION_ENGINE.rsplit('.', 1)[1])"


@pytest.mark.parametrize(
    ("cache_url", "engine"),
    [("locmem://", "db"), ("redis://127.0.0.1:6379/1", "cached_db")],
    ids=["per-process", "shared"],
)
def test_sessions_are_read_from_the_cache_only_when_every_process_shares_it(tmp_path, cache_url, engine):
    result = fresh_process(tmp_path, "-c", PRINT_SESSIONS, DEBUG="1", CACHE_URL=cache_url)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == engine


def test_a_port_that_is_no_number_stops_the_start(tmp_path):
    result = fresh_process(tmp_path, "-c", PRINT_PORTAL_URL, DEBUG="1", PORT="eighty")

    assert result.returncode != 0
    assert "PORT='eighty' is not a whole number." in result.stderr


# --- nothing on disk at import ----------------------------------------------------------------------------------


def test_importing_the_settings_creates_nothing_on_disk(tmp_path):
    var_dir = tmp_path / "var"

    result = fresh_process(var_dir, "-c", "import slm_portal.settings", DEBUG="1", CELERY_BROKER_URL="filesystem://")

    assert result.returncode == 0, result.stderr
    assert not var_dir.exists()
    assert list(tmp_path.iterdir()) == []


def test_starting_django_creates_the_var_folder_and_the_file_system_brokers_folders(tmp_path):
    var_dir = tmp_path / "var"

    result = fresh_process(var_dir, "manage.py", "check", DEBUG="1", CELERY_BROKER_URL="filesystem://")

    assert result.returncode == 0, result.stderr
    broker = var_dir / "celery-broker"
    assert sorted(path.name for path in broker.iterdir()) == ["control", "processed", "queue"]


def test_with_another_broker_only_the_var_folder_is_created(tmp_path):
    var_dir = tmp_path / "var"

    result = fresh_process(var_dir, "manage.py", "check", DEBUG="1", CELERY_BROKER_URL="redis://127.0.0.1:1/0")

    assert result.returncode == 0, result.stderr
    assert var_dir.is_dir()
    assert list(var_dir.iterdir()) == []
