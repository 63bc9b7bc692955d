from django.conf import settings

from core.tenancy import is_service_manager


def portal(request):
    user = getattr(request, "user", None)
    return {
        "portal_name": settings.SLM_PORTAL_NAME,
        "is_service_manager": bool(user) and is_service_manager(user),
    }
