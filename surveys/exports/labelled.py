"""A campaign's submitted responses as a labelled dataset for SPSS, Stata, R
and pandas: one row per response, profile columns first, then one variable
per question (a select-multiple question one 0/1 variable per choice).

Variable names are question codes made legal for SPSS and Stata (letters,
digits and _; a letter first; at most 32 characters; unique), the original
code kept in the codebook. Variable labels are the question labels and value
labels the choices, in the questionnaire's default language. Choices with
numeric names keep their number (the rating scale: 1 = "1 – Very low"); the
others are numbered in their order (yes / partly / no as 1 / 2 / 3); "don't
know" is 98 and "not applicable" 99, declared missing."""

import re
from dataclasses import dataclass, field

import pandas as pd

from surveys.models import Answer, Question, Response, localized

DONT_KNOW, NOT_APPLICABLE = 98, 99
SPECIAL = {
    "dont_know": DONT_KNOW, "dk": DONT_KNOW, "do_not_know": DONT_KNOW,
    "na": NOT_APPLICABLE, "not_applicable": NOT_APPLICABLE, "n_a": NOT_APPLICABLE,
}  # fmt: skip
MAX_NAME = 32
PROFILE = [
    ("agency", "Agency"),
    ("country", "Country"),
    ("iso_code", "Country, ISO 3166-1 alpha-3"),
    ("un_region", "UN region (M49)"),
    ("agency_kind", "Kind of agency"),
    ("submitted_at", "Submitted at (UTC)"),
]


@dataclass
class Variable:
    name: str  # legal in SPSS and Stata
    code: str  # the question code, or <code>__<choice>
    label: str
    numeric: bool
    value_labels: dict = field(default_factory=dict)
    missing: list = field(default_factory=list)  # the values declared missing


class Names:
    """Legal, unique variable names: DF-04_imp → DF_04_imp."""

    def __init__(self):
        self.taken = set()

    def __call__(self, code):
        name = re.sub(r"[^A-Za-z0-9_]", "_", code)
        if not re.match(r"[A-Za-z]", name):
            name = "v" + name
        name = name[:MAX_NAME]
        candidate, number = name, 1
        while candidate.lower() in self.taken:
            number += 1
            suffix = f"_{number}"
            candidate = name[: MAX_NAME - len(suffix)] + suffix
        self.taken.add(candidate.lower())
        return candidate


def coding(choices):
    """{choice name: number} for a list of choices."""
    codes, position = {}, 0
    for choice in choices:
        if choice.name in SPECIAL:
            codes[choice.name] = SPECIAL[choice.name]
        elif re.fullmatch(r"-?\d+", choice.name):
            codes[choice.name] = int(choice.name)
        else:
            position += 1
            codes[choice.name] = position
    return codes


def variables(structure):
    """The dataset's variables (profile first) and, per question code, how
    to turn a stored answer into values: {code: (variables, convert)}."""
    language = structure.questionnaire.default_language

    def text(texts):
        return localized(texts, language, language)

    names = Names()
    found = [Variable(names(code), code, label, False) for code, label in PROFILE]
    converters = {}
    for section in structure.sections:
        for question in structure.questions_by_section[section.pk]:
            if question.type == Question.Type.NOTE:
                continue
            label = text(question.label)
            if question.dimension in (Question.Dimension.IMPORTANCE, Question.Dimension.CAPABILITY):
                # The two ratings of a competency share its statement.
                label = f"{label} ({question.dimension})"
            choices = structure.choices.get(question.list_name, [])
            if question.type == Question.Type.SELECT_MULTIPLE:
                for choice in choices:
                    code = f"{question.code}__{choice.name}"
                    found.append(
                        Variable(names(code), code, f"{label}: {text(choice.label)}", True,
                                 {0: "not selected", 1: "selected"})
                    )  # fmt: skip
                converters[question.code] = ("multiple", [c.name for c in choices])
            elif question.type == Question.Type.SELECT_ONE:
                codes = coding(choices)
                value_labels = {codes[c.name]: text(c.label) for c in choices}
                missing = sorted({v for v in codes.values() if v in (DONT_KNOW, NOT_APPLICABLE)})
                found.append(
                    Variable(names(question.code), question.code, label, True, value_labels,
                             missing)
                )  # fmt: skip
                converters[question.code] = ("one", codes)
            else:
                numeric = question.type in (Question.Type.INTEGER, Question.Type.DECIMAL)
                found.append(Variable(names(question.code), question.code, label, numeric))
                converters[question.code] = ("number" if numeric else "text", None)
    return found, converters


def _convert(kind, how, value):
    """{suffix: value} cells for one stored answer."""
    if kind == "one":
        return {"": how.get(value)}
    if kind == "multiple":
        picked = set(value.split())
        return {f"__{name}": int(name in picked) for name in how}
    if kind == "number":
        try:
            return {"": float(value)}
        except ValueError:
            return {"": None}
    return {"": value}


def dataset(campaign, structure):
    """(frame, variables): the campaign's submitted responses, one row each."""
    found, converters = variables(structure)
    by_code = {variable.code: variable.name for variable in found}
    responses = (
        Response.objects.filter(invitation__campaign=campaign, status=Response.Status.SUBMITTED)
        .select_related("invitation__agency__country__region")
        .order_by("invitation__agency__country__name", "invitation__agency__name", "pk")
    )
    rows = {}
    for response in responses:
        agency = response.invitation.agency
        rows[response.pk] = {
            "agency": agency.name,
            "country": agency.country.name,
            "iso_code": agency.country.iso3,
            "un_region": agency.country.region.name,
            "agency_kind": agency.kind,
            "submitted_at": response.submitted_at.strftime("%Y-%m-%d %H:%M")
            if response.submitted_at
            else "",
        }
    answers = Answer.objects.filter(response_id__in=rows).values_list(
        "response_id", "question__code", "value"
    )
    for response_id, code, value in answers.iterator():
        if code not in converters:
            continue
        kind, how = converters[code]
        for suffix, cell in _convert(kind, how, value).items():
            rows[response_id][by_code[code + suffix]] = cell
    multiple = {variable.name for variable in found if variable.numeric and "__" in variable.code}
    frame = pd.DataFrame(list(rows.values()), columns=[variable.name for variable in found])
    for variable in found:
        if variable.name in multiple:
            # A select-multiple question left unanswered stays missing.
            frame[variable.name] = frame[variable.name].astype("float64")
        elif variable.numeric:
            frame[variable.name] = pd.to_numeric(frame[variable.name], errors="coerce")
        else:
            column = frame[variable.name].astype(object)
            frame[variable.name] = column.where(column.notna(), "").astype(str)
    return frame, found
