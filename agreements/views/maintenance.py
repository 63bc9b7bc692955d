"""Maintenance windows: the list, planning and editing, the steps (approve, mark completed, cancel), and the page
that says when a window occurs and how each agreement counts it. Exclusions an agreement's customer agreed to are
recorded and taken back from the agreement's page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView

from agreements.choices import MaintenanceStatus
from agreements.counting import how_agreements_count, shown_occurrences
from agreements.filters import MaintenanceWindowFilter
from agreements.forms.maintenance import ExclusionForm, MaintenanceWindowForm, record_exclusion, save_window
from agreements.history import window_change_log
from agreements.models import Agreement, Customer, MaintenanceWindow, Service
from core.mixins import FilteredListView, ForUserMixin, TransitionView, posted
from core.tenancy import require_permission

CURRENT = (MaintenanceStatus.PLANNED, MaintenanceStatus.APPROVED)


def with_occurrence(window, now):
    """Marks the window with the occurrence a list shows (the running or next one; the last one once it is over)
    and whether it is still ahead (``is_ahead``): planned or approved, and not over at ``now``."""
    occurrences = window.schedule.occurrences()
    ahead = [occurrence for occurrence in occurrences if occurrence[1] > now]
    window.is_ahead = window.status in CURRENT and bool(ahead)
    window.occurrence = ahead[0] if window.is_ahead else occurrences[-1]
    window.is_running = window.is_ahead and window.occurrence[0] <= now
    window.more_ahead = len(ahead) - 1 if window.is_ahead else 0
    return window


def reading_order(windows, now):
    """Windows ahead (running or upcoming, soonest first), then the rest (latest first)."""
    marked = [with_occurrence(window, now) for window in windows]
    ahead = sorted((w for w in marked if w.is_ahead), key=lambda w: (w.occurrence[0], w.pk))
    rest = sorted((w for w in marked if not w.is_ahead), key=lambda w: (w.occurrence[1], w.pk), reverse=True)
    return ahead + rest


def windows_ahead(user, services, now=None):
    """The windows of ``services`` the user may see that are running or upcoming, soonest first."""
    now = now or timezone.now()
    rows = (
        MaintenanceWindow.objects.for_user(user)
        .filter(service__in=services, status__in=CURRENT)
        .select_related("service", "calendar")
    )
    return [window for window in reading_order(rows, now) if window.is_ahead]


class MaintenanceListView(FilteredListView):
    model = MaintenanceWindow
    filterset_class = MaintenanceWindowFilter
    template_name = "agreements/maintenance_list.html"

    def rows(self, queryset):
        return queryset.select_related("service", "calendar", "approved_by")

    def get_queryset(self):
        # Ordered in Python: when a repeating window occurs next is not a column (the list is one service desk's
        # planned work, not thousands of rows).
        return reading_order(super().get_queryset(), timezone.now())


class MaintenanceDetailView(ForUserMixin, DetailView):
    model = MaintenanceWindow
    template_name = "agreements/maintenance_detail.html"
    context_object_name = "window"

    def get_queryset(self):
        return super().get_queryset().select_related("service", "calendar", "approved_by", "created_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        window, user, now = self.object, self.request.user, timezone.now()
        may_change = user.has_perm("agreements.change_maintenancewindow")
        past, ahead, more = shown_occurrences(window, now)
        agreements = (
            Agreement.objects.for_user(user).filter(services=window.service).select_related("customer").order_by("code")
        )
        context.update(
            {
                "now": now,
                "past": past,
                "ahead": ahead,
                "more_ahead": more,
                "can_edit": may_change and window.is_editable,
                "steps": window.steps if may_change else (),
                "changes": window_change_log(window),
                "counts": how_agreements_count(window, agreements, past + ahead, now, user=self.request.user),
                "agreements": agreements,
                "audience": Customer.objects.for_user(user)
                .filter(agreements__services=window.service)
                .distinct()
                .order_by("name"),
            }
        )
        return context


def _window_form_page(request, window):
    """Plan (window is None) or edit a window. Changing the timing of an approved one sends it back to planned."""
    was_approved = window is not None and window.status == MaintenanceStatus.APPROVED
    initial = {}
    if window is None and request.GET.get("service"):  # "Plan maintenance" from a service's page
        service = Service.objects.for_user(request.user).filter(code=request.GET["service"]).first()
        initial["service"] = service.pk if service else None
    form = MaintenanceWindowForm(posted(request), instance=window, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved, sent_back = save_window(form, request.user)
        if sent_back:
            messages.warning(
                request,
                _(
                    "“%(title)s” saved. Its times changed, so it is planned again: it must be approved again, and "
                    "the notice counts from the new approval."
                )
                % {"title": saved.title},
            )
        else:
            messages.success(request, _("“%(title)s” saved.") % {"title": saved.title})
        return redirect(saved)
    return render(
        request, "agreements/maintenance_form.html", {"form": form, "window": window, "was_approved": was_approved}
    )


@login_required
def maintenance_create(request):
    require_permission(request.user, "agreements.add_maintenancewindow")
    return _window_form_page(request, None)


@login_required
def maintenance_update(request, pk):
    window = get_object_or_404(MaintenanceWindow.objects.for_user(request.user), pk=pk)
    require_permission(request.user, "agreements.change_maintenancewindow")
    problems = window.editing_problems()
    if problems:
        messages.error(request, problems[0])
        return redirect(window)
    return _window_form_page(request, window)


class MaintenanceTransitionView(TransitionView):
    """Approve (recording who and when: the notice counts from then), mark completed, or cancel a window."""

    model = MaintenanceWindow
    permission = "agreements.change_maintenancewindow"
    template_name = "agreements/maintenance_transition.html"
    context_object_name = "window"
    lookup_field = "pk"
    success_message = gettext_lazy("“%(title)s” is now %(status)s.")

    def success_context(self):
        return {"title": self.object.title, "status": self.new_status.label}

    def page_context(self):
        if self.new_status != MaintenanceStatus.APPROVED:
            return {}
        now = timezone.now()
        _past, ahead, _more = shown_occurrences(self.object, now, past=0, coming=3)
        agreements = Agreement.objects.for_user(self.request.user).filter(services=self.object.service)
        return {
            "counts": how_agreements_count(
                self.object, agreements.order_by("code"), ahead, now, user=self.request.user
            ),
            "now": now,
        }

    def carry_out(self, form):
        self.object.transition_to(self.new_status, user=self.request.user)


maintenance_transition = MaintenanceTransitionView.as_view()


# Exclusions


@login_required
def exclusion_create(request, code):
    agreement = get_object_or_404(Agreement.objects.for_user(request.user), code=code)
    require_permission(request.user, "agreements.add_exclusion")
    form = ExclusionForm(posted(request), agreement=agreement)
    if request.method == "POST" and form.is_valid():
        record_exclusion(form, request.user)
        messages.success(request, _("Exclusion recorded: its time no longer counts for %(code)s.") % {"code": code})
        return redirect(f"{agreement.get_absolute_url()}#maintenance")
    return render(request, "agreements/exclusion_form.html", {"form": form, "agreement": agreement})


@login_required
def exclusion_delete(request, code, pk):
    """Take an exclusion back (POST; the page asks first). Refused while it reaches into a closed period: the
    results of a closed period never change. The history keeps the deleted exclusion."""
    agreement = get_object_or_404(Agreement.objects.for_user(request.user), code=code)
    exclusion = get_object_or_404(agreement.exclusions.select_related("service", "recorded_by"), pk=pk)
    require_permission(request.user, "agreements.delete_exclusion")
    problems = exclusion.deletion_problems()
    if request.method == "POST" and not problems:
        exclusion.delete()
        messages.success(request, _("Exclusion deleted: its time counts again for %(code)s.") % {"code": code})
        return redirect(f"{agreement.get_absolute_url()}#maintenance")
    status = 409 if request.method == "POST" else 200
    return render(
        request,
        "agreements/exclusion_delete.html",
        {"agreement": agreement, "exclusion": exclusion, "problems": problems},
        status=status,
    )
