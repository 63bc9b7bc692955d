"""Prometheus sources: list, create, edit, the source page with its state, its queries, and a backfill."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from core.mixins import ManagerPageMixin, posted
from core.tenancy import require_manager, require_permission
from monitoring.forms.prometheus import BackfillForm, PrometheusQueryForm, PrometheusSourceForm
from monitoring.models import PrometheusQuery, PrometheusSource
from monitoring.tasks import backfill_prometheus


class PrometheusListView(ManagerPageMixin, ListView):
    model = PrometheusSource
    view_permission = "monitoring.view_prometheussource"
    template_name = "monitoring/prometheus_list.html"

    def get_queryset(self):
        return PrometheusSource.objects.for_user(self.request.user).prefetch_related("queries")


def _source(request, code):
    return get_object_or_404(PrometheusSource.objects.for_user(request.user), code=code)


@login_required
def prometheus_create(request):
    require_manager(request.user, "monitoring.add_prometheussource")
    form = PrometheusSourceForm(posted(request))
    if request.method == "POST" and form.is_valid():
        source = form.save()
        messages.success(request, _("%(name)s saved.") % {"name": source})
        return redirect(source)
    context = {
        "form": form,
        "form_title": _("New Prometheus source"),
        "cancel_url": reverse_lazy("monitoring:prometheus_list"),
    }
    return render(request, "core/object_form.html", context)


@login_required
def prometheus_detail(request, code):
    source = _source(request, code)
    queries = source.queries.select_related("indicator")
    context = {
        "source": source,
        "queries": queries,
        "behind": source.minutes_behind,
        "backfill_form": BackfillForm(),
        "can_edit": request.user.has_perm("monitoring.change_prometheussource"),
    }
    return render(request, "monitoring/prometheus_detail.html", context)


@login_required
def prometheus_edit(request, code):
    source = _source(request, code)
    require_permission(request.user, "monitoring.change_prometheussource")
    form = PrometheusSourceForm(posted(request), instance=source)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("%(name)s saved.") % {"name": source})
        return redirect(source)
    return render(request, "core/object_form.html", {"form": form, "object": source})


@login_required
def prometheus_query_create(request, code):
    source = _source(request, code)
    require_permission(request.user, "monitoring.change_prometheussource")
    form = PrometheusQueryForm(posted(request), source=source)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The query of %(indicator)s is saved.") % {"indicator": form.instance.indicator})
        return redirect(source)
    context = {
        "form": form,
        "form_title": _("New query of %(name)s") % {"name": source},
        "cancel_url": source.get_absolute_url(),
    }
    return render(request, "core/object_form.html", context)


@login_required
def prometheus_query_edit(request, code, pk):
    source = _source(request, code)
    query = get_object_or_404(PrometheusQuery.objects.for_user(request.user), source=source, pk=pk)
    require_permission(request.user, "monitoring.change_prometheussource")
    form = PrometheusQueryForm(posted(request), instance=query, source=source)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The query of %(indicator)s is saved.") % {"indicator": query.indicator})
        return redirect(source)
    return render(request, "core/object_form.html", {"form": form, "object": query})


@login_required
@require_POST
def prometheus_backfill(request, code):
    """Queue a pull of the chosen range of every query of the source (stored minutes are kept as they are)."""
    source = _source(request, code)
    require_permission(request.user, "monitoring.change_prometheussource")
    form = BackfillForm(request.POST)
    if not form.is_valid():
        context = {
            "source": source,
            "queries": source.queries.select_related("indicator"),
            "behind": source.minutes_behind,
            "backfill_form": form,
            "can_edit": True,
        }
        return render(request, "monitoring/prometheus_detail.html", context, status=400)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    transaction.on_commit(partial(backfill_prometheus.delay, source.pk, start.isoformat(), end.isoformat()))
    messages.success(request, _("The backfill is queued; the stored minutes appear as it runs."))
    return redirect(source)
