"""Each set of statuses has its order, colour and label in one palette; the badges, charts and lists ask it."""

import pytest
from django.template import Context, Template
from django.utils import translation

from agreements.choices import AGREEMENT_STATUS, AgreementStatus
from core.statuses import TONES, Palette, palette
from improvement.choices import PLAN_STATUS, PlanStatus
from monitoring.choices import ACTIVITY, COMPLIANCE, SnapshotStatus, TargetActivity
from requirements_analysis.choices import REQUIREMENT_STATUS, SURVEY_STATUS, CampaignStatus, RequirementStatus


@pytest.mark.parametrize(
    ("look", "choices"),
    [
        (COMPLIANCE, SnapshotStatus),
        (ACTIVITY, TargetActivity),
        (AGREEMENT_STATUS, AgreementStatus),
        (PLAN_STATUS, PlanStatus),
        (REQUIREMENT_STATUS, RequirementStatus),
        (SURVEY_STATUS, CampaignStatus),
    ],
)
def test_every_status_has_a_place_and_a_tone(look, choices):
    assert sorted(look.order) == sorted(choices.values)
    assert all(look.tone(status) in TONES for status in choices.values)
    assert palette(look.name) is look


def test_compliance_reads_worst_first_in_the_portal_colours():
    assert COMPLIANCE.order == ["breached", "at_risk", "no_data", "on_track", "met"]
    assert [COMPLIANCE.colour(s) for s in COMPLIANCE.order] == ["#dc3545", "#ffc107", "#6c757d", "#198754", "#198754"]
    assert COMPLIANCE.first(["met", "no_data", "at_risk"]) == "at_risk"
    assert COMPLIANCE.first([], default="no_data") == "no_data"
    assert COMPLIANCE.rank("something else") == 5  # unknown values last


def test_a_palette_that_leaves_a_status_out_or_names_no_tone_is_refused():
    with pytest.raises(ValueError, match="every status"):
        Palette("broken", SnapshotStatus, {SnapshotStatus.MET: "success"})
    with pytest.raises(ValueError, match="tone"):
        Palette("broken", CampaignStatus, {"draft": "secondary", "open": "green", "closed": "dark"})


def render(source, **context):
    return Template("{% load slm_status %}" + source).render(Context(context))


def test_the_badge_carries_the_class_tone_and_translated_label():
    with translation.override("en"):
        html = render('{% status_badge "compliance" status %}', status="at_risk")
    assert html == ('<span class="badge compliance-at_risk text-bg-warning">At risk</span>')
    with translation.override("ko"):
        html = render('{% status_badge "agreement" status id="s" %}', status="active")
    assert html.startswith('<span class="badge status-active text-bg-success" id="s">')
    assert "Active" not in html  # the Korean label


def test_a_label_given_to_the_badge_is_escaped():
    html = render('{% status_badge "plan" "proposed" label %}', label="<b>x</b>")
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert "text-bg-secondary" in html
