"""Hooks for higher apps on the monitoring pages (the improvement app adds "start an improvement plan")."""

_target_page_actions = []


class TargetPageAction:
    def target_actions(self, target, user):
        """[(label, url)] for the target's page."""
        return []

    def breach_actions(self, breach, user):
        """[(label, url)] for one breach of the target."""
        return []


def register_target_page_action(action):
    if action not in _target_page_actions:
        _target_page_actions.append(action)
    return action


def target_page_actions():
    return tuple(_target_page_actions)
