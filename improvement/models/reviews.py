"""Service reviews of agreements: the meeting held with the customer, its decisions, and reminders that one is due."""

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agreements.models import Agreement, Service, ServiceLevelTarget
from core.formatting import plain_number
from core.tenancy import TenantQuerySet
from improvement.choices import DecisionKind, ReminderKind
from improvement.models.plans import ImprovementPlan


def new_review_code():
    return f"rev-{secrets.token_hex(3)}"


class ReviewMeetingQuerySet(TenantQuerySet):
    customer_path = "agreement__customer"


class ReviewMeeting(models.Model):
    """A review of an agreement held with its customer: when, who took part, the period it looked at, notes and
    decisions. The customer's people read it and one of them may confirm the minutes, once."""

    code = models.SlugField(_("reference"), max_length=20, unique=True, default=new_review_code, editable=False)
    agreement = models.ForeignKey(
        Agreement, on_delete=models.CASCADE, related_name="review_meetings", verbose_name=_("agreement")
    )
    held_on = models.DateField(_("held on"))
    period_label = models.CharField(
        _("period reviewed"), max_length=7, help_text=_("A month as YYYY-MM or a quarter as YYYY-Qn.")
    )
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="review_meetings", verbose_name=_("participants")
    )
    guests = models.TextField(
        _("guests"), blank=True, help_text=_("People from outside the portal, one a line (name and organisation).")
    )
    notes = models.TextField(_("notes"), blank=True)
    next_review_before = models.DateField(_("next review before the meeting"), null=True, blank=True, editable=False)
    next_review_after = models.DateField(_("next review set by the meeting"), null=True, blank=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    minutes_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("minutes confirmed by"),
    )
    minutes_confirmed_at = models.DateTimeField(_("minutes confirmed"), null=True, blank=True, editable=False)

    objects = ReviewMeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("review meeting")
        verbose_name_plural = _("review meetings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minutes_confirmed_by__isnull=True) | models.Q(minutes_confirmed_at__isnull=False),
                name="review_minutes_confirmed_with_a_time",
            ),
        ]

    def __str__(self):
        return f"{self.agreement.code} {self.held_on.isoformat()}"

    def get_absolute_url(self):
        return reverse("improvement:review_detail", kwargs={"code": self.code})

    @property
    def guest_names(self):
        return [line.strip() for line in self.guests.splitlines() if line.strip()]

    @property
    def minutes_confirmed(self):
        return self.minutes_confirmed_at is not None


class ReviewDecision(models.Model):
    """One decision of a review: keep the agreement as it is, change a target's objective, start an improvement plan
    or record a requirement. The last three lead to the form that does it, filled in from the decision."""

    meeting = models.ForeignKey(ReviewMeeting, on_delete=models.CASCADE, related_name="decisions")
    position = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("decision"), max_length=20, choices=DecisionKind.choices)
    target = models.ForeignKey(
        ServiceLevelTarget,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="review_decisions",
        verbose_name=_("target"),
    )
    objective_then = models.DecimalField(_("objective at the review (%)"), max_digits=6, decimal_places=3, null=True)
    proposed_objective = models.DecimalField(
        _("proposed objective (%)"), max_digits=6, decimal_places=3, null=True, blank=True
    )
    service = models.ForeignKey(
        Service, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("service")
    )
    text = models.TextField(_("what was decided"), blank=True)
    plan = models.ForeignKey(
        ImprovementPlan,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="review_decisions",
        verbose_name=_("plan started"),
    )

    class Meta:
        ordering = ["meeting", "position", "pk"]
        verbose_name = _("review decision")
        verbose_name_plural = _("review decisions")
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=DecisionKind.values), name="review_decision_kind"),
            models.CheckConstraint(
                condition=~models.Q(kind=DecisionKind.CHANGE_TARGET)
                | models.Q(proposed_objective__gt=0, proposed_objective__lt=100),
                name="review_decision_change_has_an_objective",
            ),
        ]

    def __str__(self):
        return f"{self.meeting}: {self.get_kind_display()}"

    @property
    def is_carried_out(self):
        """A change of target whose target has the proposed objective now."""
        return (
            self.kind == DecisionKind.CHANGE_TARGET
            and self.target is not None
            and self.target.objective == self.proposed_objective
        )

    @property
    def proposed_display(self):
        return f"{plain_number(self.proposed_objective)} %" if self.proposed_objective is not None else ""

    @property
    def then_display(self):
        return f"{plain_number(self.objective_then)} %" if self.objective_then is not None else ""


class ReviewReminder(models.Model):
    """One reminder to an agreement's owner that its review is coming (``ahead``) or has passed (``overdue``): the
    row is claimed before the e-mail goes, so each is sent at most once per agreement, review date and kind."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="review_reminders")
    review_date = models.DateField()
    kind = models.CharField(max_length=10, choices=ReminderKind.choices)
    recipient = models.EmailField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("review reminder")
        verbose_name_plural = _("review reminders")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "review_date", "kind"], name="review_reminder_once"),
            models.CheckConstraint(condition=models.Q(kind__in=ReminderKind.values), name="review_reminder_kind"),
        ]

    def __str__(self):
        return f"{self.agreement.code} {self.review_date.isoformat()} {self.kind}"
