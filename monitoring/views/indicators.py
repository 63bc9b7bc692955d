"""Indicator pages, and CSV uploads of samples with a preview before anything is stored."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import CreateView, DetailView, ListView, UpdateView

from agreements.models import Agreement
from core.mixins import CreateMixin, ForUserMixin, WriteObjectMixin, posted
from core.tenancy import require_permission
from monitoring.choices import UploadStatus
from monitoring.forms import CsvUploadForm, IndicatorForm
from monitoring.forms.indicators import save_indicator
from monitoring.intake.csv_import import read_csv
from monitoring.intake.ingest import store_samples
from monitoring.kinds import KINDS
from monitoring.models import CsvUpload, Indicator, Measurement
from monitoring.readout import charts
from monitoring.readout import maintenance as excluded_time
from monitoring.readout.indicator_history import RANGES, chosen_range, indicator_history
from monitoring.readout.ticket_list import ticket_indicator_summary
from monitoring.readout.uploads import summarise


class IndicatorListView(ForUserMixin, ListView):
    model = Indicator
    paginate_by = 50
    template_name = "monitoring/indicator_list.html"

    def get_queryset(self):
        return super().get_queryset().select_related("service").order_by("service__name", "name")


class IndicatorDetailView(ForUserMixin, DetailView):
    model = Indicator
    template_name = "monitoring/indicator_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["targets"] = list(
            self.object.target_links.filter(target__agreement__in=_visible_agreements(user))
            .select_related("target__agreement")
            .order_by("target__agreement__code")
        )
        context.update(_history_context(self.object, self.request.GET.get("range"), context["targets"], user))
        context["latest"] = Measurement.objects.filter(indicator=self.object).order_by("-t")[:20]
        context["can_edit"] = user.has_perm("monitoring.change_indicator")
        context["can_upload"] = user.has_perm("monitoring.add_csvupload")
        context["uploads"] = CsvUpload.objects.for_user(user).filter(indicator=self.object)[:10]
        if self.object.sli_kind.tickets:
            context["tickets"] = ticket_indicator_summary(self.object, user, timezone.now())
        return context


def _history_context(indicator, key, links, user):
    """The range picker and the charts of the chosen range (the default one, said so, for a range not offered),
    with the time that the agreements of the targets measuring the indicator (``links``, those the viewer sees)
    leave out: the range is no snapshot's period, so it is read by the rules as they stand."""
    chosen, understood = chosen_range(key)
    history = indicator_history(indicator, chosen)
    pairs = {(link.target.agreement, indicator.service_id) for link in links}
    parts = excluded_time.live_parts(pairs, history.start, history.end) if pairs else []
    bands = excluded_time.time_bands(parts, history.start, history.end)
    context = {
        "ranges": RANGES,
        "history": history,
        "history_chart": charts.indicator_history(history, indicator, bands),
        "unknown_range": None if understood else key,
    }
    if history.values is not None:
        context["values_chart"] = charts.indicator_values(history, indicator, bands)
    return context


def _visible_agreements(user):
    return Agreement.objects.for_user(user)


class IndicatorFormMixin:
    """The indicator form with the sections of each kind, and a ticket indicator's goals; saving a ticket indicator
    whose rules or goals changed rebuilds its tickets' clocks on a worker once the save has committed."""

    model = Indicator
    form_class = IndicatorForm
    template_name = "monitoring/indicator_form.html"

    def form_valid(self, form):
        self.object = save_indicator(form)
        if form.clocks_change:
            messages.info(self.request, _("Saved. The clocks of its tickets are being rebuilt with these rules."))
        return redirect(self.object)


class IndicatorCreateView(CreateMixin, IndicatorFormMixin, CreateView):
    write_permission = "monitoring.add_indicator"
    extra_context = {
        "form_title": gettext_lazy("New indicator"),
        "cancel_url": reverse_lazy("monitoring:indicator_list"),
    }

    def get_initial(self):
        kind = self.request.GET.get("kind")
        return {"kind": kind} if kind in KINDS else {}


class IndicatorUpdateView(WriteObjectMixin, IndicatorFormMixin, UpdateView):
    write_permission = "monitoring.change_indicator"


@login_required
def upload_csv(request, code):
    """Step 1: read the file, check every line, and keep it for the preview; nothing is stored yet."""
    indicator = get_object_or_404(Indicator.objects.for_user(request.user), code=code)
    require_permission(request.user, "monitoring.add_csvupload")
    if not indicator.sli_kind.pushed:
        messages.error(request, _("This indicator takes no samples: it is counted from its service desk's tickets."))
        return redirect(indicator)
    form = CsvUploadForm(posted(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        filename, content = form.cleaned_data["file"]
        samples, errors = read_csv(indicator, content)
        # A file with a bad line is rejected whole: its problems are kept to be shown, its content is not.
        upload = CsvUpload.objects.create(
            indicator=indicator,
            uploaded_by=request.user,
            filename=filename[:255],
            content="" if errors else content,
            status=UploadStatus.REJECTED if errors else UploadStatus.PREVIEW,
            sample_count=0 if errors else len(samples),
            errors=errors[:500],
        )
        return redirect("monitoring:upload_preview", pk=upload.pk)
    return render(request, "monitoring/upload_form.html", {"form": form, "indicator": indicator})


@login_required
def upload_preview(request, pk):
    """Step 2: why the file was rejected (its bad lines), or what storing it will do (its time range, samples, bad
    ones and those already stored), its first samples and a button to store them."""
    upload = get_object_or_404(CsvUpload.objects.for_user(request.user).select_related("indicator"), pk=pk)
    preview, summary = [], None
    if upload.status == UploadStatus.PREVIEW:
        samples, _errors = read_csv(upload.indicator, upload.content)
        preview, summary = samples[:20], summarise(upload.indicator, samples)
    context = {"upload": upload, "preview": preview, "summary": summary}
    return render(request, "monitoring/upload_preview.html", context)


@login_required
@require_POST
def upload_confirm(request, pk):
    """Step 3: store the samples (checked again: time has passed since the preview) or discard the upload."""
    upload = get_object_or_404(CsvUpload.objects.for_user(request.user).select_related("indicator"), pk=pk)
    require_permission(request.user, "monitoring.add_csvupload")
    action = request.POST.get("action")
    if action not in {"store", "discard"}:
        return HttpResponseBadRequest(_("Choose to store the samples or to discard the upload."))
    # Claim the upload so that a double click stores it once.
    if not CsvUpload.objects.filter(pk=upload.pk, status=UploadStatus.PREVIEW).update(status=UploadStatus.STORED):
        if upload.status == UploadStatus.REJECTED:
            messages.error(request, _("This upload was rejected; nothing was stored. Upload a corrected file."))
        else:
            messages.info(request, _("This upload was already handled."))
        return redirect("monitoring:upload_preview", pk=upload.pk)
    if action == "discard":
        CsvUpload.objects.filter(pk=upload.pk).update(status=UploadStatus.DISCARDED)
        messages.info(request, _("The upload was discarded; nothing was stored."))
        return redirect(upload.indicator)
    samples, errors = read_csv(upload.indicator, upload.content)
    if errors:
        CsvUpload.objects.filter(pk=upload.pk).update(
            status=UploadStatus.REJECTED, errors=errors[:500], content="", sample_count=0
        )
        messages.error(request, _("The file has problems now; nothing was stored."))
        return redirect("monitoring:upload_preview", pk=upload.pk)
    with transaction.atomic():
        result = store_samples(upload.indicator, samples)
        CsvUpload.objects.filter(pk=upload.pk).update(new_count=result.new, duplicate_count=result.duplicates)
    messages.success(
        request,
        _("%(new)s new samples stored, %(duplicates)s already known.")
        % {"new": result.new, "duplicates": result.duplicates},
    )
    return redirect(upload.indicator)
