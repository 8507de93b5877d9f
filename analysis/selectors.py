"""The one way from the database to the analysis.

`answers_frame` is the tidy long DataFrame every table is computed from:
three queries whatever the number of responses (the answers fetched as raw
rows, without building a model instance or dict per answer; the responses
with their agency, country and region; the questions), joined in pandas.
The other reads give what the pure modules need besides: labels, the course
catalogue as plain records, submission times.
"""

from __future__ import annotations

import functools
import itertools
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from django.db import connection
from django.db.models import Count, Max

from common import languages
from surveys.models import (
    Agency,
    Answer,
    Choice,
    Country,
    Course,
    Invitation,
    KindAudience,
    Question,
    Response,
    Section,
    localized,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from surveys.models import Campaign, Questionnaire

FRAME_COLUMNS = [
    "response",
    "agency",
    "agency_name",
    "country",
    "country_name",
    "region",
    "agency_kind",
    "role",
    "campaign",
    "question",
    "domain",
    "competency",
    "dimension",
    "value",
    "number",
]
ROLE_QUESTION = "role"


def _fetch(queryset, columns):
    # No ORDER BY: ordering is not needed and would add columns to DISTINCT.
    sql, params = queryset.order_by().values_list(*columns).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return pd.DataFrame.from_records(cursor.fetchall(), columns=columns)


def answers_frame(campaigns: Iterable[Campaign], responses=None) -> pd.DataFrame:
    """Every answer of the submitted responses of these campaigns, one row each.

    Columns: FRAME_COLUMNS. `value` is the stored text, `number` the value as
    a number where it is one (ratings, counts), else NaN. `role` is the
    respondent's answer to the profile question `role`. `responses` (ids)
    takes those responses, as they stand, instead of the submitted ones: a
    release (analysis.results).

    The descriptive columns are categoricals taken from the small response
    and question tables by position, not joined row by row: for a million
    answers that is most of the difference between one second and three.
    """
    campaign_ids = [campaign.pk for campaign in campaigns]
    submitted = Response.objects.filter(invitation__campaign__in=campaign_ids)
    if responses is None:
        submitted = submitted.filter(status=Response.Status.SUBMITTED)
    else:
        # An empty list would make no SQL at all; id 0 is never used.
        submitted = submitted.filter(pk__in=list(responses) or [0])
    answers = _answers(Answer.objects.filter(response__in=submitted))
    responses = _fetch(
        submitted,
        [
            "id",
            "invitation__agency_id",
            "invitation__agency__name",
            "invitation__agency__country__code",
            "invitation__agency__country__name",
            "invitation__agency__country__region__name",
            "invitation__agency__kind",
            "invitation__campaign__code",
        ],
    ).rename(
        columns={
            "invitation__agency_id": "agency",
            "invitation__agency__name": "agency_name",
            "invitation__agency__country__code": "country",
            "invitation__agency__country__name": "country_name",
            "invitation__agency__country__region__name": "region",
            "invitation__agency__kind": "agency_kind",
            "invitation__campaign__code": "campaign",
        }
    )
    questions = _fetch(
        Question.objects.filter(questionnaire__campaigns__in=campaign_ids).distinct(),
        ["id", "code", "section__code", "competency", "dimension"],
    ).rename(columns={"code": "question", "section__code": "domain"})

    questions = questions.set_index("id")
    responses = responses.set_index("id")
    question_at = questions.index.get_indexer(answers["question_id"])
    response_at = responses.index.get_indexer(answers["response_id"])
    is_role = (question_at >= 0) & (
        questions["question"].to_numpy()[np.maximum(question_at, 0)] == ROLE_QUESTION
    )
    roles = pd.Series(
        answers["value"].to_numpy()[is_role], index=answers["response_id"].to_numpy()[is_role]
    )
    responses["role"] = roles.reindex(responses.index).fillna("").to_numpy()

    columns = {
        "response": answers["response_id"].to_numpy(),
        "agency": responses["agency"].to_numpy()[response_at],
    }
    for name in ("agency_name", "country", "country_name", "region", "agency_kind", "role",
                 "campaign"):  # fmt: skip
        columns[name] = _take(responses[name], response_at)
    for name in ("question", "domain", "competency", "dimension"):
        columns[name] = _take(questions[name], question_at)
    columns["value"] = answers["value"].to_numpy()
    columns["number"] = pd.to_numeric(answers["number"], errors="coerce").astype("float64")
    return pd.DataFrame(columns)[FRAME_COLUMNS]


def _answers(queryset):
    """The answers as columns, in two queries: numbers straight into a float
    array (no Python object per cell), text only for the answers that are not
    numbers. A numeric answer's `value` is its number written back as text,
    as the forms store it ("3", "12.5")."""
    numeric = queryset.filter(number__isnull=False).order_by()
    sql, params = numeric.values_list(
        "response_id", "question_id", "number"
    ).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # Straight from the row tuples into floats, without a nested list.
    numbers = np.fromiter(
        itertools.chain.from_iterable(rows), dtype=np.float64, count=3 * len(rows)
    ).reshape(-1, 3)
    del rows
    text = _fetch(queryset.filter(number__isnull=True), ["response_id", "question_id", "value"])
    # Each distinct number written once (a hash, not a sort of a million).
    codes, distinct = pd.factorize(numbers[:, 2], use_na_sentinel=False)
    written = np.array([_number_text(number) for number in distinct], dtype=object)
    return pd.DataFrame(
        {
            "response_id": np.concatenate(
                [numbers[:, 0].astype(np.int64), text["response_id"].to_numpy(np.int64)]
            ),
            "question_id": np.concatenate(
                [numbers[:, 1].astype(np.int64), text["question_id"].to_numpy(np.int64)]
            ),
            "value": np.concatenate([written[codes.reshape(-1)], text["value"].to_numpy(object)]),
            "number": np.concatenate([numbers[:, 2], np.full(len(text), np.nan)]),
        }
    )


def _number_text(number):
    return str(int(number)) if float(number).is_integer() else repr(float(number))


def _take(column, positions):
    """A categorical of the small table's column, one entry per position."""
    categorical = pd.Categorical(column.fillna(""))
    return pd.Categorical.from_codes(
        categorical.codes[positions], categories=categorical.categories
    )


def question_labels(questionnaire: Questionnaire) -> dict[str, dict[str, str]]:
    """Competency statements, domain names and item questions in the
    reader's language (the form's default where it lacks it), keyed by code."""
    language = languages.for_reader(questionnaire.languages, questionnaire.default_language)
    # A questionnaire's content changes only with its digest: the labels are
    # read once per process, not on every chart and page.
    labels = _labels(questionnaire.pk, questionnaire.digest, questionnaire.created_at, language)
    return {kind: dict(entries) for kind, entries in labels.items()}


@functools.lru_cache(maxsize=32)
def _labels(pk, digest, created_at, language):
    competency, items = {}, {}
    questions = Question.objects.filter(questionnaire_id=pk).exclude(dimension="")
    for code, competency_code, label in questions.values_list("code", "competency", "label"):
        text = localized(label, language, language)
        if competency_code:
            competency.setdefault(competency_code, text)
        else:
            items[code] = text
    domains = {
        code: localized(label, language, language)
        for code, label in Section.objects.filter(questionnaire_id=pk).values_list("code", "label")
    }
    return {"competencies": competency, "domains": domains, "items": items}


def group_labels(campaign: Campaign) -> dict[str, dict[str, str]]:
    """Display names for the values of each grouping: kinds, roles, countries."""
    questionnaire = campaign.questionnaire
    language = languages.for_reader(questionnaire.languages, questionnaire.default_language)
    roles = Choice.objects.filter(questionnaire=campaign.questionnaire, list_name="role")
    countries = Country.objects.filter(agencies__invitations__campaign=campaign).distinct()
    return {
        "agency_kind": dict(Agency.Kind.choices),
        "role": {choice.name: localized(choice.label, language, language) for choice in roles},
        "country": dict(countries.values_list("code", "name")),
    }


def submissions(
    campaign: Campaign, country: str | None = None
) -> tuple[list[tuple], int, dict[str, int]]:
    """(submitted_at, region) of each submitted response, and invited counts:
    (rows, invited, invited by region)."""
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


def course_catalogue() -> list[dict]:
    """The course catalogue as the plain records analysis.plan takes."""
    return [
        {
            "code": course.code,
            "title": course.title,
            "audiences": course.audiences,
            "level": course.level,
            "duration_days": course.duration_days,
            "competencies": course.competencies,
            "prerequisites": sorted(p.code for p in course.prerequisites.all()),
            "preconditions": list(course.preconditions or []),
        }
        for course in Course.objects.prefetch_related("prerequisites").order_by("code")
    ]


def kind_audiences() -> dict[str, list[str]]:
    """{agency kind: [audience codes]} as a coordinator set them in the admin."""
    return dict(KindAudience.objects.values_list("kind", "audiences"))


def precondition_labels(questionnaire: Questionnaire) -> dict[str, str]:
    """{question code: label} of the questions courses may depend on."""
    language = languages.for_reader(questionnaire.languages, questionnaire.default_language)
    return {
        code: localized(label, language, language)
        for code, label in Question.objects.filter(
            questionnaire=questionnaire, type=Question.Type.SELECT_ONE
        ).values_list("code", "label")
    }


def catalogue_labels() -> dict[str, dict[str, str]]:
    """The labels of the catalogue's audience and level codes, as
    analysis.plan.training_plan takes them."""
    return {
        "audience_labels": dict(Course.Audience.choices),
        "level_labels": dict(Course.Level.choices),
    }


def submitted_versions(campaign: Campaign) -> dict:
    """Response id → updated_at of the campaign's submitted responses: what
    analysis.snapshot compares to know which to read again."""
    return dict(
        Response.objects.filter(
            invitation__campaign=campaign, status=Response.Status.SUBMITTED
        ).values_list("pk", "updated_at")
    )


def invitations_stamp(campaign: Campaign) -> str:
    """How many invitations the campaign has and when the last was made: the
    response-rate chart changes with them (analysis.cached_charts)."""
    invited = Invitation.objects.filter(campaign=campaign).aggregate(
        count=Count("pk"), last=Max("created_at")
    )
    return f"{invited['count']}:{invited['last']}"
