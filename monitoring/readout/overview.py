"""The manager's overview: the figures that only an evaluation changes, read through the cache, for a request or
for the worker that reads them ahead for the next request (``warm``).

An evaluation that finishes raises the generation of evaluation results (``cache.bump_generation``): every cached
figure is then out of date, and the next request to the overview would have to rank the current snapshots and
aggregate a year of them for the heatmap (a few hundred milliseconds of SQL on a large estate). So the same
receiver queues ``monitoring.tasks.warm_overview``, which reads the figures of the unfiltered overview, as a service
manager sees it, into the cache under the same keys a request reads: the first manager to open the page after an
evaluation finds them there. The keys name who may see the rows (``cache.visibility``), so a manager's figures are
never served to anyone who sees other rows.
"""

from django.contrib.auth import get_user_model

from agreements.models import Agreement
from core.tenancy import SERVICE_MANAGERS_GROUP
from monitoring.models import Breach, ComplianceSnapshot
from monitoring.readout import cache, dashboards

PAGE_SIZE = 50


def figures(user, agreements, filters, status, page, generation, per_page=PAGE_SIZE):
    """The overview's figures of ``generation`` for ``user`` with the filters ``filters`` (the agreements they
    leave, ``agreements``; ``status`` the compliance status asked for, if any) and the page number ``page`` as
    given (``per_page`` rows a page): {"ranked": the current snapshots in order, "scope", "summary", "number",
    "on_page", "shown", "fastest": (keys, rows, shown), "breaches": (keys, rows, shown), "heatmap": a function that
    reads the heatmap's matrix}. Cached until the next evaluation (``cache.ranked_listing``, ``cached_rows``,
    ``cached``)."""
    scope = cache.listing_scope(user, filters)
    scoped = dashboards.current_targets(user, agreements)
    summary, number, on_page, shown = cache.ranked_listing(
        ("overview-listing", scope, per_page), scoped, status, per_page, page, current=generation
    )
    in_scope = {"target__agreement__in": agreements}
    snapshots = ComplianceSnapshot.objects.for_user(user).filter(**in_scope)
    breaches = Breach.objects.for_user(user).filter(**in_scope)
    fastest = cache.cached_rows(
        ("fastest", scope),
        dashboards.fastest_burning(user, agreements),
        snapshots.select_related("target__agreement__customer"),
        current=generation,
    )
    latest = cache.cached_rows(
        ("breaches", scope),
        dashboards.recent_breaches(user, agreements),
        breaches.select_related("target__agreement__customer"),
        current=generation,
    )

    def heatmap():
        return cache.cached(
            ("heatmap", scope), lambda: dashboards.service_heatmap(user, agreements), current=generation
        )

    return {
        "ranked": scoped,
        "scope": scope,
        "summary": summary,
        "number": number,
        "on_page": on_page,
        "shown": shown,
        "fastest": fastest,
        "breaches": latest,
        "heatmap": heatmap,
    }


def manager():
    """A service manager whose overview the worker reads ahead: the first active member of the group (they all see
    the same rows, and the keys say so)."""
    return get_user_model().objects.filter(is_active=True, groups__name=SERVICE_MANAGERS_GROUP).order_by("pk").first()


def warm(generation):
    """Read the unfiltered overview's figures of ``generation`` into the cache, as a service manager sees them, unless
    a later evaluation has already raised the generation or another worker is reading them. Returns whether it
    read them (an evaluation in many chunks queues this once per chunk: only the last one does the work)."""
    if cache.generation() != generation:
        return False
    user = manager()
    if user is None:
        return False
    if not cache.claim(("overview-warming", cache.visibility(user)), generation):
        return False
    agreements = Agreement.objects.for_user(user).active()
    found = figures(user, agreements, {}, None, 1, generation)
    found["heatmap"]()
    return True
