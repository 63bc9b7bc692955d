"""Sign-in pages: the login page (password and a button per single sign-on provider) and the OpenID Connect flow."""

from django.contrib.auth import login
from django.contrib.auth.views import LoginView
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from slm_portal.identity import oidc
from slm_portal.identity.forms.sign_in import PasswordSignInForm
from slm_portal.identity.rules import SignInRefused

NEXT_KEY = "identity_oidc_next"


class SignInView(LoginView):
    form_class = PasswordSignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"providers": oidc.providers()}


def _provider_or_404(name):
    provider = oidc.provider(name)
    if provider is None:
        raise Http404
    return provider


def _refused(request, provider, message):
    return render(request, "identity/sign_in_refused.html", {"provider": provider, "message": message}, status=403)


@never_cache
@require_GET
def oidc_start(request, provider):
    provider = _provider_or_404(provider)
    next_url = request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        request.session[NEXT_KEY] = next_url
    else:
        request.session.pop(NEXT_KEY, None)
    callback = request.build_absolute_uri(reverse("identity:oidc_callback", kwargs={"provider": provider.name}))
    try:
        return oidc.start(request, provider, callback)
    except SignInRefused as refusal:
        return _refused(request, provider, refusal.message)


@never_cache
@require_GET
def oidc_callback(request, provider):
    provider = _provider_or_404(provider)
    try:
        user = oidc.finish(request, provider)
    except SignInRefused as refusal:
        return _refused(request, provider, refusal.message)
    next_url = request.session.pop(NEXT_KEY, "")
    login(request, user, backend=oidc.BACKEND)
    return redirect(next_url or "home")
