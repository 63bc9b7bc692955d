"""The permission ladder of the API, written once and used for every endpoint.

anonymous -> 401 (and ``WWW-Authenticate: Bearer``); outsider (a customer user of another organisation) -> 404 on a
row of organisation A, 403 on a create; the read-only owner (A's customer user) and a read-only token of the manager
-> 2xx on reads, 403 on writes; the service manager -> the allowed status.

Each write is tried by the refused ones first, so the manager's write is the one that lands; the test then asserts
that nothing the refused ones sent was stored.
"""

from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.generators import EndpointEnumerator
from rest_framework.test import APIClient


@dataclass(frozen=True)
class Call:
    method: str
    url: str
    body: dict = field(default_factory=dict)
    scoped: bool = True  # the URL names a row of customer A: the outsider gets 404 (else 200 on reads, 403 on writes)

    @property
    def write(self):
        return self.method not in ("get", "head", "options")


def send(client, call):
    method = getattr(client, call.method)
    if call.write:
        return method(call.url, call.body, format="json")
    return method(call.url)


def climb(call, *, owner, outsider, manager, read_token=None, allowed_status=None):
    """Assert every rung for one call; returns the manager's response. ``read_token``: a read-only personal token
    (its write is refused with 403 whatever its person may do)."""
    client = APIClient()
    expected_allowed = allowed_status or (201 if call.method == "post" else 204 if call.method == "delete" else 200)

    response = send(client, call)
    assert response.status_code == 401, f"anonymous {call.method} {call.url}: {response.status_code}"
    assert response["WWW-Authenticate"] == "Bearer"

    if outsider is not None:
        client.force_login(outsider)
        response = send(client, call)
        expected = 404 if call.scoped else (403 if call.write else 200)
        assert response.status_code == expected, f"outsider {call.url}: {response.status_code} != {expected}"
        client.logout()

    if owner is not None:
        client.force_login(owner)
        response = send(client, call)
        expected = 403 if call.write else 200
        assert response.status_code == expected, f"owner {call.url}: {response.status_code} != {expected}"
        client.logout()

    if read_token is not None:
        token_client = APIClient(HTTP_AUTHORIZATION=f"Bearer {read_token}")
        response = send(token_client, call)
        expected = 403 if call.write else 200
        assert response.status_code == expected, f"read token {call.url}: {response.status_code} != {expected}"

    client.force_login(manager)
    response = send(client, call)
    assert response.status_code == expected_allowed, (
        f"manager {call.method} {call.url}: {response.status_code} {getattr(response, 'data', '')}"
    )
    client.logout()
    return response


# Every endpoint of the API, for the tests that walk them all.

API_PREFIX = "api/v1/"
METHODS = {"get", "post", "put", "patch", "delete"}


def api_patterns(patterns=None, prefix=""):
    """(regex of the full path, view) of every URL pattern under /api/v1/."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        regex = prefix + str(pattern.pattern)  # a route as written, or a router's regex
        if isinstance(pattern, URLResolver):
            yield from api_patterns(pattern.url_patterns, regex)
        elif isinstance(pattern, URLPattern) and regex.lstrip("^").startswith(API_PREFIX):
            yield regex, pattern.callback


def schema_path(regex):
    """The path the schema names a pattern by (it names a ``pk`` by the model's primary key, ``id``)."""
    return EndpointEnumerator().get_path_from_regex(regex).replace("{pk}", "{id}")


def methods_of(view):
    """The methods a view answers (a viewset's from its actions, an APIView's from its handlers)."""
    allowed = set(view.cls.http_method_names) & METHODS
    actions = getattr(view, "actions", None)
    if actions:
        return set(actions) & allowed
    return {method for method in allowed if hasattr(view.cls, method)}
