from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

RESERVED_CODES = frozenset({"new", "edit", "status"})


def validate_code_not_reserved(value):
    """Codes are URL segments; a few words are taken by the portal's own pages."""
    if value.lower() in RESERVED_CODES:
        raise ValidationError(_("“%(code)s” is reserved; choose another code."), params={"code": value})
