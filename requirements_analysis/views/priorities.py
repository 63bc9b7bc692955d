"""The priorities page: requirements and services ranked by score, the IPA chart, watermelon flags."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from agreements.models import Customer
from core.tenancy import require_manager
from requirements_analysis import analysis, charts
from requirements_analysis.extensions import priority_row_actions
from requirements_analysis.filters import RequirementFilter
from requirements_analysis.models import PriorityWeights, ServiceLevelRequirement


@login_required
def priorities(request):
    require_manager(request.user, "requirements_analysis.view_servicelevelrequirement")
    weights = PriorityWeights.current()
    requirements = ServiceLevelRequirement.objects.for_user(request.user).open()
    filterset = RequirementFilter(request.GET or None, queryset=requirements, user=request.user)
    if filterset.is_bound and filterset.is_valid():
        requirements = filterset.qs
    customer = filterset.form.cleaned_data.get("customer") if filterset.is_bound and filterset.is_valid() else None
    customer_id = customer.pk if customer else None
    ranked = analysis.requirement_scores(request.user, requirements, weights)[:50]
    services = analysis.service_views(request.user, customer_id, weights)
    for requirement, _score in ranked:
        requirement.actions = [
            action
            for extension in priority_row_actions
            for action in extension.requirement_actions(requirement, request.user)
        ]
    for view in services:
        view.actions = [
            action
            for extension in priority_row_actions
            for action in extension.service_actions(view.service, request.user)
        ]
    return render(
        request,
        "requirements_analysis/priorities.html",
        {
            "filter": filterset,
            "weights": weights,
            "requirements": ranked,
            "services": services,
            "watermelons": [view for view in services if view.flag],
            "ipa": charts.ipa(analysis.ipa_points(request.user, customer_id), customer.name if customer else None),
            "customers": Customer.objects.for_user(request.user),
        },
    )
