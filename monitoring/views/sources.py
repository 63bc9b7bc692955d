"""Data sources and their tokens, HTTP probes, and people's own API tokens."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext
from django.views.decorators.http import require_POST
from django.views.generic import CreateView, ListView, UpdateView

from core.mixins import CreateMixin, ManagerPageMixin, WriteObjectMixin, posted
from core.tenancy import require_manager, require_permission
from monitoring.choices import TokenState
from monitoring.forms import ApiTokenForm, DataSourceForm, HttpProbeForm
from monitoring.models import ApiToken, DataSource, HttpProbe


class DataSourceListView(ManagerPageMixin, ListView):
    model = DataSource
    view_permission = "monitoring.view_datasource"
    template_name = "monitoring/datasource_list.html"

    def get_queryset(self):
        return DataSource.objects.for_user(self.request.user).prefetch_related("indicators")


def _show_token_once(request, owner, token, done_url):
    messages.warning(request, _("Copy the token now: it is shown only once."))
    context = {"source": owner, "token": token, "done_url": done_url, "is_data_source": isinstance(owner, DataSource)}
    return render(request, "monitoring/token_once.html", context, status=201)


@login_required
def data_source_create(request):
    require_manager(request.user, "monitoring.add_datasource")
    form = DataSourceForm(posted(request))
    if request.method == "POST" and form.is_valid():
        source, token = form.save_with_token(request.user)
        return _show_token_once(request, source, token, source.get_absolute_url())
    return render(
        request,
        "core/object_form.html",
        {"form": form, "form_title": _("New data source"), "cancel_url": reverse_lazy("monitoring:datasource_list")},
    )


@login_required
def data_source_detail(request, code):
    source = get_object_or_404(DataSource.objects.for_user(request.user).prefetch_related("indicators"), code=code)
    return render(
        request,
        "monitoring/datasource_detail.html",
        {"source": source, "can_edit": request.user.has_perm("monitoring.change_datasource")},
    )


@login_required
def data_source_edit(request, code):
    source = get_object_or_404(DataSource.objects.for_user(request.user), code=code)
    require_permission(request.user, "monitoring.change_datasource")
    form = DataSourceForm(posted(request), instance=source)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("%(name)s saved.") % {"name": source})
        return redirect(source)
    return render(request, "core/object_form.html", {"form": form, "object": source})


@login_required
@require_POST
def data_source_token(request, code):
    """Revoke the token (action=revoke) or issue a new one that replaces it (action=rotate)."""
    source = get_object_or_404(DataSource.objects.for_user(request.user), code=code)
    require_permission(request.user, "monitoring.change_datasource")
    action = request.POST.get("action")
    if action == "rotate":
        token = source.issue_token()
        source.save(update_fields=["token_hash", "token_hint", "revoked_at"])
        return _show_token_once(request, source, token, source.get_absolute_url())
    if action != "revoke":
        # Revoking stops a live feed: it takes the explicit button, never a missing or mistyped action.
        return HttpResponseBadRequest()
    source.revoke()
    messages.success(request, _("The token of %(name)s is revoked; its requests now answer 401.") % {"name": source})
    return redirect(source)


class ProbeListView(ManagerPageMixin, ListView):
    model = HttpProbe
    view_permission = "monitoring.view_httpprobe"
    template_name = "monitoring/probe_list.html"

    def get_queryset(self):
        return HttpProbe.objects.for_user(self.request.user).select_related(
            "availability_indicator", "latency_indicator"
        )


class ProbeCreateView(CreateMixin, CreateView):
    model = HttpProbe
    form_class = HttpProbeForm
    write_permission = "monitoring.add_httpprobe"
    managers_only = True
    template_name = "core/object_form.html"
    extra_context = {"form_title": gettext_lazy("New HTTP probe"), "cancel_url": reverse_lazy("monitoring:probe_list")}


class ProbeUpdateView(WriteObjectMixin, UpdateView):
    model = HttpProbe
    form_class = HttpProbeForm
    write_permission = "monitoring.change_httpprobe"
    template_name = "core/object_form.html"

    def get_queryset(self):
        return HttpProbe.objects.for_user(self.request.user)


@login_required
def api_tokens(request):
    """A person's own API tokens: list, and create one (shown once)."""
    form = ApiTokenForm(posted(request))
    if request.method == "POST" and form.is_valid():
        api_token = form.save(commit=False)
        api_token.user = request.user
        token = api_token.issue_token()
        api_token.save()
        return _show_token_once(request, api_token, token, reverse("monitoring:api_tokens"))
    now = timezone.now()
    tokens = []
    for api_token in ApiToken.objects.for_user(request.user):
        state = api_token.state(now)
        # An expired token already answers 401: the page offers to revoke only the ones that still work.
        revocable = state == TokenState.ACTIVE
        tokens.append(
            {"token": api_token, "state": state, "expiry": _expiry_words(api_token, now), "revocable": revocable}
        )
    return render(request, "monitoring/api_tokens.html", {"form": form, "tokens": tokens})


def _expiry_words(api_token, now):
    """ "expires in 12 days", "expired", "never": when a token stops working, as its row on the token page says it
    (a revoked one has stopped already: its state says so)."""
    if api_token.revoked_at is not None:
        return "—"
    if api_token.expires_at is None:
        return pgettext("token expiry", "never")
    if api_token.is_expired(now):
        return _("expired")
    days = (api_token.expires_at - now).days
    if days < 1:
        return _("expires within a day")
    return ngettext("expires in %(count)d day", "expires in %(count)d days", days) % {"count": days}


@login_required
@require_POST
def revoke_api_token(request, pk):
    """Revoke one of one's own tokens (an expired one too: it stays revoked whatever happens to it)."""
    api_token = get_object_or_404(ApiToken.objects.for_user(request.user).unrevoked(), pk=pk)
    api_token.revoke()
    messages.success(request, _("The token %(name)s is revoked.") % {"name": api_token.name})
    return redirect("monitoring:api_tokens")
