"""Burn-rate alerts in Chromium: the service manager finds the firing alert on the overview, acknowledges it with a note
and silences it for 4 hours by clicking, and reads the resolved one; the target page lists the firing alert first,
with its badge; the customer reads their own alerts on a phone, acknowledged and silenced, with nothing to change; the
other customer sees none of them. English and Korean, with nothing the Content-Security-Policy blocks.

The clock stands at a minute past BURN_AT (4 Nov 2026 00:00 in Seoul), as in tests/monitoring/test_alert_list.py.
Acme's "Web banking up" (99.9 %, one probe sample a minute since 1 November) was down two minutes before noon on
2 November (page-1h fired at 12:00 and resolved at 13:00) and two minutes before BURN_AT (page-1h fires again).
Globex's burning target fires at BURN_AT too.
"""

import datetime as dt
from importlib import import_module

import pytest
from django.apps import apps
from django.core.cache import cache

from monitoring.models import Alert
from tests.browser.conftest import log_in, overflow, screenshot
from tests.browser.test_content_security_policy import PageWatch
from tests.monitoring.evaluation_helpers import (
    BURN_AT,
    NOVEMBER,
    THREE_DAYS,
    active_agreement,
    burning_target,
    evaluate,
    kst,
    measured_target,
    record_probe_minutes,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOON_2_NOV = 1440 + 720  # minutes after 1 Nov 00:00

WORDS = {
    "en-US": {
        "firing": "Firing",
        "resolved": "Resolved",
        "acknowledged": "Minsu Park, 4 Nov 2026, 00:01 KST",
        "silenced": "silenced until 4 Nov 2026, 04:01 KST",
        "resolved at": "resolved 2 Nov 2026, 13:00 KST",
        "burn rates": "1 h: 33.3× 5 min: 400.0×",
        "acknowledged by": "acknowledged by Minsu Park",
        "silenced on target": "silenced",
    },
    "ko-KR": {
        "firing": "발생 중",
        "resolved": "해소됨",
        "acknowledged": "Minsu Park 님, 2026년 11월 4일 00:01 KST",
        "silenced": "2026년 11월 4일 04:01 KST까지 알림 중지",
        "resolved at": "2026년 11월 2일 13:00 KST 해소",
        "burn rates": "1시간: 33.3배 5분: 400.0배",
        "acknowledged by": "Minsu Park 확인",
        "silenced on target": "알림 중지됨",
    },
}
NOTE = "Rolling back the 23:50 release"


@pytest.fixture(autouse=True)
def at_burn(time_machine):
    """The pages are rendered, and the acknowledgement and the silence stamped, a minute after BURN_AT."""
    time_machine.move_to(BURN_AT + dt.timedelta(minutes=1), tick=False)
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def alerts(customer_a, customer_b):
    # The default burn-rate rules are data of a migration, which the flush after each transactional test empties.
    import_module("monitoring.migrations.0002_brin_index_and_default_burn_rules").add_default_rules(apps, None)
    agreement = active_agreement(
        customer=customer_a, code="acme-sla", title="Acme online banking", valid_from=dt.date(2026, 11, 1)
    )
    web = measured_target(agreement=agreement, code="web", name="Web banking up")
    down = [NOON_2_NOV - 2, NOON_2_NOV - 1, THREE_DAYS - 2, THREE_DAYS - 1]
    record_probe_minutes(web, NOVEMBER, THREE_DAYS, bad=down)
    for at in (kst(2026, 11, 2, 12), kst(2026, 11, 2, 13), BURN_AT):
        evaluate(web, at)
    globex = burning_target(
        agreement=active_agreement(customer=customer_b, code="globex-ops", valid_from=dt.date(2026, 11, 1)),
        code="ops",
        name="Globex ops up",
    )
    evaluate(globex, BURN_AT)
    return {
        "firing": Alert.objects.get(target=web, state="firing"),
        "resolved": Alert.objects.get(target=web, state="resolved"),
        "globex": Alert.objects.get(target=globex),
    }


def text_of(locator):
    return " ".join(locator.inner_text().split())


def lines(locator):
    """How many lines the element's text takes in the page."""
    return locator.evaluate(
        """(element) => {
          const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT), bottoms = new Set();
          for (let text = walker.nextNode(); text; text = walker.nextNode()) {
            const range = document.createRange();
            range.selectNodeContents(text);
            Array.from(range.getClientRects()).forEach((line) => bottoms.add(Math.round(line.bottom)));
          }
          return bottoms.size;
        }"""
    )


def row_of(page, alert):
    return page.locator(f"#alert-{alert.pk}")


@pytest.mark.parametrize("locale", ["en-US", "ko-KR"])
def test_a_manager_finds_the_firing_alert_acknowledges_it_with_a_note_and_silences_it(
    new_page, alerts, manager, locale
):
    words = WORDS[locale]
    firing, resolved, globex = alerts["firing"], alerts["resolved"], alerts["globex"]
    watch = PageWatch(log_in(new_page(locale=locale, viewport={"width": 1366, "height": 900}), "manager"))
    page = watch.page
    page.goto("/overview/")

    listed = [text_of(item) for item in page.locator("#firing-alerts li").all()]
    assert len(listed) == 3  # the two firing alerts (both began at BURN_AT), and the way to all of them
    assert sorted(item.split(" page-1h ")[0] for item in listed[:2]) == [
        "acme-sla · Web banking up",
        "globex-ops · Globex ops up",
    ]
    watch.assert_clean(f"overview, {locale}")
    page.locator("#firing-alerts a[href='/alerts/']").click()
    page.wait_for_url("**/alerts/")

    assert page.locator("#alerts tbody tr").count() == 2  # the firing ones, Acme's and Globex's
    assert text_of(page.locator("#alert-states .active .badge")) == "2"
    row = row_of(page, firing)
    assert text_of(row.locator(".badge")) == words["firing"]
    assert words["burn rates"] in text_of(row)
    screenshot(page, f"alerts-manager-1366-{locale}-before")

    row.locator(".acknowledge-form [name=note]").fill(NOTE)
    row.locator(".acknowledge-form button").click()
    page.wait_for_url("**/alerts/?state=firing")
    assert page.locator(".alert-success").count() == 1
    row = row_of(page, firing)
    assert text_of(row.locator(".acknowledged")) == f"{words['acknowledged']} {NOTE}"
    assert row.locator(".acknowledge-form").count() == 0  # acknowledged once
    assert row_of(page, globex).locator(".acknowledge-form").count() == 1  # the other alert is untouched

    row.locator(".silence-form select").select_option("4")
    row.locator(".silence-form button").click()
    page.wait_for_url("**/alerts/?state=firing")
    row = row_of(page, firing)
    assert text_of(row.locator(".silenced")) == words["silenced"]
    firing.refresh_from_db()
    assert (firing.acknowledged_by, firing.acknowledgement) == (manager, NOTE)
    assert firing.acknowledged_at == BURN_AT + dt.timedelta(minutes=1)
    assert firing.silenced_until == BURN_AT + dt.timedelta(hours=4, minutes=1)
    watch.assert_clean(f"alerts after acknowledging and silencing, {locale}")
    screenshot(page, f"alerts-manager-1366-{locale}-after")

    page.locator("#alert-states a[href='?state=resolved']").click()
    page.wait_for_url("**/alerts/?state=resolved")
    assert page.locator("#alerts tbody tr").count() == 1
    row = row_of(page, resolved)
    assert text_of(row.locator(".badge")) == words["resolved"]
    assert words["resolved at"] in text_of(row)
    assert row.locator("form").count() == 0  # nothing to acknowledge or silence once resolved

    # The target page lists the firing alert first, with its badge, who acknowledged it and its silence.
    page.goto("/agreements/acme-sla/targets/web/")
    items = page.locator("#alerts li")
    assert items.count() == 2
    first, second = items.nth(0), items.nth(1)
    assert text_of(first.locator(".badge")) == words["firing"]
    assert first.locator(".badge").evaluate("badge => getComputedStyle(badge).backgroundColor") == "rgb(220, 53, 69)"
    assert "page-1h" in text_of(first)
    assert words["acknowledged by"] in text_of(first)
    assert text_of(first).endswith(words["silenced on target"])
    assert text_of(second.locator(".badge")) == words["resolved"]
    watch.assert_clean(f"target page with its alerts, {locale}")
    screenshot(page, f"alerts-target-page-manager-1366-{locale}")


@pytest.mark.parametrize("locale", ["en-US", "ko-KR"])
def test_the_customer_reads_their_own_alerts_on_a_phone_with_nothing_to_change(
    new_page, alerts, manager, alice, bob, locale
):
    words = WORDS[locale]
    firing, resolved, globex = alerts["firing"], alerts["resolved"], alerts["globex"]
    firing.acknowledged_by, firing.acknowledged_at, firing.acknowledgement = manager, BURN_AT, NOTE
    firing.silenced_until = BURN_AT + dt.timedelta(hours=4)
    firing.save()
    watch = PageWatch(log_in(new_page(locale=locale, viewport={"width": 390, "height": 844}), "alice"))
    page = watch.page

    page.goto("/alerts/")

    assert page.locator("#alerts tbody tr").count() == 1  # Acme's firing alert, not Globex's
    assert row_of(page, globex).count() == 0
    row = row_of(page, firing)
    assert text_of(row.locator(".badge")) == words["firing"]
    assert NOTE in text_of(row.locator(".acknowledged"))
    assert row.locator(".silenced").count() == 1
    assert page.locator("#alerts form, #alerts button, #alerts select, #alerts input").count() == 0
    fits = overflow(page)
    assert (fits["scroll"], fits["over"]) == (0, [])  # the table scrolls in its own box; the page does not
    # ... and keeps its columns wide enough to read: no rate, name or time squeezed to a word a line.
    assert lines(row.locator("td").nth(2)) == 2  # the rule, and its severity and threshold
    assert lines(row.locator("td").nth(3)) == 2  # one line per window
    assert lines(row.locator(".silenced")) <= 3
    assert lines(row.locator(".acknowledged")) <= 4  # who and when, and the note
    watch.assert_clean(f"customer's alerts, {locale}")
    screenshot(page, f"alerts-customer-390-{locale}")

    page.locator("#alert-states a[href='?state=all']").click()
    page.wait_for_url("**/alerts/?state=all")
    assert [row.get_attribute("id") for row in page.locator("#alerts tbody tr").all()] == [
        f"alert-{firing.pk}",
        f"alert-{resolved.pk}",
    ]
    assert page.locator("#alerts form").count() == 0
    # A customer posting the form anyway is refused, and nothing changes.
    response = page.request.post(f"/alerts/{resolved.pk}/silence/", form={"hours": "4"})
    assert response.status == 403
    resolved.refresh_from_db()
    assert resolved.silenced_until is None

    outsider = log_in(new_page(locale=locale, viewport={"width": 390, "height": 844}), "bob")
    outsider.goto("/alerts/?state=all")
    assert [row.get_attribute("id") for row in outsider.locator("#alerts tbody tr").all()] == [f"alert-{globex.pk}"]
