"""Assembles what the campaign workbook shows, from the same cached results
the dashboard uses, so the numbers in both agree."""

from django.utils import timezone

from surveys.campaigns import selectors as campaign_selectors
from surveys.models import Agency, localized
from surveys.questionnaires import selectors as questionnaire_selectors

from . import results
from .plan import plan_note
from .workbook import WorkbookData

FILTER_NAMES = {
    "region": "Region",
    "country": "Country",
    "agency_kind": "Kind of agency",
    "role": "Respondent role",
}


def workbook_data(campaign, filters, *, include_answers):
    """WorkbookData for a campaign and filters. `include_answers` adds the
    Answers sheet, one agency per row: for coordinators only."""
    questionnaire = campaign.questionnaire
    labels = results.labels(questionnaire)
    frames = results.Frames(campaign, filters)
    overview = results.overview(campaign, filters, frames)
    by_region, _, _ = campaign_selectors.response_rates(campaign, filters.country or None)
    structure = questionnaire_selectors.questionnaire_structure(questionnaire)
    data = WorkbookData(
        campaign_code=campaign.code,
        campaign_name=campaign.name,
        questionnaire=f"{questionnaire.title} ({questionnaire.code} v{questionnaire.version}"
        + (f", form version {questionnaire.form_version})" if questionnaire.form_version else ")"),
        exported_at=timezone.localtime().strftime("%d %B %Y %H:%M %Z"),
        filters={FILTER_NAMES[key]: value for key, value in filters.active().items()},
        min_n=results.min_cell_size(),
        respondents=overview["respondents"],
        rates=by_region,
        competencies=overview["competencies"],
        statements=labels["competencies"],
        domain_labels=labels["domains"],
        domains_by_region=overview["domains_by_region"],
        domains_by_kind=overview["domains_by_kind"],
        kind_labels=dict(Agency.Kind.choices),
        shares_by_region=overview["shares_by_region"],
        shares=overview["shares"],
        item_labels=labels["items"],
        codebook=codebook(structure),
        plan=results.training_plan(campaign, filters, frames),
        plan_note=plan_note(min_n=results.min_cell_size()),
    )
    if include_answers:
        data.answers, data.answer_numeric = results.answers_table(
            campaign, filters, structure, frames
        )
    return data


def codebook(structure):
    language = structure.questionnaire.default_language
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
                    "Required": "yes" if question.required else "",
                    "Applies when": question.relevant,
                    "Constraint": question.constraint,
                    "Competency": question.competency,
                    "Dimension": question.dimension,
                    "Source": question.source,
                }
            )
    return rows
