"""Compliance dashboards: the customer's own view, the manager's overview, and a target's page with its charts."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from agreements.filters import AgreementFilter
from agreements.formatting import plain_number
from agreements.models import Agreement, Customer, ServiceLevelTarget
from agreements.views.mixins import require_permission
from monitoring import charts, dashboards, timeline
from monitoring.choices import SnapshotStatus
from monitoring.models import Alert, Breach, ComplianceSnapshot

OVERVIEW_PAGE_SIZE = 50


def render_customer_dashboard(request, customer):
    agreements = dashboards.customer_dashboard(request.user, customer)
    for agreement in agreements:
        agreement.chart = charts.target_trends(agreement.targets.all())
    return render(request, "monitoring/customer_dashboard.html", {"customer": customer, "agreements": agreements})


@login_required
def customer_dashboard(request, code):
    """A customer's dashboard: their own users and service managers may open it; anyone else gets 404."""
    customer = get_object_or_404(Customer.objects.for_user(request.user), code=code)
    return render_customer_dashboard(request, customer)


@login_required
def overview(request):
    """The service manager's view of the whole estate: what is breached or at risk first."""
    require_permission(request.user, "monitoring.view_compliancesnapshot")
    agreements = Agreement.objects.for_user(request.user).active()
    filterset = AgreementFilter(request.GET or None, queryset=agreements, user=request.user)
    if filterset.is_bound and filterset.is_valid():
        agreements = filterset.qs
    current = dashboards.current_targets(request.user, agreements)
    page = Paginator(current, OVERVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    scope = request.GET.urlencode()
    matrix = dashboards.cached(("heatmap", scope), lambda: dashboards.service_heatmap(request.user, agreements))
    counts = dashboards.cached(("counts", scope), lambda: dashboards.status_counts(current))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "monitoring/overview.html",
        {
            "filter": filterset,
            "page_obj": page,
            "is_paginated": page.has_other_pages(),
            "paginator": page.paginator,
            "query_string": query.urlencode(),
            "status_rows": [(status, label, counts[status]) for status, label in SnapshotStatus.choices],
            "heatmap": charts.heatmap(matrix),
            "fastest": dashboards.fastest_burning(request.user, agreements),
            "breaches": dashboards.recent_breaches(request.user, agreements),
        },
    )


def _target(request, code, target_code):
    agreement = get_object_or_404(Agreement.objects.for_user(request.user).select_related("customer"), code=code)
    target = get_object_or_404(
        ServiceLevelTarget.objects.select_related("agreement", "service_hours", "indicator_link__indicator"),
        agreement=agreement,
        code=target_code,
    )
    return agreement, target


@login_required
def target_detail(request, code, target):
    """One target: a period picker, attainment per period, the period's burn-down and days, breaches and alerts."""
    agreement, target = _target(request, code, target)
    snapshots = list(ComplianceSnapshot.objects.filter(target=target).order_by("period_start"))
    selected = None
    label = request.GET.get("period")
    if label:
        selected = next((s for s in snapshots if s.period_label == label), None)
        if selected is None:
            raise Http404(_("No such period for this target."))
    elif snapshots:
        selected = next((s for s in reversed(snapshots) if s.is_current), snapshots[-1])
    context = {
        "agreement": agreement,
        "target": target,
        "snapshots": snapshots,
        "selected": selected,
        "history_chart": charts.attainment_history(target, snapshots[-12:]),
        "breaches": Breach.objects.filter(target=target).order_by("-period_start")[:24],
        "alerts": Alert.objects.filter(target=target).select_related("rule").order_by("-started_at")[:24],
        "credits": [s for s in snapshots if s.is_closed and s.credit_amount],
    }
    if selected is not None and hasattr(target, "indicator_link"):
        bars, burn = timeline.daily_figures(target, selected)
        unit = _("minutes") if target.budgeting_method != "occurrences" else _("events")
        context["bars_chart"] = charts.daily_bars(bars, unit)
        context["burn_chart"] = charts.burn_down(burn, [_("Budget left (%)"), _("Even spending (%)")])
        context["bad_days"] = [
            day.label
            for (day, _tally), (_label, _good, bad) in zip(timeline.period_days(target, selected)[0], bars, strict=True)
            if bad
        ]
    return render(request, "monitoring/target_detail.html", context)


@login_required
def bad_minutes(request, code, target):
    """Drill-down: the minutes of one day whose events were not all good."""
    agreement, target = _target(request, code, target)
    if not hasattr(target, "indicator_link"):
        raise Http404(_("This target measures no indicator."))
    found = timeline.bad_minutes(target, request.GET.get("day"))
    if found is None:
        raise Http404(_("The day must be given as YYYY-MM-DD."))
    day, rows, time_zone = found
    context = {"agreement": agreement, "target": target, "day": day, "rows": rows, "time_zone": time_zone}
    return render(request, "monitoring/bad_minutes.html", context)


@login_required
def what_if(request, code, target):
    """How the last 12 closed periods would have ended at another objective (for the target form)."""
    agreement, target = _target(request, code, target)
    require_permission(request.user, "agreements.change_serviceleveltarget")
    try:
        objective = dashboards.parse_objective(request.GET.get("objective"))
    except ValueError as error:
        return JsonResponse({"error": str(error)}, status=400)
    return JsonResponse({"objective": plain_number(objective), "periods": dashboards.what_if(target, objective)})
