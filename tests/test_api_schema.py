"""The OpenAPI schema describes the whole API: every endpoint under /api/v1/ with each of its methods, what each
answers (successes and every error shape), and no warning from the generator (a field it could not type, a view it
could not read)."""

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from core.api.etags import ETagMixin
from tests.api_ladder import METHODS, api_patterns, methods_of, schema_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(manager):
    client = APIClient()
    client.force_login(manager)
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def test_every_endpoint_and_method_is_in_the_schema(schema):
    found = list(api_patterns())
    assert len(found) >= 9
    for regex, view in found:
        path = schema_path(regex)
        assert path in schema["paths"], f"{path} is not in the schema"
        documented = set(schema["paths"][path]) & METHODS
        assert methods_of(view) <= documented, f"{path}: {methods_of(view) - documented} not documented"


def test_every_operation_states_its_successes_and_its_errors(schema):
    toolkit = {
        schema_path(regex) for regex, view in api_patterns() if issubclass(getattr(view, "cls", object), ETagMixin)
    }
    assert "/api/v1/customers/{code}" in toolkit
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method not in METHODS or path not in toolkit:
                continue
            responses = operation["responses"]
            where = f"{method.upper()} {path}"
            assert {"401", "403", "429"} <= set(responses), where
            assert any(code.startswith("2") for code in responses), f"{where}: no success"
            if "{" in path:
                assert "404" in responses, where
            if method in ("post", "put", "patch"):
                assert "400" in responses, where
            for code, response in responses.items():
                if code.startswith("2") and code != "204" and method != "delete":
                    assert response.get("content") or response.get("description"), f"{where} {code}"


def test_the_generator_finds_nothing_to_warn_about(tmp_path):
    # --fail-on-warn: a serializer field it cannot type, or a view it cannot read, fails the command.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3")


def test_every_list_filters_sorts_and_pages_by_cursor(schema):
    lists = 0
    for path, operations in schema["paths"].items():
        operation = operations.get("get")
        if operation is None or "/components/schemas/Paginated" not in str(operation["responses"]["200"]):
            continue
        lists += 1
        names = {parameter["name"] for parameter in operation.get("parameters", []) if parameter["in"] == "query"}
        assert {"ordering", "cursor", "page_size"} <= names, f"{path}: {names}"
        assert names - {"ordering", "cursor", "page_size"}, f"{path} has no filter"
    assert lists >= 18


def test_every_list_sorts_only_by_fields_every_row_has():
    """A cursor holds the next row's sort value: a field that may be empty cannot place it (and would be ignored)."""
    for _regex, view in api_patterns():
        cls = getattr(view, "cls", None)
        model = getattr(cls, "model", None)
        if model is None or not issubclass(cls, ETagMixin):
            continue
        for name in [*cls.ordering_fields, *(field.lstrip("-") for field in cls.ordering)]:
            field = model._meta.pk if name == "pk" else model._meta.get_field(name)
            assert not field.null, f"{cls.__name__} sorts by {name}, which may be empty"
