"""A course's class before it starts, and what changed after it: pure
functions of the participants' answers to the pre-training questionnaire.

Each stage's answers are a list of ClassAnswers (one per participant who
submitted). The profile gives, per competency, the class's importance and
capability (with the share rating capability 1 or 2 "low"), who lacks which
prerequisite course and which tools the class uses. The change per
competency is analysis.compare on the participants' own gaps, paired by
participant (Kirkpatrick levels 2 and 3).

Trainers see the class only, and only when at least `min_n` participants
answered; coordinators also see each participant.
"""

import re
from dataclasses import dataclass, field

import pandas as pd

from analysis.compare import compare_rounds

LOW = 2  # a capability of 1 or 2 is "low"


@dataclass
class ClassAnswers:
    participant: int
    label: str  # the participant's name for coordinators
    ratings: dict = field(default_factory=dict)  # competency → (importance, capability)
    prerequisites: dict = field(default_factory=dict)  # course code → "yes" / "no"
    tools: str = ""


def _mean(values):
    return round(sum(values) / len(values), 2) if values else None


def competency_rows(answers, competencies, min_n):
    """Per competency (code, label): n, importance, capability, gap and the
    share of low capability; the figures empty below `min_n` answers."""
    rows = []
    for code, label in competencies:
        pairs = [a.ratings[code] for a in answers if a.ratings.get(code)]
        importance = [i for i, _ in pairs]
        capability = [c for _, c in pairs]
        row = {"competency": code, "label": label, "n": len(pairs)}
        if len(pairs) >= min_n and pairs:
            row.update(
                importance=_mean(importance),
                capability=_mean(capability),
                gap=_mean([i - c for i, c in pairs]),
                low=round(sum(c <= LOW for c in capability) / len(pairs), 3),
            )
        rows.append(row)
    return rows


def prerequisite_rows(answers, prerequisites):
    """Per prerequisite course (code, label): how many answered, and who said
    they have not completed it."""
    rows = []
    for code, label in prerequisites:
        answered = [a for a in answers if a.prerequisites.get(code) in ("yes", "no")]
        lacking = [a.label for a in answered if a.prerequisites[code] == "no"]
        rows.append({"course": code, "label": label, "n": len(answered), "lacking": lacking})
    return rows


def tool_counts(answers):
    """The tools and systems named, most named first: [(name, participants)].
    Names are split at commas, semicolons and new lines and matched without
    regard to case; the spelling most used is shown."""
    spellings = {}
    for answer in answers:
        named = {
            part.strip().casefold(): part.strip()
            for part in re.split(r"[,;\n]", answer.tools or "")
            if part.strip()
        }
        for key, spelling in named.items():
            spellings.setdefault(key, []).append(spelling)
    shown = [(max(sorted(names), key=names.count), len(names)) for names in spellings.values()]
    return sorted(shown, key=lambda item: (-item[1], item[0].casefold()))


def _pairs(answers):
    rows = [
        {"respondent": a.participant, "competency": code, "importance": i, "capability": c}
        for a in answers
        for code, (i, c) in a.ratings.items()
    ]
    return pd.DataFrame(rows, columns=["respondent", "competency", "importance", "capability"])


def change_rows(before, after, competencies, min_n):
    """Per competency, analysis.compare's columns for the class before and
    after, paired by participant; the competency's label added."""
    table = compare_rounds(_pairs(before), _pairs(after), min_n=min_n)
    labels = dict(competencies)
    order = {code: index for index, (code, _) in enumerate(competencies)}
    table = table[table["competency"].isin(labels)].copy()
    table["label"] = table["competency"].map(labels)
    table["order"] = table["competency"].map(order)
    table = table.sort_values("order").drop(columns="order")
    return table.astype(object).where(table.notna(), None).to_dict("records")
