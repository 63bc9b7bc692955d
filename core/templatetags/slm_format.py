"""Formats of the portal's pages: plain decimals, percentages, grouped thousands, and people by name."""

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

from core.formatting import duration_text, minutes_text, money_amount, percent_of_one, person_name, plain_number

register = template.Library()


@register.filter
def plain(value):
    """99.900 -> 99.9; 10.00 -> 10."""
    return "" if value is None else plain_number(value)


@register.filter
def grouped(value):
    """42000000.00 -> 42,000,000 (trailing zeros dropped, thousands grouped as the language groups them)."""
    return "" if value is None else intcomma(plain_number(value))


@register.filter
def money(value, currency):
    """23076.9 with "USD" -> 23,076.90; 250000.00 with "KRW" -> 250,000: the currency's minor unit, grouped."""
    return "" if value is None else intcomma(money_amount(value, currency))


@register.filter
def percent(value):
    """A fraction as a percentage to one place: 0.388888 -> 38.9 (the sign kept)."""
    return percent_of_one(value)


@register.filter
def minutes_span(minutes):
    """5 -> "5 min", 60 -> "1 h", 4320 -> "3 d" (in the page's language)."""
    return minutes_text(minutes)


@register.filter
def duration(value):
    """A timedelta as hours and minutes: "4 h 30 min", "27 h", "45 s" (in the page's language)."""
    return duration_text(value)


@register.filter
def wall_duration(value):
    """A timedelta of wall-clock time with whole days first: "2 d 3 h 5 min"."""
    return duration_text(value, days=True)


@register.filter
def absolute(value):
    """-12.5 -> 12.5: the size of an overspent budget, told in words as "over"."""
    return "" if value is None else abs(value)


@register.filter
def person(user):
    """A person by name: "Minsu Park" (their full name), or their username when they have none; "" for nobody."""
    return person_name(user)
