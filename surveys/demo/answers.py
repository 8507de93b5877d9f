"""Plausible answers for the demo round: ratings whose gaps differ by region
and are widest for emerging threats, profile answers that match the agency,
all respecting the form's skip logic and constraints."""

from datetime import timedelta

from django.utils import timezone

from surveys.models import Question
from surveys.questionnaires import expressions

# Typical capability by region (1–5) so the demo's gaps differ by region.
CAPABILITY_BY_REGION = {"Africa": 2.0, "Americas": 2.6, "Asia": 2.5, "Europe": 3.3, "Oceania": 1.8}
ROLE_BY_KIND = {
    "police": "investigator",
    "specialised_unit": "investigator",
    "prosecution": "prosecutor",
    "judiciary": "judge",
    "ministry": "policy_officer",
    "other": "manager",
}


# The languages of instruction an agency's staff can attend, by country.
LANGUAGES_BY_COUNTRY = {
    "KE": "en", "NG": "en", "ZA": "en", "BR": "pt es", "MX": "es en", "PH": "en",
    "TH": "en other", "IN": "en", "RO": "en fr", "FJ": "en",
}  # fmt: skip
RATED = (Question.Dimension.IMPORTANCE, Question.Dimension.CAPABILITY)


def plausible_answers(structure, sections, agency, rng):
    """Plausible answers that respect the form's skip logic and constraints."""
    answers = {}
    base = CAPABILITY_BY_REGION.get(agency.country.region.name, 2.5)
    for section in sections:
        if not expressions.evaluate(section.relevant, answers):
            continue
        for question in structure.questions_by_section[section.pk]:
            if question.type == Question.Type.NOTE:
                continue
            if not expressions.evaluate(question.relevant, answers):
                continue
            value = _value(question, structure.choices, agency, base, rng)
            if value and question.constraint:
                tries = 0
                while value and not expressions.evaluate(question.constraint, answers, value):
                    tries += 1
                    value = (
                        _value(question, structure.choices, agency, base, rng) if tries < 20 else ""
                    )
            if value:
                answers[question.code] = value
    return answers


def _value(question, choices, agency, base, rng):
    names = [choice.name for choice in choices.get(question.list_name, [])]
    if question.code == "role":
        return ROLE_BY_KIND.get(agency.kind, "manager")
    if question.code == "training_languages" and agency.country.code in LANGUAGES_BY_COUNTRY:
        return LANGUAGES_BY_COUNTRY[agency.country.code]
    if question.code == "agency_kind":
        return agency.kind if agency.kind in names else "other"
    if question.dimension in RATED and "na" in names and rng.random() < 0.02:
        return "na"  # not applicable to the agency's remit
    if question.code.endswith("-staff"):
        return str(rng.randint(2, 25))
    if question.dimension == Question.Dimension.IMPORTANCE:
        return str(min(5, max(1, round(rng.gauss(4.1, 0.8)))))
    if question.dimension == Question.Dimension.CAPABILITY:
        # Emerging threats are where capability lags most.
        lag = 0.6 if question.competency.startswith("ET") else 0.0
        return str(min(5, max(1, round(rng.gauss(base - lag, 0.9)))))
    if question.type == Question.Type.SELECT_ONE:
        weights = [0.2 if name in ("other", "dont_know") else 1 for name in names]
        return rng.choices(names, weights)[0] if names else ""
    if question.type == Question.Type.SELECT_MULTIPLE:
        picked = rng.sample(names, k=min(len(names), rng.randint(1, 3)))
        return " ".join(name for name in names if name in picked)
    if question.type == Question.Type.INTEGER:
        return str(rng.randint(0, 40))
    if question.type == Question.Type.DECIMAL:
        return str(round(rng.uniform(0, 100), 1))
    if question.type == Question.Type.DATE:
        return (timezone.localdate() - timedelta(days=rng.randint(30, 900))).isoformat()
    if question.required:
        return "Liaison officer"
    if question.code.endswith("comment") and rng.random() < 0.3:
        return rng.choice(
            [
                "Training needs to be in our own language and on our own equipment.",
                "We depend on international partners for forensic licences.",
                "Staff rotate often; trained officers leave the unit within two years.",
            ]
        )
    return ""
