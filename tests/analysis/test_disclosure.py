"""Disclosure control: a trainer who requests every view and subtracts one
from another recovers no group smaller than TNA_MIN_N."""

import itertools

import numpy as np
import pandas as pd
import pytest

from analysis import disclosure, gaps, results
from analysis.selectors import answers_frame
from surveys.models import Agency
from tests.conftest import make_agency, submit_ratings

MIN_N = 5
POLICE, PROSECUTION, JUDICIARY = Agency.Kind.POLICE, Agency.Kind.PROSECUTION, Agency.Kind.JUDICIARY
# (country, kind, role, how many agencies): Europe is one country of three
# agencies, as in the review's attack; Asia splits into two small kinds.
AGENCIES = [
    ("KE", POLICE, "investigator", 4),
    ("KE", PROSECUTION, "prosecutor", 3),
    ("NG", POLICE, "investigator", 3),
    ("BR", PROSECUTION, "prosecutor", 5),
    ("IN", POLICE, "investigator", 2),
    ("IN", JUDICIARY, "judge", 3),
    ("RO", POLICE, "investigator", 3),
]
COMPETENCIES = ["DF-01", "DF-02"]
LEVELS = ["region", "country", "agency_kind", "role"]


@pytest.fixture
def frame(campaign):
    number = 0
    for country, kind, role, count in AGENCIES:
        for _ in range(count):
            number += 1
            agency = make_agency(f"Agency {number}", country, kind)
            invitation, _ = results.campaign_services.invitation_create(
                campaign=campaign, agency=agency
            )
            ratings = {k: (1 + (number * 7 + i) % 5, 1 + (number * 3 + i) % 5) for i, k in
                       enumerate(COMPETENCIES)}  # fmt: skip
            submit_ratings(invitation, ratings, role=role)
    return answers_frame([campaign])


def requests(frame):
    """Every filter combination a trainer can ask for: no filter, a region or a
    country, crossed with each kind of agency and each role (or none)."""
    people = frame.drop_duplicates("response")
    places = [{}] + [{"region": r} for r in sorted(people["region"].astype(str).unique())]
    places += [{"country": c} for c in sorted(people["country"].astype(str).unique())]
    kinds = [{}] + [{"agency_kind": k} for k in sorted(people["agency_kind"].astype(str).unique())]
    roles = [{}] + [{"role": r} for r in sorted(people["role"].astype(str).unique())]
    return [{**a, **b, **c} for a, b, c in itertools.product(places, kinds, roles)]


def published(frame, blocks):
    """(responses, competency) of every row a reader sees unsuppressed, over
    every request and every breakdown of it."""
    rows, seen = [], set()
    for filters in requests(frame):
        selected = gaps.filter_frame(frame, **filters)
        selection = frozenset(selected["response"])
        if not selection or selection in seen:
            continue  # the same respondents give the same tables
        seen.add(selection)
        # The competency tables of the dashboard and of its breakdowns, as
        # analysis.results computes them for a reader of aggregates.
        pairs = gaps.rating_pairs(selected, by=list(results.BREAKDOWNS))
        tables = []
        for by in (None, *results.BREAKDOWNS):
            hide = blocks.hide(selected, by=by, item="competency") if blocks else None
            table = gaps.competency_gaps(selected, by=by, min_n=MIN_N, pairs=pairs, hide=hide)
            tables.append((by, table))
        for by, table in tables:
            for _, row in table[~table["suppressed"]].iterrows():
                members = (
                    selected if by is None else selected[selected[by].astype(str) == str(row[by])]
                )
                rows.append((frozenset(members["response"]), row["competency"]))
    return rows


def small_groups(frame):
    """Every group a reader could name (any combination of region, country,
    kind and role) holding 1 to MIN_N − 1 respondents, and every respondent."""
    people = frame.drop_duplicates("response")
    groups = {frozenset([response]) for response in people["response"]}
    for size in range(1, len(LEVELS) + 1):
        for levels in itertools.combinations(LEVELS, size):
            for _, members in people.groupby(list(levels), observed=True):
                if 0 < len(members) < MIN_N:
                    groups.add(frozenset(members["response"]))
    return groups


def recovered(frame, blocks):
    """The (small group, competency) pairs whose sums follow from the
    published ones by adding and subtracting: the group's indicator vector
    lies in the span of the published groups' vectors."""
    people = list(frame.drop_duplicates("response")["response"])
    position = {response: index for index, response in enumerate(people)}

    def vector(group):
        row = np.zeros(len(people))
        row[[position[response] for response in group]] = 1
        return row

    found = []
    views = published(frame, blocks)
    for competency in COMPETENCIES:
        basis = np.array([vector(g) for g, k in set(views) if k == competency])
        rank = np.linalg.matrix_rank(basis) if len(basis) else 0
        for group in small_groups(frame):
            if len(basis) and np.linalg.matrix_rank(np.vstack([basis, vector(group)])) == rank:
                found.append((group, competency))
    return found


@pytest.mark.django_db
def test_without_blocks_differencing_recovers_small_groups(frame):
    # What suppressing table by table gave a trainer before: Europe (3
    # agencies) = everyone − Africa − Americas − Asia, and more.
    assert len(recovered(frame, None)) > 0


@pytest.mark.django_db
def test_a_trainer_who_requests_every_view_and_subtracts_recovers_nothing(frame):
    blocks = results.protection(frame)

    assert recovered(frame, blocks) == []


@pytest.mark.django_db
def test_every_block_holds_at_least_min_n_respondents(frame):
    blocks = disclosure.make_blocks(frame, MIN_N)

    assert blocks.value_counts().min() >= MIN_N
    assert set(blocks.index) == set(frame["response"])


@pytest.mark.django_db
def test_big_enough_groups_stay_published(frame):
    blocks = results.protection(frame)
    people = frame.drop_duplicates("response")

    def publishable(**where):
        members = people
        for column, value in where.items():
            members = members[members[column].astype(str) == value]
        return blocks.publishable(members["response"])

    assert publishable()
    assert publishable(region="Africa")
    assert publishable(region="Asia")
    # Europe (3) is pooled with the smallest region big enough to stand
    # alone, Americas (5): else Europe = (Americas + Europe) − Americas.
    assert not publishable(region="Europe")
    assert not publishable(region="Americas")
    assert not publishable(country="RO")


def test_an_item_answered_by_few_of_a_block_is_hidden_wherever_that_block_is():
    respondents = pd.DataFrame(
        {
            "response": range(10),
            "region": ["A"] * 10,
            "agency_kind": ["x"] * 10,
            "role": ["r"] * 10,
            "country": ["C"] * 10,
        }  # fmt: skip
    )
    blocks = disclosure.Blocks(disclosure.make_blocks(respondents, MIN_N), MIN_N)
    answered = pd.DataFrame({"response": [0, 1], "competency": ["K", "K"]})
    blocks.mark_thin("competency", answered, "competency")
    table = pd.DataFrame({"competency": ["K", "L"], "n": [2, 10]})

    hidden = blocks.hidden(table, respondents, item="competency")

    assert list(hidden) == [True, False]
