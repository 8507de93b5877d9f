"""The checked training plan (analysis.plan.Plan) as JSON and CSV records,
for `manage.py training_plan`: the same figures the page and the workbook
show, one agency per object or row. Pure: no database."""

import math

from django.utils.translation import gettext as _

CSV_HEADER = [
    "priority", "code", "title", "need_score", "agency_id", "agency", "country", "kind",
    "competencies", "participants", "participants_assumed", "language",
]  # fmt: skip


def _number(value):
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if math.isnan(number):
        return None
    return int(number) if number.is_integer() else number


def plan_json(plan):
    """{"courses": [...], "preconditions": [...], "covered": [...]}: each
    course with its agencies (id, name, country, kind, the competencies and
    gaps that put it there, participants), each precondition with its
    recommendation, each agency the training registry shows as trained on a
    course or scheduled for it (not counted again)."""
    agencies = {}
    for row in plan.agencies.to_dict("records"):
        agencies.setdefault(row["code"], []).append(
            {
                "id": int(row["agency"]),
                "name": row["agency_name"],
                "country": row["country"],
                "kind": row["kind"],
                "competencies": row["gaps"],
                "participants": int(row["participants"]),
                "participants_assumed": bool(row["assumed"]),
                "language": row["language"],
            }
        )
    courses = []
    for row in plan.courses.to_dict("records"):
        courses.append(
            {
                "code": row["code"],
                "title": row["title"],
                "priority": _number(row["priority"]),
                "need_score": _number(row["need_score"]),
                "audience": row["audience"],
                "level": row["level"],
                "duration_days": _number(row["duration_days"]),
                "participants": _number(row["participants"]),
                "participants_assumed": _number(row["participants_assumed"]),
                "cost_usd": _number(row["cost_usd"]),
                "held_back": _number(row["held_back"]),
                "covered": _number(row["covered"]),
                "cohorts": row["cohorts"],
                "prerequisites": [code for code in row["prerequisites"].split(" → ") if code],
                "agencies": agencies.get(row["code"], []),
            }
        )
    preconditions = [
        {
            "agency": {
                "id": int(row["agency"]),
                "name": row["agency_name"],
                "country": row["country"],
                "kind": row["kind"],
            },
            "question": row["question"],
            "lacking": row["lacking"],
            "recommendation": row["recommendation"],
            "courses": row["courses"].split(),
        }
        for row in plan.preconditions.to_dict("records")
    ]
    covered = [
        {
            "course": row["code"],
            "agency": {
                "id": int(row["agency"]),
                "name": row["agency_name"],
                "country": row["country"],
            },
            "event": row["event"],
        }  # fmt: skip
        for row in plan.covered.to_dict("records")
    ]
    return {"courses": courses, "preconditions": preconditions, "covered": covered}


def plan_csv_rows(plan):
    """One row per course × agency counted for it (CSV_HEADER)."""
    courses = plan.courses.set_index("code")
    for row in plan.agencies.to_dict("records"):
        course = courses.loc[row["code"]]
        yield [
            _number(course["priority"]),
            row["code"],
            course["title"],
            _number(course["need_score"]),
            int(row["agency"]),
            row["agency_name"],
            row["country"],
            row["kind"],
            row["competencies"],
            int(row["participants"]),
            _("assumed") if row["assumed"] else "",
            row["language"],
        ]
