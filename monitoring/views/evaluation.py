"""Evaluate now: a service manager queues one target's evaluation on a worker, and its page shows the result once
the worker has written it (the page's script asks ``evaluation_status``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.tenancy import require_permission
from monitoring.evaluation import evaluable_targets
from monitoring.readout.freshness import EVALUATE_PERMISSION, evaluated_since, queued_at
from monitoring.tasks import evaluate_chunk
from monitoring.views.dashboards import target_of


@login_required
@require_POST
def evaluate_now(request, code, target):
    agreement, target = target_of(request, code, target)
    require_permission(request.user, EVALUATE_PERMISSION)
    page = reverse("monitoring:target_detail", kwargs={"code": agreement.code, "target": target.code})
    if not evaluable_targets().filter(pk=target.pk).exists():
        messages.error(request, _("Only a target of an active agreement that measures an indicator is evaluated."))
        return redirect(page)
    queued = timezone.now()
    evaluate_chunk.delay([target.pk], queued.isoformat())
    messages.info(request, _("Evaluation queued: the page shows the result when a worker has written it."))
    return redirect(page + "?" + urlencode({"queued": queued.isoformat(timespec="seconds")}))


@login_required
def evaluation_status(request, code, target):
    """{"done": bool}: whether the evaluation queued at ``?queued=`` has been written."""
    _agreement, target = target_of(request, code, target)
    queued = queued_at(request.GET.get("queued"))
    return JsonResponse({"done": queued is not None and evaluated_since(target, queued)})
