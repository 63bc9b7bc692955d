""" "Start an improvement plan" links on the lower apps' pages, registered with their hooks."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

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


START_FROM_PRIORITIES = StartFromPriorities()
START_FROM_TARGET = StartFromTarget()


def register():
    """Called from ImprovementConfig.ready(): one instance each, so a second call registers nothing more."""
    priority_row_actions.register(START_FROM_PRIORITIES)
    target_page_actions.register(START_FROM_TARGET)
