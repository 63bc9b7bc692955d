"""Results of evaluation: a compliance snapshot per target and period, and breaches."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from agreements.choices import BudgetingMethod, MissingData
from agreements.models import Agreement, ServiceLevelTarget
from core.tenancy import TenantQuerySet
from monitoring import slo
from monitoring.choices import BreachKind, BudgetUnit, SnapshotStatus


class ComplianceSnapshotQuerySet(TenantQuerySet):
    customer_path = "target__agreement__customer"

    def closed(self):
        return self.filter(is_closed=True)

    def current(self):
        """One snapshot per evaluated target: the period running at its last evaluation."""
        return self.filter(is_current=True)


class ComplianceSnapshot(models.Model):
    """Compliance of one target in one period, with the objective and method it was computed with.

    Snapshots are history: once a period is closed its snapshot is frozen, and editing the target changes only
    open and future periods. Calendar windows have one snapshot per period; rolling windows one per local day
    (the window ending at the day's last evaluation).
    """

    target = models.ForeignKey(ServiceLevelTarget, on_delete=models.CASCADE, related_name="snapshots")
    period_start = models.DateTimeField(_("period start"))
    period_end = models.DateTimeField(_("period end"))
    period_label = models.CharField(_("period"), max_length=40)
    # Where counting started: the period's start within the agreement's validity, or a rolling window's start (its
    # snapshot is filed under the local day the window ends in). Empty on rows written before it was kept.
    window_start = models.DateTimeField(null=True, blank=True, editable=False)
    is_closed = models.BooleanField(_("closed"), default=False)
    objective = models.DecimalField(_("objective (%)"), max_digits=6, decimal_places=3)
    method = models.CharField(_("budgeting method"), max_length=20, choices=BudgetingMethod.choices)
    missing_data = models.CharField(max_length=10, choices=MissingData.choices, default=MissingData.IGNORE)
    slice_minutes = models.PositiveSmallIntegerField(default=1)
    good = models.BigIntegerField(_("good events"), default=0)
    total = models.BigIntegerField(_("events"), default=0)
    good_slices = models.IntegerField(_("good slices"), default=0)
    slices_with_data = models.IntegerField(_("slices with data"), default=0)
    slices_in_scope = models.IntegerField(_("slices in scope"), default=0)
    # The sum of the slices' good/total ratios in units of 10^-12 (monitoring.slo.ratio_units): exact on every
    # database (SQLite keeps only 15 significant digits of a decimal column); ``ratio_sum`` is it as a Decimal.
    ratio_units = models.BigIntegerField(default=0)
    attainment = models.DecimalField(_("attainment"), max_digits=15, decimal_places=12, null=True, blank=True)
    budget_unit = models.CharField(_("budget unit"), max_length=10, choices=BudgetUnit.choices)
    budget_total = models.DecimalField(_("error budget"), max_digits=24, decimal_places=12, default=0)
    budget_consumed = models.DecimalField(_("budget consumed"), max_digits=24, decimal_places=12, default=0)
    budget_remaining = models.DecimalField(
        _("budget remaining"), max_digits=24, decimal_places=12, null=True, blank=True
    )
    burn_rates = models.JSONField(_("burn rates"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=SnapshotStatus.choices)
    credit_percent = models.DecimalField(_("credit (%)"), max_digits=5, decimal_places=2, default=0)
    credit_amount = models.DecimalField(_("credit due"), max_digits=16, decimal_places=2, default=0)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    computed_at = models.DateTimeField(_("evaluated at"))
    is_current = models.BooleanField(
        _("current"),
        default=False,
        help_text=_("The snapshot of the period running when the target was last evaluated."),
    )
    fastest_burn = models.DecimalField(
        _("fastest burn rate"),
        max_digits=20,
        decimal_places=6,
        null=True,
        blank=True,
        help_text=_(
            "The highest burn rate over the alert rules' long windows whose short window burns now (open periods only)."
        ),
    )
    fastest_burn_window = models.PositiveIntegerField(
        _("fastest burn window (minutes)"), null=True, blank=True, help_text=_("The long window of the fastest burn.")
    )
    maintenance = models.JSONField(
        _("maintenance and exclusions"),
        default=list,
        blank=True,
        help_text=_("How the period counted the service's maintenance and agreed exclusions, as computed."),
    )
    in_maintenance = models.BooleanField(_("in maintenance"), default=False)

    objects = ComplianceSnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["target", "-period_start"]
        verbose_name = _("compliance snapshot")
        verbose_name_plural = _("compliance snapshots")
        constraints = [
            models.UniqueConstraint(fields=["target", "period_start"], name="snapshot_one_per_target_period"),
            models.CheckConstraint(condition=models.Q(period_end__gt=models.F("period_start")), name="snapshot_period"),
        ]
        indexes = [
            models.Index(fields=["status", "is_closed"], name="snapshot_status_idx"),
            models.Index(fields=["is_current", "status"], name="snapshot_current_idx"),
            # The overview's fastest-burning targets: the ten first of this index, not a sort of every current
            # snapshot (90 ms for 10,000 targets, their rows scattered over the table).
            models.Index(
                models.F("fastest_burn").desc(),
                condition=models.Q(is_current=True, fastest_burn__gt=0),
                name="snapshot_burning_idx",
            ),
        ]

    def __str__(self):
        return f"{self.target} {self.period_label}: {self.status}"

    @property
    def attainment_percent(self):
        return None if self.attainment is None else slo.to_percent(self.attainment)

    @property
    def ratio_sum(self):
        """The sum of the slices' good/total ratios, exactly (ratio timeslices: attainment = ratio_sum / slices)."""
        return slo.ratio_from_units(self.ratio_units)

    @property
    def budget_left(self):
        """What is left of the error budget in its unit (minutes or events); negative when overspent."""
        return self.budget_total - self.budget_consumed


class BreachQuerySet(TenantQuerySet):
    customer_path = "target__agreement__customer"

    def open_at(self, at):
        """The breaches going on at ``at`` (``Breach.is_open``)."""
        return self.filter(_open_at(at))

    def closed_at(self, at):
        return self.exclude(_open_at(at))


def _open_at(at):
    episode = models.Q(kind=BreachKind.WINDOW_EXHAUSTED)
    return (episode & models.Q(ended_at__isnull=True)) | (~episode & models.Q(period_end__gt=at))


class Breach(models.Model):
    """A target missed its objective: one row per target and calendar period, however often it is evaluated; for a
    rolling window, one row per episode, from the first evaluation that found its budget spent (``period_start``)
    to the first that found it back (``ended_at``; empty while it lasts), with the worst attainment in between."""

    target = models.ForeignKey(ServiceLevelTarget, on_delete=models.CASCADE, related_name="breaches")
    period_start = models.DateTimeField(_("period start"))
    period_end = models.DateTimeField(_("period end"))
    period_label = models.CharField(_("period"), max_length=40)
    kind = models.CharField(_("kind"), max_length=20, choices=BreachKind.choices)
    detected_at = models.DateTimeField(_("detected"))
    attainment = models.DecimalField(_("attainment"), max_digits=15, decimal_places=12, null=True)
    objective = models.DecimalField(_("objective (%)"), max_digits=6, decimal_places=3)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    objects = BreachQuerySet.as_manager()

    class Meta:
        ordering = ["-detected_at"]
        verbose_name = _("breach")
        verbose_name_plural = _("breaches")
        constraints = [
            models.UniqueConstraint(fields=["target", "period_start"], name="breach_one_per_target_period"),
        ]
        # The overview's latest breaches (and every list in this order): the first rows of an index, not a sort.
        indexes = [models.Index(models.F("detected_at").desc(), name="breach_detected_idx")]

    def __str__(self):
        return f"{self.target} {self.period_label}: {self.get_kind_display()}"

    @property
    def attainment_percent(self):
        return None if self.attainment is None else slo.to_percent(self.attainment)

    @property
    def is_episode(self):
        """A rolling window's breach: it has a start and (once over) an end rather than a period."""
        return self.kind == BreachKind.WINDOW_EXHAUSTED

    @property
    def is_ongoing(self):
        return self.is_episode and self.ended_at is None

    def is_open(self, at):
        """Still going on at ``at``: a rolling window's episode that has not ended, or the breach of a calendar period
        that has not ended yet (its budget was spent before the end)."""
        return self.ended_at is None if self.is_episode else self.period_end > at


class ReportCommentQuerySet(TenantQuerySet):
    customer_path = "agreement__customer"


class ReportComment(models.Model):
    """The service manager's words on an agreement's SLA report for one period (a month or a quarter)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="report_comments")
    period_label = models.CharField(_("period"), max_length=10)
    text = models.TextField(_("comment"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ReportCommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("report comment")
        verbose_name_plural = _("report comments")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "period_label"], name="report_comment_one_per_period"),
        ]

    def __str__(self):
        return f"{self.agreement.code} {self.period_label}"
