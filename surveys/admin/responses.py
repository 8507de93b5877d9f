"""Responses and their answers, and offline uploads: one agency's data, so
coordinators only (surveys.access.may_use_admin)."""

from django.contrib import admin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from surveys.admin.base import HistoryAdmin, ModelAdmin, TabularInline
from surveys.models import (
    Answer,
    OfflineUpload,
    Response,
)
from surveys.respond import services as response_services


class AnswerInline(TabularInline):
    model = Answer
    fields = ["question", "value", "updated_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["question__position"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("question")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Response)
class ResponseAdmin(HistoryAdmin):
    list_display = ["invitation", "status", "version", "updated_at", "submitted_at"]
    list_filter = ["status", "invitation__campaign"]
    list_select_related = ["invitation__agency", "invitation__campaign"]
    search_fields = ["invitation__agency__name"]
    readonly_fields = [
        "invitation",
        "status",
        "version",
        "language",
        "last_section",
        "started_at",
        "updated_at",
        "submitted_at",
    ]
    inlines = [AnswerInline]
    actions = ["reopen"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=gettext_lazy("Reopen the selected submitted responses"))
    def reopen(self, request, queryset):
        for response in queryset.filter(status=Response.Status.SUBMITTED):
            response_services.response_reopen(response=response)
        self.message_user(request, _("Reopened the submitted responses among those selected."))


@admin.register(OfflineUpload)
class OfflineUploadAdmin(ModelAdmin):
    list_display = [
        "original_name",
        "invitation",
        "uploaded_at",
        "uploaded_by",
        "outcome",
        "saved_answers",
    ]
    list_filter = ["outcome", "invitation__campaign"]
    list_select_related = ["invitation__agency", "invitation__campaign", "uploaded_by"]
    readonly_fields = [
        "invitation",
        "file",
        "original_name",
        "size",
        "uploaded_at",
        "uploaded_by",
        "outcome",
        "saved_answers",
        "problems",
    ]

    def has_add_permission(self, request):
        return False
