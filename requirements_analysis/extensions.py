"""Hooks for higher apps on the priorities page (the improvement app adds "start an improvement plan")."""

_priority_row_actions = []


class PriorityRowAction:
    def requirement_actions(self, requirement, user):
        """[(label, url)] for a requirement's row, as shown to ``user``."""
        return []

    def service_actions(self, service, user):
        """[(label, url)] for a service's row, as shown to ``user``."""
        return []


def register_priority_row_action(action):
    if action not in _priority_row_actions:
        _priority_row_actions.append(action)
    return action


def priority_row_actions():
    return tuple(_priority_row_actions)
