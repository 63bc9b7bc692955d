"""Tickets from service desks, the goals of ticket indicators, and each ticket's clocks.

A ticket indicator (``Indicator.kind == "ticket"``) counts one customer's tickets of one service for one metric
(time to first response, or time to resolve). Its goals per priority are versioned: a clock takes the goals in
force when it started, so a goal edit applies to clocks started afterwards. A clock is rebuilt from the ticket's
whole event log (``monitoring.tickets.clock``) and stored with its outcome: counted good at its stop when within the
goal, bad at the instant it breached. The outcomes are what the indicator's measurements are made of
(``monitoring.tickets.outcomes``): one row per clock here, so two tickets closing in the same second both count.
"""

import datetime as dt
import secrets

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from agreements.models import Customer, Service
from core.tenancy import TenantQuerySet
from core.validators import validate_code_not_reserved
from monitoring.choices import ClockStatus, TicketCategory, TicketEventKind
from monitoring.models.indicators import Indicator, hash_token

TICKET_SOURCE_TOKEN_PREFIX = "slmsd_"  # noqa: S105 - a visible prefix, not a secret


class TicketGoalQuerySet(TenantQuerySet):
    customer_path = "indicator__customer"

    def in_force(self, at):
        """The goals in force at ``at``: per (indicator, priority) the latest one effective by then."""
        return self.filter(effective_from__lte=at).order_by("indicator", "priority", "-effective_from")


class TicketGoal(models.Model):
    """How long a ticket of one priority may take, in the indicator's business time, from ``effective_from`` on."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="ticket_goals")
    priority = models.CharField(_("priority"), max_length=20)
    minutes = models.PositiveIntegerField(_("goal (business minutes)"), validators=[MinValueValidator(1)])
    effective_from = models.DateTimeField(_("effective from"), default=timezone.now)

    objects = TicketGoalQuerySet.as_manager()

    class Meta:
        ordering = ["indicator", "priority", "-effective_from"]
        verbose_name = _("ticket goal")
        verbose_name_plural = _("ticket goals")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "priority", "effective_from"], name="ticket_goal_version"),
            models.CheckConstraint(condition=models.Q(minutes__gte=1), name="ticket_goal_positive"),
        ]

    def __str__(self):
        return f"{self.priority}: {self.minutes} min"

    @property
    def goal(self):
        return dt.timedelta(minutes=self.minutes)


class TicketSourceQuerySet(models.QuerySet):
    def for_user(self, user):
        """Service desk connections are run by service managers; customers see none."""
        if getattr(user, "is_authenticated", False) and user.is_active:
            return self if user.has_perm("monitoring.view_ticketsource") else self.none()
        return self.none()

    def active(self):
        return self.filter(revoked_at__isnull=True)

    def authenticate(self, token):
        """The active service desk holding ``token``, or None."""
        if not token or not token.startswith(TICKET_SOURCE_TOKEN_PREFIX):
            return None
        return self.active().filter(token_hash=hash_token(token)).first()


class TicketSource(models.Model):
    """A service desk that sends ticket events: its token, the customers and services it may write for, and how
    its own state names map to the portal's categories."""

    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(_("code"), max_length=50, unique=True, validators=[validate_code_not_reserved])
    customers = models.ManyToManyField(Customer, related_name="ticket_sources", verbose_name=_("customers"))
    services = models.ManyToManyField(Service, related_name="ticket_sources", verbose_name=_("services"))
    state_map = models.JSONField(
        _("state names"),
        default=dict,
        blank=True,
        help_text=_('The desk\'s state names and the category of each: {"Waiting for customer": "waiting_customer"}.'),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_hint = models.CharField(_("token begins"), max_length=16, editable=False)
    # The webhook signing key is derived from the portal's secret key and this nonce: the database never holds it.
    signing_nonce = models.CharField(max_length=64, editable=False, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    objects = TicketSourceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("service desk")
        verbose_name_plural = _("service desks")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("monitoring:ticketsource_detail", kwargs={"code": self.code})

    def issue_token(self):
        """Set a new token and signing key; returns the token (shown once; only its hash is kept)."""
        token = TICKET_SOURCE_TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.token_hash = hash_token(token)
        self.token_hint = token[:12]
        self.signing_nonce = secrets.token_hex(16)
        self.revoked_at = None
        return token

    def revoke(self):
        """Stop the token and the webhook signing key at once (a new token brings both back, new)."""
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])

    @property
    def is_active(self):
        return self.revoked_at is None

    @property
    def signing_key(self):
        """The key a desk signs webhook bodies with (HMAC-SHA256), derived, never stored."""
        return salted_hmac("slm-ticket-webhook", self.signing_nonce, algorithm="sha256").hexdigest()

    def category_of(self, state):
        """The portal's category of one of the desk's state names (or of a category's own name), or None."""
        if state in TicketCategory.values:
            return TicketCategory(state)
        value = self.state_map.get(state)
        return TicketCategory(value) if value in TicketCategory.values else None


def _plain(words):
    return " ".join(word for word in words.casefold().split() if word not in {"the", "a", "an"})


def state_words(state, category):
    """A ticket's state as the pages say it: the desk's own name, with the portal's category after it when the name
    does not already say it ("In progress (Open)", "Waiting for customer"); the category alone without a name."""
    label = TicketCategory(category).label if category in TicketCategory.values else ""
    if not state or state == category:
        return str(label)
    if not label or _plain(state) == _plain(str(label)):
        return state
    return f"{state} ({label})"


class TicketQuerySet(TenantQuerySet):
    customer_path = "customer"


class Ticket(models.Model):
    """A service desk ticket as the portal knows it: the desk's id, whose it is, and where its log stands."""

    # No index of their own for source and customer: (source, external_id) and (customer, service, -created_at) lead
    # with them, and every index costs each ticket written.
    source = models.ForeignKey(TicketSource, on_delete=models.PROTECT, related_name="tickets", db_index=False)
    external_id = models.CharField(_("ticket"), max_length=100)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="tickets", db_index=False)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="tickets")
    title = models.CharField(_("title"), max_length=300, blank=True)
    priority = models.CharField(_("priority"), max_length=20)
    state = models.CharField(_("state"), max_length=100, blank=True)
    category = models.CharField(
        _("category"), max_length=20, choices=TicketCategory.choices, default=TicketCategory.OPEN
    )
    created_at = models.DateTimeField(_("opened"))
    updated_at = models.DateTimeField(_("last event"))

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        constraints = [models.UniqueConstraint(fields=["source", "external_id"], name="ticket_unique_in_source")]
        indexes = [models.Index(fields=["customer", "service", "-created_at"])]

    def __str__(self):
        return self.external_id

    def get_absolute_url(self):
        return reverse("monitoring:ticket_detail", kwargs={"pk": self.pk})

    @property
    def state_display(self):
        return state_words(self.state, self.category)


class TicketEventRecord(models.Model):
    """One event of a ticket's log, as the desk sent it (idempotent on the desk's event id)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    # (source, event_id) and (source, -received_at) lead with the source: no index of its own. The source is always
    # the ticket's own (a ticket is found by its desk's id within its desk), and the ticket's foreign key holds it
    # in the database: no constraint of its own, whose check at commit cost a quarter of a batch's ingestion.
    source = models.ForeignKey(
        TicketSource, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    event_id = models.CharField(_("event"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=TicketEventKind.choices)
    at = models.DateTimeField(_("time"))
    state = models.CharField(_("state"), max_length=100, blank=True)
    category = models.CharField(_("category"), max_length=20, blank=True)
    priority = models.CharField(_("priority"), max_length=20, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta:
        ordering = ["at", "event_id"]
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        constraints = [models.UniqueConstraint(fields=["source", "event_id"], name="ticket_event_unique_in_source")]
        # The desk's page lists the events it sent last; a report lists the late ones of a closed month oldest first
        # (time, then whether received after the close, read within the index: monitoring.readout.tickets).
        indexes = [
            models.Index(fields=["source", "-received_at"], name="ticket_event_received"),
            models.Index(fields=["at", "received_at"], name="ticket_event_late"),
        ]

    def __str__(self):
        return f"{self.ticket_id} {self.kind} @ {self.at:%Y-%m-%d %H:%M:%S}"


class TicketClockQuerySet(TenantQuerySet):
    customer_path = "ticket__customer"

    def in_flight(self):
        return self.filter(state__in=[ClockStatus.RUNNING, ClockStatus.PAUSED])


class TicketClock(models.Model):
    """One ticket's clock for one ticket indicator, as last rebuilt, with its outcome."""

    # (ticket, indicator) and (indicator, counted_at) lead with them: no index of their own.
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="clocks", db_index=False)
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="ticket_clocks", db_index=False)
    state = models.CharField(_("clock"), max_length=10, choices=ClockStatus.choices)
    priority = models.CharField(_("priority"), max_length=20)
    goal = models.DurationField(_("goal"))
    started_at = models.DateTimeField(_("started"))
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)
    running_time = models.DurationField(_("business time"))
    wall_time = models.DurationField(_("wall-clock time"))
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached"), null=True, blank=True)
    warning_at = models.DateTimeField(_("first warning"), null=True, blank=True)
    percent_elapsed = models.DecimalField(_("% of goal"), max_digits=9, decimal_places=2)
    pauses = models.JSONField(default=list)
    warnings = models.JSONField(default=list)
    evaluated_at = models.DateTimeField()
    # The outcome the indicator's measurements count: at ``counted_at``, good or bad (None: not counted yet).
    counted_at = models.DateTimeField(null=True, blank=True)
    good = models.BooleanField(null=True)

    objects = TicketClockQuerySet.as_manager()

    class Meta:
        ordering = ["due_at"]
        verbose_name = _("ticket clock")
        verbose_name_plural = _("ticket clocks")
        constraints = [
            models.UniqueConstraint(fields=["ticket", "indicator"], name="ticket_clock_unique"),
            models.CheckConstraint(
                condition=models.Q(counted_at__isnull=True, good__isnull=True)
                | models.Q(counted_at__isnull=False, good__isnull=False),
                name="ticket_clock_outcome_whole",
            ),
        ]
        indexes = [
            models.Index(fields=["indicator", "counted_at"]),
            models.Index(fields=["state", "due_at"]),
        ]

    def __str__(self):
        return f"{self.ticket} · {self.indicator.code}: {self.state}"

    @property
    def remaining(self):
        return self.goal - self.running_time

    @property
    def at_risk(self):
        return (
            self.state in (ClockStatus.RUNNING, ClockStatus.PAUSED)
            and self.warning_at is not None
            and (self.warning_at <= self.evaluated_at)
        )


class TicketRankQuerySet(TenantQuerySet):
    customer_path = "customer"


class TicketRank(models.Model):
    """Where a ticket stands in the ticket list, worst first: read off its clocks (every clock, or those of one metric)
    whenever they are written and one of them moved in what the ranks read, so that the list pages through any number of
    tickets from this table alone (``monitoring.tickets.ranks``). Whether a ticket in flight is at risk depends on the
    hour, so it is read from ``warning_at`` as the list is drawn. The ticket's customer, service and arrival are copied
    here (they never change) so that the list's usual filters need no join."""

    WORST_BREACHED = 0
    WORST_AT_RISK = 1  # never stored: in flight with warning_at passed
    WORST_IN_FLIGHT = 2
    WORST_NEITHER = 3

    # No index of their own where an index of the table starts with them (ticket_rank_unique, and the one on customer,
    # metric and service): every rank written would update it too.
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="ranks", db_index=False)
    metric = models.CharField(max_length=20, blank=True)  # "" ranks by every clock of the ticket (it has one always)
    # Copies of the ticket's, which its own foreign keys hold in the database: no constraints of their own (their
    # checks at commit, one per rank row, cost more than writing the rows).
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    created_at = models.DateTimeField()
    worst = models.PositiveSmallIntegerField()
    open_breach = models.BooleanField()  # a breached clock still running
    breach_at = models.DateTimeField(null=True)  # the latest breach
    warning_at = models.DateTimeField(null=True)  # the earliest first warning of a clock in flight
    due_at = models.DateTimeField(null=True)  # the soonest due instant of a running clock
    # the largest share of its goal a clock in flight has used
    percent = models.DecimalField(max_digits=9, decimal_places=2, null=True)

    objects = TicketRankQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "metric"], name="ticket_rank_unique")]
        indexes = [models.Index(fields=["customer", "metric", "service"])]

    def __str__(self):
        return f"{self.ticket_id} {self.metric or '*'}: {self.worst}"
