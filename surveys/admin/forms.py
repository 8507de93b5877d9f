"""The admin's forms: uploads, and the campaign, invitation and course editors."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from surveys.campaigns.forms import CampaignForm
from surveys.courses.catalogue import COLUMNS as COURSE_COLUMNS
from surveys.courses.catalogue import (
    competency_codes,
    course_graph,
    find_cycles,
    precondition_codes,
    split_codes,
)
from surveys.models import (
    Course,
    Invitation,
)


class XLSFormUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("XLSForm workbook (.xlsx)"))
    publish = forms.BooleanField(
        required=False, label=gettext_lazy("Publish (freeze) this version now")
    )


class CampaignAdminForm(CampaignForm):
    """The coordinators' campaign form, plus the closing date."""

    class Meta(CampaignForm.Meta):
        fields = [*CampaignForm.Meta.fields, "closed_at"]
        widgets = {}
        labels = {**CampaignForm.Meta.labels, "closed_at": gettext_lazy("Closed at")}


class InvitationForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ["campaign", "agency"]

    def clean(self):
        """One invitation per agency and campaign (a course participant's own
        invitations are made from the event's page)."""
        data = super().clean()
        taken = Invitation.objects.filter(
            campaign=data.get("campaign"), agency=data.get("agency"), participant__isnull=True
        ).exclude(pk=self.instance.pk)
        if data.get("campaign") and data.get("agency") and taken.exists():
            raise forms.ValidationError(
                _("%(agency)s is already invited to %(campaign)s.")
                % {"agency": data["agency"], "campaign": data["campaign"].code}
            )
        return data


class CourseForm(forms.ModelForm):
    competencies = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        label=gettext_lazy("Competencies"),
        help_text=gettext_lazy(
            "Competency codes from the questionnaire, separated by spaces or commas, "
            "e.g. DF-04 DF-05"
        ),
    )
    audiences = forms.MultipleChoiceField(
        choices=Course.Audience.choices,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Audiences"),
    )
    preconditions = forms.CharField(
        required=False,
        widget=forms.TextInput(attrs={"size": 60}),
        label=gettext_lazy("Preconditions"),
        help_text=gettext_lazy(
            "Codes of the yes / partly / no questions on the legal powers or resources "
            "the course depends on, e.g. UC-L01; an agency answering 'no' is advised on them "
            "first and not counted for the course"
        ),
    )

    class Meta:
        model = Course
        fields = list(COURSE_COLUMNS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("competencies", "preconditions"):
            if isinstance(self.initial.get(name), list):
                self.initial[name] = " ".join(self.initial[name])
        if self.instance.pk:
            self.fields["prerequisites"].queryset = Course.objects.exclude(pk=self.instance.pk)

    def clean_competencies(self):
        codes = split_codes(self.cleaned_data["competencies"])
        known = competency_codes()
        unknown = [code for code in codes if code not in known]
        if unknown:
            codes_given = {"codes": ", ".join(unknown)}
            if known:
                message = ngettext(
                    "Unknown competency code: %(codes)s.",
                    "Unknown competency codes: %(codes)s.",
                    len(unknown),
                )
            else:
                message = ngettext(
                    "Unknown competency code: %(codes)s (no questionnaire with competencies "
                    "has been imported).",
                    "Unknown competency codes: %(codes)s (no questionnaire with competencies "
                    "has been imported).",
                    len(unknown),
                )
            raise forms.ValidationError(message % codes_given)
        if not codes:
            raise forms.ValidationError(_("Name at least one competency."))
        return codes

    def clean_preconditions(self):
        codes = split_codes(self.cleaned_data["preconditions"])
        known = precondition_codes()
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise forms.ValidationError(
                ngettext(
                    "Unknown question code: %(codes)s; name yes / partly / no questions of the "
                    "questionnaire, e.g. UC-L01.",
                    "Unknown question codes: %(codes)s; name yes / partly / no questions of the "
                    "questionnaire, e.g. UC-L01.",
                    len(unknown),
                )
                % {"codes": ", ".join(unknown)}
            )
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
                    _("These prerequisites would form a cycle: %(cycle)s")
                    % {"cycle": " → ".join(cycle)},
                )
        return cleaned


class CourseUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Course catalogue (.csv or .xlsx)"))


class EventUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Training events (.csv or .xlsx)"))


class ResponsesImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Export from KoboToolbox or ODK Central (.xlsx or .csv)")
    )
    agency_column = forms.CharField(
        label=gettext_lazy("Agency column"),
        required=False,
        max_length=200,
        help_text=gettext_lazy(
            "The column that names each row's agency. Leave empty for the 'agency' question "
            "of the XLSForm exported for this campaign, or 'agency_name' and 'country' columns."
        ),
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Check only: report what would be imported, write nothing"),
        required=False,
        initial=True,
    )
    overwrite = forms.BooleanField(
        label=gettext_lazy(
            "Overwrite: replace answers already given, and change submitted responses"
        ),
        required=False,
    )
