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

from surveys.models import Invitation, Question, Response, Section, localized

from . import gaps, plan
from .selectors import answers_frame

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
    return gaps.filter_frame(answers_frame([campaign]), **filters.active())


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
            plan.courses_from_db(),
            min_n=min_cell_size(),
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


def submissions(campaign, country=None):
    """(submitted_at, region) of each submitted response, and invited counts."""
    responses = Response.objects.filter(
        invitation__campaign=campaign, status=Response.Status.SUBMITTED
    )
    invitations = Invitation.objects.filter(campaign=campaign)
    if country:
        responses = responses.filter(invitation__agency__country__code=country)
        invitations = invitations.filter(agency__country__code=country)
    rows = list(
        responses.order_by("submitted_at").values_list(
            "submitted_at", "invitation__agency__country__region__name"
        )
    )
    invited_by = dict(
        invitations.values_list("agency__country__region__name").annotate(n=Count("pk")).order_by()
    )
    return rows, sum(invited_by.values()), invited_by


def labels(questionnaire):
    """Competency statements, domain names and item questions in the form's
    default language, keyed by code."""
    language = questionnaire.default_language
    competency, items = {}, {}
    for question in Question.objects.filter(questionnaire=questionnaire).exclude(dimension=""):
        text = localized(question.label, language, language)
        if question.competency:
            competency.setdefault(question.competency, text)
        else:
            items[question.code] = text
    domains = {
        section.code: localized(section.label, language, language)
        for section in Section.objects.filter(questionnaire=questionnaire)
    }
    return {"competencies": competency, "domains": domains, "items": items}


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
