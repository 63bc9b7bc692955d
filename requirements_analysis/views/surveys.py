"""Survey campaigns (service managers), their results (the customer's own, too), and the public answer page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.generic import CreateView, ListView, UpdateView

from core.mixins import CreateMixin, ForUserMixin, TransitionView, WriteObjectMixin, posted
from core.tenancy import require_permission
from requirements_analysis import analysis
from requirements_analysis.choices import CampaignStatus, Category
from requirements_analysis.forms import CampaignForm, InvitationsForm, SurveyAnswerForm
from requirements_analysis.models import (
    CategoryRating,
    ServiceRating,
    SurveyCampaign,
    SurveyInvitation,
    SurveyResponse,
)
from requirements_analysis.tasks import send_survey_invitations


class CampaignListView(ForUserMixin, ListView):
    model = SurveyCampaign
    paginate_by = 25
    template_name = "requirements_analysis/campaign_list.html"

    def get_queryset(self):
        return super().get_queryset().select_related("customer")


class CampaignCreateView(CreateMixin, CreateView):
    model = SurveyCampaign
    form_class = CampaignForm
    write_permission = "requirements_analysis.add_surveycampaign"
    template_name = "core/object_form.html"
    extra_context = {
        "form_title": gettext_lazy("New survey campaign"),
        "cancel_url": reverse_lazy("requirements_analysis:campaign_list"),
    }

    def form_valid(self, form):
        form.instance.created_by = self.request.user
        return super().form_valid(form)


class CampaignUpdateView(WriteObjectMixin, UpdateView):
    model = SurveyCampaign
    form_class = CampaignForm
    write_permission = "requirements_analysis.change_surveycampaign"
    template_name = "core/object_form.html"


def render_campaign(request, campaign, invite_form=None):
    """The campaign's page; ``invite_form`` is the "add people" form as it was sent back (its lines and errors)."""
    can_manage = request.user.has_perm("requirements_analysis.change_surveycampaign")
    return render(
        request,
        "requirements_analysis/campaign_detail.html",
        {
            "campaign": campaign,
            "results": analysis.campaign_results(campaign),
            "services": campaign.services.order_by("name"),
            "can_manage": can_manage,
            "invitations": campaign.invitations.select_related("response") if can_manage else None,
            "invite_form": (invite_form or InvitationsForm()) if can_manage else None,
        },
    )


@login_required
def campaign_detail(request, code):
    """Results for the customer and the manager; invitations and sending for the manager."""
    campaign = get_object_or_404(SurveyCampaign.objects.for_user(request.user).select_related("customer"), code=code)
    return render_campaign(request, campaign)


@login_required
@require_POST
def campaign_invite(request, code):
    """Add people to invite, all or none: a bad line shows the page again with every line as typed and the bad ones
    named under the field; nobody is added."""
    campaign = get_object_or_404(SurveyCampaign.objects.for_user(request.user).select_related("customer"), code=code)
    require_permission(request.user, "requirements_analysis.add_surveyinvitation")
    form = InvitationsForm(request.POST)
    if not form.is_valid():
        return render_campaign(request, campaign, form)
    added = 0
    with transaction.atomic():
        for name, email in form.cleaned_data["people"]:
            invitation = SurveyInvitation(campaign=campaign, name=name, email=email)
            invitation.issue_token()  # replaced when the invitation is sent
            _row, created = SurveyInvitation.objects.get_or_create(
                campaign=campaign, email=email, defaults={"name": name, "token_hash": invitation.token_hash}
            )
            added += created
    messages.success(request, ngettext("%(count)s person added.", "%(count)s people added.", added) % {"count": added})
    return redirect(campaign)


@login_required
@require_POST
def campaign_send(request, code):
    """Queue the invitation e-mails (a Celery task); only people not yet invited unless resending. Their links go to
    the address this page was reached at, unless SLM_PORTAL_URL says otherwise."""
    campaign = get_object_or_404(SurveyCampaign.objects.for_user(request.user), code=code)
    require_permission(request.user, "requirements_analysis.change_surveycampaign")
    if campaign.status != CampaignStatus.OPEN:
        messages.error(request, _("Open the survey before sending its invitations."))
        return redirect(campaign)
    resend = request.POST.get("resend") == "1"
    portal_url = request.build_absolute_uri("/")
    transaction.on_commit(lambda: send_survey_invitations.delay(campaign.pk, resend, portal_url))
    messages.success(request, _("The invitations are being sent."))
    return redirect(campaign)


class CampaignStatusView(TransitionView):
    """Open or close a survey: one click on its page (a POST), no confirmation page; a step the workflow does not
    allow is not there to take (404)."""

    http_method_names = ["post"]
    model = SurveyCampaign
    permission = "requirements_analysis.change_surveycampaign"
    success_message = gettext_lazy("The survey is now %(status)s.")

    def refused(self, problems):
        raise Http404


campaign_status = CampaignStatusView.as_view()


@never_cache
def survey_answer(request, token):
    """The invited person's questionnaire, through their personal link: no login, their own answers only.

    An unknown token, another campaign's, or a closed campaign answers 404 and stores nothing. Overall satisfaction
    is required; every other rating left out or N/A is stored as NULL (so a changed answer can become N/A).
    """
    invitation = SurveyInvitation.objects.by_token(token)
    if invitation is None:
        raise Http404
    campaign = invitation.campaign
    response = SurveyResponse.objects.filter(invitation=invitation).first()
    form = SurveyAnswerForm(posted(request), campaign=campaign, response=response)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            locked = SurveyInvitation.objects.select_for_update().get(pk=invitation.pk)
            response, _created = SurveyResponse.objects.update_or_create(
                invitation=locked,
                defaults={
                    "overall_satisfaction": form.cleaned_data["overall"],
                    "comment": form.cleaned_data["comment"].strip()[:5000],
                },
            )
            for service in form.services:
                ServiceRating.objects.update_or_create(
                    response=response, service=service, defaults={"csat": form.cleaned_data[f"csat_{service.pk}"]}
                )
            for category in Category.values:
                CategoryRating.objects.update_or_create(
                    response=response,
                    category=category,
                    defaults={
                        "importance": form.cleaned_data[f"importance_{category}"],
                        "performance": form.cleaned_data[f"performance_{category}"],
                    },
                )
        return render(request, "requirements_analysis/survey_thanks.html", {"campaign": campaign, "token": token})
    return render(
        request,
        "requirements_analysis/survey_answer.html",
        {"campaign": campaign, "invitation": invitation, "form": form, "answered": response is not None},
    )
