"""The one way from the database to the analysis: a tidy long DataFrame.

Three queries whatever the number of responses: the answers (fetched as raw
rows, without building a model instance or dict per answer), the responses
with their agency, country and region, and the questions. They are joined in
pandas.
"""

import pandas as pd
from django.db import connection

from surveys.models import Answer, Question, Response

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
_CATEGORIES = [
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
]


def _fetch(queryset, columns):
    # No ORDER BY: ordering is not needed and would add columns to DISTINCT.
    sql, params = queryset.order_by().values_list(*columns).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return pd.DataFrame.from_records(cursor.fetchall(), columns=columns)


def answers_frame(campaigns):
    """Every answer of the submitted responses of these campaigns, one row each.

    Columns: FRAME_COLUMNS. `value` is the stored text, `number` the value as
    a number where it is one (ratings, counts), else NaN. `role` is the
    respondent's answer to the profile question `role`.
    """
    campaign_ids = [campaign.pk for campaign in campaigns]
    submitted = Response.objects.filter(
        invitation__campaign__in=campaign_ids, status=Response.Status.SUBMITTED
    )
    answers = _fetch(
        Answer.objects.filter(response__in=submitted),
        ["response_id", "question_id", "value", "number"],
    )
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
            "id": "response_id",
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
    ).rename(columns={"id": "question_id", "code": "question", "section__code": "domain"})
    frame = answers.merge(questions, on="question_id", how="left").merge(
        responses, on="response_id", how="inner"
    )
    roles = frame.loc[frame["question"] == ROLE_QUESTION, ["response_id", "value"]]
    frame = frame.merge(roles.rename(columns={"value": "role"}), on="response_id", how="left")
    frame["role"] = frame["role"].fillna("")
    frame = frame.rename(columns={"response_id": "response"})
    frame["number"] = pd.to_numeric(frame["number"], errors="coerce").astype("float64")
    for column in _CATEGORIES:
        frame[column] = frame[column].astype("category")
    return frame[FRAME_COLUMNS].reset_index(drop=True)
