"""Helpers of the agreements app's API tests: a client signed in as someone, a list's codes, and its pages."""

from rest_framework.test import APIClient


def signed_in(user):
    client = APIClient()
    client.force_login(user)
    return client


def results(response, key="code"):
    """The ``key`` of each row of a list's page (its codes, by default)."""
    assert response.status_code == 200, response.content
    return [row[key] for row in response.json()["results"]]


def every_page(client, url, key="code"):
    """[the keys of each page] following ``next`` from ``url`` (one row a page)."""
    pages, url = [], url + ("&" if "?" in url else "?") + "page_size=1"
    while url:
        body = client.get(url).json()
        pages.append([row[key] for row in body["results"]])
        url = body["next"]
    return pages


def schema_paths(manager):
    response = signed_in(manager).get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()["paths"]
