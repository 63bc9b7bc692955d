"""How the improvement app's rows read over the API: plans (with their status history and latest effect review) and
their actions. Writes go through the pages' forms (``core.api.viewsets``); these serializers only say what a row
looks like. A plan's links and effect review read as its page shows them to the reader (``improvement.visibility``):
another customer's rows linked to a plan for no one customer are left out."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agreements.api.serializers import UserNameField
from improvement.choices import Verdict
from improvement.forms import PlanForm
from improvement.models import Action, EffectReview, ImprovementPlan, PlanStatusChange
from improvement.visibility import Visibility, plan_links, review_reading
from requirements_analysis.api.targets import TargetReferenceField

# The plan form's fields, as its page edits them, and what the workflow stamps.
PLAN_FIELDS = ["code", *PlanForm.Meta.fields, "status", "started_at", "completed_at", "created_at", "updated_at"]


def reader(serializer):
    request = serializer.context.get("request")
    return getattr(request, "user", None)


def visibility_of(serializer):
    """The reader's ``Visibility``, one for the whole response."""
    root = serializer.root
    if not hasattr(root, "_visibility"):
        root._visibility = Visibility(reader(serializer))
    return root._visibility


class PlanListSerializer(serializers.ListSerializer):
    def to_representation(self, data):
        plans = list(data.all() if hasattr(data, "all") else data)
        visibility_of(self).learn_plans(plans)  # one question per linked model for the whole page
        return super().to_representation(plans)


class PlanSerializer(serializers.ModelSerializer):
    customer = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    services = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    breaches = serializers.PrimaryKeyRelatedField(many=True, read_only=True, help_text=_("The breaches' ids."))
    targets = TargetReferenceField(many=True, help_text=_("The targets it addresses, each as agreement/target."))
    requirements = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    goal_target = TargetReferenceField(allow_null=True, help_text=_("The goal's target, as agreement/target."))
    owner = UserNameField(allow_null=True)

    class Meta:
        model = ImprovementPlan
        fields = PLAN_FIELDS
        read_only_fields = fields
        list_serializer_class = PlanListSerializer

    def to_representation(self, plan):
        """The plan, with only the linked rows the reader may see; no goal figures when its target is not one."""
        data = super().to_representation(plan)
        links = plan_links(plan, visibility_of(self))
        for name in ("breaches", "targets", "requirements"):
            data[name] = self.fields[name].to_representation(getattr(links, name))
        goal = links.goal_target
        data["goal_target"] = self.fields["goal_target"].to_representation(goal) if goal else None
        if links.goal_hidden:
            data["baseline_attainment"] = data["desired_attainment"] = None
        return data


class StatusChangeSerializer(serializers.ModelSerializer):
    changed_by = UserNameField(allow_null=True)

    class Meta:
        model = PlanStatusChange
        fields = ["from_status", "to_status", "changed_by", "changed_at", "note"]
        read_only_fields = fields


class ReviewPeriodSerializer(serializers.Serializer):
    label = serializers.CharField()
    attainment = serializers.CharField(allow_null=True, help_text=_("Per cent, as the plan's page shows it."))
    breached = serializers.BooleanField()


class TargetEffectSerializer(serializers.Serializer):
    """One target of an effect review, as stored when it was made and shown on the plan's page."""

    agreement = serializers.CharField()
    target = serializers.CharField()
    name = serializers.CharField()
    objective = serializers.CharField()
    before = ReviewPeriodSerializer(many=True)
    after = ReviewPeriodSerializer(many=True)
    mean_before = serializers.CharField(allow_null=True)
    mean_after = serializers.CharField(allow_null=True)
    breaches_before = serializers.IntegerField()
    breaches_after = serializers.IntegerField()
    verdict = serializers.CharField()
    verdict_label = serializers.CharField()


class EffectReviewSerializer(serializers.ModelSerializer):
    """An effect review as the plan's page shows it to the reader: the targets they may see, and the verdict over
    those targets only (``improvement.visibility.review_reading``)."""

    reviewed_by = UserNameField(allow_null=True)
    verdict = serializers.SerializerMethodField()
    verdict_note = serializers.SerializerMethodField()
    targets = serializers.SerializerMethodField()
    targets_not_shown = serializers.SerializerMethodField()

    class Meta:
        model = EffectReview
        fields = ["verdict", "verdict_note", "periods", "reviewed_by", "reviewed_at", "targets", "targets_not_shown"]
        read_only_fields = fields

    def reading(self, review):
        """The review as the reader sees it (once per review)."""
        cache = self.context.setdefault("review_readings", {})
        if review.pk not in cache:
            cache[review.pk] = review_reading(review, reader(self))
        return cache[review.pk]

    @extend_schema_field(
        serializers.ChoiceField(
            choices=Verdict.choices,
            allow_null=True,
            help_text=_(
                "Over the targets listed: when some are not shown (targets_not_shown), over those shown only; "
                "null when none is shown."
            ),
        )
    )
    def get_verdict(self, review):
        return self.reading(review).verdict

    @extend_schema_field(serializers.CharField(help_text=_("Why the verdict is partial or withheld; empty if not.")))
    def get_verdict_note(self, review):
        return self.reading(review).note

    @extend_schema_field(TargetEffectSerializer(many=True))
    def get_targets(self, review):
        """The targets the reader may see: another customer's target's figures are left out."""
        return TargetEffectSerializer(self.reading(review).rows, many=True).data

    @extend_schema_field(serializers.IntegerField(help_text=_("Targets measured whose figures are not shown.")))
    def get_targets_not_shown(self, review):
        """How many targets the review measured that are another customer's: their figures are not shown."""
        return self.reading(review).hidden


class PlanDetailSerializer(PlanSerializer):
    status_changes = StatusChangeSerializer(many=True, read_only=True)
    effect_review = serializers.SerializerMethodField()

    class Meta(PlanSerializer.Meta):
        fields = [*PLAN_FIELDS, "status_changes", "effect_review"]
        read_only_fields = fields

    @extend_schema_field(EffectReviewSerializer(allow_null=True))
    def get_effect_review(self, plan):
        """The latest effect review, as the plan's page shows it (None before the first)."""
        review = plan.reviews.select_related("reviewed_by").first()
        return EffectReviewSerializer(review, context=self.context).data if review else None


class ActionSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="pk", read_only=True)
    plan = serializers.SlugRelatedField(slug_field="code", read_only=True)
    owner = UserNameField(allow_null=True)

    class Meta:
        model = Action
        fields = ["id", "plan", "description", "owner", "due_date", "status", "completion_note", "completed_at"]
        read_only_fields = fields


class PlanStepSerializer(serializers.Serializer):
    """A step of a plan's workflow, with the note its page asks."""

    status = serializers.CharField(help_text=_("The plan's next status."))
    note = serializers.CharField(required=False, allow_blank=True, help_text=_("Why, or what was done."))
