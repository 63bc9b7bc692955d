"""Django admin for the identity app's models."""

from django.contrib import admin

from slm_portal.identity.models import RoleRule


@admin.register(RoleRule)
class RoleRuleAdmin(admin.ModelAdmin):
    list_display = ["order", "source", "provider", "claim", "match", "value", "role", "customer", "enabled"]
    list_display_links = ["claim"]
    list_editable = ["order", "enabled"]
    list_filter = ["source", "role", "enabled"]
    search_fields = ["claim", "value", "provider", "note", "customer__code", "customer__name"]
    autocomplete_fields = ["customer"]
    fields = ["order", "enabled", "source", "provider", "claim", "match", "value", "role", "customer", "note"]
