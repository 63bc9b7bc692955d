"""Places where higher apps extend the agreement pages without this app importing them (see ``core.hooks``).

The monitoring app, for example, adds the "indicator" choice to the target form: it registers a
``TargetFormExtension`` with ``target_form`` from its ``AppConfig.ready()``; the target form asks every registered
extension for its fields and lets each save its part after the target row is saved.
"""

from core.hooks import Hook


class TargetFormExtension:
    """Adds fields to the service level target form and saves them."""

    def add_fields(self, form):
        """Put extra fields into ``form.fields`` and set their initial values from ``form.instance``."""

    def clean(self, form, cleaned_data):
        """Validate the extra fields; add errors with ``form.add_error``."""

    def save(self, form, target):
        """Store the extra fields for the saved ``target``."""

    def render(self, form):
        """Safe HTML shown in the target's card under its objective (empty by default)."""
        return ""


class TargetPanelExtension:
    """Adds a block of HTML to each target's card on the agreement page (the monitoring app shows compliance)."""

    def panels(self, targets, request):
        """{target id: safe HTML} for the given targets; called once per page with all of them."""
        return {}


class AgreementLinkExtension:
    """Adds buttons to the agreement page's header (the monitoring app links its report)."""

    def links(self, agreement, request):
        """[(label, url)] to show for this agreement."""
        return []


class AgreementSectionExtension:
    """Adds a section to the agreement page under its targets (the improvement app shows the agreement's reviews)."""

    def sections(self, agreement, request):
        """[safe HTML] to show for this agreement, each a whole section with its own heading."""
        return []


class ClosedPeriodsExtension:
    """Says which closed periods an interval reaches into (the monitoring app knows which periods are closed)."""

    def closed_periods(self, service, start, end, agreement=None):
        """Labels ("hanbit-digital-sla / availability 2026-11") of the closed periods of targets measuring
        ``service`` (of ``agreement`` only, when given) that overlap [start, end)."""
        return []


class AgreementExpiryExtension:
    """Told before an agreement whose end has passed is marked expired (``agreements.expiry``): the monitoring app
    closes and freezes its last periods while it is still evaluated."""

    def settle(self, agreement, now):
        """Do what must be done while the agreement is still active; return False to keep it active until a later
        run (its last periods are not over everywhere yet)."""
        return True


target_form = Hook("agreements.target_form")  # TargetFormExtension
target_panels = Hook("agreements.target_panels")  # TargetPanelExtension
agreement_links = Hook("agreements.agreement_links")  # AgreementLinkExtension
closed_periods = Hook("agreements.closed_periods")  # ClosedPeriodsExtension
agreement_expiry = Hook("agreements.agreement_expiry")  # AgreementExpiryExtension
agreement_sections = Hook("agreements.agreement_sections")  # AgreementSectionExtension
