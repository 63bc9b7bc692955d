"""Agreements (SLA / OLA / UC), their service level targets and service credit tiers."""

from datetime import timedelta
from decimal import Context, Decimal, Inexact, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agreements.choices import (
    AGREEMENT_TRANSITIONS,
    AgreementKind,
    AgreementStatus,
    BudgetingMethod,
    CalendarPeriod,
    MissingData,
    ReviewCycle,
    WindowKind,
)
from agreements.models.business_calendars import BusinessCalendar
from agreements.models.catalogue import Customer, Service
from core.currencies import Currency
from core.formatting import plain_number
from core.tenancy import TenantQuerySet
from core.validators import email_list, validate_code_not_reserved, validate_email_list
from core.workflow import WorkflowMixin

HUNDRED = Decimal(100)
# Moving a percentage's decimal point is exact: done in a context of its own, never the thread's changeable default.
_EXACT = Context(prec=28, traps=[Inexact, InvalidOperation])


class AgreementQuerySet(TenantQuerySet):
    customer_path = "customer"

    def active(self):
        return self.filter(status=AgreementStatus.ACTIVE)


class Agreement(WorkflowMixin, models.Model):
    """A service level agreement with a customer (or an OLA / underpinning contract)."""

    kind = models.CharField(_("kind"), max_length=3, choices=AgreementKind.choices, default=AgreementKind.SLA)
    code = models.SlugField(
        _("code"),
        max_length=50,
        unique=True,
        validators=[validate_code_not_reserved],
        help_text=_("Unique code, used in URLs and the API."),
    )
    title = models.CharField(_("title"), max_length=200)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("customer")
    )
    services = models.ManyToManyField(Service, related_name="agreements", verbose_name=_("services"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_agreements",
        verbose_name=_("owner"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT, editable=False
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True, help_text=_("Leave empty for no end date."))
    next_review = models.DateField(_("next review"), null=True, blank=True)
    review_cycle = models.CharField(
        _("review cycle"),
        max_length=12,
        choices=ReviewCycle.choices,
        default=ReviewCycle.NONE,
        help_text=_("Holding a review moves the next review on by this much, counted from the meeting."),
    )
    monthly_fee = models.DecimalField(
        _("monthly fee"), max_digits=14, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.KRW)
    description = models.TextField(_("description"), blank=True)
    report_recipients = models.TextField(
        _("report recipients"),
        blank=True,
        validators=[validate_email_list],
        help_text=_(
            "E-mail addresses that receive the monthly service report, separated by commas or lines. "
            "Empty: the customer's contact e-mail."
        ),
    )
    maintenance_notice_days = models.PositiveSmallIntegerField(
        _("maintenance notice (days)"),
        default=5,
        help_text=_("Approved maintenance is excluded only when announced at least this many days before it starts."),
    )
    maintenance_cap_minutes = models.PositiveIntegerField(
        _("maintenance excluded per month (minutes)"),
        default=0,
        help_text=_(
            "At most this much announced maintenance of each service is excluded in a calendar month; "
            "the rest counts. 240 is four hours; 0: maintenance always counts."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[services], excluded_fields=["updated_at"])
    objects = AgreementQuerySet.as_manager()

    # The workflow (core.workflow): draft -> active -> expired | terminated.
    status_choices = AgreementStatus
    transitions = AGREEMENT_TRANSITIONS
    refused_transition_message = _("An agreement cannot go from %(old)s to %(new)s.")

    class Meta:
        ordering = ["code"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gt=models.F("valid_from")),
                name="agreement_valid_to_after_valid_from",
            ),
            models.CheckConstraint(condition=models.Q(monthly_fee__gte=0), name="agreement_fee_not_negative"),
            models.CheckConstraint(
                condition=models.Q(next_review__isnull=True) | models.Q(next_review__gte=models.F("valid_from")),
                name="agreement_review_not_before_start",
            ),
            models.CheckConstraint(condition=models.Q(status__in=AgreementStatus.values), name="agreement_status"),
            models.CheckConstraint(condition=models.Q(kind__in=AgreementKind.values), name="agreement_kind"),
            models.CheckConstraint(
                condition=models.Q(review_cycle__in=ReviewCycle.values), name="agreement_review_cycle"
            ),
            models.CheckConstraint(
                condition=models.Q(maintenance_notice_days__gte=0, maintenance_cap_minutes__gte=0),
                name="agreement_maintenance_terms_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.code} – {self.title}"

    def get_absolute_url(self):
        return reverse("agreements:agreement_detail", kwargs={"code": self.code})

    def clean(self):
        if self.valid_from and self.valid_to and self.valid_to <= self.valid_from:
            raise ValidationError({"valid_to": _("The end date must be after the start date.")})

    def precondition_problems(self, new_status, **details):
        problems = []
        if new_status == AgreementStatus.ACTIVE:
            if not self.targets.exists():
                problems.append(_("An agreement needs at least one service level target before it is activated."))
            if not self.services.exists():
                problems.append(_("An agreement needs at least one service before it is activated."))
        return problems

    @property
    def is_editable(self):
        return self.status in (AgreementStatus.DRAFT, AgreementStatus.ACTIVE)

    def editing_problems(self):
        """Why the agreement and its targets cannot be edited now: a list of messages, empty when they can."""
        return [] if self.is_editable else [_("An expired or terminated agreement cannot be edited.")]

    @property
    def report_addresses(self):
        """Who receives the monthly service report: the listed recipients, or else the customer's contact."""
        listed = email_list(self.report_recipients)
        return listed or ([self.customer.contact_email] if self.customer.contact_email else [])

    @property
    def cycle(self):
        """The review cycle, a ``ReviewCycle`` that knows its months."""
        return ReviewCycle(self.review_cycle)

    @property
    def maintenance_notice(self):
        return timedelta(days=self.maintenance_notice_days)


class ServiceLevelTargetQuerySet(TenantQuerySet):
    customer_path = "agreement__customer"

    def of_active_agreements(self):
        return self.filter(agreement__status=AgreementStatus.ACTIVE)


percentage_validators = [MinValueValidator(Decimal("0")), MaxValueValidator(HUNDRED)]


class ServiceLevelTarget(models.Model):
    """One measurable promise of an agreement: an objective over a window, with a budgeting method.

    The indicator a target measures is linked by the monitoring app (a lower app never points up).
    """

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="targets")
    code = models.SlugField(_("code"), max_length=50, help_text=_("Unique within the agreement."))
    name = models.CharField(_("name"), max_length=200)
    objective = models.DecimalField(
        _("objective (%)"),
        max_digits=6,
        decimal_places=3,
        help_text=_("For example 99.9; more than 0 and less than 100, up to three decimals."),
    )
    window_kind = models.CharField(_("window"), max_length=10, choices=WindowKind.choices, default=WindowKind.CALENDAR)
    calendar_period = models.CharField(
        _("calendar period"), max_length=10, choices=CalendarPeriod.choices, default=CalendarPeriod.MONTH, blank=True
    )
    rolling_days = models.PositiveSmallIntegerField(
        _("rolling days"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(366)]
    )
    budgeting_method = models.CharField(
        _("budgeting method"), max_length=20, choices=BudgetingMethod.choices, default=BudgetingMethod.OCCURRENCES
    )
    slice_minutes = models.PositiveSmallIntegerField(
        _("slice length (minutes)"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(1440)],
        help_text=_("Timeslice methods only."),
    )
    slice_target = models.DecimalField(
        _("slice target (%)"),
        max_digits=6,
        decimal_places=3,
        default=HUNDRED,
        validators=percentage_validators,
        help_text=_("Timeslices only: a slice is good when its good/total ratio reaches this."),
    )
    missing_data = models.CharField(
        _("slices with no data"), max_length=10, choices=MissingData.choices, default=MissingData.IGNORE
    )
    service_hours = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="targets",
        verbose_name=_("service hours"),
        help_text=_("Only time inside this calendar's working hours counts. Empty: around the clock."),
    )
    warning_threshold = models.DecimalField(
        # xgettext:no-python-format
        _("warning threshold (% of budget left)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("25"),
        validators=percentage_validators,
    )
    minimum_events = models.PositiveIntegerField(
        _("minimum per period"),
        null=True,
        blank=True,
        help_text=_(
            "Events-based targets: a period with fewer events (tickets, for a ticket indicator) is reported but never "
            "breached. Empty: every period is judged."
        ),
    )
    description = models.TextField(_("description"), blank=True)
    rests_on = models.ManyToManyField(
        "self",
        through="agreements.Underpinning",
        through_fields=("target", "underpinning"),
        symmetrical=False,
        related_name="supports",
        blank=True,
        verbose_name=_("rests on"),
        help_text=_("The OLA and UC targets this promise depends on."),
    )

    history = HistoricalRecords()
    objects = ServiceLevelTargetQuerySet.as_manager()

    class Meta:
        ordering = ["agreement", "code"]
        verbose_name = _("service level target")
        verbose_name_plural = _("service level targets")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "code"], name="target_code_unique_in_agreement"),
            models.CheckConstraint(
                condition=models.Q(objective__gt=0, objective__lt=100), name="target_objective_between_0_and_100"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(window_kind=WindowKind.CALENDAR, calendar_period__in=CalendarPeriod.values)
                    | models.Q(
                        window_kind=WindowKind.ROLLING,
                        rolling_days__isnull=False,
                        rolling_days__gte=1,
                        rolling_days__lte=366,
                    )
                ),
                name="target_window_complete",
            ),
            models.CheckConstraint(
                condition=models.Q(slice_minutes__gte=1, slice_minutes__lte=1440), name="target_slice_minutes"
            ),
            models.CheckConstraint(
                condition=models.Q(slice_target__gt=0, slice_target__lte=100), name="target_slice_target"
            ),
            models.CheckConstraint(
                condition=models.Q(warning_threshold__gte=0, warning_threshold__lte=100),
                name="target_warning_threshold",
            ),
            models.CheckConstraint(
                condition=models.Q(budgeting_method__in=BudgetingMethod.values), name="target_budgeting_method"
            ),
        ]

    def __str__(self):
        return f"{self.name} ≥ {self.objective_display}"

    def save(self, *args, **kwargs):
        # Keep the unused half of the window empty so the row says one thing.
        if self.window_kind == WindowKind.ROLLING:
            self.calendar_period = ""
        else:
            self.rolling_days = None
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return self.agreement.get_absolute_url() + f"#target-{self.code}"

    @property
    def objective_display(self):
        return f"{plain_number(self.objective)} %"

    @property
    def method(self):
        """The budgeting method, a ``BudgetingMethod`` that says how it counts (``target.method.counts_events``)."""
        return BudgetingMethod(self.budgeting_method)

    @property
    def objective_fraction(self):
        """The objective as an exact fraction, 99.9 -> Decimal('0.999')."""
        return self.objective.scaleb(-2, _EXACT)

    @property
    def window_display(self):
        if self.window_kind == WindowKind.ROLLING:
            return _("rolling %(days)s days") % {"days": self.rolling_days}
        return CalendarPeriod(self.calendar_period).label

    def clean(self):
        errors = {}
        if self.objective is not None and not (0 < self.objective < HUNDRED):
            errors["objective"] = _("The objective must be more than 0 % and less than 100 %.")
        if self.window_kind == WindowKind.ROLLING and not self.rolling_days:
            errors["rolling_days"] = _("A rolling window needs its number of days.")
        if self.window_kind == WindowKind.CALENDAR and not self.calendar_period:
            errors["calendar_period"] = _("A calendar window needs its period.")
        if self.slice_target is not None and self.slice_target <= 0:
            errors["slice_target"] = _("The slice target must be more than 0 %.")
        if self.minimum_events and self.budgeting_method in BudgetingMethod.values and not self.method.counts_events:
            errors["minimum_events"] = _("Only a target that counts events (occurrences) has a minimum per period.")
        if errors:
            raise ValidationError(errors)


class ServiceCreditTierQuerySet(TenantQuerySet):
    customer_path = "target__agreement__customer"


class ServiceCreditTier(models.Model):
    """Below ``below_attainment`` % in a closed period, the customer is credited ``credit_percent`` % of the fee.

    Tiers of one target never overlap: each threshold is distinct, and a lower threshold credits more.
    """

    target = models.ForeignKey(ServiceLevelTarget, on_delete=models.CASCADE, related_name="credit_tiers")
    below_attainment = models.DecimalField(
        _("attainment below (%)"), max_digits=6, decimal_places=3, validators=percentage_validators
    )
    credit_percent = models.DecimalField(
        # xgettext:no-python-format
        _("credit (% of monthly fee)"),
        max_digits=5,
        decimal_places=2,
        validators=percentage_validators,
    )

    history = HistoricalRecords()
    objects = ServiceCreditTierQuerySet.as_manager()

    class Meta:
        ordering = ["target", "-below_attainment"]
        verbose_name = _("service credit tier")
        verbose_name_plural = _("service credit tiers")
        constraints = [
            models.UniqueConstraint(fields=["target", "below_attainment"], name="credit_tier_unique_threshold"),
            models.CheckConstraint(
                condition=models.Q(below_attainment__gt=0, below_attainment__lte=100),
                name="credit_tier_threshold_range",
            ),
            models.CheckConstraint(
                condition=models.Q(credit_percent__gt=0, credit_percent__lte=100), name="credit_tier_credit_range"
            ),
        ]

    def __str__(self):
        return _("below %(below)s %%: %(credit)s %% credit") % {
            "below": plain_number(self.below_attainment),
            "credit": plain_number(self.credit_percent),
        }
