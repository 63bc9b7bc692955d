"""Middleware of the portal's own."""


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
