from django.contrib import admin

from slm_portal.models import Heartbeat


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "beat_at", "hostname"]
    readonly_fields = ["name", "beat_at", "hostname"]

    def has_add_permission(self, request):
        return False  # written by the workers' heartbeat task only
