"""CSV files of samples: read, check every line, report bad lines by their line number.

The header names the columns of the indicator's kind (``monitoring.kinds``): ``t,value`` for threshold indicators,
``t,good,total`` for ratio indicators (extra columns are refused, order is free). Times are ISO-8601 with a zone, as
in the API.
"""

import csv
import io

from monitoring.intake.ingest import BatchInvalid, validate_samples

MAX_LINES = 100_000


def _number(text, whole):
    text = text.strip()
    if text == "":
        return None
    try:
        return int(text) if whole else float(text)
    except ValueError:
        return text  # left as text, so validation names the field and says what it must be


def read_csv(indicator, content, *, now=None):
    """Returns (samples, errors); each error is {"line", "field", "message"} and samples is empty when any."""
    kind = indicator.sli_kind
    expected = {"t", *kind.fields}
    reader = csv.DictReader(io.StringIO(content))
    header = [name.strip() for name in reader.fieldnames or []]
    # A list, not a set: a column named twice would otherwise pass, and the row keep only its last cell.
    if sorted(header) != sorted(expected):
        return [], [{"line": 1, "field": None, "message": f"the header must name the columns {kind.header}"}]
    raw, lines, errors = [], [], []
    for row in reader:
        if len(raw) + len(errors) >= MAX_LINES:
            return [], [{"line": None, "field": None, "message": f"more than {MAX_LINES} lines; split the file"}]
        if None in row:
            errors.append({"line": reader.line_num, "field": None, "message": "more cells than the header names"})
            continue
        sample = {}
        for key, text in row.items():
            key = key.strip()
            value = text.strip() if key == "t" else _number(text or "", whole=key in kind.counts)
            if value not in (None, ""):
                sample[key] = value
        raw.append(sample)
        lines.append(reader.line_num)
    if not raw and not errors:
        return [], [{"line": None, "field": None, "message": "the file has no samples"}]
    samples = []
    if raw:
        try:
            samples = validate_samples(
                indicator, raw, now=now, max_batch=MAX_LINES, describe=lambda index: f"line {lines[index]}"
            )
        except BatchInvalid as invalid:
            errors += [
                {
                    "line": None if error["index"] is None else lines[error["index"]],
                    "field": error["field"],
                    "message": error["message"],
                }
                for error in invalid.errors
            ]
    if errors:
        return [], sorted(errors, key=lambda error: (error["line"] or 0, error["field"] or ""))
    return samples, []
