from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from agreements.choices import AgreementStatus
from agreements.expiry import ending_within
from agreements.models import Agreement, ServiceLevelTarget
from core.tenancy import MEMBERSHIP_ACCESSOR, ManagersOnly, ReadOnly, customer_id_of
from monitoring.views import overview, render_customer_dashboard
from slm_portal.health import health_report


@login_required
def home(request):
    """A customer user's dashboard, the service manager's overview, or (anyone else) what they may see."""
    if customer_id_of(request.user) is not None:
        # The membership holds its customer when it came from the cache of the person (core.person_cache).
        return render_customer_dashboard(request, getattr(request.user, MEMBERSHIP_ACCESSOR).customer)
    if request.user.has_perm("monitoring.view_compliancesnapshot"):
        return overview(request)
    agreements = Agreement.objects.for_user(request.user)
    today = timezone.localdate()
    context = {
        "active_agreements": agreements.active()
        .select_related("customer")
        .prefetch_related("services")
        .annotate(target_count=Count("targets")),
        "status_counts": _status_counts(agreements),
        "reviews_due": agreements.filter(
            status=AgreementStatus.ACTIVE, next_review__isnull=False, next_review__lte=today + timedelta(days=30)
        )
        .select_related("customer")
        .order_by("next_review")[:10],
        "expiring": ending_within(agreements, today)[:10],
        "target_count": ServiceLevelTarget.objects.for_user(request.user).of_active_agreements().count(),
    }
    return render(request, "slm_portal/home.html", context)


def _status_counts(agreements):
    counts = {row["status"]: row["n"] for row in agreements.values("status").annotate(n=Count("pk")).order_by()}
    return [(status, status.label, counts.get(status, 0)) for status in AgreementStatus]


def permission_denied(request, exception=None):
    """The 403 page in the words that fit the refusal: a page for service managers, a change a read-only account may
    not make, or (anything else) a plain "not allowed"."""
    if isinstance(exception, ManagersOnly):
        reason = "managers_only"
    elif isinstance(exception, ReadOnly):
        reason = "read_only"
    else:
        reason = "other"
    context = {"reason": reason, "is_customer_user": customer_id_of(request.user) is not None}
    return render(request, "403.html", context, status=403)


@never_cache
@require_GET
def health(request):
    report, serving = health_report()
    return JsonResponse(report, status=200 if serving else 503)


def favicon(request):
    return redirect(static("favicon.svg"), permanent=True)
