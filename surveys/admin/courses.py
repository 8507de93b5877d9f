"""The course catalogue: edit a course, or import the whole catalogue."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from surveys.admin.base import HistoryAdmin, import_counts, upload_page
from surveys.admin.forms import (
    CourseForm,
    CourseUploadForm,
)
from surveys.courses.catalogue import (
    CourseImportError,
    competency_codes,
    import_courses,
    read_courses,
)
from surveys.models import (
    Course,
    KindAudience,
)


@admin.register(Course)
class CourseAdmin(HistoryAdmin):
    form = CourseForm
    list_display = ["code", "title", "level", "duration_days", "audience_list"]
    list_filter = ["level"]
    search_fields = ["code", "title", "description"]
    filter_horizontal = ["prerequisites"]
    change_list_template = "admin/surveys/course/change_list.html"

    @admin.display(description=gettext_lazy("audiences"))
    def audience_list(self, obj):
        labels = dict(Course.Audience.choices)
        return ", ".join(str(labels.get(audience, audience)) for audience in obj.audiences)

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_courses),
                name="surveys_course_import",
            ),
        ] + super().get_urls()

    def import_courses(self, request):
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            return HttpResponse(status=403)
        return upload_page(
            self,
            request,
            form_class=CourseUploadForm,
            receive=lambda data: self._receive_catalogue(request, data["file"]),
            template="admin/surveys/course/import.html",
            title=_("Import courses from a spreadsheet"),
            audiences=Course.Audience.values,
            levels=Course.Level.values,
        )

    def _receive_catalogue(self, request, upload):
        try:
            rows = read_courses(upload.read(), upload.name, known_competencies=competency_codes())
        except CourseImportError as error:
            return error.problems
        created, updated = import_courses(rows)
        read = len(rows)
        messages.success(
            request,
            ngettext(
                "Read %(count)d course from %(file)s: %(created)d created, %(updated)d updated, "
                "%(unchanged)d unchanged.",
                "Read %(count)d courses from %(file)s: %(created)d created, %(updated)d updated, "
                "%(unchanged)d unchanged.",
                read,
            )
            % import_counts(upload.name, read, created, updated),
        )
        return redirect("admin:surveys_course_changelist")


class KindAudienceForm(forms.ModelForm):
    audiences = forms.MultipleChoiceField(
        choices=Course.Audience.choices,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Audiences"),
        help_text=gettext_lazy(
            "The course audiences agencies of this kind are trained as. A kind left "
            "without a row takes its respondent's role, or any audience."
        ),
    )

    class Meta:
        model = KindAudience
        fields = ["kind", "audiences"]


@admin.register(KindAudience)
class KindAudienceAdmin(HistoryAdmin):
    form = KindAudienceForm
    list_display = ["kind", "audience_list"]

    @admin.display(description=gettext_lazy("audiences"))
    def audience_list(self, obj):
        labels = dict(Course.Audience.choices)
        return ", ".join(str(labels.get(audience, audience)) for audience in obj.audiences)
