"""A campaign's questionnaire as an XLSForm to collect with elsewhere
(KoboToolbox, ODK Central): the form itself, with a first question that asks
which invited agency answers, so that each row of their export names it."""

from django.utils import translation
from django.utils.translation import gettext as _

from common.languages import interface_code
from surveys.imports.collected import AGENCY_COLUMN, agency_choice_name
from surveys.questionnaires import selectors as questionnaire_selectors
from surveys.questionnaires.xlsform import ChoiceDef, QuestionDef, write_xlsform


def collection_xlsform(campaign) -> bytes:
    """XLSForm workbook bytes: the campaign's questionnaire, its first section
    opening with a required `agency` question whose choice list (`agency`)
    holds the agencies invited to the campaign."""
    definition = questionnaire_selectors.definition_from_questionnaire(campaign.questionnaire)
    invitations = campaign.invitations.filter(participant=None, revoked_at=None).select_related(
        "agency__country"
    )
    agencies = sorted(
        (invitation.agency for invitation in invitations),
        key=lambda agency: (agency.country.name, agency.name),
    )
    label = {}
    for language in definition.languages:
        with translation.override(interface_code(language) or "en"):
            label[language] = _("Which agency are you answering for?")
    question = QuestionDef(code=AGENCY_COLUMN, type="select_one", label=label, required=True)
    question.list_name = AGENCY_COLUMN
    definition.sections[0].questions.insert(0, question)
    definition.choices += [
        ChoiceDef(
            AGENCY_COLUMN,
            agency_choice_name(agency),
            dict.fromkeys(definition.languages, f"{agency.name} ({agency.country.name})"),
        )
        for agency in agencies
    ]
    return write_xlsform(definition)
