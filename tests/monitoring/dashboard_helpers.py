"""Helpers of the dashboard, target page, report and what-if tests.

The scenes are monthly targets evaluated at NOW (16 Nov 2026, 12:00 in Seoul), the instant the pages are also
rendered at (the ``frozen_now`` fixture): November is the open period, earlier months are closed. Occurrence targets
get one ratio sample at noon on the 15th of each month (``monthly_target``), so a month's attainment is exactly
good / total; probe targets get one sample a minute (``record_probe_minutes``).
"""

import datetime as dt
import json
import re
from decimal import Decimal
from html import unescape

from django.core.cache import cache

from agreements.choices import BudgetingMethod
from monitoring.models import TargetIndicator
from tests.factories import TargetFactory
from tests.monitoring.evaluation_helpers import active_agreement, kst, record_counts
from tests.monitoring.factories import IndicatorFactory

NOW = kst(2026, 11, 16, 12)


def frozen_at_now(time_machine):
    """For a module's autouse fixture (``yield from frozen_at_now(time_machine)``): pages render at NOW, the instant
    the scenes are evaluated at, with no dashboard figure cached before or after (the cache outlives a test's
    database)."""
    time_machine.move_to(NOW, tick=False)
    cache.clear()
    yield NOW
    cache.clear()


def agreement_since(month, **fields):
    """An active agreement in force from the first of ``month`` ("2026-08") to 1 Jan 2027."""
    year, number = (int(part) for part in month.split("-"))
    return active_agreement(valid_from=dt.date(year, number, 1), **fields)


def monthly_target(agreement, months, *, service=None, objective="99.9", **fields):
    """A monthly occurrences target of ``agreement`` measuring a new ratio indicator of ``service`` (default: the
    agreement's first), with one sample at noon on the 15th of each month: ``months`` maps "2026-10" to
    (good, total)."""
    target = TargetFactory(
        agreement=agreement, budgeting_method=BudgetingMethod.OCCURRENCES, objective=Decimal(objective), **fields
    )
    indicator = IndicatorFactory(service=service or agreement.services.first())
    TargetIndicator.objects.create(target=target, indicator=indicator)
    counts = {}
    for month, pair in months.items():
        year, number = (int(part) for part in month.split("-"))
        counts[kst(year, number, 15, 12)] = pair
    if counts:
        record_counts(target, counts)
    return target


def month_labels(first, count):
    """``count`` month labels from ``first``: month_labels("2026-11", 3) == ["2026-11", "2026-12", "2027-01"]."""
    year, month = (int(part) for part in first.split("-"))
    labels = []
    for _ in range(count):
        labels.append(f"{year}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return labels


# --- reading pages -------------------------------------------------------------------------------------------------


def figure(html, figure_id):
    """The plotly figure a page hands to the browser with ``json_script`` under ``figure_id``."""
    found = re.search(rf'<script id="{re.escape(figure_id)}" type="application/json">(.*?)</script>', html, re.S)
    assert found, f"no figure {figure_id!r} on the page"
    return json.loads(found.group(1))


def table_rows(html, marker):
    """The text of each body row's cells of the table whose opening tag holds ``marker`` (``'id="x"'``), with
    tags dropped and whitespace collapsed: [["Uptime", "At risk", "96.500 %", ...], ...]."""
    found = re.search(rf"<table[^>]*{re.escape(marker)}[^>]*>.*?<tbody>(.*?)</tbody>", html, re.S)
    assert found, f"no table with {marker} on the page"
    return [
        [_text(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", found.group(1), re.S)
    ]


def chart_table(html, chart_id):
    """The rows of a chart's accessible data table."""
    return table_rows(html, f'data-chart-table="{chart_id}"')


def list_items(html, list_id):
    """The text of each item of the list ``id="list_id"`` (ol or ul)."""
    found = re.search(rf'<[ou]l[^>]*id="{re.escape(list_id)}"[^>]*>(.*?)</[ou]l>', html, re.S)
    assert found, f"no list {list_id!r} on the page"
    return [_text(item) for item in re.findall(r"<li[^>]*>(.*?)</li>", found.group(1), re.S)]


def _text(fragment):
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", fragment)).split())
