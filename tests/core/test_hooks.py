"""The one extension-point mechanism (core.hooks.Hook) and the hooks the portal's apps register into."""

from agreements.extensions import agreement_links, target_form, target_panels
from core.hooks import Hook
from improvement import hooks as improvement_hooks
from monitoring.extensions import target_page_actions
from monitoring.forms import INDICATOR_ON_TARGET_FORM
from monitoring.readout.panels import CHAIN_PANEL, COMPLIANCE_PANEL, OPENSLO_LINKS, REPORT_LINK, TICKETS_LINK
from requirements_analysis.extensions import priority_row_actions


class Named:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return self.name


def test_extensions_are_asked_in_the_order_they_were_registered():
    hook = Hook("test.order")
    first, second, third = Named("first"), Named("second"), Named("third")
    for extension in (second, first, third):
        hook.register(extension)

    assert list(hook) == [second, first, third]
    assert len(hook) == 3


def test_registering_twice_keeps_one_in_its_first_place():
    hook = Hook("test.twice")
    first, second = Named("first"), Named("second")

    assert hook.register(first) is first
    hook.register(second)
    hook.register(first)

    assert list(hook) == [first, second]


def test_an_extension_registered_while_the_hook_is_asked_waits_for_the_next_page():
    hook = Hook("test.during")
    late = Named("late")
    hook.register(Named("early"))

    seen = []
    for extension in hook:
        seen.append(extension)
        hook.register(late)

    assert [repr(extension) for extension in seen] == ["early"]
    assert list(hook)[-1] is late
    assert "test.during" in repr(hook)


def test_the_portal_registers_each_of_its_extensions_once_from_the_apps_ready():
    assert list(target_form) == [INDICATOR_ON_TARGET_FORM]
    assert list(target_panels) == [COMPLIANCE_PANEL, CHAIN_PANEL]
    assert list(agreement_links) == [REPORT_LINK, TICKETS_LINK, OPENSLO_LINKS]
    assert list(target_page_actions) == [improvement_hooks.START_FROM_TARGET]
    assert list(priority_row_actions) == [improvement_hooks.START_FROM_PRIORITIES]


def test_the_improvement_apps_registration_run_again_adds_nothing():
    improvement_hooks.register()

    assert list(target_page_actions) == [improvement_hooks.START_FROM_TARGET]
    assert list(priority_row_actions) == [improvement_hooks.START_FROM_PRIORITIES]
