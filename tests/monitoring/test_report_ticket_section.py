"""The SLA report page's ticket section (monitoring/readout/reports.py, the report_body template): rendered once a
minute and kept in the cache, filed like the figures under the customer's ticket generation, so that what the page
shows is what it showed when read afresh, a clock written shows at once, an edit shows at once, each language has
its own, and no reader sees another customer's."""

import datetime as dt
import re

import pytest
from django.core.cache import cache

from monitoring.models import Indicator, TicketClock
from tests.factories import MembershipFactory, UserFactory
from tests.monitoring.dashboard_helpers import table_rows
from tests.monitoring.test_ticket_figures import NOW, cast, send_late  # noqa: F401 (cast: the fixture)
from tests.monitoring.ticket_helpers import TicketCast, kst


def section(html):
    """The report's ticket section, as rendered."""
    found = re.search(r'<section class="mb-4 report-tickets">.*?</section>', html, re.S)
    assert found, "no ticket section on the page"
    return found.group(0)


def report_page(client, agreement, period="2026-11"):
    response = client.get(f"/agreements/{agreement.code}/report/?period={period}")
    assert response.status_code == 200
    return response.text


def counted(html, indicator, priority="all"):
    """The tickets of ``indicator`` counted in the report's figures, in all priorities or in one."""
    line = rf'<tr data-ticket-indicator="{indicator.code}"[^>]*data-priority="{priority}"[^>]*>(.*?)</tr>'
    row = re.search(line, html, re.S)
    assert row, f"no line of {priority} of {indicator.code}"
    return re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)[2]


@pytest.mark.parametrize("period", ["2026-11", "2026-Q4"])
def test_the_section_served_from_the_cache_is_the_one_read_afresh(client, cast, manager, period):  # noqa: F811
    send_late(cast)
    client.force_login(manager)
    first = section(report_page(client, cast.agreement, period))
    assert 'id="report-late-events"' in first
    assert section(report_page(client, cast.agreement, period)) == first  # from the cache
    cache.clear()
    assert section(report_page(client, cast.agreement, period)) == first  # read afresh


def test_the_section_is_kept_for_the_minute_and_a_clock_written_shows_at_once(client, cast, manager, time_machine):  # noqa: F811
    client.force_login(manager)
    html = report_page(client, cast.agreement)
    assert counted(html, cast.resolution) == "8"
    assert 'id="report-late-events-none"' in html
    # A clock changed behind the portal's back is not seen within the minute: the section is served from the cache.
    TicketClock.objects.filter(ticket__external_id="INC-1", indicator=cast.resolution).update(
        counted_at=None, good=None
    )
    assert counted(report_page(client, cast.agreement), cast.resolution) == "8"
    # The next minute reads it afresh.
    time_machine.move_to(NOW + dt.timedelta(minutes=1), tick=False)
    assert counted(report_page(client, cast.agreement), cast.resolution) == "7"
    # Within that minute, the desk sends a November ticket late: its clocks are written, and the page shows it at once,
    # counted and among the late adjustments.
    cast.ticket("INC-20", kst(2026, 11, 3, 9), resolved=kst(2026, 11, 3, 10), now=NOW + dt.timedelta(minutes=1))
    html = report_page(client, cast.agreement)
    assert counted(html, cast.resolution) == "8"
    assert [row[0].split()[0] for row in table_rows(html, 'id="report-late-events"')] == ["INC-20", "INC-20"]


def test_an_edit_of_what_the_section_names_shows_at_once(client, cast, manager):  # noqa: F811
    client.force_login(manager)
    assert f'data-ticket-indicator="{cast.resolution.code}"' in report_page(client, cast.agreement)
    Indicator.objects.filter(pk=cast.resolution.pk).update(code="resolved-in-time")
    html = report_page(client, cast.agreement)
    assert 'data-ticket-indicator="resolved-in-time"' in html
    assert f'data-ticket-indicator="{cast.resolution.code}"' not in html


def test_the_section_in_korean_is_kept_apart(client, cast, manager):  # noqa: F811
    client.force_login(manager)
    english = section(report_page(client, cast.agreement))
    path = f"/agreements/{cast.agreement.code}/report/?period=2026-11"
    korean = section(client.get(path, HTTP_ACCEPT_LANGUAGE="ko").text)
    assert "Tickets counted" in english
    assert "집계된 티켓" in korean
    assert section(client.get(path).text) == english


def test_a_customer_sees_their_own_figures_and_no_one_elses(client, cast, manager):  # noqa: F811
    other = TicketCast()
    other.target(code="tickets-resolved", name="Tickets resolved")
    other.ticket("OTHER-1", kst(2026, 11, 2, 9), resolved=kst(2026, 11, 2, 10))
    reader = MembershipFactory(user=UserFactory(), customer=cast.customer).user
    outsider = MembershipFactory(user=UserFactory(), customer=other.customer).user
    client.force_login(manager)
    managers = section(report_page(client, cast.agreement))
    client.force_login(reader)
    assert section(report_page(client, cast.agreement)) == managers  # the same figures, as the manager reads them
    client.force_login(outsider)
    assert counted(report_page(client, other.agreement), other.resolution, "P1") == "1"
    assert client.get(f"/agreements/{cast.agreement.code}/report/?period=2026-11").status_code == 404
