"""The status badge: ``{% status_badge "compliance" snapshot.status %}`` with the palette's tone and label."""

from django import template
from django.utils.html import format_html

from core.statuses import palette

register = template.Library()


@register.simple_tag
def status_badge(name, value, label=None, id=None, title=None):  # noqa: A002 - the HTML attribute's name
    """A Bootstrap badge of ``value`` in the palette ``name``; ``label`` overrides the status's own label, ``title``
    says more on hover."""
    look = palette(name)
    return format_html(
        '<span class="badge {}-{} text-bg-{}"{}{}>{}</span>',
        look.css,
        value,
        look.tone(value),
        format_html(' id="{}"', id) if id else "",
        format_html(' title="{}"', title) if title else "",
        look.label(value) if label is None else label,
    )
