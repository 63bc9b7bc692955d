""" "Start an improvement plan" links on the lower apps' pages, and the agreement page's service reviews, registered
with their hooks."""

from urllib.parse import urlencode

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from agreements.extensions import AgreementSectionExtension, agreement_sections
from improvement.review_meetings import section_context
from monitoring.extensions import TargetPageAction, target_page_actions
from requirements_analysis.extensions import PriorityRowAction, priority_row_actions


def _start(**params):
    return reverse("improvement:plan_create") + "?" + urlencode(params)


class StartFromPriorities(PriorityRowAction):
    def requirement_actions(self, requirement, user):
        if not user.has_perm("improvement.add_improvementplan"):
            return []
        return [(_("Start a plan"), _start(requirement=requirement.code))]

    def service_actions(self, service, user):
        if not user.has_perm("improvement.add_improvementplan"):
            return []
        return [(_("Start a plan"), _start(service=service.code))]


class StartFromTarget(TargetPageAction):
    def target_actions(self, target, user):
        if not user.has_perm("improvement.add_improvementplan"):
            return []
        return [(_("Start an improvement plan"), _start(target=f"{target.agreement.code}/{target.code}"))]

    def breach_actions(self, breach, user):
        if not user.has_perm("improvement.add_improvementplan"):
            return []
        return [(_("Start a plan"), _start(breach=breach.pk))]


class ReviewsSection(AgreementSectionExtension):
    """The agreement page's "Service reviews": the next review, the reviews held, and a button to record one."""

    def sections(self, agreement, request):
        context = section_context(agreement, request)
        return [render_to_string("improvement/includes/agreement_reviews.html", context, request=request)]


START_FROM_PRIORITIES = StartFromPriorities()
START_FROM_TARGET = StartFromTarget()
REVIEWS_SECTION = ReviewsSection()


def register():
    """Called from ImprovementConfig.ready(): one instance each, so a second call registers nothing more."""
    priority_row_actions.register(START_FROM_PRIORITIES)
    target_page_actions.register(START_FROM_TARGET)
    agreement_sections.register(REVIEWS_SECTION)
