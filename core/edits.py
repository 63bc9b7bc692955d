"""The edits counter: raised whenever a statement writes to a table that people edit, so that a page drawn from those
tables can be cached whole and still show an edit at once.

The dashboards' finer caches (``monitoring.readout.cache``) file what they keep under a digest of the rows it shows,
read afresh for every request: correct, but reading and digesting those rows costs most of a cached page. A page
cached whole is filed under this counter instead (with the generation of evaluation results): any write to an edited
table, however it is made (a form, the admin, the API, ``QuerySet.update``, ``bulk_create``, raw SQL through Django's
connection, a data migration), raises it, and every page cached whole is drawn afresh on its next request.

How: every database connection runs its statements through ``count_edits`` (Django's execute wrappers, installed on
each connection as it opens). An INSERT, UPDATE or DELETE whose table is edited by people (``EDITED``), or a
TRUNCATE, raises the counter as it runs and again when its transaction commits: the first makes the writing
request's own next page fresh (and tests, whose transactions never commit), the second covers a reader that drew the
page from the rows of before the commit in between. What the portal writes itself in volume — measurements, rollups,
evaluation results, tickets and their clocks, sessions, sign-in records — is not counted here: evaluation results and
ticket clocks have generations of their own (``cache.generation``, ``cache.ticket_generation``), and the rest is not
on the pages cached whole.

The counter lives in the default cache. Shared (Redis), an edit shows at once in every process; with a cache of
each process's own, a write made by another process shows when the entries expire (``cache.SECONDS``), as
evaluation results do. If the cache cannot be reached the write still goes through (the error is logged): the pages
then show the edit when their entries expire.
"""

import logging
import re

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

KEY = "slm:edits"
# Tables people edit whose rows the pages cached whole show or are scoped by: every table of the agreements app
# (customers, agreements, targets, services, calendars, maintenance, memberships...), who may see what (users,
# groups, permissions), and the monitoring app's catalogue (indicators and their links to targets, alerts and their
# rules, ticket goals).
EDITED_PREFIXES = ("agreements_", "auth_")
EDITED = frozenset(
    {
        "monitoring_indicator",
        "monitoring_targetindicator",
        "monitoring_alert",
        "monitoring_burnraterule",
        "monitoring_ticketgoal",
    }
)
# Among those, what no page cached whole shows and what is written as a side effect of reading: when a calendar
# feed was last read.
NOT_EDITS = frozenset({"agreements_calendarfeed"})
# A sign-in records its time on the person's row (``update_last_login``): no page shows it.
SIGN_IN_TIME = re.compile(r'\s*UPDATE\s+"?auth_user"?\s+SET\s+"?last_login"?\s*=\s*%s\s+WHERE\b', re.IGNORECASE)
# SQLite's m2m additions are "INSERT OR IGNORE INTO".
WRITTEN = re.compile(r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+["`]?(\w+)', re.IGNORECASE)
TRUNCATE = re.compile(r"\s*TRUNCATE\b", re.IGNORECASE)


def edited(sql):
    """True when the statement ``sql`` writes to a table people edit (``EDITED``), or truncates tables."""
    if not isinstance(sql, str):
        sql = str(sql)
    head = sql[:12].lstrip().upper()
    if not head.startswith(("INSERT", "UPDATE", "DELETE", "TRUNCATE")):
        return False  # most statements: a SELECT, a COPY, a SAVEPOINT
    if TRUNCATE.match(sql):
        return True
    found = WRITTEN.match(sql)
    if found is None:
        return False
    table = found.group(1).lower()
    if table in NOT_EDITS or SIGN_IN_TIME.match(sql):
        return False
    return table in EDITED or table.startswith(EDITED_PREFIXES)


def version():
    """The edits counter (0 in an empty cache)."""
    return cache.get(KEY, 0)


def bump():
    """Raise the edits counter; a cache that cannot be reached is logged, and the write goes on."""
    try:
        try:
            cache.incr(KEY)
        except ValueError:
            cache.set(KEY, 1, None)
    except Exception:  # noqa: BLE001 - the cache is an optimisation: no write fails because of it
        logger.warning("The edits counter could not be raised: pages cached whole show the edit when they expire.")


def count_edits(execute, sql, params, many, context):
    """Execute wrapper (see ``install``): the statement runs, then raises the counter if it wrote an edited table."""
    result = execute(sql, params, many, context)
    if edited(sql):
        bump()
        connection = context["connection"]
        # Once a transaction: a bulk edit of a thousand rows raises it once more on commit, not a thousand times.
        if connection.in_atomic_block and not any(func is bump for _sids, func, _robust in connection.run_on_commit):
            transaction.on_commit(bump, using=connection.alias)
    return result


def install(sender=None, connection=None, **kwargs):
    """Receiver of ``connection_created``: the connection's statements go through ``count_edits`` (once)."""
    if count_edits not in connection.execute_wrappers:
        connection.execute_wrappers.append(count_edits)
