"""The dashboards' cache: what only an evaluation changes is kept until the next one finishes.

Every key is built by ``key``: "slm:" and its parts, then, for evaluation results, the *generation*, a counter that
``bump_generation`` raises when an evaluation finishes, so that every such key changes at once and nothing has to be
deleted. What an edit changes (names, codes, an agreement's status, the options of the filter form) is never cached
by itself: it is read afresh and a digest of it (``digest``) goes into the key, so that an edit finds a new entry at
once. The time limit (``SECONDS``) covers caches a worker cannot reach (a per-process cache, say).
"""

import hashlib

from django.core.cache import cache
from django.forms import ModelChoiceField
from django.utils.functional import SimpleLazyObject

from agreements.models import Customer, Service
from core import edits
from core.tenancy import customer_id_of
from monitoring.choices import SnapshotStatus

SECONDS = 120
# Models whose rows are offered in the filter forms by their name (their __str__): their options are read as
# (value, name) tuples, without making model instances (``filter_form_key``).
NAMED_BY_NAME = (Customer, Service)


def key(*parts, generation=None):
    """The cache key of ``parts``, and of the ``generation`` when the value is an evaluation's result: the one
    function every key of the dashboards is built with."""
    if generation is not None:
        parts = (*parts, generation)
    return "slm:" + ":".join(str(part) for part in parts)


GENERATION_KEY = key("evaluation-generation")


def generation():
    """The generation of evaluation results: raised by every evaluation that finishes (0 in an empty cache)."""
    return cache.get(GENERATION_KEY, 0)


def bump_generation(sender=None, **kwargs):
    """Receiver of evaluation_finished: every cached dashboard figure is now out of date."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, None)


def queue_overview_warming(sender=None, **kwargs):
    """Receiver of evaluation_finished, after ``bump_generation``: a worker reads the new generation's overview
    figures into the cache once the evaluation has committed (``monitoring.readout.overview.warm``)."""
    from django.db import transaction

    from monitoring.tasks import warm_overview

    current = generation()
    transaction.on_commit(lambda: warm_overview.delay(current))


EVERY_CUSTOMER = "all"


def ticket_generation(customer_id=None):
    """The generation of a customer's ticket clocks (of every customer's with None): raised whenever some of them are
    written (0 in an empty cache)."""
    return cache.get(key("ticket-generation", customer_id or EVERY_CUSTOMER), 0)


def bump_ticket_generation(sender=None, customer_ids=(), **kwargs):
    """Receiver of ticket_clocks_written: the customers' cached ticket figures and lists are now out of date, and so
    are those of every customer's tickets."""
    for customer_id in [*customer_ids, EVERY_CUSTOMER] if customer_ids else ():
        try:
            cache.incr(key("ticket-generation", customer_id))
        except ValueError:
            cache.set(key("ticket-generation", customer_id), 1, None)


def reader(user):
    """Who reads, as far as what they may see goes: their permissions and the customer they belong to. People alike
    in these see the same rows through every ``.for_user()``, so they may share a page cached whole."""
    return f"{customer_id_of(user) or 0}-{digest(sorted(user.get_all_permissions()))}"


def page_key(*parts, tickets_of=None):
    """The key of a page (or a page's content) cached whole: ``parts`` (who reads, the language, the minute...), the
    generation of evaluation results, the edits counter (``edits``: raised by any write to a table people edit) and,
    with ``tickets_of``, that customer's ticket generation, all read in one round trip."""
    names = [GENERATION_KEY, edits.KEY]
    if tickets_of is not None:
        names.append(key("ticket-generation", tickets_of))
    found = cache.get_many(names)
    return key(*parts, *(found.get(name, 0) for name in names))


def claim(key_parts, generation, seconds=SECONDS):
    """True for the first caller to claim ``key_parts`` of ``generation`` (an atomic add), False for the others: one
    worker reads a generation's figures ahead, not every one that was told the evaluation finished."""
    return cache.add(key(*key_parts, generation=generation), 1, seconds)


def digest(value):
    """A short digest of ``value`` (by its ``repr``), for keys that must change whenever it does."""
    return hashlib.blake2b(repr(value).encode(), digest_size=12).hexdigest()


def cached(key_parts, compute, seconds=SECONDS, current=None, *, by_evaluation=True):
    """``compute()`` cached until the next evaluation (or ``seconds``, for caches a worker cannot reach). ``current``
    is the generation if the caller has read it already (a request reads it once for all its keys). Without
    ``by_evaluation``, for what no evaluation changes, only ``seconds`` (and the key parts) limit it."""
    if by_evaluation and current is None:
        current = generation()
    full = key(*key_parts, generation=current if by_evaluation else None)
    value = cache.get(full)
    if value is None:
        value = compute()
        cache.set(full, value, seconds)
    return value


def cached_many(keys, compute, seconds=SECONDS):
    """``cached`` for many values in one round trip: ``keys`` maps names to key parts; ``compute(names)`` returns
    {name: value} for the names not cached, which are then stored. Returns {name: value} for every name."""
    current = generation()
    full = {name: key(*parts, generation=current) for name, parts in keys.items()}
    found = cache.get_many(list(full.values()))
    values = {name: found[full_key] for name, full_key in full.items() if found.get(full_key) is not None}
    missing = [name for name in keys if name not in values]
    if missing:
        computed = compute(missing)
        cache.set_many({full[name]: computed[name] for name in missing}, seconds)
        values.update(computed)
    return values


def fragment_key(*parts, current=None):
    """The key a ``{% cache %}`` tag files a rendered fragment of evaluation results under: the generation is part
    of it, so that, like ``cached``, it changes when an evaluation finishes."""
    return key(*parts, generation=generation() if current is None else current)


# --- the customer's dashboard ---------------------------------------------------------------------------------------


def section_key(agreement_row, target_rows, language):
    """Cache key parts of an agreement's section of the customer dashboard, from its row and its targets' rows
    (``dashboards.dashboard_rows``). The section shows the agreement and its targets as edited (every field of their
    rows is in the digest: an edit finds a new entry at once) and their compliance, which changes only when an
    evaluation finishes (``cached_many`` adds the generation). A missing section is drawn from these same rows."""
    return ("dashboard-section", agreement_row[0], language, digest([tuple(agreement_row), *map(tuple, target_rows)]))


# --- the manager's overview -----------------------------------------------------------------------------------------


def visibility(user):
    """What decides which rows ``.for_user()`` gives the user on the overview: the view permissions of the models it
    reads and the customer the user belongs to. People alike in these share the overview's cached figures."""
    models = ("agreements.view_agreement", "monitoring.view_compliancesnapshot", "monitoring.view_breach")
    seen = "".join("1" if user.has_perm(model) else "0" for model in models)
    return f"{seen}-{customer_id_of(user) or 0}"


def listing_scope(user, filters):
    """The cache scope of an overview listing: who sees it (``visibility``) and a digest of the filters that shaped
    it. Only cleaned filter values count, so that anything else in a query string neither lengthens the keys nor
    files new copies."""
    values = sorted(
        (name, str(getattr(value, "pk", value))) for name, value in filters.items() if value not in (None, "")
    )
    return f"{visibility(user)}-{digest(values)}"


def filter_form_key(form, query_string, language):
    """The key of the overview's rendered filter form: a digest of everything it shows, the query string (the values
    and any errors), the language, and each field's options as the form offers them now (what this user may see, as
    named now). Drawing the form (80-odd options through crispy and the widget templates) cost as much as all the
    rest of the page; the key changes at once with a new or renamed customer or service. No generation: no
    evaluation changes the form."""
    options = []
    for name, field in form.fields.items():
        widget = field.widget
        if not hasattr(widget, "choices"):
            continue
        if isinstance(field, ModelChoiceField) and field.queryset.model in NAMED_BY_NAME:
            # (value, name) tuples read straight from the database: 200 customers as model instances, each labelled
            # through its __str__, cost more than all the rest of the page. The same options as the form's own.
            rows = field.queryset.values_list(field.to_field_name or "pk", "name")
            empty = [] if field.empty_label is None else [("", field.empty_label)]
            widget.choices = empty + [(str(value), label) for value, label in rows]
        else:
            # Read once, for the key and for the form if it is drawn (not list(): it would count the rows first).
            widget.choices = [choice for choice in widget.choices]  # noqa: C416
        options.append((name, [(str(value), str(label)) for value, label in widget.choices]))
    return key(digest((query_string, language, options)))


# What a listed snapshot (or breach) shows besides its compliance: names, codes and whether its agreement is still
# active, which edits change, not evaluations. A cached rendering of a list is filed under a digest of these, read
# afresh for every request, so that an edit shows at once.
SHOWN = (
    "target__code",
    "target__name",
    "target__agreement__code",
    "target__agreement__status",
    "target__agreement__customer__name",
)


def _shown(row):
    target = row.target
    agreement = target.agreement
    return (row.pk, target.code, target.name, agreement.code, agreement.status, agreement.customer.name)


def rows_in_order(queryset, ids):
    """The rows of ``queryset`` with the primary keys ``ids``, in that order, read now (so names and codes are
    today's); a row no longer in ``queryset`` is left out."""
    found = queryset.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def ranked_listing(key_parts, ranked, status, per_page, number, seconds=SECONDS, current=None):
    """A page of an overview listing: (summary, primary keys on the page, ``SHOWN`` values of the rows if they had to
    be read now ({} when cached)), cached like ``cached``, until the next evaluation.

    ``ranked`` is the listing's current snapshots of every status, in order; the listing shows those of ``status``
    (all of them when it is empty), ``per_page`` a page. The summary is {"counts": {status: number}, "listed": rows
    listed, "pages": pages}; ``number`` is the page asked for, as ``Paginator.get_page`` reads it.
    The order and the counts are one query; a request then reads its summary and its page, a
    few hundred bytes, not the keys of 10,000 targets."""
    current = generation() if current is None else current
    full = key(*key_parts, generation=current)
    summary = cache.get(full)
    if summary is not None:
        page = _page_number(number, summary["pages"])
        ids = cache.get(key(*key_parts, "page", page, generation=current))
        if ids is not None:
            return summary, page, ids, {}
    rows = list(ranked.values_list("pk", "status", *SHOWN))
    listed = [row[0] for row in rows if not status or row[1] == status]
    pages = [listed[start : start + per_page] for start in range(0, len(listed), per_page)] or [[]]
    counts = dict.fromkeys(SnapshotStatus.values, 0)
    for row in rows:
        counts[row[1]] += 1
    summary = {"counts": counts, "listed": len(listed), "pages": len(pages)}
    # The pages first: a reader that finds the summary finds its pages (or, evicted, reads the listing again).
    cache.set_many({key(*key_parts, "page", n, generation=current): ids for n, ids in enumerate(pages, 1)}, seconds)
    cache.set(full, summary, seconds)
    page = _page_number(number, summary["pages"])
    return summary, page, pages[page - 1], {row[0]: (row[0], *row[2:]) for row in rows}


def _page_number(number, pages):
    """The page ``Paginator.get_page`` would show for ``number`` (the first if not a number, the last if past it)."""
    try:
        number = int(number)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), pages)


def cached_rows(key_parts, ranked, rows, seconds=SECONDS, current=None):
    """(keys, rows, ``SHOWN`` values read now) of ``ranked``, a short, sliced queryset, in its order.

    The keys are cached like ``cached``, until the next evaluation. When they are not, the rows are read from
    ``ranked`` (one query). When they are, the rows are read from ``rows`` by key if and when they are used: not
    at all while their rendering is cached."""
    full = key(*key_parts, generation=generation() if current is None else current)
    ids = cache.get(full)
    if ids is None:
        found = list(ranked)
        cache.set(full, [row.pk for row in found], seconds)
        return [row.pk for row in found], found, {row.pk: _shown(row) for row in found}
    return ids, SimpleLazyObject(lambda: rows_in_order(rows, ids)), {}


def shown_of(model, ids, known):
    """``known`` ({pk: ``SHOWN`` values}) completed with the rows of ``model`` among ``ids`` it lacks (one light
    query, if any)."""
    missing = [pk for pk in ids if pk not in known]
    if not missing:
        return known
    found = model.objects.filter(pk__in=missing).order_by().values_list("pk", *SHOWN)
    return {**known, **{row[0]: row for row in found}}


def shown_digest(ids, shown):
    """The digest of the ``SHOWN`` values of the rows with the keys ``ids``, in that order."""
    return digest([shown.get(pk) for pk in ids])
