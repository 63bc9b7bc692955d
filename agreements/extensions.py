"""Places where higher apps extend the agreement pages without this app importing them.

The monitoring app, for example, adds the "indicator" choice to the target form: it registers a
``TargetFormExtension`` from its ``AppConfig.ready()``; the target form asks every registered extension for its
fields and lets each save its part after the target row is saved.
"""

_target_form_extensions = []


class TargetFormExtension:
    """Adds fields to the service level target form and saves them."""

    def add_fields(self, form):
        """Put extra fields into ``form.fields`` and set their initial values from ``form.instance``."""

    def clean(self, form, cleaned_data):
        """Validate the extra fields; add errors with ``form.add_error``."""

    def save(self, form, target):
        """Store the extra fields for the saved ``target``."""

    def render(self, form):
        """Safe HTML shown in the target's card under its objective (empty by default)."""
        return ""


def register_target_form_extension(extension):
    if extension not in _target_form_extensions:
        _target_form_extensions.append(extension)
    return extension


def unregister_target_form_extension(extension):
    if extension in _target_form_extensions:
        _target_form_extensions.remove(extension)


def target_form_extensions():
    return tuple(_target_form_extensions)


_target_panel_extensions = []


class TargetPanelExtension:
    """Adds a block of HTML to each target's card on the agreement page (the monitoring app shows compliance)."""

    def panels(self, targets, request):
        """{target id: safe HTML} for the given targets; called once per page with all of them."""
        return {}


def register_target_panel_extension(extension):
    if extension not in _target_panel_extensions:
        _target_panel_extensions.append(extension)
    return extension


def target_panel_extensions():
    return tuple(_target_panel_extensions)


_agreement_link_extensions = []


class AgreementLinkExtension:
    """Adds buttons to the agreement page's header (the monitoring app links its report)."""

    def links(self, agreement, request):
        """[(label, url)] to show for this agreement."""
        return []


def register_agreement_link_extension(extension):
    if extension not in _agreement_link_extensions:
        _agreement_link_extensions.append(extension)
    return extension


def agreement_link_extensions():
    return tuple(_agreement_link_extensions)
