import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

RESERVED_CODES = frozenset({"new", "edit", "status"})


def validate_code_not_reserved(value):
    """Codes are URL segments; a few words are taken by the portal's own pages."""
    if value.lower() in RESERVED_CODES:
        raise ValidationError(_("“%(code)s” is reserved; choose another code."), params={"code": value})


def email_list(text):
    """The addresses of a list written with commas, semicolons or lines, in order, each once (case kept)."""
    seen, addresses = set(), []
    for part in re.split(r"[,;\s]+", text or ""):
        if part and part.lower() not in seen:
            seen.add(part.lower())
            addresses.append(part)
    return addresses


def validate_email_list(value):
    """Every address of the list is an e-mail address; the message names the ones that are not."""
    wrong = []
    for address in email_list(value):
        try:
            validate_email(address)
        except ValidationError:
            wrong.append(address)
    if wrong:
        raise ValidationError(
            _("Not an e-mail address: %(addresses)s."), params={"addresses": ", ".join(wrong)}, code="invalid"
        )
