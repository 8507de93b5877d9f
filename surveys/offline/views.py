"""The offline questionnaire: download the workbook, upload it filled in.

The agency reaches these pages through its invitation link (resolved by
views.with_invitation, like every respondent page); coordinators through
the campaign page, with access decided by surveys.access."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from common.downloads import XLSX_CONTENT_TYPE, attachment
from surveys import access, offline
from surveys.models import Response
from surveys.offline import services as offline_services
from surveys.respond import services as response_services
from surveys.respond.views import survey_for, with_invitation


class OfflineUploadForm(forms.Form):
    workbook = forms.FileField(
        label=gettext_lazy("The filled workbook (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_workbook(self):
        workbook = self.cleaned_data["workbook"]
        limit = offline.max_upload_bytes()
        if workbook.size > limit:
            raise forms.ValidationError(
                _(
                    "The file is %(size)s KB; the limit is %(limit)s KB. Upload the workbook "
                    "downloaded from this page, without pictures or extra sheets."
                )
                % {"size": workbook.size // 1024, "limit": limit // 1024}
            )
        return workbook


def _workbook_reply(invitation, response):
    workbook = offline.build_offline_workbook(invitation, response=response)
    return attachment(
        HttpResponse(workbook, content_type=XLSX_CONTENT_TYPE),
        offline.workbook_filename(invitation),
    )


def _receive(request, invitation, actor):
    """(form, upload): the upload is None until a valid form was posted."""
    form = OfflineUploadForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return form, None
    workbook = form.cleaned_data["workbook"]
    upload = offline_services.offline_upload_receive(
        invitation=invitation, data=workbook.read(), filename=workbook.name, actor=actor
    )
    return OfflineUploadForm(), upload


@never_cache
@with_invitation
def respondent_download(request, invitation):
    response = response_services.response_open(invitation=invitation)
    if response.is_submitted:
        messages.info(request, _("This response has been submitted; its answers are locked."))
        return redirect("surveys:done", invitation.token)
    return _workbook_reply(invitation, response)


@never_cache
@with_invitation
def respondent_upload(request, invitation):
    survey = survey_for(request, invitation)
    form, upload = _receive(request, invitation, actor=None)
    return render(
        request, "surveys/offline.html", {"survey": survey, "form": form, "upload": upload}
    )


def _coordinators_invitation(request, code, invitation_id):
    campaign, _ = access.campaign_for_user(request.user, code, need="is_coordinator")
    return get_object_or_404(
        campaign.invitations.select_related("agency__country", "campaign__questionnaire"),
        pk=invitation_id,
    )


@login_required
@never_cache
def coordinator_download(request, code, invitation_id):
    invitation = _coordinators_invitation(request, code, invitation_id)
    return _workbook_reply(invitation, Response.objects.filter(invitation=invitation).first())


@login_required
@never_cache
def coordinator_upload(request, code, invitation_id):
    invitation = _coordinators_invitation(request, code, invitation_id)
    form, upload = _receive(request, invitation, actor=request.user)
    return render(
        request,
        "surveys/offline_staff.html",
        {
            "invitation": invitation,
            "campaign": invitation.campaign,
            "form": form,
            "upload": upload,
            "uploads": invitation.offline_uploads.select_related("uploaded_by")[:20],
        },
    )
