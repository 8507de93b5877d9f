"""The training plan: which courses of the catalogue to run first, for whom.

`training_plan` is a pure function of the answers frame
(analysis.selectors.answers_frame) and the catalogue as plain records (dicts,
or objects with the attributes code, title, audiences, level, duration_days,
competencies and prerequisites as codes), so it is tested without the
database; analysis.selectors.course_catalogue reads them.

For a course c covering competencies K_c, over the respondents i who rated
both importance I and capability C:

- an agency **needs** c when, in at least one of its responses,
  I_ik − C_ik ≥ threshold for some k in K_c (default THRESHOLD = 2 points on
  the 1–5 scale; a gap exactly at the threshold counts);
- **need_score**(c) = mean over k in K_c of MWDS_k, Borich's mean weighted
  discrepancy score (analysis.gaps: MWDS_k = mean over i of (I_ik − C_ik) × Ī_k),
  computed over all respondents. Competencies whose n is below min_n are
  suppressed there and left out of the mean; a course with no competency
  left has no score;
- **priority**: 1, 2, … by need_score, highest first; ties go to the course
  more agencies need, then to the code. Courses without a score come last,
  with no priority.
"""

import graphlib
import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from . import gaps

THRESHOLD = 2.0
PARTICIPANTS_PER_AGENCY = 2
PLAN_COLUMNS = [
    "priority",
    "code",
    "title",
    "audience",
    "level",
    "duration_days",
    "need_score",
    "competencies",
    "agencies_needing",
    "countries_needing",
    "regional_cohorts",
    "estimated_participants",
    "prerequisites",
]


def plan_note(
    *,
    threshold=THRESHOLD,
    min_n=gaps.DEFAULT_MIN_N,
    participants_per_agency=PARTICIPANTS_PER_AGENCY,
):
    """How to read the plan, with the settings it was computed with."""
    return (
        "How to read the training plan. An agency needs a course when, for at least one of "
        f"the competencies the course builds, it rated importance at least {threshold:g} "
        "points above its current capability (1–5 scale). need_score is the mean, over the "
        "course's competencies, of Borich's mean weighted discrepancy score (MWDS = mean of "
        "(importance − capability) × mean importance, over all respondents); competencies "
        f"rated by fewer than {min_n} respondents are left out, and a course with none left "
        "has no score and no priority. Priority 1 is the highest score; ties go to the course "
        "more agencies need, then to the code. Regional cohorts group the agencies that need a "
        "course by UN region, largest first; a region's countries are named only when at "
        f"least {min_n} of its agencies need the course, because which country lacks capacity "
        "is sensitive. estimated_participants = agencies needing × "
        f"{participants_per_agency} participants per agency (a planning assumption). "
        "Prerequisites lists every course to take first, in the order to take them."
    )


PLAN_NOTE = plan_note()

HIDDEN_REGIONS = "other regions not shown (too few respondents to publish)"
_TOLERANCE = 1e-9  # ratings are whole numbers; keep a gap equal to the threshold in


def _get(course, name, default=None):
    if isinstance(course, Mapping):
        return course.get(name, default)
    return getattr(course, name, default)


def prerequisite_chain(code, prerequisites):
    """Every course to take before `code`, each after its own prerequisites.

    `prerequisites`: {code: [prerequisite codes]}. A topological order
    (graphlib) of the courses `code` needs, directly or through others. Of
    the courses ready to take at one time, the one met first when following
    the lists in their given order, depth first, comes first: a track is
    finished before the next begins (FRS-101 → UCO-201 → UCO-301 → FOR-201
    for a course that lists UCO-301, then FOR-201). A cycle raises
    ValueError naming it.
    """
    rank, stack = {}, [code]
    while stack:
        current = stack.pop()
        if current not in rank:
            rank[current] = len(rank)
            stack.extend(reversed(prerequisites.get(current, ())))
    sorter = graphlib.TopologicalSorter({course: prerequisites.get(course, ()) for course in rank})
    try:
        sorter.prepare()
    except graphlib.CycleError as error:
        cycle = " → ".join(reversed(error.args[1]))
        raise ValueError(f"the prerequisites of {code} form a cycle: {cycle}") from error
    chain, ready = [], []
    while sorter.is_active():
        ready = sorted([*ready, *sorter.get_ready()], key=rank.get)
        course = ready.pop(0)
        sorter.done(course)
        chain.append(course)
    return [course for course in chain if course != code]


def regional_cohorts(needing, min_n, hidden_regions=()):
    """'Africa: Kenya, Nigeria (7 agencies); Europe: 3 agencies (countries not
    named below 5)' from the needing agencies (columns agency, country_name,
    region). A region's countries are named only when at least min_n of its
    agencies need the course. Regions by number of agencies, then name;
    `hidden_regions` (that could be singled out by differencing, for a
    reader of aggregates only) are not shown at all."""
    if needing.empty:
        return ""
    counts = needing.groupby("region", observed=True)["agency"].nunique()
    order = sorted(counts.index, key=lambda region: (-counts[region], str(region)))
    parts = []
    hidden = [region for region in order if str(region) in hidden_regions]
    for region in (region for region in order if region not in hidden):
        agencies = int(counts[region])
        noun = "agency" if agencies == 1 else "agencies"
        if agencies >= min_n:
            names = needing.loc[needing["region"] == region, "country_name"].astype(str)
            parts.append(f"{region}: {', '.join(sorted(set(names)))} ({agencies} {noun})")
        else:
            parts.append(f"{region}: {agencies} {noun} (countries not named below {min_n})")
    if hidden:
        parts.append(HIDDEN_REGIONS)
    return "; ".join(parts)


def training_plan(
    frame,
    courses,
    *,
    threshold=THRESHOLD,
    min_n=gaps.DEFAULT_MIN_N,
    participants_per_agency=PARTICIPANTS_PER_AGENCY,
    audience_labels=None,
    level_labels=None,
    blocks=None,
):
    """The training plan: one row per course, PLAN_COLUMNS, in priority order.

    See the module docstring for need, need_score and priority. The other
    columns: audience, the audience labels; competencies, the course's codes;
    agencies_needing and countries_needing, distinct agencies and countries
    that need it (counts are shown whatever their size); regional_cohorts
    (see regional_cohorts); estimated_participants = agencies_needing ×
    participants_per_agency; prerequisites, the transitive chain of course
    codes in the order to take them, joined with " → ". Audiences and level
    are shown through `audience_labels` and `level_labels` where given.

    With `blocks` (analysis.disclosure, for a reader of aggregates only):
    a selection that could single out a small group by differencing gets no
    scores and no counts at all, MWDS leaves out what the blocks hide, and
    regional cohorts leave out the regions that could be singled out.
    """
    if blocks is not None and not frame.empty and not blocks.publishable(frame["response"]):
        return _withheld(training_plan(frame.iloc[:0], courses, **_labels(locals())))
    hide = blocks.hide(frame, item="competency") if blocks is not None else None
    hidden_regions = _hidden_regions(frame, blocks)
    gap_table = gaps.competency_gaps(frame, min_n=min_n, hide=hide) if not frame.empty else None
    mwds = (
        gap_table.loc[~gap_table["suppressed"]].set_index("competency")["mwds"]
        if gap_table is not None
        else pd.Series(dtype=float)
    )
    mwds.index = mwds.index.astype(str)
    needs = _needing_agencies(frame, threshold)
    prerequisites = {
        _get(course, "code"): list(_get(course, "prerequisites") or []) for course in courses
    }
    audience_labels = audience_labels or {}
    level_labels = level_labels or {}

    rows = []
    for course in courses:
        code = _get(course, "code")
        competencies = list(_get(course, "competencies") or [])
        scores = [float(mwds[k]) for k in competencies if k in mwds.index]
        needing = needs[needs["competency"].isin(competencies)].drop_duplicates("agency")
        audiences = list(_get(course, "audiences") or [])
        rows.append(
            {
                "code": code,
                "title": _get(course, "title", ""),
                "audience": ", ".join(str(audience_labels.get(a, a)) for a in audiences),
                "level": str(level_labels.get(_get(course, "level"), _get(course, "level"))),
                "duration_days": float(_get(course, "duration_days") or 0),
                "need_score": sum(scores) / len(scores) if scores else math.nan,
                "competencies": " ".join(competencies),
                "agencies_needing": needing["agency"].nunique(),
                "countries_needing": needing["country"].nunique(),
                "regional_cohorts": regional_cohorts(needing, min_n, hidden_regions),
                "estimated_participants": needing["agency"].nunique() * participants_per_agency,
                "prerequisites": " → ".join(prerequisite_chain(code, prerequisites)),
            }
        )
    plan = pd.DataFrame(rows, columns=PLAN_COLUMNS[1:])
    if plan.empty:
        return pd.DataFrame(columns=PLAN_COLUMNS)
    # Equal scores reached along different float paths may differ in the last
    # bits; compare them at a precision no rating scale reaches (as gaps does).
    plan["_score"] = plan["need_score"].round(9)
    plan = plan.sort_values(
        ["_score", "agencies_needing", "code"],
        ascending=[False, False, True],
        na_position="last",
        kind="stable",
    ).drop(columns="_score")
    scored = plan["need_score"].notna().to_numpy()
    priority = pd.array([None] * len(plan), dtype="Int64")
    priority[scored] = np.arange(1, int(scored.sum()) + 1)
    plan.insert(0, "priority", priority)
    return plan[PLAN_COLUMNS].reset_index(drop=True)


def _labels(arguments):
    return {name: arguments[name] for name in ("audience_labels", "level_labels")}


def _withheld(plan):
    """The plan with every figure that comes from the answers left empty."""
    for column in ("agencies_needing", "countries_needing", "estimated_participants"):
        plan[column] = pd.array([None] * len(plan), dtype="Int64")
    plan["regional_cohorts"] = ""
    return plan


def _hidden_regions(frame, blocks):
    if blocks is None or frame.empty:
        return set()
    regions = frame.drop_duplicates("response").groupby("region", observed=True)["response"]
    return {str(region) for region, members in regions if not blocks.publishable(members)}


def _needing_agencies(frame, threshold):
    """One row per response × competency whose gap I − C ≥ threshold, with
    the agency, country, country_name and region of the response."""
    columns = ["competency", "agency", "country", "country_name", "region"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    pairs = gaps.rating_pairs(frame)
    wide = pairs[pairs["importance"] - pairs["capability"] >= threshold - _TOLERANCE]
    who = frame[["response", "agency", "country", "country_name", "region"]].drop_duplicates(
        "response"
    )
    needing = wide[["response", "competency"]].merge(who, on="response", how="left")
    for column in ("competency", "country", "country_name", "region"):
        needing[column] = needing[column].astype(str)
    return needing[columns]
