"""The training plan on small hand-computed cases; no database."""

import math
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd
import pytest

from analysis import plan
from analysis.selectors import FRAME_COLUMNS

CATEGORY_COLUMNS = [
    "agency_name", "country", "country_name", "region", "agency_kind", "role", "campaign",
    "question", "domain", "competency", "dimension",
]  # fmt: skip
AGENCIES = {
    # response: (agency, country, country name, region)
    1: (1, "KE", "Kenya", "Africa"),
    2: (2, "NG", "Nigeria", "Africa"),
    3: (3, "KE", "Kenya", "Africa"),
    4: (4, "RO", "Romania", "Europe"),
    5: (5, "FR", "France", "Europe"),
}
# (importance, capability) by competency and response. By hand:
# A-01 gaps 2 1 1 3 2, mean 1.8, mean importance 4.8 → MWDS 8.64
# A-02 gaps 0 3 2 0 1, mean 1.2, mean importance 4.0 → MWDS 4.8
# B-01 gaps 2 2 2 0 0, mean 1.2, mean importance 3.0 → MWDS 3.6
# C-01 one respondent only: suppressed at min_n 3
RATINGS = {
    "A-01": {1: (5, 3), 2: (5, 4), 3: (4, 3), 4: (5, 2), 5: (5, 3)},
    "A-02": {1: (4, 4), 2: (4, 1), 3: (4, 2), 4: (4, 4), 5: (4, 3)},
    "B-01": {1: (3, 1), 2: (3, 1), 3: (3, 1), 4: (3, 3), 5: (3, 3)},
    "C-01": {1: (5, 1)},
}


def make_frame(ratings=RATINGS, agencies=AGENCIES):
    rows = []
    for competency, by_response in ratings.items():
        for response, pair in by_response.items():
            agency, country, country_name, region = agencies[response]
            for dimension, value in zip(("importance", "capability"), pair, strict=True):
                rows.append(
                    {
                        "response": response,
                        "agency": agency,
                        "agency_name": f"Agency {agency}",
                        "country": country,
                        "country_name": country_name,
                        "region": region,
                        "agency_kind": "police",
                        "role": "investigator",
                        "campaign": "R1",
                        "question": f"{competency}_{dimension[:3]}",
                        "domain": competency[0],
                        "competency": competency,
                        "dimension": dimension,
                        "value": str(value),
                        "number": float(value),
                    }
                )
    frame = pd.DataFrame(rows, columns=FRAME_COLUMNS)
    for column in CATEGORY_COLUMNS:
        frame[column] = frame[column].astype("category")
    return frame


def course(code, competencies, prerequisites=(), **extra):
    return {
        "code": code,
        "title": f"Course {code}",
        "audiences": extra.get("audiences", ["investigators"]),
        "level": extra.get("level", "intermediate"),
        "duration_days": extra.get("duration_days", Decimal("2.0")),
        "competencies": list(competencies),
        "prerequisites": list(prerequisites),
    }


CATALOGUE = [
    course("Z", ["Z-99"]),  # no one rated it
    course("AB", ["A-02", "B-01"]),
    course("A1", ["A-01"]),
    course("C", ["C-01"]),  # rated by too few: suppressed
    course("AA2", ["A-02"]),
    course("A2", ["A-02"]),
    course("TIE", ["A-02", "C-01"]),
]


def plan_of(courses=CATALOGUE, frame=None, **options):
    options.setdefault("min_n", 3)
    table = plan.training_plan(make_frame() if frame is None else frame, courses, **options)
    return table.set_index("code", drop=False)


def test_it_has_the_documented_columns_in_order():
    assert list(plan_of().columns) == plan.PLAN_COLUMNS


def test_the_need_score_is_the_mean_mwds_of_the_courses_competencies():
    table = plan_of()

    assert table.at["A1", "need_score"] == pytest.approx(4.8 * 1.8)
    assert table.at["A2", "need_score"] == pytest.approx(4.0 * 1.2)
    assert table.at["AB", "need_score"] == pytest.approx((4.8 + 3.6) / 2)


def test_a_suppressed_competency_is_left_out_of_the_score():
    table = plan_of()

    assert table.at["TIE", "need_score"] == pytest.approx(table.at["A2", "need_score"])


def test_courses_are_ranked_by_score_then_agencies_needing_then_code():
    table = plan_of()

    assert list(table["code"]) == ["A1", "TIE", "A2", "AA2", "AB", "C", "Z"]
    assert list(table["priority"][:5]) == [1, 2, 3, 4, 5]
    # TIE and A2 share a score; TIE is needed by three agencies, A2 by two.
    assert table.at["TIE", "agencies_needing"] == 3
    assert table.at["A2", "agencies_needing"] == 2


def test_a_course_without_data_goes_last_with_no_priority_or_score():
    table = plan_of()

    for code in ("C", "Z"):
        assert pd.isna(table.at[code, "priority"])
        assert math.isnan(table.at[code, "need_score"])
    # C's one respondent still counts as needing it: counts are never hidden.
    assert table.at["C", "agencies_needing"] == 1
    assert table.at["Z", "agencies_needing"] == 0
    assert table.at["Z", "cohorts"] == ""


def test_a_gap_exactly_at_the_threshold_counts_as_a_need():
    # A-01 gaps: response 1 and 5 exactly 2, response 4 is 3.
    assert plan_of().at["A1", "agencies_needing"] == 3
    assert plan_of(threshold=2.5).at["A1", "agencies_needing"] == 1
    assert plan_of(threshold=3).at["A1", "agencies_needing"] == 1
    assert plan_of(threshold=3.5).at["A1", "agencies_needing"] == 0


def test_it_counts_agencies_and_countries_once_each():
    table = plan_of()

    # AB: responses 1 and 3 (Kenya) and 2 (Nigeria).
    assert table.at["AB", "agencies_needing"] == 3
    assert table.at["AB", "countries_needing"] == 2


def test_an_agency_that_answered_twice_is_one_agency():
    agencies = {**AGENCIES, 6: (1, "KE", "Kenya", "Africa")}  # agency 1, a later round
    ratings = {"A-01": {1: (5, 1), 6: (5, 2), 2: (5, 5), 3: (5, 5)}}

    table = plan_of([course("A1", ["A-01"])], make_frame(ratings, agencies))

    assert table.at["A1", "agencies_needing"] == 1
    assert table.at["A1", "participants"] == 2


def test_an_agency_whose_latest_answer_shows_no_need_is_not_counted():
    agencies = {**AGENCIES, 6: (1, "KE", "Kenya", "Africa")}  # agency 1, a later round
    ratings = {"A-01": {1: (5, 1), 6: (5, 5), 2: (5, 5), 3: (5, 5)}}

    table = plan_of([course("A1", ["A-01"])], make_frame(ratings, agencies))

    assert table.at["A1", "agencies_needing"] == 0


def test_without_staff_counts_participants_are_the_assumption_and_say_so():
    table = plan_of(participants_per_agency=3)

    assert table.at["AB", "participants"] == 9
    assert table.at["AB", "participants_assumed"] == 3
    assert table.at["Z", "participants"] == 0
    assert table.at["Z", "participants_assumed"] == 0


def test_cohorts_name_the_countries_of_a_region_with_min_n_agencies_needing():
    table = plan_of(min_n=3)

    assert table.at["AB", "cohorts"] == "Africa: language not given 3 (Kenya, Nigeria)"


def test_cohorts_do_not_name_the_countries_of_a_region_below_min_n():
    table = plan_of(min_n=4)

    assert table.at["AB", "cohorts"] == "Africa: language not given 3"


def test_cohorts_list_the_largest_region_first():
    # A1: response 1 in Africa, responses 4 and 5 in Europe.
    assert plan_of().at["A1", "cohorts"] == (
        "Europe: language not given 2; Africa: language not given 1"
    )


def test_prerequisites_are_the_whole_chain_in_the_order_to_take_them():
    courses = [
        course("FIRST", ["A-01"]),
        course("SECOND", ["A-01"], ["FIRST"]),
        course("THIRD", ["A-01"], ["SECOND"]),
        course("FOURTH", ["A-01"], ["THIRD", "FIRST"]),
    ]

    table = plan_of(courses)

    assert table.at["FIRST", "prerequisites"] == ""
    assert table.at["SECOND", "prerequisites"] == "FIRST"
    assert table.at["FOURTH", "prerequisites"] == "FIRST → SECOND → THIRD"


def test_a_shared_prerequisite_comes_once_and_before_both_that_need_it():
    chain = plan.prerequisite_chain(
        "TOP", {"TOP": ["LEFT", "RIGHT"], "LEFT": ["BASE"], "RIGHT": ["BASE"]}
    )

    assert chain == ["BASE", "LEFT", "RIGHT"]


def test_one_track_of_prerequisites_is_finished_before_the_next_begins():
    prerequisites = {
        "DRK-301": ["UCO-301", "FOR-201"],
        "UCO-301": ["UCO-201"],
        "UCO-201": ["FRS-101"],
        "FOR-201": ["FRS-101"],
    }

    chain = plan.prerequisite_chain("DRK-301", prerequisites)

    assert chain == ["FRS-101", "UCO-201", "UCO-301", "FOR-201"]


def test_a_prerequisite_cycle_is_refused():
    with pytest.raises(ValueError, match="form a cycle: A → B → A"):
        plan.prerequisite_chain("A", {"A": ["B"], "B": ["A"]})


def test_it_shows_audience_and_level_labels_and_the_competency_codes():
    courses = [
        course("AB", ["A-02", "B-01"], audiences=["prosecutors", "judges"], level="advanced")
    ]
    labels = {
        "audience_labels": {"prosecutors": "Prosecutors", "judges": "Judges"},
        "level_labels": {"advanced": "Advanced"},
    }

    row = plan_of(courses, **labels).loc["AB"]

    assert row["audience"] == "Prosecutors, Judges"
    assert row["level"] == "Advanced"
    assert row["competencies"] == "A-02 B-01"
    assert row["duration_days"] == 2.0


@dataclass
class CourseRecord:
    code: str
    title: str
    audiences: list
    level: str
    duration_days: float
    competencies: list
    prerequisites: list = field(default_factory=list)


def test_it_takes_courses_as_dataclasses_too():
    courses = [CourseRecord("A1", "Course A1", ["investigators"], "introductory", 1, ["A-01"])]

    table = plan_of(courses)

    assert table.at["A1", "need_score"] == pytest.approx(8.64)


def test_with_no_answers_every_course_is_listed_without_a_priority():
    table = plan_of(frame=pd.DataFrame(columns=FRAME_COLUMNS))

    assert len(table) == len(CATALOGUE)
    assert table["priority"].isna().all()
    assert (table["agencies_needing"] == 0).all()


def test_the_note_states_the_settings_the_plan_was_computed_with():
    note = plan.plan_note(
        threshold=1.5, min_n=10, participants_per_agency=3, cost_per_participant_day=400
    )

    assert "at least 1.5 points above" in note
    assert "fewer than 10 respondents" in note
    assert "no number, 3 per agency is assumed" in note
    assert "US$400 per participant-day" in note
    assert "at least 2 points above" in plan.plan_note()
