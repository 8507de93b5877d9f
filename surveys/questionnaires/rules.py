"""What the answers given so far mean for the rest: skip logic, what is
missing, progress, and answers as the respondent reads them. Pure
functions of a questionnaire's Structure and a response's answers."""

from surveys.models import Question
from surveys.questionnaires import expressions


def relevance(structure, answers):
    """Question code → whether it applies, given these answers.

    As in ODK, a question that does not apply counts as empty for the
    questions after it, and a section that does not apply hides all its
    questions.
    """
    effective = dict(answers)
    relevant = {}
    for section in structure.sections:
        section_applies = expressions.evaluate(section.relevant, effective)
        for question in structure.questions_by_section[section.pk]:
            applies = section_applies and expressions.evaluate(question.relevant, effective)
            relevant[question.code] = applies
            if not applies:
                effective[question.code] = ""
    return relevant


def section_applies(structure, section, relevant):
    return any(relevant[q.code] for q in structure.questions_by_section[section.pk])


def missing_required(structure, answers, relevant=None):
    """Required questions that apply and have no answer, in questionnaire order."""
    relevant = relevant if relevant is not None else relevance(structure, answers)
    return [
        question
        for question in structure.questions
        if question.required
        and question.type != Question.Type.NOTE
        and relevant[question.code]
        and not answers.get(question.code)
    ]


def section_progress(structure, answers, relevant):
    """Per section that applies: (section, answered, questions to answer)."""
    rows = []
    for section in structure.sections:
        asked = [
            q
            for q in structure.questions_by_section[section.pk]
            if relevant[q.code] and q.type != Question.Type.NOTE
        ]
        if asked:
            answered = sum(1 for q in asked if answers.get(q.code))
            rows.append((section, answered, len(asked)))
    return rows


def answer_display(question, value, choices, text):
    """A stored value as the respondent reads it: choice labels, not names."""
    if not value:
        return ""
    if question.type in (Question.Type.SELECT_ONE, Question.Type.SELECT_MULTIPLE):
        labels = {choice.name: text(choice.label) for choice in choices.get(question.list_name, [])}
        return "; ".join(labels.get(name, name) for name in value.split())
    return value


def answer_copy(structure, answers, relevant, text):
    """The answers by section for the printable copy: [(section, [(question, answer)])]."""
    copy = []
    for section in structure.sections:
        rows = [
            (
                text(q.label) + (f" ({q.get_dimension_display().lower()})" if q.competency else ""),
                answer_display(q, answers.get(q.code, ""), structure.choices, text),
            )
            for q in structure.questions_by_section[section.pk]
            if relevant[q.code] and q.type != Question.Type.NOTE
        ]
        if rows:
            copy.append((text(section.label), rows))
    return copy
