"""Service desks: the connections ticket events come in by (a token, a webhook signing key, the customers and
services a desk may write for, its state names), and CSV uploads of their events, previewed before anything is
stored. Service managers' pages: customers find none of them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import ListView

from core.mixins import ManagerPageMixin, posted
from core.tenancy import require_manager, require_permission
from monitoring.choices import TicketCategory, UploadStatus
from monitoring.forms import TicketCsvForm, TicketSourceForm, state_names_formset
from monitoring.intake import ticket_csv
from monitoring.intake.ingest import BatchInvalid
from monitoring.intake.ticket_events import record_ticket_events
from monitoring.models import Ticket, TicketEventRecord, TicketSource, TicketUpload

RECENT_EVENTS = 20
PREVIEW_TICKETS = 200


class TicketSourceListView(ManagerPageMixin, ListView):
    model = TicketSource
    view_permission = "monitoring.view_ticketsource"
    template_name = "monitoring/ticketsource_list.html"

    def get_queryset(self):
        return TicketSource.objects.for_user(self.request.user).prefetch_related("customers", "services")


def _addresses(request, source):
    return {
        "api_url": request.build_absolute_uri(reverse("api-ticket-events")),
        "webhook_url": request.build_absolute_uri(reverse("api-ticket-webhook", kwargs={"code": source.code})),
    }


def _show_credentials_once(request, source, token):
    """The token and the webhook signing key, shown this once: only the token's hash is kept, and the key is derived
    from a secret the page never shows, so a lost one is replaced by issuing a new token (which brings a new key)."""
    messages.warning(request, _("Copy the token and the signing key now: they are shown only once."))
    context = {"source": source, "token": token, "signing_key": source.signing_key, **_addresses(request, source)}
    return render(request, "monitoring/ticketsource_token.html", context, status=201)


def _form_page(request, form, states, source=None):
    context = {"form": form, "states": states, "object": source}
    return render(request, "monitoring/ticketsource_form.html", context)


@login_required
def ticket_source_create(request):
    require_manager(request.user, "monitoring.add_ticketsource")
    form, states = TicketSourceForm(posted(request)), state_names_formset(posted(request))
    if request.method == "POST" and all([form.is_valid(), states.is_valid()]):
        source, token = form.save_with_token(request.user, states.state_map())
        return _show_credentials_once(request, source, token)
    return _form_page(request, form, states)


@login_required
def ticket_source_detail(request, code):
    user = request.user
    source = get_object_or_404(TicketSource.objects.for_user(user).prefetch_related("customers", "services"), code=code)
    tickets = Ticket.objects.for_user(user).filter(source=source)
    events = (
        TicketEventRecord.objects.filter(source=source, ticket__in=tickets)
        .select_related("ticket__customer")
        .order_by("-received_at", "-pk")[:RECENT_EVENTS]
    )
    can_upload = user.has_perm("monitoring.add_ticketupload")
    context = {
        "source": source,
        "state_rows": [
            (name, TicketCategory(category).label if category in TicketCategory.values else category)
            for name, category in sorted(source.state_map.items(), key=lambda item: item[0].lower())
        ],
        "ticket_count": tickets.count(),
        "events": list(events),
        "uploads": TicketUpload.objects.for_user(user).filter(source=source)[:10],
        "can_edit": user.has_perm("monitoring.change_ticketsource"),
        "can_upload": can_upload,
        "upload_form": TicketCsvForm() if can_upload else None,
        **_addresses(request, source),
    }
    return render(request, "monitoring/ticketsource_detail.html", context)


@login_required
def ticket_source_edit(request, code):
    source = get_object_or_404(TicketSource.objects.for_user(request.user), code=code)
    require_permission(request.user, "monitoring.change_ticketsource")
    form = TicketSourceForm(posted(request), instance=source)
    states = state_names_formset(posted(request), source)
    if request.method == "POST" and all([form.is_valid(), states.is_valid()]):
        with transaction.atomic():
            source = form.save(commit=False)
            source.state_map = states.state_map()
            source.save()
            form.save_m2m()
        messages.success(request, _("%(name)s saved.") % {"name": source})
        return redirect(source)
    return _form_page(request, form, states, source)


@login_required
@require_POST
def ticket_source_token(request, code):
    """Issue a new token and signing key that replace the old ones (action=rotate), or revoke both (action=revoke)."""
    source = get_object_or_404(TicketSource.objects.for_user(request.user), code=code)
    require_permission(request.user, "monitoring.change_ticketsource")
    action = request.POST.get("action")
    if action == "rotate":
        token = source.issue_token()
        source.save(update_fields=["token_hash", "token_hint", "signing_nonce", "revoked_at"])
        return _show_credentials_once(request, source, token)
    if action != "revoke":
        # Revoking stops a live feed: it takes the explicit button, never a missing or mistyped action.
        return HttpResponseBadRequest()
    source.revoke()
    messages.success(
        request,
        _("The token and signing key of %(name)s are revoked; its requests and webhooks now answer 401.")
        % {"name": source},
    )
    return redirect(source)


@login_required
def ticket_upload(request, code):
    """Step 1: read the file and check every line; the file is kept for the preview, nothing is stored yet."""
    source = get_object_or_404(TicketSource.objects.for_user(request.user), code=code)
    require_permission(request.user, "monitoring.add_ticketupload")
    form = TicketCsvForm(posted(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        filename, content = form.cleaned_data["file"]
        preview, errors = ticket_csv.check(source, content)
        # A file with a bad line is rejected whole: its problems are kept to be shown, its content is not.
        upload = TicketUpload.objects.create(
            source=source,
            uploaded_by=request.user,
            filename=filename[:255],
            content="" if errors else content,
            status=UploadStatus.REJECTED if errors else UploadStatus.PREVIEW,
            event_count=0 if errors else preview.events,
            errors=errors[:500],
        )
        return redirect(upload)
    return render(request, "monitoring/ticket_upload_form.html", {"form": form, "source": source})


def _upload_of(request, code, pk):
    return get_object_or_404(
        TicketUpload.objects.for_user(request.user).select_related("source"), pk=pk, source__code=code
    )


@login_required
def ticket_upload_preview(request, code, pk):
    """Step 2: why the file was rejected (its bad lines), or what storing it will do: its events, those new to the
    portal, the tickets it creates and, per ticket, the events it adds."""
    upload = _upload_of(request, code, pk)
    preview, problems = None, []
    if upload.status == UploadStatus.PREVIEW:
        # Checked again: time has passed, and other events may have come in since.
        preview, problems = ticket_csv.check(upload.source, upload.content)
    context = {
        "upload": upload,
        "source": upload.source,
        "preview": preview,
        "problems": problems,
        "errors": problems or upload.errors,
        "tickets": preview.tickets[:PREVIEW_TICKETS] if preview else [],
        "more_tickets": max(0, len(preview.tickets) - PREVIEW_TICKETS) if preview else 0,
    }
    return render(request, "monitoring/ticket_upload_preview.html", context)


@login_required
@require_POST
def ticket_upload_confirm(request, code, pk):
    """Step 3: store the events (checked once more, in the transaction that stores them) or discard the upload."""
    upload = _upload_of(request, code, pk)
    require_permission(request.user, "monitoring.add_ticketupload")
    action = request.POST.get("action")
    if action not in {"store", "discard"}:
        return HttpResponseBadRequest(_("Choose to store the events or to discard the upload."))
    uploads = TicketUpload.objects.filter(pk=upload.pk)
    with transaction.atomic():
        # Claimed in the transaction that stores: a second click, or a second tab, finds it handled.
        done = UploadStatus.STORED if action == "store" else UploadStatus.DISCARDED
        if not uploads.filter(status=UploadStatus.PREVIEW).update(status=done):
            if upload.status == UploadStatus.REJECTED:
                messages.error(request, _("This upload was rejected; nothing was stored. Upload a corrected file."))
            else:
                messages.info(request, _("This upload was already handled."))
            return redirect(upload)
        if action == "discard":
            messages.info(request, _("The upload was discarded; nothing was stored."))
            return redirect(upload.source)
        events, lines, errors = ticket_csv.read_events(upload.content)
        result = None
        if not errors:
            try:
                result = record_ticket_events(upload.source, events)
            except BatchInvalid as invalid:
                errors = ticket_csv.line_errors(invalid.errors, lines)
        if errors:
            uploads.update(status=UploadStatus.REJECTED, errors=errors[:500], content="", event_count=0)
            messages.error(request, _("The file has problems now; nothing was stored."))
            return redirect(upload)
        uploads.update(stored_count=result.stored, tickets_created=result.tickets_created)
    messages.success(
        request,
        _("%(stored)s new events stored, %(tickets)s new tickets; events stored before, skipped: %(known)s.")
        % {"stored": result.stored, "tickets": result.tickets_created, "known": result.received - result.stored},
    )
    return redirect(upload.source)
