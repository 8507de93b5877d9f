"""The training plan: which courses of the catalogue to run first, for whom.

`build_plan` is a pure function of the answers frame
(analysis.selectors.answers_frame) and the catalogue as plain records (dicts,
or objects with the attributes code, title, audiences, level, duration_days,
competencies, prerequisites and preconditions as codes), so it is tested
without the database; analysis.selectors.course_catalogue reads them.

For a course c covering competencies K_c, over the respondents i who rated
both importance I and capability C:

- an agency **needs** c when, in at least one of its responses,
  I_ik − C_ik ≥ threshold for some k in K_c (default THRESHOLD = 2 points on
  the 1–5 scale; a gap exactly at the threshold counts);
- it is **counted** for c when it also is in c's audience, has every legal
  power and resource c depends on, and has staff to train (see
  analysis.eligibility); one lacking a power or resource is listed under
  preconditions instead;
- **need_score**(c) = mean over k in K_c of MWDS_k, Borich's mean weighted
  discrepancy score (analysis.gaps: MWDS_k = mean over i of (I_ik − C_ik) × Ī_k),
  computed over all respondents, unweighted. Competencies whose n is below
  min_n are suppressed there and left out of the mean; a course with no
  competency left has no score;
- **priority**: 1, 2, … by need_score, highest first; ties go to the course
  more agencies are counted for, then to the code. Courses without a score
  come last, with no priority.
"""

import graphlib
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.utils.translation import gettext as _

from . import eligibility, gaps, plan_text
from .eligibility import PARTICIPANTS_PER_AGENCY, get

THRESHOLD = 2.0
COST_PER_PARTICIPANT_DAY = 250
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
    "cohorts",
    "participants",
    "participants_assumed",
    "cost_usd",
    "held_back",
    "covered",
    "prerequisites",
]
WITHHELD_COLUMNS = [
    "agencies_needing", "countries_needing", "participants", "participants_assumed",
    "held_back", "covered", "cost_usd",
]  # fmt: skip
COVERED_COLUMNS = ["code", "agency", "agency_name", "country", "country_name", "event"]
AGENCY_COLUMNS = [
    "code", "agency", "agency_name", "country", "country_name", "kind", "competencies",
    "participants", "assumed", "language", "gaps",
]  # fmt: skip
PRECONDITION_COLUMNS = [
    "agency", "agency_name", "country", "country_name", "kind", "question", "lacking",
    "recommendation", "courses",
]  # fmt: skip


def plan_note(
    *,
    threshold=THRESHOLD,
    min_n=gaps.DEFAULT_MIN_N,
    participants_per_agency=PARTICIPANTS_PER_AGENCY,
    cost_per_participant_day=COST_PER_PARTICIPANT_DAY,
):
    """How to read the plan, with the settings it was computed with."""
    return plan_text.how_to_read(
        threshold=threshold,
        min_n=min_n,
        participants_per_agency=participants_per_agency,
        cost_per_participant_day=cost_per_participant_day,
    )


_COHORT_COLUMNS = ["response", "agency", "country", "country_name", "region", "participants",
                   "assumed"]  # fmt: skip
_TOLERANCE = 1e-9  # ratings are whole numbers; keep a gap equal to the threshold in


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


@dataclass
class Plan:
    """The checked training plan: `courses` (PLAN_COLUMNS, in priority
    order), `agencies` (AGENCY_COLUMNS: one row per course and agency counted
    for it, in the courses' order) and `preconditions` (PRECONDITION_COLUMNS:
    one row per agency and missing power or resource a needed course depends
    on). For a reader of aggregates only `courses` is shown."""

    courses: pd.DataFrame
    agencies: pd.DataFrame
    preconditions: pd.DataFrame
    covered: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=COVERED_COLUMNS))


def training_plan(frame, courses, **options):
    """The plan's course table (build_plan(...).courses)."""
    return build_plan(frame, courses, **options).courses


def build_plan(
    frame,
    courses,
    *,
    threshold=THRESHOLD,
    min_n=gaps.DEFAULT_MIN_N,
    participants_per_agency=PARTICIPANTS_PER_AGENCY,
    cost_per_participant_day=COST_PER_PARTICIPANT_DAY,
    kind_audiences=None,
    question_labels=None,
    audience_labels=None,
    level_labels=None,
    covered=None,
    blocks=None,
):
    """The checked training plan (Plan).

    See the module docstring for need, need_score and priority, and
    analysis.eligibility for audiences, preconditions, participants and
    cohorts. Course columns: audience, the audience labels; competencies,
    the course's codes; agencies_needing and countries_needing, distinct
    agencies and countries counted for it; cohorts; participants (of which
    participants_assumed come from the planning assumption, for agencies
    that gave no staff count); cost_usd = duration_days × participants ×
    cost_per_participant_day; held_back, agencies that need the course but
    lack a power or resource it depends on; prerequisites, the transitive
    chain of course codes in the order to take them, joined with " → ".
    `covered`: {(agency id, course code): the training event} of the
    training registry: an agency trained on the course lately, or scheduled
    for it, is listed in Plan.covered and not counted (column covered).
    `kind_audiences`: {agency kind: [audience codes]}, by default
    eligibility.DEFAULT_KIND_AUDIENCES. `question_labels`: {code: label} of
    the precondition questions.

    With `blocks` (analysis.disclosure, for a reader of aggregates only):
    a selection that could single out a small group by differencing gets no
    counts at all, MWDS leaves out what the blocks hide, and cohorts leave
    out the regions that could be singled out.
    """
    options = {
        "threshold": threshold, "min_n": min_n, "participants_per_agency": participants_per_agency,
        "cost_per_participant_day": cost_per_participant_day, "kind_audiences": kind_audiences,
        "question_labels": question_labels, "audience_labels": audience_labels,
        "level_labels": level_labels, "covered": covered,
    }  # fmt: skip
    if blocks is not None and not frame.empty and not blocks.publishable(frame["response"]):
        return _withheld(build_plan(frame.iloc[:0], courses, **options))
    hide = blocks.hide(frame, item="competency") if blocks is not None else None
    checks = _Checks(frame, courses, options, _hidden_regions(frame, blocks))
    mwds = _mwds(frame, min_n, hide)
    prerequisites = {get(c, "code"): list(get(c, "prerequisites") or []) for c in courses}
    audience_labels = audience_labels or {}
    level_labels = level_labels or {}

    rows, agencies = [], []
    for course in courses:
        code = get(course, "code")
        competencies = list(get(course, "competencies") or [])
        scores = [float(mwds[k]) for k in competencies if k in mwds.index]
        counted_rows, held_back = checks.course(course)
        counted = pd.DataFrame(
            {name: [row[name] for row in counted_rows] for name in _COHORT_COLUMNS},
            columns=_COHORT_COLUMNS,
        )
        cohorts = checks.cohorts(counted, counted_rows)
        agencies.extend(counted_rows)
        audiences = list(get(course, "audiences") or [])
        days = float(get(course, "duration_days") or 0)
        people = int(counted["participants"].sum())
        rows.append(
            {
                "code": code,
                "title": get(course, "title", ""),
                "audience": ", ".join(str(audience_labels.get(a, a)) for a in audiences),
                "level": str(level_labels.get(get(course, "level"), get(course, "level"))),
                "duration_days": days,
                "need_score": sum(scores) / len(scores) if scores else math.nan,
                "competencies": " ".join(competencies),
                "agencies_needing": counted["agency"].nunique(),
                "countries_needing": counted["country"].nunique(),
                "cohorts": cohorts,
                "participants": people,
                "participants_assumed": int(counted["assumed"].sum()),
                "cost_usd": round(days * people * cost_per_participant_day, 2),
                "held_back": held_back,
                "covered": checks.covered_count(code),
                "prerequisites": " → ".join(prerequisite_chain(code, prerequisites)),
            }
        )
    plan = _ranked(pd.DataFrame(rows, columns=PLAN_COLUMNS[1:]))
    covered_rows = pd.DataFrame(checks.covered_rows, columns=COVERED_COLUMNS)
    return Plan(plan, _agency_rows(agencies, plan), checks.preconditions(), covered_rows)


def _ranked(plan):
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


def _agency_rows(agencies, plan):
    table = pd.DataFrame(agencies, columns=AGENCY_COLUMNS)
    if table.empty:
        return table
    order = {code: index for index, code in enumerate(plan["code"])}
    table["_order"] = table["code"].map(order)
    table = table.sort_values(["_order", "country_name", "agency_name"], kind="stable")
    return table.drop(columns="_order").reset_index(drop=True)


def _mwds(frame, min_n, hide):
    if frame.empty:
        return pd.Series(dtype=float)
    table = gaps.competency_gaps(frame, min_n=min_n, hide=hide)
    mwds = table.loc[~table["suppressed"]].set_index("competency")["mwds"]
    mwds.index = mwds.index.astype(str)
    return mwds


class _Checks:
    """The per-agency checks of one frame, computed once for every course."""

    def __init__(self, frame, courses, options, hidden_regions):
        self.options = options
        self.hidden_regions = hidden_regions
        self.kind_audiences = (
            eligibility.DEFAULT_KIND_AUDIENCES
            if options["kind_audiences"] is None
            else options["kind_audiences"]
        )
        self.labels = options["question_labels"] or {}
        self.profiles = eligibility.agency_profiles(frame).set_index("response", drop=False)
        # An agency that answered several rounds counts once, by its latest answer.
        latest = self.profiles.groupby("agency")["response"].max()
        needs = _needing(frame, options["threshold"])
        self.needs = needs[needs["response"].isin(latest.to_numpy())]
        self.profile = {
            response: {**row, "agency": int(row["agency"])}
            for response, row in self.profiles.to_dict("index").items()
        }
        self._audience_cache = {}
        codes = {code for course in courses for code in get(course, "preconditions") or ()}
        self.answers = eligibility.answers_by_code(frame, codes)
        self.staff = eligibility.staff_counts(frame)
        self.spoken = eligibility.languages(frame)
        self.domains = (
            frame.drop_duplicates("competency").set_index("competency")["domain"].astype(str)
            if not frame.empty
            else pd.Series(dtype=object)
        )
        self.lacking = {}
        self.covered = options["covered"] or {}
        self.covered_rows = []

    def course(self, course):
        """(the agencies counted for `course`, as AGENCY_COLUMNS rows, and
        the number held back by a missing precondition)."""
        code = get(course, "code")
        competencies = [str(k) for k in get(course, "competencies") or []]
        domains = sorted({self.domains[k] for k in competencies if k in self.domains.index})
        needs = self.needs[self.needs["competency"].isin(competencies)]
        needs = needs.sort_values(["response", "competency"], ascending=[False, True])
        gaps_by_response = {}
        for response, competency, gap in zip(
            needs["response"].to_numpy(), needs["competency"].to_numpy(), needs["gap"].to_numpy(),
            strict=True,
        ):  # fmt: skip
            gaps_by_response.setdefault(response, []).append((competency, float(gap)))
        audiences = get(course, "audiences") or []
        preconditions = get(course, "preconditions") or []
        rows, held_back, seen = [], 0, set()
        # An agency that answered in several rounds counts once, by its latest
        # answer (responses in descending order).
        for response, found in gaps_by_response.items():
            profile = self.profile[response]
            agency = profile["agency"]
            if agency in seen:
                continue
            seen.add(agency)
            if not self._in_audience(profile["agency_kind"], profile["role"], audiences):
                continue
            event = self.covered.get((agency, code))
            if event:
                self.covered_rows.append(
                    {"code": code, "agency": agency, "agency_name": profile["agency_name"],
                     "country": profile["country"], "country_name": profile["country_name"],
                     "event": event}
                )  # fmt: skip
                continue
            missing = [
                question
                for question in preconditions
                if self.answers.get((response, question)) == eligibility.NO
            ]
            if missing:
                held_back += 1
                for question in missing:
                    self.lacking.setdefault((response, question), set()).add(code)
                continue
            people, assumed = eligibility.participants(
                response, domains, self.staff, self.options["participants_per_agency"]
            )
            if people <= 0 and not assumed:
                continue
            rows.append(self._row(code, response, profile, found, people, assumed))
        return rows, held_back

    def _in_audience(self, kind, role, audiences):
        key = (kind, role, tuple(audiences))
        if key not in self._audience_cache:
            self._audience_cache[key] = eligibility.in_audience(
                kind, role, audiences, self.kind_audiences
            )
        return self._audience_cache[key]

    def covered_count(self, code):
        return sum(1 for row in self.covered_rows if row["code"] == code)

    def _row(self, code, response, profile, found, people, assumed):
        return {
            "code": code,
            "agency": profile["agency"],
            "agency_name": profile["agency_name"],
            "country": profile["country"],
            "country_name": profile["country_name"],
            "kind": profile["agency_kind"],
            # Translators: a competency code and its gap, such as "DF-01 (gap 3)".
            "competencies": ", ".join(
                _("%(competency)s (gap %(gap)s)") % {"competency": competency, "gap": f"{gap:g}"}
                for competency, gap in found
            ),
            "participants": people,
            "assumed": assumed,
            "language": "",
            "gaps": [{"competency": competency, "gap": gap} for competency, gap in found],
            "response": response,
            "region": profile["region"],
        }

    def cohorts(self, counted, rows):
        """The cohorts text of a course; sets each counted row's language."""
        if counted.empty:
            return ""
        chosen = eligibility.language_of_instruction(counted, self.spoken)
        for row in rows:
            code = chosen.get(row["response"])
            row["language"] = str(eligibility.LANGUAGE_NAMES.get(code, ""))
        return eligibility.cohorts(counted, self.spoken, self.options["min_n"], self.hidden_regions)

    def preconditions(self):
        rows = []
        for (response, question), codes in sorted(self.lacking.items(), key=str):
            profile = self.profile[response]
            label = self.labels.get(question, "")
            rows.append(
                {
                    "agency": profile["agency"],
                    "agency_name": profile["agency_name"],
                    "country": profile["country"],
                    "country_name": profile["country_name"],
                    "kind": profile["agency_kind"],
                    "question": question,
                    "lacking": label,
                    "recommendation": eligibility.recommendation(question, label),
                    "courses": " ".join(sorted(codes)),
                }
            )
        table = pd.DataFrame(rows, columns=PRECONDITION_COLUMNS)
        return table.sort_values(["country_name", "agency_name", "question"]).reset_index(drop=True)


def _withheld(plan):
    """The plan with every figure that comes from the answers left empty."""
    courses = plan.courses
    for column in WITHHELD_COLUMNS:
        courses[column] = pd.array([None] * len(courses), dtype="Int64")
    courses["cohorts"] = ""
    return Plan(courses, plan.agencies.iloc[:0], plan.preconditions.iloc[:0], plan.covered.iloc[:0])


def _hidden_regions(frame, blocks):
    if blocks is None or frame.empty:
        return set()
    regions = frame.drop_duplicates("response").groupby("region", observed=True)["response"]
    return {str(region) for region, members in regions if not blocks.publishable(members)}


def _needing(frame, threshold):
    """One row per response × competency whose gap I − C ≥ threshold:
    response, competency, gap."""
    if frame.empty:
        return pd.DataFrame(columns=["response", "competency", "gap"])
    pairs = gaps.rating_pairs(frame)
    pairs["gap"] = pairs["importance"] - pairs["capability"]
    needing = pairs[pairs["gap"] >= threshold - _TOLERANCE]
    needing = needing[["response", "competency", "gap"]].copy()
    needing["competency"] = needing["competency"].astype(str)
    return needing.reset_index(drop=True)
