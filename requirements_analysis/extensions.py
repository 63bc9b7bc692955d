"""Hooks for higher apps on the priorities page (the improvement app adds "start an improvement plan")."""

from core.hooks import Hook


class PriorityRowAction:
    def requirement_actions(self, requirement, user):
        """[(label, url)] for a requirement's row, as shown to ``user``."""
        return []

    def service_actions(self, service, user):
        """[(label, url)] for a service's row, as shown to ``user``."""
        return []


priority_row_actions = Hook("requirements_analysis.priority_row_actions")  # PriorityRowAction
