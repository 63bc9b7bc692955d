"""Django admin for the identity app's models."""

from django.contrib import admin

from slm_portal.identity.forms import AdminPasswordSignInForm
from slm_portal.identity.models import RoleRule, SingleSignOnAccount


@admin.register(RoleRule)
class RoleRuleAdmin(admin.ModelAdmin):
    list_display = ["order", "source", "provider", "claim", "match", "value", "role", "customer", "enabled"]
    list_display_links = ["claim"]
    list_editable = ["order", "enabled"]
    list_filter = ["source", "role", "enabled"]
    search_fields = ["claim", "value", "provider", "note", "customer__code", "customer__name"]
    autocomplete_fields = ["customer"]
    fields = ["order", "enabled", "source", "provider", "claim", "match", "value", "role", "customer", "note"]


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
