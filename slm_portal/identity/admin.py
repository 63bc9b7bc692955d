"""Django admin for the identity app's models.

Resetting a person's two-factor sign-in (a lost phone): delete their TOTP device under "TOTP devices" (django-otp's
admin, which never shows a saved key here); their recovery codes go with it, and an admin or service manager is asked
to enrol again at the next sign-in.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from slm_portal.identity.models import RecoveryCodeDevice


@admin.register(RecoveryCodeDevice)
class RecoveryCodeDeviceAdmin(admin.ModelAdmin):
    """The sets of recovery codes: who has one and how many codes are left; the codes themselves are only hashes."""

    list_display = ["user", "created_at", "codes_left"]
    search_fields = ["user__username", "user__email"]
    fields = ["user", "name", "created_at", "codes_left"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("unused codes"))
    def codes_left(self, obj):
        return obj.unused_count()
