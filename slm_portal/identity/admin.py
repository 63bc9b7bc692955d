"""Django admin for the identity app's models."""

from django.contrib import admin

from slm_portal.identity.forms import AdminPasswordSignInForm
from slm_portal.identity.models import DirectoryAccount, RoleRule, SingleSignOnAccount


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
        return False


# Django admin's own login form follows the same rule as the login page: a role whose passwords are off is refused.
admin.site.login_form = AdminPasswordSignInForm
