"""Middleware of the portal's own."""

from django.http import HttpResponseBadRequest, JsonResponse

from core.person_cache import remember


def csp_nonce_on_every_response(get_response):
    """Make django-csp put the request's nonce in every Content-Security-Policy header.

    django-csp 4.0 writes ``'nonce-…'`` into script-src only when something read ``request.csp_nonce`` during the
    request. The portal's templates have no inline script today, so without this the nonce would come and go with
    the page; reading it here keeps the policy the same on every response, ready for the first ``<script
    nonce="{{ request.csp_nonce }}">``. This is the pattern django-csp's documentation on the nonce gives; it must
    come after ``csp.middleware.CSPMiddleware`` in MIDDLEWARE.
    """

    def middleware(request):
        str(request.csp_nonce)
        return get_response(request)

    return middleware


NUL_REFUSED = "A parameter of this request holds a NUL character (%00), which no field of the portal takes."


def refuse_nul_characters(get_response):
    """Answer 400 to a query string, or a posted form, with a NUL character in a name or a value.

    No field of the portal takes one, and PostgreSQL refuses it in any text it is asked to compare, so a lookup with
    ``?customer=%00`` would fail as a server error; here it stops as the client error it is. The API's JSON bodies
    are checked by their serializers and parsers instead (its form bodies too: DRF validates every field).
    """

    def holds_nul(query):
        return any("\x00" in key or any("\x00" in value for value in values) for key, values in query.lists())

    def middleware(request):
        api = request.path.startswith("/api/")
        if holds_nul(request.GET) or (not api and request.method == "POST" and holds_nul(request.POST)):
            if api:
                return JsonResponse({"detail": NUL_REFUSED}, status=400)
            return HttpResponseBadRequest(NUL_REFUSED, content_type="text/plain; charset=utf-8")
        return get_response(request)

    return middleware


def person_from_cache(get_response):
    """What every page asks of the signed-in person (permissions, service manager or not, their customer), from the
    cache when it holds it for the current edits counter (``core.person_cache``). Must come after
    AuthenticationMiddleware, and before anything that asks (the two-factor check)."""

    def middleware(request):
        remember(request.user)
        return get_response(request)

    return middleware
