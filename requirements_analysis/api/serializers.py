"""How the requirements analysis app's rows read over the API: requirements, and survey campaigns with their results.
Writes go through the pages' forms (``core.api.viewsets``); these serializers only say what a row looks like."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agreements.api.serializers import UserNameField
from requirements_analysis import analysis
from requirements_analysis.api.targets import TargetReferenceField
from requirements_analysis.models import ServiceLevelRequirement, SurveyCampaign


class RequirementSerializer(serializers.ModelSerializer):
    customer = serializers.SlugRelatedField(slug_field="code", read_only=True)
    service = serializers.SlugRelatedField(slug_field="code", read_only=True)
    targets = TargetReferenceField(many=True, help_text=_("The targets that meet it, each as agreement/target."))
    submitted_by = UserNameField(allow_null=True)

    class Meta:
        model = ServiceLevelRequirement
        fields = [
            "code",
            "customer",
            "service",
            "statement",
            "category",
            "importance",
            "performance",
            "source",
            "desired_level",
            "status",
            "status_reason",
            "targets",
            "submitted_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class RequirementStepSerializer(serializers.Serializer):
    """A step of a requirement's workflow, with what its decision page asks."""

    status = serializers.CharField(help_text=_("The requirement's next status."))
    reason = serializers.CharField(required=False, help_text=_("Why: needed to reject or defer."))
    create_target_on = serializers.CharField(
        required=False,
        help_text=_(
            "Agreeing only: the code of one of the customer's draft or active agreements to add a draft target "
            "to (no indicator yet), pre-filled from the requirement."
        ),
    )


class SurveySerializer(serializers.ModelSerializer):
    customer = serializers.SlugRelatedField(slug_field="code", read_only=True)
    services = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = SurveyCampaign
        fields = [
            "code",
            "customer",
            "title",
            "period_label",
            "services",
            "message",
            "opens_at",
            "closes_at",
            "status",
            "created_at",
        ]
        read_only_fields = fields


class MeanSerializer(serializers.Serializer):
    mean = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    ratings = serializers.IntegerField()


class ServiceResultSerializer(serializers.Serializer):
    service = serializers.CharField(help_text=_("The service's name."))
    csat = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    ratings = serializers.IntegerField()
    not_applicable = serializers.IntegerField()


class CategoryResultSerializer(serializers.Serializer):
    category = serializers.CharField()
    label = serializers.CharField()
    importance = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    performance = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    ratings = serializers.IntegerField()


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField()
    updated_at = serializers.DateTimeField()


class SurveyResultsSerializer(serializers.Serializer):
    """The results as the survey's page shows them (``analysis.campaign_results``): means of the ratings given, a
    rating left "not applicable" left out, to two places."""

    invited = serializers.IntegerField()
    answered = serializers.IntegerField()
    response_rate = serializers.DecimalField(
        max_digits=4, decimal_places=1, allow_null=True, help_text=_("Per cent of the invited who answered.")
    )
    overall = MeanSerializer()
    services = ServiceResultSerializer(many=True)
    categories = CategoryResultSerializer(many=True)
    comments = CommentSerializer(many=True)

    def to_representation(self, results):
        comments = [{"comment": text, "updated_at": when} for text, when in results["comments"]]
        return super().to_representation({**results, "comments": comments})


class SurveyDetailSerializer(SurveySerializer):
    results = serializers.SerializerMethodField()

    class Meta(SurveySerializer.Meta):
        fields = [*SurveySerializer.Meta.fields, "results"]
        read_only_fields = fields

    @extend_schema_field(SurveyResultsSerializer)
    def get_results(self, campaign):
        return SurveyResultsSerializer(analysis.campaign_results(campaign)).data
