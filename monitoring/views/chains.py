"""The chains of promises behind the services: each SLA target, the OLA and UC targets it rests on, flagged where
they promise less (service managers; linked from the overview)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from core.tenancy import require_manager
from monitoring.readout import chain


@login_required
def chains(request):
    require_manager(request.user, "monitoring.view_compliancesnapshot")
    every = chain.service_chains(request.user, timezone.now())
    service = request.GET.get("service") or ""
    shown = [pair for pair in every if pair[0].code == service] if service else every
    return render(
        request,
        "monitoring/chains.html",
        {
            "chains": shown,
            "services": [found for found, _nodes in every],
            "service": service,
            "unknown_service": bool(service) and not shown,
            "flags": sum(node.flags for _service, nodes in shown for node in nodes),
        },
    )
