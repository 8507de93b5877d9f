"""What the dashboard shows, computed once per campaign and filter.

Results are cached until an answer changes: the cache key carries a stamp of
the campaign's submitted responses (how many, and when the last one changed),
read with one aggregate query. A save, a submission or a reopening moves the
stamp, so nothing stale is ever served.
"""

import hashlib
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max
from django.utils import timezone

from analysis import gaps, plan, selectors
from analysis.workbook import WorkbookData
from surveys.campaigns import selectors as campaign_selectors
from surveys.models import Agency, Question, Response, localized
from surveys.questionnaires import selectors as questionnaire_selectors

CACHE_SECONDS = 60 * 60
BREAKDOWNS = ("region", "agency_kind", "role", "country")


@dataclass(frozen=True)
class Filters:
    region: str = ""
    country: str = ""
    agency_kind: str = ""
    role: str = ""

    def active(self):
        return {key: value for key, value in asdict(self).items() if value}

    def key(self):
        return "|".join(f"{key}={value}" for key, value in sorted(self.active().items()))


def min_cell_size():
    return getattr(settings, "TNA_MIN_N", gaps.DEFAULT_MIN_N)


def data_stamp(campaign):
    stamp = Response.objects.filter(
        invitation__campaign=campaign, status=Response.Status.SUBMITTED
    ).aggregate(count=Count("pk"), changed=Max("updated_at"), submitted=Max("submitted_at"))
    return f"{stamp['count']}:{stamp['changed']}:{stamp['submitted']}"


def _cached(campaign, name, filters, compute):
    raw = f"{campaign.pk}:{data_stamp(campaign)}:{name}:{filters.key()}:{min_cell_size()}"
    key = "tna:" + hashlib.sha256(raw.encode()).hexdigest()
    return cache.get_or_set(key, compute, CACHE_SECONDS)


class Frames:
    """The filtered answers frame, loaded at most once: several results of
    one request (the workbook's tables, plan and answers) share it, and
    none is loaded when every result comes from the cache."""

    def __init__(self, campaign, filters):
        self.campaign, self.filters, self._frame = campaign, filters, None

    def __call__(self):
        if self._frame is None:
            self._frame = _frame(self.campaign, self.filters)
        return self._frame


def _frame(campaign, filters):
    return gaps.filter_frame(selectors.answers_frame([campaign]), **filters.active())


def overview(campaign, filters, frames=None):
    """The dashboard's tables: competencies, domains, domains by region and
    by kind of agency, and the legal-power and resource shares."""

    def compute():
        return overview_tables((frames or Frames(campaign, filters))(), min_cell_size())

    return _cached(campaign, "overview", filters, compute)


def overview_tables(frame, min_n):
    """The dashboard's tables from an answers frame; the ratings are paired
    once for all of them."""
    pairs = gaps.rating_pairs(frame, by=["region", "agency_kind"])
    return {
        "respondents": int(frame["response"].nunique()),
        "competencies": gaps.competency_gaps(frame, min_n=min_n, pairs=pairs),
        "domains": gaps.domain_gaps(frame, min_n=min_n, pairs=pairs),
        "domains_by_region": gaps.domain_gaps(frame, by="region", min_n=min_n, pairs=pairs),
        "domains_by_kind": gaps.domain_gaps(frame, by="agency_kind", min_n=min_n, pairs=pairs),
        "shares": gaps.item_shares(frame, min_n=min_n),
        "shares_by_region": gaps.item_shares(frame, by="region", min_n=min_n),
    }


def breakdowns(campaign, filters):
    """Competency and domain tables by region, kind of agency, role and country."""

    def compute():
        frame = _frame(campaign, filters)
        min_n = min_cell_size()
        pairs = gaps.rating_pairs(frame, by=list(BREAKDOWNS))
        return {
            by: {
                "competencies": gaps.competency_gaps(frame, by=by, min_n=min_n, pairs=pairs),
                "domains": gaps.domain_gaps(frame, by=by, min_n=min_n, pairs=pairs),
            }
            for by in BREAKDOWNS
        }

    return _cached(campaign, "breakdowns", filters, compute)


def training_plan(campaign, filters, frames=None):
    """The course catalogue ranked by the need it meets (analysis.plan)."""

    def compute():
        return plan.training_plan(
            (frames or Frames(campaign, filters))(),
            selectors.course_catalogue(),
            min_n=min_cell_size(),
            **selectors.catalogue_labels(),
        )

    return _cached(campaign, "plan", filters, compute)


def agency_ratings(campaign, filters, competency):
    """Each agency's own two ratings of one competency: for coordinators only."""
    frame = _frame(campaign, filters)
    pairs = gaps.rating_pairs(frame[frame["competency"] == competency])
    agencies = frame.drop_duplicates("response").set_index("response")
    pairs["agency"] = pairs["response"].map(agencies["agency_name"]).astype(str)
    pairs["country"] = pairs["response"].map(agencies["country_name"]).astype(str)
    pairs["gap"] = pairs["importance"] - pairs["capability"]
    return pairs.sort_values(["gap", "agency"], ascending=[False, True])


# The agency's registry entry; the respondent's own answers about their
# role and kind of agency follow among the question columns.
PROFILE_COLUMNS = {
    "response": "response",
    "agency_name": "agency",
    "country_name": "country",
    "region": "region",
    "agency_kind": "registered_kind",
}


def answers_table(campaign, filters, structure, frames=None):
    """One row per submitted response, one column per question code (in the
    questionnaire's order), profile columns first; numeric questions as
    numbers. Returns (table, names of the numeric columns).

    Cells are placed by position into a float matrix (numbers) and an object
    matrix (the few text questions), not pivoted: a million answers take a
    fraction of a second."""
    frame = (frames or Frames(campaign, filters))()
    codes = [q.code for q in structure.questions if q.type != Question.Type.NOTE]
    numeric = [
        q.code for q in structure.questions if q.code in codes and _is_numeric(q, structure.choices)
    ]
    text = [code for code in codes if code not in set(numeric)]
    responses = np.sort(frame["response"].unique())
    row = np.searchsorted(responses, frame["response"].to_numpy())
    questions = frame["question"].astype(str).to_numpy()
    columns = {}
    for names, values, kind in (
        (numeric, frame["number"].to_numpy(), np.float64),
        (text, frame["value"].to_numpy(object), object),
    ):
        position = pd.Index(names).get_indexer(questions)
        present = position >= 0
        matrix = np.full((len(responses), len(names)), np.nan if kind is np.float64 else None,
                         dtype=kind)  # fmt: skip
        matrix[row[present], position[present]] = values[present]
        columns.update({name: matrix[:, index] for index, name in enumerate(names)})
    wide = pd.DataFrame({code: columns[code] for code in codes}, index=responses)
    profile = (
        frame.drop_duplicates("response")
        .set_index("response")[list(PROFILE_COLUMNS)[1:]]
        .astype(str)
        .rename(columns=PROFILE_COLUMNS)
    )
    table = profile.join(wide, how="right").rename_axis("response").reset_index()
    return table, set(numeric) | {"response"}


def _is_numeric(question, choices):
    if question.type in (Question.Type.INTEGER, Question.Type.DECIMAL):
        return True
    if question.type == Question.Type.SELECT_ONE:
        names = [choice.name for choice in choices.get(question.list_name, [])]
        return bool(names) and all(_is_number(name) for name in names)
    return False


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


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
    labels = selectors.question_labels(questionnaire)
    frames = Frames(campaign, filters)
    tables = overview(campaign, filters, frames)
    by_region, _, _ = campaign_selectors.response_rates(campaign, filters.country or None)
    structure = questionnaire_selectors.questionnaire_structure(questionnaire)
    data = WorkbookData(
        campaign_code=campaign.code,
        campaign_name=campaign.name,
        questionnaire=f"{questionnaire.title} ({questionnaire.code} v{questionnaire.version}"
        + (f", form version {questionnaire.form_version})" if questionnaire.form_version else ")"),
        exported_at=timezone.localtime().strftime("%d %B %Y %H:%M %Z"),
        filters={FILTER_NAMES[key]: value for key, value in filters.active().items()},
        min_n=min_cell_size(),
        respondents=tables["respondents"],
        rates=by_region,
        competencies=tables["competencies"],
        statements=labels["competencies"],
        domain_labels=labels["domains"],
        domains_by_region=tables["domains_by_region"],
        domains_by_kind=tables["domains_by_kind"],
        kind_labels=dict(Agency.Kind.choices),
        shares_by_region=tables["shares_by_region"],
        shares=tables["shares"],
        item_labels=labels["items"],
        codebook=codebook(structure),
        plan=training_plan(campaign, filters, frames),
        plan_note=plan.plan_note(min_n=min_cell_size()),
    )
    if include_answers:
        data.answers, data.answer_numeric = answers_table(campaign, filters, structure, frames)
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
