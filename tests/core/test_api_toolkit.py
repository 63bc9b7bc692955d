"""The REST API's toolkit (core/api), seen through the customer endpoints: a write is the page's form bound to the
JSON body, reads carry ETags, lists page by cursor, and the schema lists the error shapes of every operation."""

import base64

import pytest
from django import forms
from rest_framework.test import APIClient

from agreements.models import Customer
from core.api.forms import wrong_shape
from monitoring.models import DataSource
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(manager):
    client = APIClient()
    client.force_login(manager)
    return client


def test_a_create_takes_the_defaults_the_page_shows_for_what_the_body_leaves_out(api, settings):
    response = api.post("/api/v1/customers", {"name": "Initech", "code": "initech"}, format="json")

    assert response.status_code == 201, response.data
    stored = Customer.objects.get(code="initech")
    assert stored.language == settings.LANGUAGE_CODE
    assert response.data["language"] == settings.LANGUAGE_CODE


def test_a_patch_keeps_what_the_body_leaves_out_and_a_put_resets_it(api, customer_a):
    customer_a.contact_name = "Kim Jiwoo"
    customer_a.language = "ko"
    customer_a.save()

    response = api.patch("/api/v1/customers/acme", {"notes": "Quarterly review in March."}, format="json")
    assert response.status_code == 200
    customer_a.refresh_from_db()
    assert (customer_a.notes, customer_a.contact_name, customer_a.language) == (
        "Quarterly review in March.",
        "Kim Jiwoo",
        "ko",
    )

    response = api.put("/api/v1/customers/acme", {"name": "Acme Bank plc"}, format="json")
    assert response.status_code == 200, response.data
    customer_a.refresh_from_db()
    assert (customer_a.name, customer_a.contact_name, customer_a.language) == ("Acme Bank plc", "", "en")


def test_every_problem_of_a_body_is_listed_at_once_and_nothing_is_stored(api):
    response = api.post("/api/v1/customers", {"name": "", "code": "two words", "colour": "red"}, format="json")

    assert response.status_code == 400
    assert response.data == {
        "colour": ["There is no such field."],
        "name": ["This field is required."],
        "code": ["Enter a valid “slug” consisting of letters, numbers, underscores or hyphens."],
    }
    assert not Customer.objects.filter(name="").exists()


def test_a_code_is_fixed_once_made_as_on_the_page(api, customer_a):
    response = api.patch("/api/v1/customers/acme", {"code": "acme-2", "name": "Renamed"}, format="json")

    assert response.status_code == 400
    assert response.data == {"code": ["The code cannot change once created."]}
    customer_a.refresh_from_db()
    assert (customer_a.code, customer_a.name) == ("acme", "Acme Bank")
    # Sending the code it has is no change.
    assert api.patch("/api/v1/customers/acme", {"code": "acme"}, format="json").status_code == 200


@pytest.mark.parametrize("body", [[1, 2], "text", 7])
def test_a_body_that_is_no_object_is_refused(api, body):
    response = api.post("/api/v1/customers", body, format="json")

    assert response.status_code == 400
    assert response.data == {"non_field_errors": ["The body must be a JSON object."]}


def test_errors_speak_the_language_of_the_request(api):
    response = api.post("/api/v1/customers", {"code": "x", "fax": "1"}, format="json", HTTP_ACCEPT_LANGUAGE="ko")

    assert response.status_code == 400
    assert response.data["fax"] == ["그런 필드가 없습니다."]
    assert response.data["name"] == ["이 필드는 필수 항목입니다."]


def test_a_read_answers_304_to_its_etag_until_the_row_changes(api, customer_a):
    first = api.get("/api/v1/customers/acme")
    tag = first["ETag"]
    assert first.status_code == 200
    assert tag.startswith('"')

    again = api.get("/api/v1/customers/acme", HTTP_IF_NONE_MATCH=tag)
    assert again.status_code == 304
    assert again.content == b""

    api.patch("/api/v1/customers/acme", {"notes": "changed"}, format="json")
    changed = api.get("/api/v1/customers/acme", HTTP_IF_NONE_MATCH=tag)
    assert changed.status_code == 200
    assert changed["ETag"] != tag
    # Lists are tagged as well.
    listed = api.get("/api/v1/customers")
    assert api.get("/api/v1/customers", HTTP_IF_NONE_MATCH=listed["ETag"]).status_code == 304


def test_if_match_refuses_a_change_made_on_an_old_version(api, customer_a):
    tag = api.get("/api/v1/customers/acme")["ETag"]
    api.patch("/api/v1/customers/acme", {"notes": "someone else's edit"}, format="json")

    stale = api.patch("/api/v1/customers/acme", {"notes": "mine"}, format="json", HTTP_IF_MATCH=tag)
    assert stale.status_code == 412
    customer_a.refresh_from_db()
    assert customer_a.notes == "someone else's edit"

    fresh = api.get("/api/v1/customers/acme")["ETag"]
    assert api.patch("/api/v1/customers/acme", {"notes": "mine"}, format="json", HTTP_IF_MATCH=fresh).status_code == 200
    assert api.put("/api/v1/customers/acme", {"name": "Acme"}, format="json", HTTP_IF_MATCH=tag).status_code == 412


def test_an_empty_patch_writes_nothing_and_keeps_the_etag(api, agreement_a):
    url = f"/api/v1/agreements/{agreement_a.code}"
    before = api.get(url)
    versions = agreement_a.history.count()

    response = api.patch(url, {}, format="json", HTTP_IF_MATCH=before["ETag"])

    assert response.status_code == 200
    assert response.data["updated_at"] == before.data["updated_at"]
    assert api.get(url)["ETag"] == before["ETag"]
    assert agreement_a.history.count() == versions
    # ...while If-Match is still checked, and a PATCH that names a field still writes.
    assert api.patch(url, {}, format="json", HTTP_IF_MATCH='"stale"').status_code == 412
    assert api.patch(url, {"title": "Renamed"}, format="json").status_code == 200
    assert api.get(url)["ETag"] != before["ETag"]


def test_the_cursor_pages_in_the_order_asked_and_survives_a_row_added_meanwhile(api):
    for code in ("c-1", "c-2", "c-3"):
        CustomerFactory(code=code, name=code.upper())

    first = api.get("/api/v1/customers?ordering=-code&page_size=2").json()
    assert [row["code"] for row in first["results"]] == ["c-3", "c-2"]
    CustomerFactory(code="c-0", name="added while paging")
    CustomerFactory(code="c-9", name="added before the cursor")
    second = api.get(first["next"]).json()
    assert [row["code"] for row in second["results"]] == ["c-1", "c-0"]
    assert second["next"] is None

    refused = api.get("/api/v1/customers?ordering=contact_phone")
    assert [row["code"] for row in refused.json()["results"]][:1] == ["c-0"]  # an unknown ordering: the default


def test_filters_are_the_pages_filters(api):
    CustomerFactory(code="kbank", name="K Bank")
    CustomerFactory(code="mart", name="Mart")

    assert [row["code"] for row in api.get("/api/v1/customers?q=bank").json()["results"]] == ["kbank"]


def test_machine_tokens_read_nothing_here(manager):
    source = DataSource(code="feed", name="Feed")
    token = source.issue_token()
    source.save()

    response = APIClient(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/customers")

    assert response.status_code == 403


def test_the_schema_states_the_error_shapes_of_every_operation(api):
    schema = api.get("/api/schema/?format=json").json()

    customers = schema["paths"]["/api/v1/customers"]
    assert {"401", "403", "429", "400", "412"} <= set(customers["post"]["responses"])
    assert {"304", "401", "403", "429"} <= set(customers["get"]["responses"])
    detail = schema["paths"]["/api/v1/customers/{code}"]
    assert {"404", "412"} <= set(detail["put"]["responses"])
    assert {"404", "409"} <= set(
        schema["paths"]["/api/v1/agreements/{agreement}/exclusions/{id}"]["delete"]["responses"]
    )
    assert detail["patch"]["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/FieldErrors"
    }
    assert "Throttled" in schema["components"]["schemas"]


def test_rows_sharing_a_sort_value_are_each_paged_once(api):
    for number in range(9):
        CustomerFactory(code=f"same-{number}", name="Same name")

    seen, url = [], "/api/v1/customers?ordering=-name&page_size=2"
    while url:
        page = api.get(url).json()
        seen += [row["code"] for row in page["results"]]
        url = page["next"]

    assert len(seen) == len(set(seen)) == 9
    assert seen == sorted(seen, reverse=True)  # the ties in the order of their ids, the way the list runs


def test_a_cursor_made_by_hand_is_not_found_not_a_server_error(api, customer_a):
    forged = base64.b64encode(b"p=not-a-date").decode()

    response = api.get(f"/api/v1/customers?ordering=created_at&cursor={forged}")

    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid cursor"}


def test_a_value_of_the_wrong_shape_is_refused_not_stored_as_its_text(api, customer_a):
    response = api.patch(
        "/api/v1/customers/acme",
        {"name": ["Acme", "Bank"], "notes": True, "contact_name": {"first": "Jiwoo"}},
        format="json",
    )

    assert response.status_code == 400
    assert response.data == {
        "name": ["Expected one value, not a list or an object."],
        "notes": ["Expected a value, not true or false."],
        "contact_name": ["Expected one value, not a list or an object."],
    }
    customer_a.refresh_from_db()
    assert (customer_a.name, customer_a.notes) == ("Acme Bank", "")


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        (forms.BooleanField(required=False), 0, "Expected true or false."),
        (forms.BooleanField(required=False), "no", "Expected true or false."),
        (forms.BooleanField(required=False), False, None),
        (forms.MultipleChoiceField(choices=[("a", "A")]), "a", "Expected a list of values."),
        (forms.MultipleChoiceField(choices=[("a", "A")]), [True], "Expected a list of values."),
        (forms.MultipleChoiceField(choices=[("a", "A")]), ["a", 2], None),
        (forms.DateField(), [2026, 12, 4], "Expected one value, not a list or an object."),
        (forms.DateField(), "2026-12-04", None),
        (forms.FloatField(), True, "Expected a value, not true or false."),
        (forms.FloatField(), 2.5, None),
        (forms.CharField(), None, None),
    ],
)
def test_the_shapes_a_field_takes(field, value, problem):
    assert wrong_shape(field, value) == problem


def test_a_nul_character_anywhere_in_a_body_is_refused(api, customer_a):
    response = api.patch("/api/v1/customers/acme", {"notes": "fine", "contact_name": "Kim\x00"}, format="json")

    assert response.status_code == 400
    assert response.data == {
        "non_field_errors": ["A value of the body holds a NUL character, which no field of the portal takes."]
    }
    customer_a.refresh_from_db()
    assert customer_a.notes == ""
