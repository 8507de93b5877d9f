"""Questionnaire versions: import and download as XLSForm, publish; their
sections, questions and choices, read-only (a form changes by a new version)."""

from django.contrib import admin, messages
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from common.downloads import XLSX_CONTENT_TYPE, attachment
from surveys.admin.base import ModelAdmin, upload_page
from surveys.admin.forms import (
    XLSFormUploadForm,
)
from surveys.models import (
    Choice,
    Question,
    Questionnaire,
    Section,
)
from surveys.questionnaires import selectors as questionnaire_selectors
from surveys.questionnaires import services as questionnaire_services
from surveys.questionnaires.xlsform import XLSFormError, read_xlsform, write_xlsform


@admin.register(Questionnaire)
class QuestionnaireAdmin(ModelAdmin):
    list_display = [
        "code",
        "version",
        "title",
        "status",
        "question_count",
        "published_at",
        "xlsform",
    ]
    list_filter = ["status", "code"]
    readonly_fields = [
        "code",
        "version",
        "title",
        "form_version",
        "languages",
        "default_language",
        "status",
        "digest",
        "created_at",
        "published_at",
    ]
    actions = ["publish"]
    change_list_template = "admin/surveys/questionnaire/change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(question_count=Count("questions"))

    @admin.display(description=gettext_lazy("questions"), ordering="question_count")
    def question_count(self, obj):
        return obj.question_count

    @admin.display(description="XLSForm")
    def xlsform(self, obj):
        url = reverse("admin:surveys_questionnaire_xlsform", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download"))

    def has_add_permission(self, request):
        return False  # questionnaires come in as XLSForm, through the import page

    @admin.action(description=gettext_lazy("Publish (freeze) the selected versions"))
    def publish(self, request, queryset):
        for questionnaire in queryset:
            questionnaire_services.questionnaire_publish(questionnaire=questionnaire)
        count = queryset.count()
        self.message_user(
            request,
            ngettext(
                "Published %(count)d questionnaire version.",
                "Published %(count)d questionnaire versions.",
                count,
            )
            % {"count": count},
        )

    def get_urls(self):
        return [
            path(
                "<int:pk>/xlsform/",
                self.admin_site.admin_view(self.download_xlsform),
                name="surveys_questionnaire_xlsform",
            ),
            path(
                "import/",
                self.admin_site.admin_view(self.import_xlsform),
                name="surveys_questionnaire_import",
            ),
        ] + super().get_urls()

    def download_xlsform(self, request, pk):
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        questionnaire = get_object_or_404(Questionnaire, pk=pk)
        data = write_xlsform(questionnaire_selectors.definition_from_questionnaire(questionnaire))
        filename = f"{slugify(questionnaire.code)}-v{questionnaire.version}.xlsx"
        return attachment(HttpResponse(data, content_type=XLSX_CONTENT_TYPE), filename)

    def import_xlsform(self, request):
        if not self.has_change_permission(request):
            return HttpResponse(status=403)
        return upload_page(
            self,
            request,
            form_class=XLSFormUploadForm,
            receive=lambda data: self._receive_xlsform(request, data["file"], data["publish"]),
            template="admin/surveys/questionnaire/import.html",
            title=_("Import an XLSForm questionnaire"),
        )

    def _receive_xlsform(self, request, upload, publish):
        try:
            definition = read_xlsform(upload.read(), upload.name)
        except XLSFormError as error:
            return error.problems
        questionnaire, created = questionnaire_services.questionnaire_import(
            definition=definition, publish=publish
        )
        if created:
            messages.success(
                request, _("Imported %(questionnaire)s.") % {"questionnaire": questionnaire}
            )
        else:
            messages.info(
                request,
                _("No change: the form is the same as %(questionnaire)s.")
                % {"questionnaire": questionnaire},
            )
        return redirect("admin:surveys_questionnaire_changelist")


@admin.register(Section)
class SectionAdmin(ModelAdmin):
    list_display = ["code", "questionnaire", "position"]
    list_filter = ["questionnaire"]
    readonly_fields = ["questionnaire", "code", "position", "label", "relevant", "extra"]

    def has_add_permission(self, request):
        return False


@admin.register(Question)
class QuestionAdmin(ModelAdmin):
    list_display = [
        "code",
        "questionnaire",
        "section",
        "type",
        "competency",
        "dimension",
        "required",
    ]
    list_filter = ["questionnaire", "type", "dimension", "section__code"]
    search_fields = ["code", "competency", "source"]
    list_select_related = ["questionnaire", "section"]
    readonly_fields = [
        "questionnaire",
        "section",
        "code",
        "position",
        "type",
        "list_name",
        "label",
        "hint",
        "required",
        "constraint",
        "constraint_message",
        "relevant",
        "competency",
        "dimension",
        "source",
        "extra",
    ]

    def has_add_permission(self, request):
        return False  # a question changes by importing a new version of the form


@admin.register(Choice)
class ChoiceAdmin(ModelAdmin):
    list_display = ["list_name", "name", "questionnaire"]
    list_filter = ["questionnaire", "list_name"]
    readonly_fields = ["questionnaire", "list_name", "name", "position", "label", "extra"]

    def has_add_permission(self, request):
        return False
