"""CSV cells that a spreadsheet program would run as formulas are written as text; numbers stay numbers."""

import csv
import io
from decimal import Decimal

import pytest

from core.spreadsheets import csv_writer, safe_cell


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-", "'-"),
        ("Acme Bank", "Acme Bank"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        ("-19", "-19"),
        ("-0.189814814815", "-0.189814814815"),
        ("+5", "+5"),
        ("1e-12", "1e-12"),
    ],
)
def test_text_that_would_run_as_a_formula_is_quoted(value, written):
    assert safe_cell(value) == written


@pytest.mark.parametrize("number", [-19, Decimal("-0.5"), 2.5, 0])
def test_numbers_stay_numbers(number):
    assert safe_cell(number) is number


def test_the_writer_writes_every_cell_safely():
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(["=1+1", -3, "ok"])
    writer.writerow(["@x"])
    writer.writerow(["-4"])
    assert list(csv.reader(io.StringIO(buffer.getvalue()))) == [["'=1+1", "-3", "ok"], ["'@x"], ["-4"]]
