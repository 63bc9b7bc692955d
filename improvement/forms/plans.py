"""Forms of service level improvement: plans (pre-filled from what they start from) and their actions."""

from django import forms
from django.utils.translation import gettext_lazy as _

from agreements.forms.agreements import choose_owner
from agreements.models import Agreement, Customer, Service, ServiceLevelTarget
from improvement.models import Action, ImprovementPlan
from monitoring.models import Breach
from requirements_analysis.models import ServiceLevelRequirement


class _KnowsCustomers:
    """A choice widget whose choices each belong to a customer (``customer_of(row)`` gives its id): every choice
    carries ``data-customer``, and a choice of another customer than the plan's (``plan_customer``) starts hidden,
    unless it is chosen. static/js/choice-filter.js hides and shows them again as the customer or the filter text
    changes; the form refuses another customer's choices whatever the page showed."""

    customer_of = None
    plan_customer = None

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        row = getattr(value, "instance", None)
        customer = self.customer_of(row) if row is not None else None
        option["attrs"]["data-customer"] = customer or ""
        option["other_customer"] = bool(self.plan_customer and customer != self.plan_customer and not selected)
        return option


class CustomerCheckboxes(_KnowsCustomers, forms.CheckboxSelectMultiple):
    """Checkboxes whose labels wrap (a long breach or requirement is read whole), in a list the page can filter."""

    def __init__(self, attrs=None, choices=()):
        super().__init__({"class": "form-check-input", **(attrs or {})}, choices)


class CustomerSelect(_KnowsCustomers, forms.Select):
    def create_option(self, *args, **kwargs):
        option = super().create_option(*args, **kwargs)
        if option["other_customer"]:
            option["attrs"]["hidden"] = True
        return option


# field name -> (the customer of one of its rows, the label of a row); every row through .for_user() first.
CUSTOMER_CHOICES = {
    "breaches": (
        lambda breach: breach.target.agreement.customer_id,
        lambda breach: f"{breach.target.agreement.code} · {breach.target.name} · {breach.period_label}",
    ),
    "targets": (lambda target: target.agreement.customer_id, lambda t: f"{t.agreement.code} · {t.name}"),
    "goal_target": (lambda target: target.agreement.customer_id, lambda t: f"{t.agreement.code} · {t.name}"),
    "requirements": (
        lambda requirement: requirement.customer_id,
        lambda r: f"{r.service.name} · {r.get_category_display()}: {r.statement}",
    ),
}


class PlanForm(forms.ModelForm):
    another_plan = forms.BooleanField(
        label=_("Start another plan anyway"),
        required=False,
        help_text=_("Only when the open plan does not cover what this one is for."),
    )

    class Meta:
        model = ImprovementPlan
        fields = [
            "title",
            "customer",
            "services",
            "problem",
            "breaches",
            "targets",
            "requirements",
            "goal_target",
            "baseline_attainment",
            "desired_attainment",
            "goal_date",
            "owner",
            "priority_score",
            "priority_override",
            "override_reason",
            "review_periods",
        ]
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 3}),
            "override_reason": forms.Textarea(attrs={"rows": 2}),
            "services": forms.SelectMultiple(attrs={"size": 6}),
            "breaches": CustomerCheckboxes,
            "targets": CustomerCheckboxes,
            "requirements": CustomerCheckboxes,
            "goal_target": CustomerSelect,
            "goal_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        choose_owner(self.fields["owner"])
        # Choices through the .for_user() checkpoint: whoever may start plans is offered only rows they may see.
        self.fields["customer"].queryset = Customer.objects.for_user(user)
        self.fields["services"].queryset = Service.objects.for_user(user)
        self.fields["requirements"].queryset = (
            ServiceLevelRequirement.objects.for_user(user).select_related("service").order_by("service__name", "pk")
        )
        if not user.has_perm("agreements.view_customer"):
            # A plan for no one customer is read by the people of every customer of its services: whoever sees only
            # their own organisation starts plans for it.
            self.fields["customer"].required = True
            self.fields["customer"].error_messages["required"] = _(
                "Choose your organisation: a plan for no one customer is read by every customer of its services, "
                "so only service managers start one."
            )
        self.fields["breaches"].queryset = (
            Breach.objects.for_user(user).select_related("target__agreement").order_by("-detected_at")
        )
        for name in ("targets", "goal_target"):
            self.fields[name].queryset = (
                ServiceLevelTarget.objects.for_user(user).select_related("agreement").order_by("agreement__code", "pk")
            )
        plan_customer = self._plan_customer_id()
        for name, (customer_of, label) in CUSTOMER_CHOICES.items():
            field = self.fields[name]
            field.label_from_instance = label
            field.widget.customer_of, field.widget.plan_customer = customer_of, plan_customer
        self.fields["priority_score"].disabled = True
        self.open_plans = self._open_plans(self._chosen_breaches())

    def _plan_customer_id(self):
        """The customer the plan is for, as the form stands (posted, pre-filled or stored); None for no one."""
        if self.is_bound:
            value = self.data.get(self.add_prefix("customer"))
            return int(value) if value and str(value).isdigit() else None
        value = self.initial.get("customer", self.instance.customer_id)
        return getattr(value, "pk", value) or None

    def _chosen_breaches(self):
        """The breaches the form adds to the plan (those it already addressed were asked about when they were added).
        Read as the field reads them: from a posted form, or from the API's JSON body (a plain dict)."""
        if self.is_bound:
            posted = self.fields["breaches"].widget.value_from_datadict(
                self.data, self.files, self.add_prefix("breaches")
            )
            chosen = {int(value) for value in posted or () if str(value).isdigit()}
        else:
            chosen = {getattr(breach, "pk", breach) for breach in self.initial.get("breaches", [])}
        if self.instance.pk:
            chosen -= set(self.instance.breaches.values_list("pk", flat=True))
        return sorted(chosen)

    def _open_plans(self, breaches):
        """Other open plans that already address one of the breaches chosen, with the breaches they share."""
        plans = (
            ImprovementPlan.objects.for_user(self.user)
            .open()
            .filter(breaches__in=breaches)
            .exclude(pk=self.instance.pk)
            .distinct()
            .order_by("-created_at")
        )
        return [(plan, list(plan.breaches.filter(pk__in=breaches).select_related("target"))) for plan in plans]

    @property
    def breaches_with_open_plans(self):
        return len({breach.pk for _plan, shared in self.open_plans for breach in shared})

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("priority_override") is not None and not (cleaned.get("override_reason") or "").strip():
            self.add_error("override_reason", _("Say why the priority is overridden."))
        baseline, desired = cleaned.get("baseline_attainment"), cleaned.get("desired_attainment")
        if baseline is not None and desired is not None and desired <= baseline:
            self.add_error("desired_attainment", _("The goal must be above the baseline."))
        self._check_links(cleaned)
        if self.open_plans and not cleaned.get("another_plan"):
            self.add_error(
                "another_plan",
                _("A plan is already open for this: go on with it, or tick the box to start another one."),
            )
        return cleaned

    def _check_links(self, cleaned):
        """Whose rows the plan may link: every one its customer's; for a plan for no one customer, every one of a
        customer who reads it (an agreement on one of its services, ``PlanQuerySet.concerning``), so that each reader
        finds its own rows there and no other customer's (``improvement.visibility``). The rows themselves are
        offered through the person's ``.for_user()``: another row is not a valid choice."""
        if "customer" in self.errors or "services" in self.errors:
            return
        customer = cleaned.get("customer")
        if customer is not None:
            allowed = {customer.pk}
            message = _("Not %(customer)s's: %(rows)s. A plan addresses its own customer's only.")
        else:
            allowed = set(
                Agreement.objects.for_user(self.user)
                .filter(services__in=cleaned.get("services") or ())
                .values_list("customer_id", flat=True)
            )
            message = _(
                "Of a customer with no agreement on the plan's services: %(rows)s. A plan for no one customer "
                "addresses only the rows of the customers who use its services (they read it): choose the plan's "
                "customer, or its services."
            )
        for name, (customer_of, label) in CUSTOMER_CHOICES.items():
            chosen = cleaned.get(name)
            rows = [chosen] if name == "goal_target" and chosen else list(chosen or [])
            others = [label(row) for row in rows if customer_of(row) not in allowed]
            if others:
                self.add_error(name, message % {"customer": getattr(customer, "name", ""), "rows": "; ".join(others)})
        decision = self.initial.get("decision")
        if decision is not None and decision.meeting.agreement.customer_id not in allowed:
            self.add_error(
                "customer",
                _(
                    "The plan starts from a decision of %(customer)s's service review: it is for %(customer)s, or "
                    "for no one customer on a service %(customer)s uses."
                )
                % {"customer": decision.meeting.agreement.customer.name},
            )


class ActionForm(forms.ModelForm):
    class Meta:
        model = Action
        fields = ["description", "owner", "due_date", "status", "completion_note"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "completion_note": forms.Textarea(attrs={"rows": 2}),
            "due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choose_owner(self.fields["owner"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == "done" and not (cleaned.get("completion_note") or "").strip():
            self.add_error("completion_note", _("Say what was done."))
        return cleaned
