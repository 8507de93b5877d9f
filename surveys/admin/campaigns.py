"""Campaigns and invitations: links are shown once, when issued."""

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from surveys.admin.base import HistoryAdmin, TabularInline, upload_page
from surveys.admin.forms import (
    CampaignAdminForm,
    InvitationForm,
    ResponsesImportForm,
)
from surveys.campaigns import services as campaign_services
from surveys.imports.services import ImportRefused, responses_import
from surveys.models import (
    Campaign,
    Invitation,
    InvitationLink,
    Response,
)
from surveys.respond import services as response_services


def _invitation_link(request, token):
    return request.build_absolute_uri(reverse("surveys:start", args=[token]))


@admin.register(Campaign)
class CampaignAdmin(HistoryAdmin):
    form = CampaignAdminForm
    list_display = [
        "code",
        "name",
        "questionnaire",
        "opens_on",
        "closes_on",
        "invited",
        "submitted",
    ]
    search_fields = ["code", "name"]
    list_select_related = ["questionnaire"]
    change_form_template = "admin/surveys/campaign/change_form.html"

    def get_urls(self):
        return [
            path(
                "<int:object_id>/import-responses/",
                self.admin_site.admin_view(self.import_responses),
                name="surveys_campaign_import_responses",
            ),
        ] + super().get_urls()

    def import_responses(self, request, object_id):
        campaign = get_object_or_404(Campaign, pk=object_id)
        if not self.has_change_permission(request, campaign):
            return HttpResponse(status=403)
        reports = []
        return upload_page(
            self,
            request,
            form_class=ResponsesImportForm,
            receive=lambda data: self._receive_responses(request, campaign, data, reports),
            template="admin/surveys/campaign/import_responses.html",
            title=_("Import responses collected elsewhere into %(campaign)s")
            % {"campaign": campaign.code},
            campaign=campaign,
            reports=reports,
        )

    def _receive_responses(self, request, campaign, data, reports):
        """Import (or check) the upload; its report is shown on the page."""
        upload = data["file"]
        try:
            report = responses_import(
                campaign=campaign,
                data=upload.read(),
                filename=upload.name,
                agency_column=data["agency_column"] or None,
                dry_run=data["dry_run"],
                overwrite=data["overwrite"],
                actor=request.user,
            )
        except ImportRefused as error:
            return [str(error)]
        reports.append(report)
        return report.problems

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                invited=Count("invitations"),
                submitted=Count(
                    "invitations", filter=Q(invitations__status=Invitation.Status.SUBMITTED)
                ),
            )
        )

    @admin.display(description=gettext_lazy("invited"), ordering="invited")
    def invited(self, obj):
        return obj.invited

    @admin.display(description=gettext_lazy("submitted"), ordering="submitted")
    def submitted(self, obj):
        return obj.submitted


class InvitationLinkInline(TabularInline):
    model = InvitationLink
    fields = ["created_at", "revoked_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Invitation)
class InvitationAdmin(HistoryAdmin):
    list_display = ["agency", "country", "campaign", "status", "opened_at", "revoked_at"]
    list_filter = ["campaign", "status", "agency__kind", "agency__country__region"]
    search_fields = ["agency__name", "agency__country__name"]
    list_select_related = ["agency__country", "campaign"]
    autocomplete_fields = ["agency"]
    readonly_fields = [
        "status",
        "created_at",
        "opened_at",
        "revoked_at",
        "reminders_sent",
        "last_reminded_at",
    ]
    actions = ["issue_new_links", "revoke_links", "reopen_responses"]
    inlines = [InvitationLinkInline]

    def get_form(self, request, obj=None, **kwargs):
        kwargs["form"] = InvitationForm
        return super().get_form(request, obj, **kwargs)

    @admin.display(description=gettext_lazy("country"), ordering="agency__country__name")
    def country(self, obj):
        return obj.agency.country

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        invitation, token = campaign_services.invitation_create(
            campaign=obj.campaign, agency=obj.agency
        )
        obj.pk = invitation.pk
        messages.success(
            request,
            _("Invitation link for %(agency)s (shown only now, send it to the agency): %(link)s")
            % {"agency": obj.agency.name, "link": _invitation_link(request, token)},
        )

    @admin.action(description=gettext_lazy("Issue new links (the old links stop working)"))
    def issue_new_links(self, request, queryset):
        for invitation in queryset.select_related("agency"):
            token = campaign_services.invitation_issue_token(invitation=invitation)
            messages.info(request, f"{invitation.agency.name}: {_invitation_link(request, token)}")

    @admin.action(description=gettext_lazy("Withdraw the selected links"))
    def revoke_links(self, request, queryset):
        for invitation in queryset:
            campaign_services.invitation_revoke(invitation=invitation)
        count = queryset.count()
        self.message_user(
            request,
            ngettext("Withdrew %(count)d link.", "Withdrew %(count)d links.", count)
            % {"count": count},
        )

    @admin.action(description=gettext_lazy("Reopen the submitted responses"))
    def reopen_responses(self, request, queryset):
        reopened = 0
        for response in Response.objects.filter(
            invitation__in=queryset, status=Response.Status.SUBMITTED
        ):
            response_services.response_reopen(response=response)
            reopened += 1
        self.message_user(
            request,
            ngettext("Reopened %(count)d response.", "Reopened %(count)d responses.", reopened)
            % {"count": reopened},
        )
