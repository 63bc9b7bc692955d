from django.conf import settings

from agreements.people import administered_customer_id
from core.tenancy import is_service_manager


def portal(request):
    user = getattr(request, "user", None)
    administered = administered_customer_id(user) if user is not None else None
    return {
        "portal_name": settings.SLM_PORTAL_NAME,
        "is_service_manager": bool(user) and is_service_manager(user),
        # The organisation a customer administrator manages (its code), for the person's menu.
        "administered_customer_code": user.customer_membership.customer.code if administered else None,
    }
