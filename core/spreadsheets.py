"""CSV files that are safe to open in a spreadsheet program.

Excel, LibreOffice and Google Sheets run a cell that starts with "=", "+", "-" or "@" as a formula (and some also
after a leading tab or carriage return), so a customer or plan named ``=HYPERLINK("http://…")`` would become a link,
or worse, in the file a manager downloads. Every CSV the portal writes goes through ``csv_writer``: such a text cell
gets a leading apostrophe, which the programs show as text. Numbers stay numbers, the negative ones included.
"""

import csv
import re
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def safe_cell(value):
    """``value`` as a spreadsheet should show it: numbers as they are, text that would run as a formula quoted."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(text):
        return "'" + text
    return text


class _SafeWriter:
    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row):
        return self._writer.writerow([safe_cell(value) for value in row])


def csv_writer(buffer, **options):
    """A ``csv.writer`` on ``buffer`` whose rows are made safe with ``safe_cell``."""
    return _SafeWriter(csv.writer(buffer, **options))
