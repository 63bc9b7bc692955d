"""Django admin for the identity app's models."""

from axes.models import AccessFailureLog, AccessLog
from django.contrib import admin

from slm_portal.identity.models import SignInEvent


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


# django-axes' logs of sign-ins and failures are off (the sign-in record above holds them); its access attempts stay
# in admin, where deleting one unlocks that username and address.
for model in (AccessLog, AccessFailureLog):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
