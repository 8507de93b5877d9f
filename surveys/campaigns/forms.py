"""The coordinators' forms: a campaign, whom to invite."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from surveys.models import Agency, Campaign, Country, Questionnaire, Region, Response


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["code", "name", "questionnaire", "opens_on", "closes_on"]
        widgets = {
            "opens_on": forms.DateInput(attrs={"type": "date"}),
            "closes_on": forms.DateInput(attrs={"type": "date"}),
        }
        labels = {
            "code": _("Code"),
            "name": _("Name"),
            "questionnaire": _("Questionnaire"),
            "opens_on": _("Opens on"),
            "closes_on": _("Closes on"),
        }
        help_texts = {
            "code": _("A short identifier, e.g. TNA-2027 (letters, digits, - and _)."),
            "closes_on": _("Deadline: links stop working after this day"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["questionnaire"].queryset = Questionnaire.objects.filter(
            status=Questionnaire.Status.PUBLISHED
        )
        self.fields["questionnaire"].help_text = _("Only published (frozen) versions can be used.")
        self.helper = FormHelper()
        self.helper.add_input(Submit("create", _("Create the campaign")))

    def clean_questionnaire(self):
        """A campaign's answers point at its questionnaire's questions: once
        any agency has answered, another version would orphan them."""
        questionnaire = self.cleaned_data["questionnaire"]
        campaign = self.instance
        if (
            campaign.pk
            and questionnaire != campaign.questionnaire
            and Response.objects.filter(invitation__campaign=campaign).exists()
        ):
            raise forms.ValidationError(
                _(
                    "Agencies have already answered this campaign's questionnaire, so it can no "
                    "longer change. Start a new campaign on the other version."
                )
            )
        return questionnaire

    def clean(self):
        cleaned = super().clean()
        opens_on, closes_on = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens_on and closes_on and closes_on < opens_on:
            self.add_error("closes_on", _("The campaign cannot close before it opens."))
        return cleaned


class InviteForm(forms.Form):
    """Which agencies to invite: those matching every filter given."""

    regions = forms.ModelMultipleChoiceField(
        queryset=Region.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Regions"),
    )
    countries = forms.ModelMultipleChoiceField(
        queryset=Country.objects.filter(agencies__isnull=False).distinct(),
        required=False,
        label=_("Countries"),
        help_text=_("Countries with registered agencies."),
    )
    kinds = forms.MultipleChoiceField(
        choices=Agency.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Kinds of agency"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("invite", _("Invite the matching agencies")))

    def agencies(self):
        agencies = Agency.objects.select_related("country")
        if self.cleaned_data["regions"]:
            agencies = agencies.filter(country__region__in=self.cleaned_data["regions"])
        if self.cleaned_data["countries"]:
            agencies = agencies.filter(country__in=self.cleaned_data["countries"])
        if self.cleaned_data["kinds"]:
            agencies = agencies.filter(kind__in=self.cleaned_data["kinds"])
        return agencies.order_by("country__name", "name")
