import json
import subprocess
import sys
from collections import Counter

import pytest
from django.conf import settings

from benchmark import synthetic
from surveys.models import Agency, Answer, Question, Response

STEPS = ["analysis_frame", "gap_tables", "analysis", "dashboard_charts", "full_workbook"]


@pytest.mark.parametrize("items", [4, 20, 77, 300])
def test_the_synthetic_questionnaire_has_exactly_the_items_asked_for(items):
    definition = synthetic.synthetic_definition(items)

    assert len(definition.questions) == items
    assert len({question.code for question in definition.questions}) == items


def test_the_synthetic_questionnaire_is_mostly_competency_pairs_in_ten_sections():
    definition = synthetic.synthetic_definition(300)

    dimensions = Counter(question.dimension for question in definition.questions)
    rated = Counter(question.competency for question in definition.questions if question.competency)
    assert len(definition.sections) == 10
    assert dimensions == {"importance": 120, "capability": 120, "legal_power": 45, "resource": 15}
    assert len(rated) == 120
    assert set(rated.values()) == {2}


@pytest.mark.django_db
def test_the_synthetic_campaign_has_one_answer_per_response_and_item():
    campaign = synthetic.synthetic_campaign_build(responses=60, items=20, progress=False)

    responses = Response.objects.filter(invitation__campaign=campaign)
    assert responses.filter(status=Response.Status.SUBMITTED).count() == 60
    assert Answer.objects.filter(response__in=responses).count() == 60 * 20
    assert Question.objects.filter(questionnaire=campaign.questionnaire).count() == 20
    agencies = responses.values_list("invitation__agency__country__region__name", flat=True)
    assert len(set(agencies)) == 5


def build_and_read_back(responses, items):
    campaign = synthetic.synthetic_campaign_build(responses=responses, items=items, progress=False)
    values = list(
        Answer.objects.filter(response__invitation__campaign=campaign)
        .order_by("response__invitation__agency__name", "question__position")
        .values_list("response__invitation__agency__country__code", "value")
    )
    agencies = list(campaign.invitations.values_list("agency_id", flat=True))
    campaign.delete()
    Agency.objects.filter(pk__in=agencies).delete()
    return values


@pytest.mark.django_db
def test_the_synthetic_campaign_is_the_same_every_time():
    first = build_and_read_back(8, 10)

    assert build_and_read_back(8, 10) == first
    assert len(set(first)) > 10


# The whole command, end to end. Not a timed test: its figures are reported,
# never asserted, and the limit below only stops a run that hangs.
@pytest.mark.benchmark
def test_the_command_measures_every_step_and_loses_no_answer(tmp_path):
    output = tmp_path / "benchmark.json"

    finished = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "benchmark",
            "--responses",
            "30",
            "--items",
            "20",
            "--load-seconds",
            "3",
            "--concurrency",
            "2",
            "--json",
            str(output),
        ],  # fmt: skip
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=900,
    )

    assert finished.returncode == 0, finished.stderr[-3000:]
    report = json.loads(output.read_text())
    assert list(report["steps"]) == STEPS
    for step in report["steps"].values():
        assert step["seconds"] > 0
        assert step["label"] in finished.stdout
    answers = report["load"]["answers"]
    assert answers["sent"] > 0
    assert answers["lost"] == 0
    assert report["load"]["errors"] == 0
    assert "survey under load" in finished.stdout
    assert all(target["name"] in finished.stdout for target in report["targets"])
    for key in ("dashboard_filter_warm", "dashboard_filter_cold", "charts_uncached",
                "charts_cached", "rounds_compared_5"):  # fmt: skip
        assert report[key]["seconds"] > 0, key
    assert report["rounds_compared_5"]["rounds"] == 5
    assert report["two_servers"] == {"skipped": "needs PostgreSQL (--database-url) and Redis"}
    assert "\r" not in finished.stderr  # no progress bar redrawn into a log


def survey_load_report(people, p95, lost):
    timings = {"p50": 20.0, "p95": p95, "max": 300.0, "count": 40}
    answers = {"sent": 90, "stored": 90 - lost, "mismatches": lost, "lost": lost}
    return {"respondents": people, "seconds": 30.0, "server": "gunicorn", "errors": 0,
            "save_post_ms": timings, "section_get_ms": timings, "requests_per_second": 9.0,
            "answers": answers}  # fmt: skip


def test_the_busier_postgresql_load_has_targets_of_its_own():
    from benchmark.report import targets
    from benchmark.steps import Measure, Reference

    floor = Reference("floor", "dump", 4.0)
    steps = [
        Measure("analysis", "analysis", 1.0, 10.0),
        Measure("full_workbook", "workbook", 5.0, 100.0, references=[floor]),
    ]

    found = {target.key: target for target in targets(
        steps, survey_load_report(20, 80.0, 0), None, survey_load_report(50, 140.0, 2)
    )}  # fmt: skip

    assert found["save_p95"].met and found["lost_answers"].met
    assert not found["save_p95_busy"].met and found["save_p95_busy"].measured == "140 ms"
    assert found["save_p95_busy"].name == "section save p95, 50 respondents"
    assert not found["lost_answers_busy"].met
    assert found["lost_answers_busy"].measured == "2 of 90 sent"
    alone = {target.key for target in targets(steps, survey_load_report(20, 80.0, 0))}
    assert "save_p95_busy" not in alone
