"""Service improvement plans (SIP), their status history, actions, and effect reviews."""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agreements.models import Customer, Service, ServiceLevelTarget
from core.formatting import person_name
from core.tenancy import TenantQuerySet, customer_id_of
from core.workflow import WorkflowMixin
from improvement.choices import (
    CLOSED_PLAN_STATUSES,
    OPEN_ACTION_STATUSES,
    PLAN_TRANSITIONS,
    ActionStatus,
    PlanStatus,
    Verdict,
)
from monitoring.models import Breach
from requirements_analysis.models import ServiceLevelRequirement

percentage = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


def new_plan_code():
    return f"sip-{secrets.token_hex(3)}"


class PlanQuerySet(TenantQuerySet):
    """Customers see the plans that concern them: see ``concerning``."""

    def open(self):
        """Plans still being worked on: neither verified nor cancelled."""
        return self.exclude(status__in=CLOSED_PLAN_STATUSES)

    customer_path = "services__agreements__customer"
    customer_path_is_many = True

    def for_user(self, user):
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.has_perm("improvement.view_improvementplan"):
            return self
        customer_id = customer_id_of(user)
        if customer_id is None:
            return self.none()
        return self.concerning(customer_id)

    def concerning(self, customer):
        """Plans for the customer (a Customer or its id), and plans for no one customer on a service of its agreements.
        A plan for another customer stays that customer's even on a catalogue service both use: its problem and
        breaches are the other customer's."""
        return self.filter(
            models.Q(customer=customer) | models.Q(customer__isnull=True, services__agreements__customer=customer)
        ).distinct()


class ImprovementPlan(WorkflowMixin, models.Model):
    code = models.SlugField(_("reference"), max_length=20, unique=True, default=new_plan_code, editable=False)
    title = models.CharField(_("title"), max_length=200)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="improvement_plans",
        verbose_name=_("customer"), help_text=_("When the plan is for one customer."),
    )  # fmt: skip
    services = models.ManyToManyField(Service, related_name="improvement_plans", verbose_name=_("services"))
    problem = models.TextField(_("problem statement"))
    breaches = models.ManyToManyField(Breach, blank=True, related_name="improvement_plans", verbose_name=_("breaches"))
    targets = models.ManyToManyField(
        ServiceLevelTarget, blank=True, related_name="improvement_plans", verbose_name=_("targets it addresses")
    )
    requirements = models.ManyToManyField(
        ServiceLevelRequirement, blank=True, related_name="improvement_plans", verbose_name=_("requirements")
    )
    goal_target = models.ForeignKey(
        ServiceLevelTarget, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("goal: target"),
    )  # fmt: skip
    baseline_attainment = models.DecimalField(
        _("baseline attainment (%)"), max_digits=8, decimal_places=4, null=True, blank=True, validators=percentage
    )
    desired_attainment = models.DecimalField(
        _("desired attainment (%)"), max_digits=8, decimal_places=4, null=True, blank=True, validators=percentage
    )
    goal_date = models.DateField(_("by when"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="owned_plans",
        verbose_name=_("owner"),
    )  # fmt: skip
    priority_score = models.DecimalField(
        _("priority score"), max_digits=6, decimal_places=2, null=True, blank=True,
        help_text=_("From the prioritisation, when the plan was started from it."),
    )  # fmt: skip
    priority_override = models.DecimalField(
        _("priority (overridden)"), max_digits=6, decimal_places=2, null=True, blank=True, validators=percentage
    )
    override_reason = models.TextField(_("why the priority was overridden"), blank=True)
    review_periods = models.PositiveSmallIntegerField(
        _("periods compared in the effect review"), default=3, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    status = models.CharField(
        _("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.PROPOSED, editable=False
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True, editable=False)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PlanQuerySet.as_manager()

    # The workflow (core.workflow): proposed -> approved -> in progress -> completed -> verified, or cancelled.
    status_choices = PlanStatus
    transitions = PLAN_TRANSITIONS
    refused_transition_message = _("A plan cannot go from %(old)s to %(new)s.")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("service improvement plan")
        verbose_name_plural = _("service improvement plans")
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=PlanStatus.values), name="plan_status"),
            models.CheckConstraint(
                condition=models.Q(priority_override__isnull=True) | ~models.Q(override_reason=""),
                name="plan_override_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.code}: {self.title}"

    def get_absolute_url(self):
        return reverse("improvement:plan_detail", kwargs={"code": self.code})

    def clean(self):
        if self.priority_override is not None and not self.override_reason.strip():
            raise ValidationError({"override_reason": _("Say why the priority is overridden.")})

    @property
    def is_closed(self):
        """Verified or cancelled: the plan's record is final, and it is no longer edited, given actions or reviewed."""
        return self.status in CLOSED_PLAN_STATUSES

    def closed_refusal(self):
        """Why a change to the plan is refused (the words of its closed page), or "" when the plan is open."""
        if not self.is_closed:
            return ""
        return gettext(
            "%(code)s is “%(status)s”: the plan is closed, so it is no longer edited, given actions or reviewed. "
            "Nothing was changed."
        ) % {"code": self.code, "status": self.get_status_display()}

    def unrecorded_steps(self):
        """True when the status history does not lead to the status the plan has (a plan moved before its steps were
        recorded): the page says so instead of inventing the steps."""
        last = self.status_changes.order_by("-changed_at", "-pk").values_list("to_status", flat=True).first()
        return (last or PlanStatus.PROPOSED) != self.status

    @property
    def priority(self):
        return self.priority_override if self.priority_override is not None else self.priority_score

    def precondition_problems(self, new_status, **details):
        if new_status == PlanStatus.VERIFIED and not self.reviews_since_completion().exists():
            return [_("A plan is verified only with an effect review on record.")]
        return []

    def reviews_since_completion(self):
        """The effect reviews recorded since the plan was last completed: a review from before it was reopened
        measured another completion."""
        completed = self.status_changes.filter(to_status=PlanStatus.COMPLETED).order_by("-changed_at", "-pk").first()
        return self.reviews.filter(reviewed_at__gte=completed.changed_at) if completed else self.reviews.all()

    def transition_to(self, new_status, user, note=""):
        """Move to ``new_status`` (see ``WorkflowMixin.transition_to``), recording who did it, when, and why."""
        super().transition_to(new_status, user=user, note=note)

    def record_transition(self, locked, new_status, user=None, note="", **details):
        # Move from what the locked row holds, not from this copy, which another request may have moved since.
        self.status, self.started_at, self.completed_at = locked.status, locked.started_at, locked.completed_at
        now = timezone.now()
        if new_status == PlanStatus.IN_PROGRESS and self.started_at is None:
            self.started_at = now
        if new_status == PlanStatus.COMPLETED:
            self.completed_at = now
        PlanStatusChange.objects.create(
            plan=self, from_status=self.status, to_status=new_status, changed_by=user, note=note.strip()
        )
        self.status = new_status
        self.save(update_fields=["status", "started_at", "completed_at", "updated_at"])


class PlanStatusChange(models.Model):
    """Who moved the plan, from what to what, when."""

    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=12, choices=PlanStatus.choices)
    to_status = models.CharField(max_length=12, choices=PlanStatus.choices)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self):
        return f"{self.plan.code}: {self.from_status} → {self.to_status}"


class ActionQuerySet(TenantQuerySet):
    def for_user(self, user):
        return self.filter(plan__in=ImprovementPlan.objects.for_user(user))

    def open(self):
        return self.filter(status__in=OPEN_ACTION_STATUSES)

    def overdue(self, today=None):
        return self.open().filter(due_date__lt=today or timezone.localdate())


class Action(models.Model):
    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField(_("description"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="plan_actions",
        verbose_name=_("owner"),
    )  # fmt: skip
    due_date = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    completion_note = models.TextField(_("completion note"), blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")

    def __str__(self):
        return self.description[:80]

    def stamp_completion(self):
        """Done actions carry when they were done (also when added as done); reopened ones no longer do."""
        if self.status != ActionStatus.DONE:
            self.completed_at = None
        elif self.completed_at is None:
            self.completed_at = timezone.now()

    def is_overdue(self, today=None):
        today = today or timezone.localdate()
        return self.status in OPEN_ACTION_STATUSES and self.due_date is not None and self.due_date < today


class DigestDelivery(models.Model):
    """One digest of overdue and soon-due actions per owner and day: the row is claimed before the e-mail goes."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    actions = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "day"], name="digest_once_a_day")]

    def __str__(self):
        return f"{person_name(self.owner)} {self.day}"


class EffectReview(models.Model):
    """The measured effect of a completed plan: its targets' N closed periods before and after."""

    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="reviews")
    periods = models.PositiveSmallIntegerField()
    verdict = models.CharField(max_length=16, choices=Verdict.choices)
    details = models.JSONField(default=list)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    reviewed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reviewed_at", "-pk"]
        verbose_name = _("effect review")
        verbose_name_plural = _("effect reviews")

    def __str__(self):
        return f"{self.plan.code}: {self.get_verdict_display()}"

    @property
    def rows(self):
        """The stored per-target details, each with its verdict's label."""
        labels = dict(Verdict.choices)
        return [{**row, "verdict_label": labels.get(row["verdict"], row["verdict"])} for row in self.details]
