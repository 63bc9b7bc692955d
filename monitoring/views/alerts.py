"""Burn-rate alerts: the list (service managers see every alert, customers those of their own targets), and the
service managers' acknowledgement and silence."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.tenancy import require_permission
from monitoring.choices import AlertState
from monitoring.forms import AcknowledgeAlertForm, SilenceAlertForm
from monitoring.models import Alert

STATES = {"firing": AlertState.FIRING, "resolved": AlertState.RESOLVED, "all": None}


@login_required
def alert_list(request):
    state = request.GET.get("state", "firing")
    if state not in STATES:
        state = "firing"
    alerts = Alert.objects.for_user(request.user).select_related(
        "target__agreement__customer", "rule", "acknowledged_by"
    )
    if STATES[state]:
        alerts = alerts.filter(state=STATES[state])
    page = Paginator(alerts.order_by("-started_at"), 50).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "alerts": page.object_list,
        "state": state,
        "states": [("firing", _("Firing")), ("resolved", _("Resolved")), ("all", _("All"))],
        "counts": {
            "firing": Alert.objects.for_user(request.user).firing().count(),
        },
        "can_acknowledge": request.user.has_perm("monitoring.acknowledge_alert"),
        "silence_form": SilenceAlertForm(),
        "query_string": f"state={state}",
        "is_paginated": page.has_other_pages(),
        "paginator": page.paginator,
    }
    return render(request, "monitoring/alert_list.html", context)


def _alert_for_change(request, pk):
    alert = get_object_or_404(Alert.objects.for_user(request.user).select_related("target", "rule"), pk=pk)
    require_permission(request.user, "monitoring.acknowledge_alert")
    return alert


def _back(request):
    state = request.POST.get("state", "firing")
    return redirect(reverse("monitoring:alert_list") + f"?state={state if state in STATES else 'firing'}")


@login_required
@require_POST
def alert_acknowledge(request, pk):
    """Someone is on it: who, when, and a note for the others."""
    alert = _alert_for_change(request, pk)
    form = AcknowledgeAlertForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
        return _back(request)
    alert.acknowledge(request.user, form.cleaned_data["note"])
    messages.success(
        request, _("Alert %(rule)s on %(target)s acknowledged.") % {"rule": alert.rule, "target": alert.target.name}
    )
    return _back(request)


@login_required
@require_POST
def alert_silence(request, pk):
    """No notifications for the alert until a time (hours from now); 0 hours lifts the silence."""
    alert = _alert_for_change(request, pk)
    form = SilenceAlertForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
        return _back(request)
    hours = int(form.cleaned_data["hours"])
    alert.silence(hours)
    if hours:
        messages.success(request, _("No notifications for this alert for %(hours)s h.") % {"hours": hours})
    else:
        messages.success(request, _("The alert's notifications are on again."))
    return _back(request)
