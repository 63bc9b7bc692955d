"""The SLA report as a PDF: the report page's context and sections, laid out for A4 by WeasyPrint
(docs/decisions/0006-report-pdf.md), in a chosen language, with a chart of each target's attainment.

Nothing is fetched while rendering: the stylesheet is written into the document and the chart is inline SVG, and the
URL fetcher refuses every address, so a report can never make the worker reach out to the network.
"""

from decimal import Decimal

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from core.statuses import TONES
from monitoring.choices import COMPLIANCE, SnapshotStatus
from monitoring.readout.reports import agreement_report

CHART_WIDTH, ROW_HEIGHT, LABEL_WIDTH = 520, 22, 170
DARK_TEXT = {"warning", "info", "light"}  # tones whose badges take dark text, as Bootstrap's text-bg-* do
OUTAGES_ON_PAPER = 40  # a noisy month has thousands of one-minute outages: the PDF lists the longest ones


def report_context(agreement, period, user=None, now=None):
    """What the report page and its PDF show."""
    return {
        "agreement": agreement,
        "period": period,
        "report": agreement_report(agreement, period, user),
        "portal_name": settings.SLM_PORTAL_NAME,
        "portal_zone": settings.TIME_ZONE,
        "generated_at": now or timezone.now(),
    }


def on_paper(report):
    """The report as the PDF shows it: at most OUTAGES_ON_PAPER outages, the longest (ties: the most bad events, then
    the earliest), in time order, and how many were left out."""
    outages = report["outages"]
    if len(outages) <= OUTAGES_ON_PAPER:
        return report
    longest = sorted(outages, key=lambda o: (-(o.end - o.start), -(o.total - o.good), o.start))[:OUTAGES_ON_PAPER]
    return {
        **report,
        "outages": sorted(longest, key=lambda outage: outage.start),
        "outages_left_out": len(outages) - OUTAGES_ON_PAPER,
    }


def attainment_chart(report):
    """Rows of the attainment chart: each target's month with its attainment and objective, placed on a scale that
    starts at the lowest of them less a margin (so 99.5 and 99.9 do not look alike), in SVG coordinates."""
    rows = [
        (row["target"].name, month)
        for row in report["targets"]
        for month in row["months"]
        if month.get("attainment_percent") is not None
    ]
    if not rows:
        return None
    values = [Decimal(str(month["attainment_percent"])) for _name, month in rows]
    values += [Decimal(str(month["objective_percent"])) for _name, month in rows]
    floor = max(Decimal(0), min(values) - max((Decimal(100) - min(values)) / 4, Decimal("0.1")))
    span = Decimal(100) - floor

    def x(value):
        return LABEL_WIDTH + float((Decimal(str(value)) - floor) / span) * (CHART_WIDTH - LABEL_WIDTH - 60)

    bars = []
    for index, (name, month) in enumerate(rows):
        met = Decimal(str(month["attainment_percent"])) >= Decimal(str(month["objective_percent"]))
        bars.append(
            {
                "label": f"{name} ({month['month']})" if len(report["targets"][0]["months"]) > 1 else name,
                "y": 8 + index * ROW_HEIGHT,
                "x0": LABEL_WIDTH,
                "width": round(x(month["attainment_percent"]) - LABEL_WIDTH, 1),
                "end_x": round(x(month["attainment_percent"]) + 3, 1),
                "objective_x": round(x(month["objective_percent"]), 1),
                "value": month["attainment_percent"],
                "met": met,
                "colour": COMPLIANCE.colour(SnapshotStatus.MET if met else SnapshotStatus.BREACHED),
            }
        )
    return {
        "bars": bars,
        "height": 16 + len(rows) * ROW_HEIGHT,
        "width": CHART_WIDTH,
        "floor": floor.quantize(Decimal("0.1")),
        "floor_x": LABEL_WIDTH,
        "end_x": round(x(100), 1),
    }


def report_pdf(agreement, period, language, user=None, now=None):
    """The PDF of the agreement's report of ``period`` in ``language`` (bytes)."""
    # Imported here: WeasyPrint needs Pango, which a machine that renders no report may lack.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    class NothingFetched(URLFetcher):
        def fetch(self, url, headers=None):
            raise ValueError(f"the report PDF fetches nothing ({url})")

    with translation.override(language), timezone.override(settings.TIME_ZONE):
        context = report_context(agreement, period, user, now)
        context["report"] = on_paper(context["report"])
        context["chart"] = attainment_chart(context["report"])
        context["language"] = language
        context["badge_tones"] = [
            (name, colour, "#000" if name in DARK_TEXT else "#fff") for name, colour in TONES.items()
        ]
        html = render_to_string("monitoring/report_document.html", context)
    return HTML(string=html, url_fetcher=NothingFetched()).write_pdf()
