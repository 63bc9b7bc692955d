"""The portal's URLs and ``/bench/bare``: the least a Django request costs through the portal's middleware, served
by the same gunicorn in the same run as the pages (the stack's ceiling). Only the pages benchmark serves it, through
``benchmarks.settings``; the portal's own URLconf has no such view."""

from django.http import HttpResponse
from django.urls import path

from slm_portal.urls import handler403
from slm_portal.urls import urlpatterns as portal_urlpatterns

BARE_BODY = b"bare"


def bare(request):
    return HttpResponse(BARE_BODY, content_type="text/plain")


urlpatterns = [path("bench/bare", bare, name="bench-bare"), *portal_urlpatterns]

__all__ = ["handler403", "urlpatterns"]
