"""The portal's date and time formats: one per language, used by every page, list, history, preview and e-mail.

Django's own English formats mix "01/01/2026", "Jan. 1, 2026" and "12/04/2026 5:19 a.m."; the portal writes a day
one way and a moment one way in each language, on the 24-hour clock, with the time zone's abbreviation.
"""
