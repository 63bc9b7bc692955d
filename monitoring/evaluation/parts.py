"""The rows a tally query joins the rollups to, passed as few parameters as the database allows."""

from django.db import connection


def parts_table(columns, rows):
    """(SQL, params) of a common table expression ``parts (columns)`` holding ``rows``: integers, and datetimes in
    the columns named in ``columns`` with a ``:instant`` suffix. PostgreSQL gets one array per column (a few
    parameters, however many rows), other databases a VALUES list."""
    names = [column.split(":")[0] for column in columns]
    instants = [column.endswith(":instant") for column in columns]
    if connection.vendor == "postgresql":
        arrays = [[] for _ in columns]
        for row in rows:
            for array, value, instant in zip(arrays, row, instants, strict=True):
                array.append(int(value.timestamp()) if instant else value)
        selected = ", ".join(
            f"to_timestamp({name}) AS {name}" if instant else name
            for name, instant in zip(names, instants, strict=True)
        )
        unnest = ", ".join(["%s::bigint[]"] * len(columns))
        # Column names come from the callers' literals, never from input.
        return f"parts AS (SELECT {selected} FROM unnest({unnest}) AS u ({', '.join(names)}))", arrays  # noqa: S608
    adapt = connection.ops.adapt_datetimefield_value
    values = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(rows))
    params = [adapt(value) if instant else value for row in rows for value, instant in zip(row, instants, strict=True)]
    return f"parts ({', '.join(names)}) AS (VALUES {values})", params
