from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import slugify
from simple_history.admin import SimpleHistoryAdmin

from common.downloads import XLSX_CONTENT_TYPE, attachment

from . import selectors, services
from .courses import (
    COLUMNS as COURSE_COLUMNS,
)
from .courses import (
    CourseImportError,
    competency_codes,
    course_graph,
    find_cycles,
    import_courses,
    read_courses,
    split_codes,
)
from .forms import CampaignForm
from .models import (
    Agency,
    Answer,
    Campaign,
    Choice,
    Country,
    Course,
    Invitation,
    InvitationLink,
    OfflineUpload,
    Question,
    Questionnaire,
    Region,
    Response,
    Section,
    UserRole,
)
from .xlsform import XLSFormError, read_xlsform, write_xlsform


def _invitation_link(request, token):
    return request.build_absolute_uri(reverse("surveys:start", args=[token]))


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "iso3", "region", "subregion"]
    list_filter = ["region"]
    search_fields = ["name", "code", "iso3"]


@admin.register(Agency)
class AgencyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "country", "kind", "size"]
    list_filter = ["kind", "country__region"]
    search_fields = ["name", "country__name"]
    list_select_related = ["country"]
    autocomplete_fields = ["country"]


class XLSFormUploadForm(forms.Form):
    file = forms.FileField(label="XLSForm workbook (.xlsx)")
    publish = forms.BooleanField(required=False, label="Publish (freeze) this version now")


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
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

    @admin.display(description="questions", ordering="question_count")
    def question_count(self, obj):
        return obj.question_count

    @admin.display(description="XLSForm")
    def xlsform(self, obj):
        url = reverse("admin:surveys_questionnaire_xlsform", args=[obj.pk])
        return format_html('<a href="{}">Download</a>', url)

    def has_add_permission(self, request):
        return False  # questionnaires come in as XLSForm, through the import page

    @admin.action(description="Publish (freeze) the selected versions")
    def publish(self, request, queryset):
        for questionnaire in queryset:
            services.questionnaire_publish(questionnaire=questionnaire)
        self.message_user(request, f"Published {queryset.count()} questionnaire version(s).")

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
        data = write_xlsform(selectors.definition_from_questionnaire(questionnaire))
        filename = f"{slugify(questionnaire.code)}-v{questionnaire.version}.xlsx"
        return attachment(HttpResponse(data, content_type=XLSX_CONTENT_TYPE), filename)

    def import_xlsform(self, request):
        if not self.has_change_permission(request):
            return HttpResponse(status=403)
        form = XLSFormUploadForm(request.POST or None, request.FILES or None)
        problems = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                definition = read_xlsform(upload.read())
            except XLSFormError as error:
                problems = error.problems
            else:
                questionnaire, created = services.questionnaire_import(
                    definition=definition, publish=form.cleaned_data["publish"]
                )
                if created:
                    messages.success(request, f"Imported {questionnaire}.")
                else:
                    messages.info(request, f"No change: the form is the same as {questionnaire}.")
                return redirect("admin:surveys_questionnaire_changelist")
        return render(
            request,
            "admin/surveys/questionnaire/import.html",
            {
                **self.admin_site.each_context(request),
                "title": "Import an XLSForm questionnaire",
                "form": form,
                "problems": problems,
                "opts": self.model._meta,
            },
        )


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["code", "questionnaire", "position"]
    list_filter = ["questionnaire"]
    readonly_fields = ["questionnaire", "code", "position", "label", "relevant", "extra"]

    def has_add_permission(self, request):
        return False


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
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
class ChoiceAdmin(admin.ModelAdmin):
    list_display = ["list_name", "name", "questionnaire"]
    list_filter = ["questionnaire", "list_name"]
    readonly_fields = ["questionnaire", "list_name", "name", "position", "label", "extra"]

    def has_add_permission(self, request):
        return False


class CampaignAdminForm(CampaignForm):
    """The coordinators' campaign form, plus the closing date."""

    class Meta(CampaignForm.Meta):
        fields = [*CampaignForm.Meta.fields, "closed_at"]
        widgets = {}


@admin.register(Campaign)
class CampaignAdmin(SimpleHistoryAdmin):
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

    @admin.display(ordering="invited")
    def invited(self, obj):
        return obj.invited

    @admin.display(ordering="submitted")
    def submitted(self, obj):
        return obj.submitted


class InvitationLinkInline(admin.TabularInline):
    model = InvitationLink
    fields = ["created_at", "revoked_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class InvitationForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ["campaign", "agency"]


@admin.register(Invitation)
class InvitationAdmin(SimpleHistoryAdmin):
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

    @admin.display(ordering="agency__country__name")
    def country(self, obj):
        return obj.agency.country

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        invitation, token = services.invitation_create(campaign=obj.campaign, agency=obj.agency)
        obj.pk = invitation.pk
        messages.success(
            request,
            f"Invitation link for {obj.agency.name} (shown only now, send it to the agency): "
            f"{_invitation_link(request, token)}",
        )

    @admin.action(description="Issue new links (the old links stop working)")
    def issue_new_links(self, request, queryset):
        for invitation in queryset.select_related("agency"):
            token = services.invitation_issue_token(invitation=invitation)
            messages.info(request, f"{invitation.agency.name}: {_invitation_link(request, token)}")

    @admin.action(description="Withdraw the selected links")
    def revoke_links(self, request, queryset):
        for invitation in queryset:
            services.invitation_revoke(invitation=invitation)
        self.message_user(request, f"Withdrew {queryset.count()} link(s).")

    @admin.action(description="Reopen the submitted responses")
    def reopen_responses(self, request, queryset):
        reopened = 0
        for response in Response.objects.filter(
            invitation__in=queryset, status=Response.Status.SUBMITTED
        ):
            services.response_reopen(response=response)
            reopened += 1
        self.message_user(request, f"Reopened {reopened} response(s).")


class AnswerInline(admin.TabularInline):
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
class ResponseAdmin(SimpleHistoryAdmin):
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

    @admin.action(description="Reopen the selected submitted responses")
    def reopen(self, request, queryset):
        for response in queryset.filter(status=Response.Status.SUBMITTED):
            services.response_reopen(response=response)
        self.message_user(request, "Reopened the submitted responses among those selected.")


@admin.register(UserRole)
class UserRoleAdmin(SimpleHistoryAdmin):
    list_display = ["user", "role", "country"]
    list_filter = ["role"]
    autocomplete_fields = ["country"]


@admin.register(OfflineUpload)
class OfflineUploadAdmin(admin.ModelAdmin):
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


class CourseForm(forms.ModelForm):
    competencies = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="Competency codes from the questionnaire, separated by spaces or commas, "
        "e.g. DF-04 DF-05",
    )
    audiences = forms.MultipleChoiceField(
        choices=Course.Audience.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Course
        fields = list(COURSE_COLUMNS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if isinstance(self.initial.get("competencies"), list):
            self.initial["competencies"] = " ".join(self.initial["competencies"])
        if self.instance.pk:
            self.fields["prerequisites"].queryset = Course.objects.exclude(pk=self.instance.pk)

    def clean_competencies(self):
        codes = split_codes(self.cleaned_data["competencies"])
        known = competency_codes()
        unknown = [code for code in codes if code not in known]
        if unknown:
            hint = "" if known else " (no questionnaire with competencies has been imported)"
            raise forms.ValidationError(f"Unknown competency code(s): {', '.join(unknown)}{hint}.")
        if not codes:
            raise forms.ValidationError("Name at least one competency.")
        return codes

    def clean_audiences(self):
        chosen = self.cleaned_data["audiences"]
        return [audience for audience in Course.Audience.values if audience in chosen]

    def clean(self):
        cleaned = super().clean()
        code, prerequisites = cleaned.get("code"), cleaned.get("prerequisites")
        if code and prerequisites is not None:
            # The catalogue as it would be after saving, this course renamed if need be.
            old_code = self.instance.code if self.instance.pk else code
            renamed = {old_code: code}
            graph = {
                renamed.get(other, other): [renamed.get(p, p) for p in required]
                for other, required in course_graph().items()
            }
            graph[code] = [renamed.get(course.code, course.code) for course in prerequisites]
            cycle = next((cycle for cycle in find_cycles(graph) if code in cycle), None)
            if cycle:
                self.add_error(
                    "prerequisites",
                    "These prerequisites would form a cycle: " + " → ".join(cycle),
                )
        return cleaned


class CourseUploadForm(forms.Form):
    file = forms.FileField(label="Course catalogue (.csv or .xlsx)")


@admin.register(Course)
class CourseAdmin(SimpleHistoryAdmin):
    form = CourseForm
    list_display = ["code", "title", "level", "duration_days", "audience_list"]
    list_filter = ["level"]
    search_fields = ["code", "title", "description"]
    filter_horizontal = ["prerequisites"]
    change_list_template = "admin/surveys/course/change_list.html"

    @admin.display(description="audiences")
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
        form = CourseUploadForm(request.POST or None, request.FILES or None)
        problems = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                rows = read_courses(
                    upload.read(), upload.name, known_competencies=competency_codes()
                )
            except CourseImportError as error:
                problems = error.problems
            else:
                created, updated = import_courses(rows)
                messages.success(
                    request,
                    f"Read {len(rows)} courses from {upload.name}: {created} created, "
                    f"{updated} updated, {len(rows) - created - updated} unchanged.",
                )
                return redirect("admin:surveys_course_changelist")
        return render(
            request,
            "admin/surveys/course/import.html",
            {
                **self.admin_site.each_context(request),
                "title": "Import courses from a spreadsheet",
                "form": form,
                "problems": problems,
                "audiences": Course.Audience.values,
                "levels": Course.Level.values,
                "opts": self.model._meta,
            },
        )
