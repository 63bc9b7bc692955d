"""Compliance dashboards: the customer's own view, the manager's overview, and a target's page with its charts."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache as default_cache
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django_filters import ChoiceFilter

from agreements.expiry import ENDING_SOON_DAYS, days_left, ending_within
from agreements.filters import AgreementFilter
from agreements.models import Agreement, Customer, ServiceLevelTarget
from core.formatting import plain_number
from core.tenancy import require_manager, require_permission
from monitoring import windows
from monitoring.choices import BudgetUnit, SnapshotStatus
from monitoring.evaluation.engine import below_minimum
from monitoring.evaluation.plan import target_time_zone
from monitoring.extensions import target_page_actions
from monitoring.models import Alert, Breach, ComplianceSnapshot
from monitoring.readout import cache, chain, charts, dashboards, timeline
from monitoring.readout import maintenance as excluded_time
from monitoring.readout.freshness import evaluation_state, queued_at
from monitoring.readout.overview import PAGE_SIZE
from monitoring.readout.overview import figures as overview_figures
from monitoring.readout.ticket_list import ticket_target
from monitoring.readout.tickets import customer_ticket_figures
from monitoring.readout.what_if import closed_periods, parse_objective

OVERVIEW_PAGE_SIZE = PAGE_SIZE
SECTION_TEMPLATE = "monitoring/includes/agreement_section.html"
BODY_TEMPLATE = "monitoring/includes/customer_dashboard_body.html"
OVERVIEW_BODY_TEMPLATE = "monitoring/includes/overview_body.html"


class OverviewFilter(AgreementFilter):
    """The agreement filter, except that "status" is the targets' compliance status: the overview lists active
    agreements only, so their own status would narrow nothing (or everything)."""

    status = ChoiceFilter(choices=SnapshotStatus.choices, label=gettext_lazy("Status"), method="by_compliance")

    def by_compliance(self, queryset, name, value):
        return queryset  # the view applies it to the targets' current snapshots


def render_customer_dashboard(request, customer):
    """The dashboard's content is cached whole, as of the minute (``cache.page_key``: the reader, the language, the
    generation of evaluation results, the edits counter and the customer's ticket generation): a request that finds
    it reads nothing of the agreements. Drawn afresh, each agreement's section is itself cached until the next
    evaluation (``customer_dashboard_body``)."""
    now = timezone.now()
    key = cache.page_key(
        "customer-page",
        customer.pk,
        cache.reader(request.user),
        get_language(),
        f"{now:%Y%m%d%H%M}",
        tickets_of=customer.pk,
    )
    body = default_cache.get(key)
    if body is None:
        body = render_to_string(BODY_TEMPLATE, customer_dashboard_body(request, customer, now), request)
        default_cache.set(key, body, cache.SECONDS)
    return render(
        request,
        "monitoring/customer_dashboard.html",
        {"customer": customer, "body": mark_safe(body)},  # noqa: S308 - HTML of our own template
    )


def customer_dashboard_body(request, customer, now):
    """The context of the dashboard's content. Each agreement's section is cached as HTML until the next evaluation
    (or an edit of the agreement or its targets, which changes its key): only the sections not cached read their
    compliance and are drawn."""
    rows = dashboards.dashboard_rows(request.user, customer)
    language = get_language()
    keys = {pk: cache.section_key(row, targets, language) for pk, row, _tickets, targets in rows}

    def draw(pks):  # from the rows the keys were made of: a section is filed under the key of what it shows
        drawn = dashboards.attach_trends(dashboards.agreements_of_rows([row for row in rows if row[0] in pks]))
        for agreement in drawn:
            agreement.chart = charts.target_trends(agreement.targets.all())
        return {
            agreement.pk: render_to_string(SECTION_TEMPLATE, {"agreement": agreement}, request) for agreement in drawn
        }

    sections = cache.cached_many(keys, draw)
    agreements = [
        {"section": mark_safe(sections[pk]), "has_tickets": has_tickets}  # noqa: S308 - HTML of our own template
        for pk, _row, has_tickets, _targets in rows
    ]
    counts_tickets = any(target[-1] for _pk, _row, _tickets, targets in rows for target in targets)
    month = windows.calendar_period(windows.MONTH, now, settings.TIME_ZONE)
    return {
        "customer": customer,
        "agreements": agreements,
        # Not cached by evaluation: they change with the clock (the page is as of the minute).
        "maintenance": dashboards.upcoming_maintenance(request.user, list(keys), now) if agreements else [],
        # Only when a target counts tickets: the customer's ticket indicators are those a target of theirs measures.
        "tickets": customer_ticket_figures(request.user, customer, month.start, month.end, now)
        if counts_tickets
        else [],
        "month_label": month.label,
        "now": now,
        "maintenance_days": dashboards.MAINTENANCE_AHEAD.days,
        "tickets_url": (
            f"{reverse('monitoring:ticket_list')}?{urlencode({'customer': customer.code})}"
            if any(agreement["has_tickets"] for agreement in agreements)
            else None
        ),
    }


@login_required
def customer_dashboard(request, code):
    """A customer's dashboard: their own users and service managers may open it; anyone else gets 404."""
    customer = get_object_or_404(Customer.objects.for_user(request.user), code=code)
    return render_customer_dashboard(request, customer)


@login_required
def overview(request):
    """The service manager's view of the whole estate: what is breached or at risk first. Its content is cached
    whole (``cache.page_key``: the reader, the language, the day, the query string, the generation of evaluation
    results and the edits counter): a request that finds it reads nothing of the estate. Drawn afresh, its parts are
    themselves cached until the next evaluation (``overview_body``)."""
    require_manager(request.user, "monitoring.view_compliancesnapshot")
    today = timezone.localdate()
    key = cache.page_key(
        "overview-page",
        request.user.pk,  # the agreements ending soon mark the reader's own
        cache.reader(request.user),
        get_language(),
        today.isoformat(),
        cache.digest(sorted(request.GET.lists())),
    )
    body = default_cache.get(key)
    if body is None:
        body = render_to_string(OVERVIEW_BODY_TEMPLATE, overview_body(request, today), request)
        default_cache.set(key, body, cache.SECONDS)
    return render(request, "monitoring/overview.html", {"body": mark_safe(body)})  # noqa: S308 - our own template


def overview_body(request, today):
    """The context of the overview's content."""
    agreements = Agreement.objects.for_user(request.user).active()
    filterset = OverviewFilter(request.GET or None, queryset=agreements, user=request.user)
    filters = {}
    if filterset.is_bound and filterset.is_valid():
        agreements = filterset.qs
        filters = filterset.form.cleaned_data
    status = filters.get("status")
    query = request.GET.copy()  # for the pages' links
    query.pop("page", None)
    language = get_language()
    # What changes only when an evaluation finishes is cached (see monitoring.readout.cache and .overview): the order
    # of the current snapshots (their keys), the counts, the heatmap, the keys of the fastest burners and latest
    # breaches, and the rendered table rows and lists, filed under a digest of the names and codes they show (read for
    # every request, so that an edited name shows at once). The rows themselves are read only when their rendering is
    # not cached. The filter form is cached too, under a key made of everything it shows (cache.filter_form_key).
    # Every page of a listing shares its cached figures, and so do the people who see the same rows; a worker reads
    # the unfiltered overview's figures ahead when an evaluation finishes (overview.warm).
    generation = cache.generation()  # read once: every figure and fragment of the page is of this generation
    found = overview_figures(
        request.user, agreements, filters, status, request.GET.get("page"), generation, OVERVIEW_PAGE_SIZE
    )
    scope, summary, on_page = found["scope"], found["summary"], found["on_page"]
    page = Paginator(range(summary["listed"]), OVERVIEW_PAGE_SIZE).page(found["number"])
    current = found["ranked"].filter(status=status) if status else found["ranked"]
    page.object_list = current.filter(pk__in=on_page)  # in the order of the ranking (the same ORDER BY)
    # The counts are of every status in the scope, so they still show what the status filter left out.
    counts = summary["counts"]
    fastest_ids, fastest, fastest_shown = found["fastest"]
    breach_ids, latest, breach_shown = found["breaches"]
    shown = cache.shown_of(ComplianceSnapshot, on_page + fastest_ids, {**found["shown"], **fastest_shown})
    breach_shown = cache.shown_of(Breach, breach_ids, breach_shown)

    # Not cached by evaluation: it changes with the day. The viewer's own agreements lead the list.
    ending = sorted(ending_within(agreements, today), key=lambda row: (row.owner_id != request.user.pk, row.valid_to))
    for agreement in ending:
        agreement.days_left = days_left(agreement, today)

    def heatmap():  # drawn only when its rendering is not cached
        return charts.heatmap(found["heatmap"]())

    return {
        "filter": filterset,
        "page_obj": page,
        "is_paginated": page.has_other_pages(),
        "paginator": page.paginator,
        "query_string": query.urlencode(),
        # Current snapshots are running periods: "met" only shows once a target's last period has closed.
        "status_rows": [
            (status, label, counts[status])
            for status, label in SnapshotStatus.choices
            if counts[status] or status != SnapshotStatus.MET
        ],
        "heatmap": heatmap,
        "ending": ending,
        "ending_days": ENDING_SOON_DAYS,
        "fastest": fastest,
        "breaches": latest,
        "firing_alerts": Alert.objects.for_user(request.user)
        .firing()
        .filter(target__agreement__in=agreements)
        .select_related("target__agreement", "rule", "acknowledged_by")
        .order_by("-started_at")[:10],
        "fragment_keys": {
            "filter_form": cache.filter_form_key(filterset.form, request.GET.urlencode(), language),
            "rows": cache.fragment_key(
                scope, page.number, language, cache.shown_digest(on_page, shown), current=generation
            ),
            "heatmap": cache.fragment_key(scope, language, current=generation),
            "lists": cache.fragment_key(
                scope,
                language,
                cache.shown_digest(fastest_ids, shown),
                cache.shown_digest(breach_ids, breach_shown),
                current=generation,
            ),
        },
    }


def target_of(request, code, target_code):
    """(agreement, target) named by the URL, through the viewer's ``.for_user()`` agreements: 404 for another's."""
    agreement = get_object_or_404(Agreement.objects.for_user(request.user).select_related("customer"), code=code)
    target = get_object_or_404(
        ServiceLevelTarget.objects.select_related(
            "agreement", "service_hours", "indicator_link__indicator__service", "indicator_link__indicator__customer"
        ),
        agreement=agreement,
        code=target_code,
    )
    return agreement, target


@login_required
def target_detail(request, code, target):
    """One target: a period picker, attainment per period, the period's burn-down and days, breaches and alerts."""
    agreement, target = target_of(request, code, target)
    snapshots = list(ComplianceSnapshot.objects.filter(target=target).order_by("period_start"))
    selected = None
    label = request.GET.get("period")
    if label:
        selected = next((s for s in snapshots if s.period_label == label), None)
        if selected is None:
            raise Http404(_("No such period for this target."))
    elif snapshots:
        selected = next((s for s in reversed(snapshots) if s.is_current), snapshots[-1])
    breaches = list(Breach.objects.filter(target=target).order_by("-period_start")[:24])
    for breach in breaches:
        breach.actions = [a for hook in target_page_actions for a in hook.breach_actions(breach, request.user)]
    context = {
        "agreement": agreement,
        "target": target,
        "target_actions": [a for hook in target_page_actions for a in hook.target_actions(target, request.user)],
        "snapshots": snapshots,
        "selected": selected,
        "history_chart": charts.attainment_history(target, snapshots[-12:]),
        "breaches": breaches,
        "alerts": Alert.objects.filter(target=target)
        .select_related("rule", "acknowledged_by")
        .order_by("state", "-started_at")[:24],  # firing ("f") first
        "credits": [s for s in snapshots if s.is_closed and s.credit_amount],
        "evaluation": evaluation_state(request.user, target, snapshots, queued_at(request.GET.get("queued"))),
        # What the target rests on, and the breaches below it in the period shown: where to look first.
        "chain": chain.target_chain(
            target,
            request.user,
            timezone.now(),
            (selected.window_start or selected.period_start, selected.period_end) if selected else None,
        ),
    }
    indicator = target.indicator_link.indicator if hasattr(target, "indicator_link") else None
    tickets = indicator is not None and indicator.sli_kind.tickets
    if tickets:
        context["tickets"] = ticket_target(target, indicator, request.user, timezone.now())
    if target.minimum_events and target.method.counts_events:
        context["minimum_events"] = target.minimum_events
        context["below_minimum"] = selected is not None and below_minimum(target, selected.total)
    if selected is not None and indicator is not None:
        bars, burn, days = timeline.daily_figures(target, selected)
        unit = _("tickets") if tickets else str(BudgetUnit.of(target.method).label)
        # Where the period's snapshot left time out, and why: frozen with it, so a closed period's page never changes.
        parts = excluded_time.snapshot_parts([selected])
        bands = excluded_time.day_bands(parts, days, target_time_zone(target), until=timezone.now())
        hidden = excluded_time.hidden_windows(request.user, parts)
        context["excluded"] = excluded_time.listing({target.indicator_link.indicator.service.name: parts}, hidden)
        context["target_zone"] = target_time_zone(target)
        context["bars_chart"] = charts.daily_bars(bars, unit, bands)
        context["burn_chart"] = charts.burn_down(burn, [_("Budget left (%)"), _("Even spending (%)")], bands)
        context["outlook"] = timeline.outlook(target, selected, burn)
        # From the same reading as the bars: a second one could see another day begun (and read the rollups twice).
        context["bad_days"] = [day for day, (_label, _good, bad) in zip(days, bars, strict=True) if bad]
    return render(request, "monitoring/target_detail.html", context)


@login_required
def bad_minutes(request, code, target):
    """Drill-down: the minutes of one day whose events were not all good."""
    agreement, target = target_of(request, code, target)
    if not hasattr(target, "indicator_link"):
        raise Http404(_("This target measures no indicator."))
    found = timeline.bad_minutes(target, request.GET.get("day"))
    if found is None:
        raise Http404(_("The day must be given as YYYY-MM-DD."))
    day, rows, time_zone = found
    # Minutes in maintenance or an exclusion are listed too, each marked with whether it counted and why.
    hidden = excluded_time.hidden_windows(request.user, [row.part for row in rows if row.part is not None])
    rows = excluded_time.noted(rows, hidden)
    context = {
        "agreement": agreement,
        "target": target,
        "day": day,
        "rows": rows,
        "outages": excluded_time.noted(timeline.outages(rows), hidden),
        "time_zone": time_zone,
        "excluded_minutes": sum(1 for row in rows if row.excluded),
        "marked": any(row.part is not None for row in rows),
    }
    return render(request, "monitoring/bad_minutes.html", context)


@login_required
def what_if(request, code, target):
    """How the last 12 closed periods would have ended at another objective (for the target form)."""
    agreement, target = target_of(request, code, target)
    require_permission(request.user, "agreements.change_serviceleveltarget")
    try:
        objective = parse_objective(request.GET.get("objective"))
    except ValueError as error:
        return JsonResponse({"error": str(error)}, status=400)
    return JsonResponse({"objective": plain_number(objective), "periods": closed_periods(target, objective)})
