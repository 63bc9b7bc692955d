"""Django admin for the identity app's models.

Resetting a person's two-factor sign-in (a lost phone): delete their authenticator app under "Authenticator apps"
(which never shows its key); their recovery codes go with it, and an admin or service manager is asked to enrol again
at the next sign-in.
"""

from axes.models import AccessFailureLog, AccessLog
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from slm_portal.identity.forms.sign_in import AdminPasswordSignInForm
from slm_portal.identity.models import (
    AuthenticatorDevice,
    DirectoryAccount,
    RecoveryCodeDevice,
    RoleRule,
    SignInEvent,
    SingleSignOnAccount,
)


@admin.register(RoleRule)
class RoleRuleAdmin(admin.ModelAdmin):
    list_display = ["order", "source", "provider", "claim", "match", "value", "role", "customer", "enabled"]
    list_display_links = ["claim"]
    list_editable = ["order", "enabled"]
    list_filter = ["source", "role", "enabled"]
    search_fields = ["claim", "value", "provider", "note", "customer__code", "customer__name"]
    autocomplete_fields = ["customer"]
    fields = ["order", "enabled", "source", "provider", "claim", "match", "value", "role", "customer", "note"]


@admin.register(DirectoryAccount)
class DirectoryAccountAdmin(admin.ModelAdmin):
    """Link an existing local account to the directory by adding a row (the directory then signs it in); the DN,
    groups and time are rewritten at every directory sign-in."""

    list_display = ["user", "dn", "signed_in_at"]
    search_fields = ["user__username", "user__email", "dn"]
    autocomplete_fields = ["user"]
    readonly_fields = ["groups", "signed_in_at"]
    fields = ["user", "dn", "groups", "signed_in_at"]


@admin.register(SingleSignOnAccount)
class SingleSignOnAccountAdmin(admin.ModelAdmin):
    list_display = ["user", "provider", "subject", "created_at", "last_sign_in_at"]
    list_filter = ["provider"]
    search_fields = ["user__username", "user__email", "subject"]
    readonly_fields = ["user", "provider", "issuer", "subject", "created_at", "last_sign_in_at"]

    def has_add_permission(self, request):
        return False  # a person's first single sign-on makes the link


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


@admin.register(SignInEvent)
class SignInEventAdmin(admin.ModelAdmin):
    """The record is written by the portal only: admins read and filter it, nobody edits or deletes a line."""

    list_display = ["at", "kind", "login_name", "method", "customer", "actor", "ip_address"]
    list_filter = ["kind", "method", "customer", "at"]
    search_fields = ["login_name", "ip_address", "detail", "actor__username"]
    date_hierarchy = "at"
    list_select_related = ["customer", "actor"]
    readonly_fields = [field.name for field in SignInEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuthenticatorDevice)
class AuthenticatorDeviceAdmin(admin.ModelAdmin):
    """People enrol their own authenticator app; an admin reads who has one and deletes it (a lost phone). Its key is
    never shown: it is not a field here, and it is stored encrypted."""

    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    search_fields = ["user__username", "user__email"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# django-otp's TOTP devices keep their key in clear: the portal's authenticator apps are AuthenticatorDevice (above),
# and the old table stays empty after migration identity 0006; it is not offered in admin, where an added device
# would be one the portal never asks.
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)

# django-axes' logs of sign-ins and failures are off (the sign-in record above holds them); its access attempts stay
# in admin, where deleting one unlocks that username and address.
for model in (AccessLog, AccessFailureLog):
    if admin.site.is_registered(model):
        admin.site.unregister(model)

# Django admin's own login form follows the same rule as the login page: a role whose passwords are off is refused.
admin.site.login_form = AdminPasswordSignInForm
