"""Reading a filled offline workbook back, cell by cell, as the online form checks."""

import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.spreadsheets import UnsafeWorkbook, open_workbook
from surveys.models import Question
from surveys.offline.binding import (
    ANSWER_COLUMN,
    CODE_COLUMN,
    MULTIPLE_SEPARATOR,
    OTHER_INVITATION,
    Binding,
    WorkbookRefused,
    read_binding,
    refused,
    unreadable,
)
from surveys.offline.build import max_upload_bytes
from surveys.offline.words import condition_in_words
from surveys.questionnaires import rules
from surveys.questionnaires import selectors as questionnaire_selectors
from surveys.respond.forms import SectionForm


@dataclass(frozen=True)
class Problem:
    """Something about one cell (or, without sheet and cell, the whole file)."""

    message: str
    sheet: str = ""
    cell: str = ""

    def __str__(self):
        if self.sheet:
            # Translators: where a problem in an uploaded workbook is, then what it is.
            return _("sheet '%(sheet)s', cell %(cell)s: %(message)s") % {
                "sheet": self.sheet,
                "cell": self.cell,
                "message": self.message,
            }
        return str(self.message)


@dataclass
class OfflineReading:
    """A readable upload: the valid answers that apply (code → stored text),
    problems that kept a value from being saved, and notices (values ignored
    because their question does not apply)."""

    binding: Binding
    values: dict
    problems: list
    notices: list


def normal(text):
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", str(text))
    return re.sub(r"\s+", " ", text).strip().casefold()


def choice_names(choices):
    """Normalised label (in every language) or name → choice name."""
    names = {}
    for choice in choices:
        for label in choice.label.values():
            names.setdefault(normal(label), choice.name)
    for choice in choices:
        names[normal(choice.name)] = choice.name
    return names


def plain_text(value):
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def form_value(question, value, choices, separator=MULTIPLE_SEPARATOR):
    """A cell's value as the online form would post it. A select-multiple
    cell's choices are split at `separator` (None: at spaces, as KoboToolbox
    and ODK write them)."""
    if question.type == Question.Type.SELECT_ONE:
        text = plain_text(value)
        return choice_names(choices).get(normal(text), text)
    if question.type == Question.Type.SELECT_MULTIPLE:
        names = choice_names(choices)
        parts = [part.strip() for part in plain_text(value).split(separator)]
        return [names.get(normal(part), part) for part in parts if part]
    return plain_text(value)


DATE_FORMAT_MESSAGE = gettext_lazy("Enter the date as year-month-day, e.g. 2025-03-31.")


def is_ambiguous_date(question, value):
    """A date typed as text other than year-month-day: 01/03/2025 is March in
    some countries and January in others, so it is not guessed."""
    return (
        question.type == Question.Type.DATE
        and isinstance(value, str)
        and not re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}\s*", value)
    )


def is_empty(value):
    return value is None or (isinstance(value, str) and not value.strip())


def expected_size(structure):
    """(cells, rows) no sheet of this questionnaire's workbook can need: four
    times what its largest sheet (the binding, a row of three cells per
    question) holds, with room for whatever a spreadsheet program adds."""
    questions = len(structure.questions)
    choices = sum(len(names) for names in structure.choices.values())
    return 4 * (6 * questions + 2 * choices + 200), 4 * (questions + choices + 50)


def read_offline_upload(data, invitation, *, answers=None, structure=None, max_bytes=None):
    """Read a filled offline workbook for `invitation`.

    Raises WorkbookRefused when the file as a whole cannot be used (not a
    safe .xlsx, no valid binding, another invitation or questionnaire
    version, sheets or rows moved). Otherwise returns an OfflineReading.
    Empty cells are left out: they never clear a stored answer. `answers`
    are the response's stored answers, which constraints and skip logic use
    together with the uploaded values.
    """
    structure = structure or questionnaire_selectors.questionnaire_structure(
        invitation.campaign.questionnaire
    )
    cells, rows = expected_size(structure)
    try:
        workbook = open_workbook(
            data, max_bytes=max_bytes or max_upload_bytes(), max_cells=cells, max_rows=rows
        )
    except UnsafeWorkbook as error:
        raise WorkbookRefused(refused(error)) from error
    try:
        return _read(workbook, invitation, answers or {}, structure)
    finally:
        workbook.close()


def _read(workbook, invitation, answers, structure):
    binding = read_binding(workbook)
    questionnaire = invitation.campaign.questionnaire
    if binding.invitation != str(invitation.pk) or binding.campaign != invitation.campaign.code:
        raise WorkbookRefused(OTHER_INVITATION)
    if (binding.questionnaire, binding.version) != (questionnaire.code, str(questionnaire.version)):
        raise WorkbookRefused(
            _(
                # Translators: %(made_for)s and %(now)s are version numbers of the questionnaire.
                "This workbook was made for version %(made_for)s of the questionnaire; this "
                "invitation now uses version %(now)s. Download a new workbook and copy your "
                "answers into it."
            )
            % {"made_for": binding.version, "now": questionnaire.version}
        )
    structure = structure or questionnaire_selectors.questionnaire_structure(questionnaire)
    questions = {question.code: question for question in structure.questions}
    language = binding.language
    if language not in questionnaire.languages:
        language = questionnaire.default_language

    sheets, values, where, problems, notices = {}, {}, {}, {}, []
    for title, coordinate, code in binding.cells:
        if title not in sheets:
            if title not in workbook.sheetnames:
                raise WorkbookRefused(
                    _(
                        "The sheet '%(sheet)s' was renamed or removed. Download a new workbook "
                        "and copy your answers into it."
                    )
                    % {"sheet": title}
                )
            sheets[title] = _cells_by_coordinate(workbook[title])
        cells = sheets[title]
        row = re.sub(r"^[A-Z]+", "", coordinate)
        written = plain_text(cells.get(f"{CODE_COLUMN}{row}", ("", ""))[0])
        if written != code or code not in questions:
            raise WorkbookRefused(
                _(
                    # Translators: %(cell)s is a cell such as A12, %(question)s a question's code.
                    "Rows were inserted, removed or moved on sheet '%(sheet)s': cell %(cell)s "
                    "no longer holds question %(question)s. Download a new workbook and copy "
                    "your answers into it."
                )
                % {"sheet": title, "cell": f"{CODE_COLUMN}{row}", "question": code}
            )
        value, data_type = cells.get(coordinate, (None, "n"))
        where[code] = (title, coordinate)
        if data_type == "f" or not isinstance(value, str | int | float | datetime.date | None):
            problems[code] = [_("formulas are not accepted; type the value.")]
        elif is_empty(value):
            continue
        elif is_ambiguous_date(questions[code], value):
            problems[code] = [str(DATE_FORMAT_MESSAGE)]
        else:
            question = questions[code]
            values[code] = form_value(
                question, value, structure.choices.get(question.list_name, [])
            )

    form = SectionForm(
        values,
        questions=[questions[code] for code in values],
        choices=structure.choices,
        language=language,
        default_language=questionnaire.default_language,
        answers=answers,
    )
    form.is_valid()
    # A value that cleans to nothing (";" in a multiple choice) must not clear
    # a stored answer any more than an empty cell does.
    valid = {code: value for code, value in form.valid_values().items() if value}
    relevant = rules.relevance(structure, {**answers, **valid})
    words = (questions, structure.choices, form.text)
    for code in values:
        if not relevant[code]:
            if code in form.errors or valid.get(code, "") != answers.get(code, ""):
                why = _why_not_asked(structure, questions[code], words)
                # Translators: %(why)s is a sentence “Answer only if …”.
                ignored = _("ignored: this question does not apply given the answers. %(why)s")
                notices.append(Problem(ignored % {"why": why}, *where[code]))
            valid.pop(code, None)
        elif code in form.errors:
            problems[code] = list(form.errors[code])
    listed = [
        Problem(message, *where[code])
        for _, _, code in binding.cells
        for message in problems.get(code, [])
    ]
    return OfflineReading(binding=binding, values=valid, problems=listed, notices=notices)


def _why_not_asked(structure, question, words):
    section = next(s for s in structure.sections if s.pk == question.section_id)
    return condition_in_words(question.relevant, *words) or condition_in_words(
        section.relevant, *words
    )


def _cells_by_coordinate(sheet):
    """Coordinate → (value, data type) for the code and answer columns."""
    cells = {}
    try:
        for row in sheet.iter_rows(min_col=1, max_col=4):
            for cell in row:
                if cell.value is not None and cell.column_letter in (CODE_COLUMN, ANSWER_COLUMN):
                    cells[cell.coordinate] = (cell.value, cell.data_type)
    except Exception as error:  # a read-only sheet is parsed only now
        raise WorkbookRefused(unreadable(error)) from error
    return cells
