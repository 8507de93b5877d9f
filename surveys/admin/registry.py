"""The training registry: edit an event, or import partners' event files."""

from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from surveys.admin.base import HistoryAdmin, TabularInline, import_counts, upload_page
from surveys.admin.forms import EventUploadForm
from surveys.models import Participant, TrainingEvent
from surveys.registry.events import (
    AUDIENCE_COLUMNS,
    OPTIONAL,
    REQUIRED,
    EventImportError,
    import_events,
    read_events,
)


class ParticipantInline(TabularInline):
    model = Participant
    fields = ["name", "email", "agency", "role", "anonymised_at"]
    readonly_fields = ["anonymised_at"]
    autocomplete_fields = ["agency"]
    extra = 0


def _code_list(columns):
    """Column names as the import page lists them: `a`, `b`, `c`."""
    return format_html_join(", ", "<code>{}</code>", ((column,) for column in columns))


@admin.register(TrainingEvent)
class TrainingEventAdmin(HistoryAdmin):
    inlines = [ParticipantInline]
    list_display = ["provider", "reference", "label", "country", "start_date", "status"]
    list_filter = ["status", "country__region", "provider"]
    search_fields = ["provider", "reference", "title", "course__code", "funder"]
    filter_horizontal = ["agencies"]
    date_hierarchy = "start_date"
    change_list_template = "admin/surveys/trainingevent/change_list.html"

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_events),
                name="surveys_trainingevent_import",
            ),
        ] + super().get_urls()

    def import_events(self, request):
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            return HttpResponse(status=403)
        return upload_page(
            self,
            request,
            form_class=EventUploadForm,
            receive=lambda data: self._receive(request, data["file"]),
            template="admin/surveys/trainingevent/import.html",
            title=_("Import training events from a spreadsheet"),
            columns=_code_list([*REQUIRED, *OPTIONAL]),
            audience_columns=_code_list(AUDIENCE_COLUMNS),
        )

    def _receive(self, request, upload):
        try:
            rows = read_events(upload.read(), upload.name)
        except EventImportError as error:
            return error.problems
        created, updated = import_events(rows)
        read = len(rows)
        messages.success(
            request,
            ngettext(
                "Read %(count)d event from %(file)s: %(created)d created, %(updated)d updated, "
                "%(unchanged)d unchanged.",
                "Read %(count)d events from %(file)s: %(created)d created, %(updated)d updated, "
                "%(unchanged)d unchanged.",
                read,
            )
            % import_counts(upload.name, read, created, updated),
        )
        return redirect("admin:surveys_trainingevent_changelist")
