"""OpenSLO export (a download for everyone who sees the agreement) and import (managers: upload, preview, confirm).

Between the preview and the confirmation the uploaded text is kept in the session with its SHA-256 digest; the
confirmation names the digest it saw, so a file replaced in another tab meanwhile is never stored unseen.
"""

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agreements.models import Agreement
from core.mixins import posted
from core.tenancy import require_permission
from monitoring.forms.openslo import OpenSloUploadForm
from monitoring.openslo.exporting import ExportError, export_text
from monitoring.openslo.importing import plan_import
from monitoring.openslo.reading import OpenSloError
from monitoring.openslo.storing import apply

IMPORT_PERMISSION = "agreements.change_serviceleveltarget"
SESSION_KEY = "openslo_import"


def _agreement(request, code):
    return get_object_or_404(Agreement.objects.for_user(request.user), code=code)


@login_required
def openslo_export(request, code):
    agreement = _agreement(request, code)
    try:
        text = export_text(agreement)
    except ExportError as error:
        messages.error(
            request, _("The targets cannot be exported: %(problems)s") % {"problems": " ".join(error.problems)}
        )
        return redirect(agreement)
    response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{agreement.code}.openslo.yaml"'
    return response


def _kept(request, agreement):
    kept = request.session.get(SESSION_KEY)
    return kept if kept and kept.get("agreement") == agreement.code else None


@login_required
def openslo_import(request, code):
    """Step 1: upload. The file is read and kept for the preview; nothing is stored."""
    agreement = _agreement(request, code)
    require_permission(request.user, IMPORT_PERMISSION)
    form = OpenSloUploadForm(posted(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        name, data = form.cleaned_data["file"]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            form.add_error("file", _("The file is not UTF-8 text."))
        else:
            request.session[SESSION_KEY] = {
                "agreement": agreement.code,
                "name": name[:255],
                "text": text,
                "digest": hashlib.sha256(data).hexdigest(),
            }
            return redirect("monitoring:openslo_preview", code=agreement.code)
    return render(request, "monitoring/openslo_import.html", {"agreement": agreement, "form": form})


@login_required
def openslo_preview(request, code):
    """Step 2: each OpenSLO field and what it becomes, or why the file cannot be imported."""
    agreement = _agreement(request, code)
    require_permission(request.user, IMPORT_PERMISSION)
    kept = _kept(request, agreement)
    if kept is None:
        messages.info(request, _("Upload an OpenSLO file first."))
        return redirect("monitoring:openslo_import", code=agreement.code)
    plan, unreadable = None, ""
    try:
        plan = plan_import(agreement, kept["text"], request.user)
    except OpenSloError as error:
        unreadable = str(error)
    context = {"agreement": agreement, "kept": kept, "plan": plan, "unreadable": unreadable}
    return render(request, "monitoring/openslo_preview.html", context)


@login_required
@require_POST
def openslo_confirm(request, code):
    """Step 3: store what the preview showed, all or nothing; or discard the upload."""
    agreement = _agreement(request, code)
    require_permission(request.user, IMPORT_PERMISSION)
    kept = _kept(request, agreement)
    if request.POST.get("action") == "discard":
        request.session.pop(SESSION_KEY, None)
        messages.info(request, _("The upload was discarded; nothing was stored."))
        return redirect(agreement)
    if kept is None or request.POST.get("digest") != kept["digest"]:
        messages.error(request, _("The file is not the one previewed; nothing was stored. Look at the preview again."))
        return redirect("monitoring:openslo_import", code=agreement.code)
    try:
        plan = plan_import(agreement, kept["text"], request.user)
    except OpenSloError:
        plan = None
    if plan is None or plan.problems:
        messages.error(request, _("The file cannot be imported; nothing was stored."))
        return redirect("monitoring:openslo_preview", code=agreement.code)
    changes = apply(plan)
    request.session.pop(SESSION_KEY, None)
    messages.success(request, _("OpenSLO file imported: %(count)s changes.") % {"count": changes})
    return redirect(agreement)
