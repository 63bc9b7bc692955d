"""The agreements list: filters, search and pages, with choices limited to what the viewer may see."""

import re

import pytest

from agreements.choices import AgreementKind, AgreementStatus
from tests.factories import AgreementFactory, CustomerFactory, ServiceFactory

LIST_URL = "/agreements/"


def listed_codes(response):
    table = re.search(r'<table[^>]*id="agreement-table".*?<tbody>(.*?)</tbody>', response.text, re.S).group(1)
    return re.findall(r'<a href="/agreements/([^/]+)/">', table)


def choice_values(response, field):
    select = re.search(rf'<select name="{field}"[^>]*>(.*?)</select>', response.text, re.S).group(1)
    return [value for value in re.findall(r'<option value="([^"]*)"', select) if value]


@pytest.fixture
def portfolio(agreement_a, agreement_b):
    """Acme: an active SLA (acme-sla) and a draft OLA; Globex: a draft SLA and a terminated UC."""
    payments = ServiceFactory(code="payments", name="Payments")
    AgreementFactory(
        code="acme-ola", title="Acme data centre", customer=agreement_a.customer, kind=AgreementKind.OLA
    ).services.set([payments])
    AgreementFactory(
        code="globex-uc",
        title="Globex network carrier",
        customer=agreement_b.customer,
        kind=AgreementKind.UC,
        status=AgreementStatus.TERMINATED,
        services=[payments],
    )


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ({}, ["acme-ola", "acme-sla", "globex-sla", "globex-uc"]),
        ({"customer": "acme"}, ["acme-ola", "acme-sla"]),
        ({"service": "payments"}, ["acme-ola", "globex-uc"]),
        ({"status": "active"}, ["acme-sla"]),
        ({"status": "draft"}, ["acme-ola", "globex-sla"]),
        ({"kind": "uc"}, ["globex-uc"]),
        ({"q": "WAREHOUSE"}, ["globex-sla"]),  # title, any case
        ({"q": "ola"}, ["acme-ola"]),  # code
        ({"q": "Globex Logistics"}, ["globex-sla", "globex-uc"]),  # customer name
        ({"customer": "globex", "status": "terminated"}, ["globex-uc"]),
        ({"customer": "acme", "kind": "uc"}, []),
    ],
)
def test_manager_filters_the_list(manager_client, portfolio, query, codes):
    response = manager_client.get(LIST_URL, query)

    assert response.status_code == 200
    assert listed_codes(response) == codes


def test_empty_result_says_so(manager_client, portfolio):
    response = manager_client.get(LIST_URL, {"q": "no such agreement"})

    assert listed_codes(response) == []
    assert "No agreements match." in response.text


def test_26_agreements_make_two_pages(manager_client):
    customer = CustomerFactory(code="bulk", name="Bulk customer")
    service = ServiceFactory()
    for number in range(26):
        AgreementFactory(code=f"bulk-{number:02d}", customer=customer, services=[service])

    first = manager_client.get(LIST_URL)
    second = manager_client.get(LIST_URL, {"page": 2})

    assert listed_codes(first) == [f"bulk-{number:02d}" for number in range(25)]
    assert listed_codes(second) == ["bulk-25"]
    assert "Page 1 of 2" in first.text
    assert "Page 2 of 2" in second.text
    assert manager_client.get(LIST_URL, {"page": 3}).status_code == 404


def test_next_page_link_keeps_the_filter(manager_client):
    customer = CustomerFactory(code="bulk", name="Bulk customer")
    for number in range(26):
        AgreementFactory(code=f"bulk-{number:02d}", customer=customer, kind=AgreementKind.OLA)
    AgreementFactory(code="other-sla", kind=AgreementKind.SLA)

    first = manager_client.get(LIST_URL, {"kind": "ola"})

    assert 'href="?kind=ola&amp;page=2"' in first.text
    assert listed_codes(manager_client.get(LIST_URL, {"kind": "ola", "page": 2})) == ["bulk-25"]


def test_customer_users_filter_offers_only_their_own_customer_and_services(client, portfolio, agreement_a, alice):
    client.force_login(alice)

    response = client.get(LIST_URL)

    assert choice_values(response, "customer") == ["acme"]
    # Acme's SLA service and the payments service of its OLA; not the service only Globex's SLA covers.
    assert sorted(choice_values(response, "service")) == sorted([agreement_a.services.get().code, "payments"])
    assert listed_codes(response) == ["acme-ola", "acme-sla"]


def test_managers_filter_offers_every_customer(manager_client, portfolio):
    assert choice_values(manager_client.get(LIST_URL), "customer") == ["acme", "globex"]


def test_customer_user_filtering_by_another_customer_sees_nothing_of_it(client, portfolio, alice):
    client.force_login(alice)

    response = client.get(LIST_URL, {"customer": "globex"})

    assert response.status_code == 200
    assert not [code for code in listed_codes(response) if code.startswith("globex")]
    assert "Select a valid choice." in response.text


def test_customer_user_searching_another_customers_name_finds_nothing(client, portfolio, alice):
    client.force_login(alice)

    assert listed_codes(client.get(LIST_URL, {"q": "Globex"})) == []
