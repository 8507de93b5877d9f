"""The coordinator's form to nominate a course participant."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from surveys.models import Agency, Participant
from surveys.registry.classes import role_choices


class ParticipantForm(forms.ModelForm):
    """Only what the follow-ups need: a name to greet, an address to write
    to, the agency and the role."""

    class Meta:
        model = Participant
        fields = ["name", "email", "agency", "role"]
        labels = {
            "name": gettext_lazy("Name"),
            "email": gettext_lazy("Email"),
            "agency": gettext_lazy("Agency"),
        }
        help_texts = {"email": gettext_lazy("The questionnaires' links are sent here.")}

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.event = event
        self.fields["name"].required = True
        self.fields["email"].required = True
        self.fields["agency"].queryset = Agency.objects.select_related("country").order_by(
            "country__name", "name"
        )
        self.fields["role"] = forms.ChoiceField(
            choices=[("", "—"), *role_choices()], label=_("Role")
        )
        self.helper = FormHelper()
        self.helper.form_class = "row g-2 align-items-end"
        self.helper.add_input(Submit("add", _("Add the participant")))

    def save(self, commit=True):
        """The participant's agency takes part in the event (the registry's
        record of who was trained)."""
        participant = super().save(commit)
        if commit:
            participant.event.agencies.add(participant.agency)
        return participant

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        event = self.instance.event
        if event.nominees.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _("%(email)s is already a participant of this event.") % {"email": email}
            )
        return email
