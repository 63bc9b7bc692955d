"""The improvement app over the API: plans (their page's form, workflow steps and effect reviews) and each plan's
actions. Customers read the plans that concern them; closed plans (verified or cancelled) change no more (409)."""

from django.db import transaction
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from agreements.forms.agreements import portal_staff
from agreements.models import ServiceLevelTarget
from core.api.viewsets import Conflict, TenantViewSet, TransitionMixin, require
from improvement import reviews
from improvement.api.serializers import (
    ActionSerializer,
    EffectReviewSerializer,
    PlanDetailSerializer,
    PlanSerializer,
    PlanStepSerializer,
)
from improvement.filters import ActionFilter, PlanFilter
from improvement.forms import ActionForm, PlanForm
from improvement.models import Action, ImprovementPlan, PlanStatusChange
from requirements_analysis.api.targets import name_targets_by_reference

CONFLICT = inline_serializer("Conflict", {"detail": serializers.ListField(child=serializers.CharField())})
NO_DELETE = ["get", "post", "put", "patch", "head", "options"]  # no page deletes a plan or an action


def refuse_if_closed(plan):
    """409 with the closed plan's page's words when ``plan`` is verified or cancelled."""
    if plan.is_closed:
        raise Conflict({"detail": [plan.closed_refusal()]})


@extend_schema_view(
    transition=extend_schema(request=PlanStepSerializer),
)
class PlanViewSet(TransitionMixin, TenantViewSet):
    """Improvement plans: managers (and people allowed to start plans) start them from the plan form's fields,
    breaches, targets ("agreement/target") and requirements of the plan's customer linked as the form links them;
    managers change and move them (``transition`` with a ``note``) and record effect reviews (``review``). A customer
    user reads the plans that concern their organisation."""

    model = ImprovementPlan
    form_class = PlanForm
    filterset_class = PlanFilter
    ordering_fields = ["created_at", "updated_at"]
    ordering = ["-created_at"]
    add_permission = "improvement.add_improvementplan"
    change_permission = "improvement.change_improvementplan"
    http_method_names = NO_DELETE

    def base_queryset(self):
        targets = ServiceLevelTarget.objects.select_related("agreement")
        return ImprovementPlan.objects.select_related("customer", "owner", "goal_target__agreement").prefetch_related(
            "services",
            "breaches",
            "requirements",
            Prefetch("targets", queryset=targets),
            Prefetch("status_changes", queryset=PlanStatusChange.objects.select_related("changed_by")),
        )

    def get_serializer_class(self):
        return PlanSerializer if self.action == "list" else PlanDetailSerializer

    def form_kwargs(self, instance=None):
        kwargs = {"user": self.request.user}
        if instance is None and portal_staff().filter(pk=self.request.user.pk).exists():
            kwargs["initial"] = {"owner": self.request.user}  # whoever starts a plan owns it, as on the page
        return kwargs

    def bind(self, instance=None, partial=False):
        form = super().bind(instance=instance, partial=partial)
        for name in ("targets", "goal_target"):
            if name in self.request.data:
                name_targets_by_reference(form, name)
        return form

    def validate(self, form):
        if form.instance.pk:
            refuse_if_closed(form.instance)
        super().validate(form)

    def transition_details(self, data):
        step = PlanStepSerializer(data=data)
        step.is_valid(raise_exception=True)
        return {"user": self.request.user, "note": step.validated_data.get("note", "")}

    @extend_schema(methods=["GET"], responses=EffectReviewSerializer)
    @extend_schema(
        methods=["POST"],
        request=None,
        responses={
            201: EffectReviewSerializer,
            409: OpenApiResponse(CONFLICT, description=_("The plan is not completed, or it is closed.")),
        },
    )
    @action(detail=True, methods=["get", "post"])
    def review(self, request, *args, **kwargs):
        """GET: the latest effect review (404 before the first). POST: review the effect of a completed plan now, as
        its page's button does (201)."""
        plan = self.get_object()
        if request.method == "GET":
            latest = plan.reviews.select_related("reviewed_by").first()
            if latest is None:
                raise NotFound(_("No effect review yet: a plan is reviewed once it is completed."))
            return Response(EffectReviewSerializer(latest, context=self.get_serializer_context()).data)
        require(request.user, "improvement.add_effectreview")
        self.check_if_match(self.get_serializer(plan).data)
        refuse_if_closed(plan)
        if problem := reviews.not_reviewable(plan):
            raise Conflict({"detail": [problem]})
        with transaction.atomic():
            made = reviews.review(plan, request.user)
        data = EffectReviewSerializer(made, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)


class ActionViewSet(TenantViewSet):
    """A plan's actions (``/improvement-plans/<plan>/actions``), by id: managers add and change them with the action
    form (a done action needs a note, and carries when it was done); customer users read those of the plans that
    concern them. A closed plan's actions change no more (409)."""

    model = Action
    serializer_class = ActionSerializer
    form_class = ActionForm
    filterset_class = ActionFilter
    lookup_field = "pk"
    lookup_value_regex = r"[0-9]+"
    ordering_fields = ["pk"]
    ordering = ["pk"]
    add_permission = "improvement.add_action"
    change_permission = "improvement.change_action"
    http_method_names = NO_DELETE

    def plan(self):
        """The plan the URL names, through ``.for_user()`` (404 when the person does not see it)."""
        if not hasattr(self, "_plan"):
            plans = ImprovementPlan.objects.for_user(self.request.user)
            self._plan = get_object_or_404(plans, code=self.kwargs["plan"])
        return self._plan

    def base_queryset(self):
        return Action.objects.select_related("plan", "owner")

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema's generator reads the model
            return Action.objects.none()
        return super().get_queryset().filter(plan=self.plan())

    def create(self, request, *args, **kwargs):
        self.plan()  # another organisation's plan is not found (404) before its actions are refused (403)
        return super().create(request, *args, **kwargs)

    def validate(self, form):
        refuse_if_closed(self.plan())
        super().validate(form)

    def save_form(self, form):
        row = form.save(commit=False)
        row.plan = self.plan()
        row.stamp_completion()
        row.save()
        return row
