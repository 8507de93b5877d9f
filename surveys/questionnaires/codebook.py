"""The trainers' workbook's codebook: every question of the questionnaire,
in its default language, and which of its translations are drafts."""

from django.utils.translation import gettext as _

from common import languages
from surveys.models import localized


def codebook(structure):
    questionnaire = structure.questionnaire
    language = languages.for_reader(questionnaire.languages, questionnaire.default_language)
    rows = []
    for section in structure.sections:
        for question in structure.questions_by_section[section.pk]:
            choices = structure.choices.get(question.list_name, [])
            rows.append(
                {
                    "Code": question.code,
                    "Domain": localized(section.label, language, language),
                    "Type": question.type,
                    "Label": localized(question.label, language, language),
                    "Choices": "; ".join(
                        f"{c.name} = {localized(c.label, language, language)}" for c in choices
                    ),
                    # Translators: the codebook's Required column, for a required question.
                    "Required": _("yes") if question.required else "",
                    "Applies when": question.relevant,
                    "Constraint": question.constraint,
                    "Competency": question.competency,
                    "Dimension": question.dimension,
                    "Source": question.source,
                }
            )
    return rows


def codebook_note(questionnaire):
    """The language of the codebook's labels and the questionnaire's other
    languages, the draft translations named."""
    shown = languages.for_reader(questionnaire.languages, questionnaire.default_language)
    others = [language for language in questionnaire.languages if language != shown]
    note = _("Labels in %(language)s; the questionnaire is also in: %(others)s.") % {
        "language": shown,
        "others": ", ".join(others) or "—",
    }
    if questionnaire.draft_languages:
        note += " " + _("Draft translations, for expert review: %(drafts)s.") % {
            "drafts": ", ".join(questionnaire.draft_languages)
        }
    return note
