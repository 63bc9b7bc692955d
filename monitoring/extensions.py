"""Hooks for higher apps on the monitoring pages (the improvement app adds "start an improvement plan")."""

from core.hooks import Hook


class TargetPageAction:
    def target_actions(self, target, user):
        """[(label, url)] for the target's page."""
        return []

    def breach_actions(self, breach, user):
        """[(label, url)] for one breach of the target."""
        return []


target_page_actions = Hook("monitoring.target_page_actions")  # TargetPageAction
