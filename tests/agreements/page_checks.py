"""Reading the pages back: the error shown under a field, and "saves nothing" as a context manager."""

import html
import re
from contextlib import contextmanager

from django.apps import apps


def _text(fragment, joiner=" "):
    """Visible text of an HTML fragment: tags replaced by ``joiner``, entities decoded, whitespace squeezed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", joiner, fragment)).split())


def field_error(response, field_id):
    """The error text rendered right under the field whose HTML id is ``field_id`` ("" when it has none)."""
    match = re.search(
        rf'<div id="{re.escape(field_id)}_error" class="invalid-feedback">(.*?)</div>', response.text, re.S
    )
    return _text(match.group(1)) if match else ""


def page_text(response):
    """The page's visible text with tags dropped and whitespace squeezed, for assertions on what a person reads."""
    body = re.sub(r"<(script|template)\b.*?</\1>", " ", response.text, flags=re.S)
    return _text(body)


def row_counts():
    """Rows of every agreements model and of its change history."""
    return {
        model._meta.label: model._default_manager.count() for model in apps.get_app_config("agreements").get_models()
    }


@contextmanager
def saves_nothing():
    """Asserts that the block writes no row of the agreements app (history included)."""
    before = row_counts()
    yield
    assert row_counts() == before


def history_rows(response):
    """The agreement page's change history, newest first: (who, what, ["field: old → new", ...]) per row."""
    table = re.search(r'<table[^>]*id="change-history".*?<tbody>(.*?)</tbody>', response.text, re.S)
    assert table, "the page has no change history table"
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        if len(cells) != 4:
            continue  # the "No changes recorded." row
        changes = [_text(change, "") for change in re.findall(r"<div>(.*?)</div>", cells[3], re.S)]
        rows.append((_text(cells[1]), _text(cells[2]), changes))
    return rows
