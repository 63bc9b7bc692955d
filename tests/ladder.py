"""The permission ladder, written once and used for every page.

anonymous -> sent to the login page; outsider (a customer user of another organisation) -> 404;
the owner's read-only customer user -> 200 on reads, 403 on writes; a service manager -> 200.
"""

from dataclasses import dataclass

from django.conf import settings
from django.shortcuts import resolve_url


@dataclass(frozen=True)
class Rung:
    url: str
    write: bool = False  # a page that changes data: read-only users get 403
    scoped: bool = True  # the URL names a row of customer A: the outsider gets 404
    method: str = "get"


def climb(client, rung, *, owner, outsider, manager, allowed_status=200):
    """Assert every step of the ladder for one page; returns the manager's response."""
    call = getattr(client, rung.method)

    client.logout()
    response = call(rung.url)
    assert response.status_code == 302, f"anonymous {rung.url}: {response.status_code}"
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))

    if outsider is not None:
        client.force_login(outsider)
        response = call(rung.url)
        expected = 404 if rung.scoped else (403 if rung.write else 200)
        assert response.status_code == expected, f"outsider {rung.url}: {response.status_code} != {expected}"

    if owner is not None:
        client.force_login(owner)
        response = call(rung.url)
        expected = 403 if rung.write else 200
        assert response.status_code == expected, f"read-only owner {rung.url}: {response.status_code} != {expected}"

    client.force_login(manager)
    response = call(rung.url)
    assert response.status_code == allowed_status, f"manager {rung.url}: {response.status_code}"
    client.logout()
    return response
