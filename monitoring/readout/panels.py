"""The compliance block on each target's card of the agreement page, and the report link in its header (registered
with the hooks of agreements.extensions by MonitoringConfig.ready)."""

from urllib.parse import urlencode

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.choices import WindowKind
from agreements.extensions import AgreementLinkExtension, ClosedPeriodsExtension, TargetPanelExtension
from monitoring.choices import SnapshotStatus
from monitoring.kinds import TICKET_KINDS
from monitoring.models import ComplianceSnapshot, Indicator, TargetIndicator
from monitoring.readout import chain
from monitoring.readout.ticket_list import ticket_list_url


class CompliancePanel(TargetPanelExtension):
    def panels(self, targets, request):
        ids = [target.pk for target in targets]
        links = {
            link.target_id: link.indicator
            for link in TargetIndicator.objects.filter(target_id__in=ids).select_related(
                "indicator__customer", "indicator__service"
            )
        }
        latest = {}
        for snapshot in ComplianceSnapshot.objects.filter(target_id__in=ids).order_by("target_id", "-period_start"):
            latest.setdefault(snapshot.target_id, snapshot)
        return {
            target.pk: render_to_string(
                "monitoring/includes/target_panel.html",
                {
                    "indicator": links.get(target.pk),
                    "snapshot": latest.get(target.pk),
                    "target": target,
                    "tickets_url": _tickets_url(links.get(target.pk)),
                },
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


def _tickets_url(indicator):
    return ticket_list_url(indicator) if indicator is not None and indicator.sli_kind.tickets else None


class ReportLink(AgreementLinkExtension):
    def links(self, agreement, request):
        return [(_("SLA report"), reverse("monitoring:report", kwargs={"code": agreement.code}))]


class OpenSloLinks(AgreementLinkExtension):
    """The agreement's targets as an OpenSLO file, for everyone who sees it; importing one, for managers."""

    def links(self, agreement, request):
        links = [(_("OpenSLO export"), reverse("monitoring:openslo_export", kwargs={"code": agreement.code}))]
        if request.user.has_perm("agreements.change_serviceleveltarget"):
            links.append((_("OpenSLO import"), reverse("monitoring:openslo_import", kwargs={"code": agreement.code})))
        return links


class TicketsLink(AgreementLinkExtension):
    """ "Tickets" on the page of an agreement whose customer has ticket indicators on its services."""

    def links(self, agreement, request):
        counted = Indicator.objects.filter(
            kind__in=TICKET_KINDS, customer_id=agreement.customer_id, service__agreements=agreement
        )
        if not counted.exists():
            return []
        return [(_("Tickets"), f"{reverse('monitoring:ticket_list')}?{urlencode({'agreement': agreement.code})}")]


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
TICKETS_LINK = TicketsLink()
OPENSLO_LINKS = OpenSloLinks()
