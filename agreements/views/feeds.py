"""The maintenance calendar feed: a person's page to make and revoke their link, and the feed the link serves."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from agreements import feeds
from agreements.models import CalendarFeed
from core.mixins import posted
from core.tenancy import customer_id_of

CREATE, REVOKE = "create", "revoke"


class FeedActionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[(CREATE, gettext_lazy("Make a link")), (REVOKE, gettext_lazy("Revoke the link"))],
        error_messages={
            "required": gettext_lazy("Choose whether to make a link or revoke it."),
            "invalid_choice": gettext_lazy("Choose whether to make a link or revoke it."),
        },
    )


def may_follow_maintenance(user):
    """A customer user follows their organisation's maintenance, a service manager all of it; others have none."""
    return bool(customer_id_of(user)) or user.has_perm("agreements.view_maintenancewindow")


def portal_address(request):
    """Where the feed's links point: SLM_PORTAL_URL when set, else the address this page was reached at."""
    return settings.SLM_PORTAL_URL if settings.SLM_PORTAL_URL_IS_SET else request.build_absolute_uri("/")


def feed_link(request, token):
    return portal_address(request).rstrip("/") + reverse("agreements:calendar_feed_ics", kwargs={"token": token})


@login_required
def calendar_feed(request):
    """The person's feed link: make one (shown once), make a new one (the old one stops working), or revoke it."""
    feed = CalendarFeed.objects.for_user(request.user).first()
    allowed = may_follow_maintenance(request.user)
    form = FeedActionForm(posted(request))
    if request.method == "POST":
        if not allowed:
            raise PermissionDenied
        if form.is_valid():
            if form.cleaned_data["action"] == REVOKE:
                return _revoke(request, feed)
            return _make_link(request)
    context = {"feed": feed, "allowed": allowed, "form": form}
    return render(request, "agreements/calendar_feed.html", context, status=400 if form.errors else 200)


def _make_link(request):
    with transaction.atomic():
        # One link a person: a new one replaces the old, whose hash is gone, so the old link answers 404 at once.
        CalendarFeed.objects.filter(user=request.user).delete()
        feed = CalendarFeed(user=request.user, language=get_language() or "")
        token = feed.issue_token()
        feed.save()
    messages.warning(request, _("Copy the link now: it is shown only once."))
    link = feed_link(request, token)
    context = {"feed": feed, "allowed": True, "link": link, "webcal_link": "webcal://" + link.split("://", 1)[1]}
    return render(request, "agreements/calendar_feed.html", context, status=201)


def _revoke(request, feed):
    if feed is None:
        messages.info(request, _("You have no calendar link to revoke."))
    else:
        feed.delete()
        messages.success(request, _("The calendar link is revoked: calendars that subscribed to it get nothing more."))
    return redirect("agreements:calendar_feed")


@require_GET
def calendar_feed_ics(request, token):
    """The feed behind a link: no sign-in, the token is the key. 404 for a revoked, replaced or unknown token."""
    feed = CalendarFeed.objects.by_token(token)
    if feed is None:
        raise Http404(_("No such calendar feed."))
    now = timezone.now()
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    body = feeds.build_calendar(feed.user, portal_address(request), feed.language, now=now)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="maintenance.ics"'
    # A revoked link must stop at once: nothing on the way keeps a copy to serve later.
    response["Cache-Control"] = "private, no-cache"
    response["X-Robots-Tag"] = "noindex"
    return response
