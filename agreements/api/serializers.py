"""How the agreements app's rows read over the API. Writes go through the pages' forms (``core.api.viewsets``); these
serializers only say what a row looks like, with related rows named by their codes and people by their login names.

A body to write takes the same names for what the page's form edits (nested rows as lists of objects); what only the
portal writes (a status, the agreement a target belongs to, when a row was made) is read here and refused in a body."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agreements.forms import TargetForm
from agreements.models import (
    Agreement,
    BusinessCalendar,
    Customer,
    Exclusion,
    Holiday,
    MaintenanceWindow,
    Service,
    ServiceCreditTier,
    ServiceLevelTarget,
    WorkingPeriod,
)
from core.api.forms import shown_value


class UserNameField(serializers.SlugRelatedField):
    """A person, named by the name they sign in with."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="username", read_only=True, **kwargs)


class CodeField(serializers.SlugRelatedField):
    """A related row, named by its code."""

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", read_only=True, **kwargs)


def read_only(serializer_class):
    """Every field of the ModelSerializer read-only: the serializer describes; the page's form writes."""
    serializer_class.Meta.read_only_fields = serializer_class.Meta.fields
    return serializer_class


@read_only
class CustomerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = [
            "code",
            "name",
            "contact_name",
            "contact_email",
            "contact_phone",
            "language",
            "email_domains",
            "notes",
            "created_at",
        ]


@read_only
class ServiceSerializer(serializers.ModelSerializer):
    owner = UserNameField(allow_null=True)

    class Meta:
        model = Service
        fields = ["code", "name", "description", "owner", "criticality", "status", "created_at"]


# Business calendars


@read_only
class WorkingPeriodSerializer(serializers.ModelSerializer):
    class Meta:
        model = WorkingPeriod
        fields = ["weekday", "start", "end"]


@read_only
class HolidaySerializer(serializers.ModelSerializer):
    class Meta:
        model = Holiday
        fields = ["date", "name"]


@read_only
class BusinessCalendarSerializer(serializers.ModelSerializer):
    working_periods = WorkingPeriodSerializer(
        many=True,
        read_only=True,
        help_text=_("Weekly working hours in the calendar's time zone: weekday 0 is Monday, an end of 00:00 midnight."),
    )
    holidays = HolidaySerializer(many=True, read_only=True)

    class Meta:
        model = BusinessCalendar
        fields = ["code", "name", "time_zone", "description", "working_periods", "holidays"]


# Agreements and their targets


@read_only
class AgreementSerializer(serializers.ModelSerializer):
    customer = CodeField()
    services = CodeField(many=True)
    owner = UserNameField(allow_null=True)
    targets = CodeField(many=True, help_text=_("The codes of its service level targets (…/targets reads them)."))

    class Meta:
        model = Agreement
        fields = [
            "code",
            "kind",
            "title",
            "customer",
            "services",
            "owner",
            "status",
            "valid_from",
            "valid_to",
            "next_review",
            "review_cycle",
            "monthly_fee",
            "currency",
            "maintenance_notice_days",
            "maintenance_cap_minutes",
            "report_recipients",
            "description",
            "targets",
            "created_at",
            "updated_at",
        ]


@read_only
class CreditTierSerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceCreditTier
        fields = ["below_attainment", "credit_percent"]


def target_name(target):
    """How the API names a target outside its agreement's URL: "<agreement code>/<target code>"."""
    return f"{target.agreement.code}/{target.code}"


def extension_fields():
    """{name: form field} of the target form's fields that other apps add (the monitoring app's indicator)."""
    own = {*TargetForm.core_field_names, "rests_on"}
    return {name: field for name, field in TargetForm().fields.items() if name not in own}


class TargetFormValue(serializers.CharField):
    """A field another app adds to the target form, read as the form shows it (a related row by its code)."""

    def __init__(self, name, **kwargs):
        self.form_field_name = name
        super().__init__(source="*", read_only=True, allow_null=True, **kwargs)

    def to_representation(self, target):
        return shown_value(self.parent.form_of(target), self.form_field_name)


@read_only
class TargetSerializer(serializers.ModelSerializer):
    agreement = CodeField()
    objective = serializers.DecimalField(
        max_digits=6,
        decimal_places=3,
        read_only=True,
        # xgettext:no-python-format
        help_text=_("In percent, as the agreement page takes it: 99.9 is 99.9 %."),
    )
    service_hours = CodeField(allow_null=True)
    credit_tiers = CreditTierSerializer(
        many=True,
        read_only=True,
        # xgettext:no-python-format
        help_text=_("Attainment below (%) and the credit it earns (% of the monthly fee)."),
    )
    rests_on = serializers.SerializerMethodField(
        help_text=_('The OLA and UC targets it rests on, each named "<agreement code>/<target code>".')
    )

    class Meta:
        model = ServiceLevelTarget
        fields = ["agreement", *TargetForm.core_field_names, "credit_tiers", "rests_on"]

    def get_fields(self):
        fields = super().get_fields()
        for name, field in extension_fields().items():
            fields[name] = TargetFormValue(name, label=field.label, help_text=field.help_text)
        return fields

    @extend_schema_field({"type": "array", "items": {"type": "string"}})
    def get_rests_on(self, target):
        """The links whose other end the reader may see too, as the agreement page shows them."""
        lower = [link.underpinning for link in target.underpinning_links.all()]
        if not lower:
            return []
        request = self.context.get("request")
        visible = set(
            Agreement.objects.for_user(getattr(request, "user", None))
            .filter(pk__in={other.agreement_id for other in lower})
            .values_list("pk", flat=True)
        )
        return sorted(target_name(other) for other in lower if other.agreement_id in visible)

    def form_of(self, target):
        """The agreement page's form of ``target`` (built once per target and response)."""
        forms = self.context.setdefault("target_forms", {})
        if target.pk not in forms:
            forms[target.pk] = TargetForm(instance=target, agreement_kind=target.agreement.kind)
        return forms[target.pk]


# Maintenance windows and exclusions


@read_only
class MaintenanceWindowSerializer(serializers.ModelSerializer):
    service = CodeField()
    calendar = CodeField(
        allow_null=True, help_text=_("A repeating window keeps its local time in this calendar's time zone.")
    )
    approved_by = UserNameField(allow_null=True)
    created_by = UserNameField(allow_null=True, required=False, help_text=_("Shown to service managers only."))

    class Meta:
        model = MaintenanceWindow
        fields = [
            "id",
            "service",
            "title",
            "description",
            "starts_at",
            "ends_at",
            "recurrence",
            "repeat_until",
            "calendar",
            "customer_visible",
            "status",
            "approved_by",
            "approved_at",
            "created_by",
            "created_at",
            "updated_at",
        ]

    def to_representation(self, window):
        data = super().to_representation(window)
        request = self.context.get("request")
        if request is None or not request.user.has_perm("agreements.change_maintenancewindow"):
            data.pop("created_by")  # the page names who planned it to service managers only
        return data


@read_only
class ExclusionSerializer(serializers.ModelSerializer):
    agreement = CodeField()
    service = CodeField()
    recorded_by = UserNameField(allow_null=True)

    class Meta:
        model = Exclusion
        fields = [
            "id",
            "agreement",
            "service",
            "starts_at",
            "ends_at",
            "reason",
            "description",
            "customer_agreement",
            "recorded_by",
            "created_at",
        ]
