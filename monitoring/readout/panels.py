"""The compliance block on each target's card of the agreement page, and the report link in its header (registered
with the hooks of agreements.extensions by MonitoringConfig.ready)."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.choices import WindowKind
from agreements.extensions import AgreementLinkExtension, ClosedPeriodsExtension, TargetPanelExtension
from monitoring.choices import SnapshotStatus
from monitoring.models import ComplianceSnapshot, TargetIndicator
from monitoring.readout import chain


class CompliancePanel(TargetPanelExtension):
    def panels(self, targets, request):
        ids = [target.pk for target in targets]
        links = {
            link.target_id: link.indicator
            for link in TargetIndicator.objects.filter(target_id__in=ids).select_related("indicator")
        }
        latest = {}
        for snapshot in ComplianceSnapshot.objects.filter(target_id__in=ids).order_by("target_id", "-period_start"):
            latest.setdefault(snapshot.target_id, snapshot)
        return {
            target.pk: render_to_string(
                "monitoring/includes/target_panel.html",
                {"indicator": links.get(target.pk), "snapshot": latest.get(target.pk), "target": target},
                request=request,
            )
            for target in targets
        }


class ChainPanel(TargetPanelExtension):
    """Under each target: the OLA and UC targets it rests on, flagged where they promise less, and what rests on it."""

    def panels(self, targets, request):
        down, up = chain.links_of(targets, request.user, timezone.now())
        return {
            target.pk: render_to_string(
                "monitoring/includes/chain_panel.html",
                {"target": target, "links": down.get(target.pk, []), "supports": up.get(target.pk, [])},
                request=request,
            )
            for target in targets
            if target.pk in down or target.pk in up
        }


class ReportLink(AgreementLinkExtension):
    def links(self, agreement, request):
        return [(_("SLA report"), reverse("monitoring:report", kwargs={"code": agreement.code}))]


class ClosedPeriods(ClosedPeriodsExtension):
    """Closed calendar periods are history: maintenance and exclusions may not reach into them. (A closed period with
    no data at all is evaluated again when data arrives, so it does not hold anything back; nor does a rolling
    window's day, whose frozen snapshot stays as it is while the windows that still run count the change.)"""

    def closed_periods(self, service, start, end, agreement=None):
        snapshots = (
            ComplianceSnapshot.objects.filter(
                is_closed=True,
                target__window_kind=WindowKind.CALENDAR,
                target__indicator_link__indicator__service=service,
                period_start__lt=end,
                period_end__gt=start,
            )
            .exclude(status=SnapshotStatus.NO_DATA)
            .select_related("target__agreement")
        )
        if agreement is not None:
            snapshots = snapshots.filter(target__agreement=agreement)
        return [f"{row.target.agreement.code} / {row.target.code} {row.period_label}" for row in snapshots[:20]]


COMPLIANCE_PANEL = CompliancePanel()
CHAIN_PANEL = ChainPanel()
CLOSED_PERIODS = ClosedPeriods()
REPORT_LINK = ReportLink()
