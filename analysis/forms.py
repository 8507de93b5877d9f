from django import forms
from django.utils.translation import gettext, gettext_lazy

from common import languages
from surveys.models import Agency, Choice, Country, Region

from .results import Filters


class DashboardFilterForm(forms.Form):
    """The filters every number and chart on the dashboard obeys."""

    region = forms.ChoiceField(required=False, label=gettext_lazy("Region"))
    country = forms.ChoiceField(required=False, label=gettext_lazy("Country"))
    agency_kind = forms.ChoiceField(required=False, label=gettext_lazy("Kind of agency"))
    role = forms.ChoiceField(required=False, label=gettext_lazy("Respondent role"))

    def __init__(self, data, *, campaign, forced_country=None):
        super().__init__(data)
        invited = Country.objects.filter(agencies__invitations__campaign=campaign).distinct()
        regions = Region.objects.filter(countries__in=invited).distinct().order_by("name")
        self.fields["region"].choices = [("", gettext("All regions"))] + [
            (r.name, r.name) for r in regions
        ]
        self.fields["country"].choices = [("", gettext("All countries"))] + [
            (c.code, c.name) for c in invited.order_by("name")
        ]
        self.fields["agency_kind"].choices = [("", gettext("All kinds"))] + list(
            Agency.Kind.choices
        )
        roles = Choice.objects.filter(
            questionnaire=campaign.questionnaire, list_name="role"
        ).order_by("position")
        questionnaire = campaign.questionnaire
        language = languages.for_reader(questionnaire.languages, questionnaire.default_language)
        self.fields["role"].choices = [("", gettext("All roles"))] + [
            (c.name, c.label.get(language) or c.name) for c in roles
        ]
        self.forced_country = forced_country
        if forced_country:
            del self.fields["region"]
            del self.fields["country"]

    def filters(self):
        """Valid filters; an unknown value (a stale link) is ignored, not an error."""
        values = {}
        for name, field in self.fields.items():
            raw = self.data.get(name, "")
            if raw and raw in {str(value) for value, _ in field.choices}:
                values[name] = raw
        if self.forced_country:
            values["country"] = self.forced_country
        return Filters(**values)
