"""The requirements analysis app over the API: requirements (as their pages allow: a customer user states one for
their own organisation, a service manager any and decides on it) and survey campaigns with their results (read)."""

from django.db import transaction
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from agreements.models import ServiceLevelTarget
from core.api import forms as api_forms
from core.api.viewsets import Forbidden, TenantReadViewSet, TenantViewSet, TransitionMixin
from requirements_analysis.api.serializers import (
    RequirementSerializer,
    RequirementStepSerializer,
    SurveyDetailSerializer,
    SurveySerializer,
)
from requirements_analysis.api.targets import name_targets_by_reference
from requirements_analysis.filters import CampaignFilter, RequirementFilter
from requirements_analysis.forms import DecisionForm, RequirementForm, RequirementTargetsForm
from requirements_analysis.models import ServiceLevelRequirement, SurveyCampaign

CHANGE_REQUIREMENT = "requirements_analysis.change_servicelevelrequirement"


def decision_form(*args, instance=None, **kwargs):
    """The decision page's form, as ``core.api.forms.bind`` makes forms (it has no row of its own)."""
    return DecisionForm(*args, **kwargs)


@extend_schema_view(transition=extend_schema(request=RequirementStepSerializer))
class RequirementViewSet(TransitionMixin, TenantViewSet):
    """Requirements: a customer user reads and states their organisation's (the customer is theirs); service managers
    read, state, change and decide on every one, and link the targets that meet it (``targets`` in a change, as
    "agreement/target"). No page deletes a requirement: neither does the API."""

    model = ServiceLevelRequirement
    serializer_class = RequirementSerializer
    form_class = RequirementForm
    filterset_class = RequirementFilter
    ordering_fields = ["created_at", "updated_at", "importance", "performance"]
    ordering = ["-created_at"]
    change_permission = CHANGE_REQUIREMENT
    transition_permission = CHANGE_REQUIREMENT
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def base_queryset(self):
        return ServiceLevelRequirement.objects.select_related("customer", "service", "submitted_by").prefetch_related(
            Prefetch("targets", queryset=ServiceLevelTarget.objects.select_related("agreement"))
        )

    def form_kwargs(self, instance=None):
        return {"user": self.request.user}

    def nested_keys(self):
        return ("targets",) if self.action in ("update", "partial_update") else ()

    def create(self, request, *args, **kwargs):
        # The page's rule, not a model permission: customer users state requirements for their organisation.
        if not ServiceLevelRequirement.may_submit(request.user):
            raise Forbidden
        form = self.bind()
        self.validate(form)
        with transaction.atomic():
            row = self.save_form(form)
        return Response(self.get_serializer(self.reread(row)).data, status=status.HTTP_201_CREATED)

    def validate(self, form):
        """The requirement's form and, when the body names ``targets``, the targets page's form: both valid, or
        every problem of both and nothing stored."""
        self.targets_form = None
        errors = {} if api_forms.is_valid(form) else api_forms.errors_of(form)
        if "targets" in self.request.data and form.instance.pk:
            self.targets_form = api_forms.bind(
                RequirementTargetsForm, {"targets": self.request.data["targets"]}, instance=form.instance, partial=True
            )
            name_targets_by_reference(self.targets_form, "targets")
            if not api_forms.is_valid(self.targets_form):
                errors |= api_forms.errors_of(self.targets_form)
        if errors:
            raise ValidationError(errors)

    def save_form(self, form):
        row = form.save()
        if self.targets_form is not None:
            self.targets_form.save()
        return row

    def transition_details(self, data):
        """What the decision page asks: a reason (a rejection or deferral needs one) and, agreeing, an agreement to add
        a draft target to. A step the workflow refuses is left to it (409), as the page shows that first."""
        requirement = self.get_object()
        new_status = data["status"]
        if requirement.refused_transition(new_status):
            return {}
        form = api_forms.bind(decision_form, data, allowed=("status",), requirement=requirement, new_status=new_status)
        if not api_forms.is_valid(form):
            raise ValidationError(api_forms.errors_of(form))
        return {
            "reason": form.cleaned_data.get("reason", ""),
            "create_target_on": form.cleaned_data.get("create_target_on"),
        }


class SurveyViewSet(TenantReadViewSet):
    """Survey campaigns and their results, read: a customer user reads their organisation's, as on the survey's page
    (who was invited is not shown)."""

    model = SurveyCampaign
    serializer_class = SurveySerializer
    filterset_class = CampaignFilter
    ordering_fields = ["opens_at", "closes_at", "code"]
    ordering = ["-opens_at"]

    def base_queryset(self):
        return SurveyCampaign.objects.select_related("customer").prefetch_related("services")

    def get_serializer_class(self):
        return SurveyDetailSerializer if self.action == "retrieve" else SurveySerializer
