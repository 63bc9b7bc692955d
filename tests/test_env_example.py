""".env.example: every variable the settings read and compose uses is documented there (and in the deployment
guide), once, with a comment above it, as a production configuration with placeholders and no secrets."""

from tests.test_deployment import (
    DEPLOYMENT_DOC,
    ENV_EXAMPLE,
    ENV_EXAMPLE_LINE,
    documented_variables,
    env_example_entries,
    env_example_values,
    variables_read_by_settings,
)


def test_every_variable_settings_reads_is_documented_in_the_env_example():
    read = variables_read_by_settings()
    assert {"SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL", "ALLOWED_HOSTS"} <= read, "the parser finds them"
    assert read - documented_variables() == set()


def test_the_compose_password_and_the_gunicorn_worker_count_are_documented_too():
    assert {"POSTGRES_PASSWORD", "WEB_CONCURRENCY"} <= documented_variables()


def test_every_variable_in_the_env_example_has_a_comment_line_above_it():
    lines = ENV_EXAMPLE.read_text().splitlines()
    for name, _value, _commented, number in env_example_entries():
        above = lines[number - 1].strip() if number else ""
        assert above.startswith("#"), f"{name} has no comment"
        assert not ENV_EXAMPLE_LINE.match(above), f"{name} needs its own comment line"


def test_every_variable_is_listed_only_once_in_the_env_example():
    names = [name for name, _value, _commented, _number in env_example_entries()]
    assert len(names) == len(set(names))


def test_the_env_example_holds_placeholders_not_secrets():
    values = env_example_values()
    assert "change-me" in values["SECRET_KEY"]
    assert values["POSTGRES_PASSWORD"] == "change-me"
    assert values.get("EMAIL_HOST_PASSWORD", "") in {"", "change-me"}


def test_the_env_example_is_a_production_configuration():
    values = env_example_values()
    assert values["DEBUG"] in {"0", "off", "false", "no"}
    assert values["ALLOWED_HOSTS"]


def test_the_deployment_guide_describes_every_variable_of_the_env_example():
    guide = DEPLOYMENT_DOC.read_text()
    missing = {name for name in documented_variables() if f"`{name}`" not in guide}
    assert missing == set()
