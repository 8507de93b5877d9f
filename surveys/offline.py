"""The offline questionnaire: one agency's questionnaire as an Excel workbook,
and reading it back when the agency uploads it.

The workbook has an "Instructions" sheet, one sheet per section (a row per
question: code, question, help and allowed answers, the answer cell in
column D, "required"), a hidden "lists" sheet with the choice labels the
drop-downs use, and a very hidden "binding" sheet. The binding names the
invitation, campaign, questionnaire version and language, and which cell
answers which question; an HMAC-SHA256 over it, keyed from SECRET_KEY, makes
any change to it detectable. Sheets are protected without a password: the
protection keeps labels from being overwritten by accident, it is not a
security boundary. The server trusts nothing in the file except a binding
whose signature checks, and validates every answer as the online form does.
"""

import datetime
import io
import json
import math
import re
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation

import openpyxl
from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.text import slugify
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from common.downloads import upload_limit
from common.spreadsheets import UnsafeWorkbook, open_workbook, sheet_rows

from . import expressions, selectors
from .forms import TEXT_MAX_LENGTH, SectionForm
from .models import Question, localized

BINDING_FORMAT = "tna-offline/1"
BINDING_SALT = "surveys.offline.binding"
INSTRUCTIONS_SHEET, LISTS_SHEET, BINDING_SHEET = "Instructions", "lists", "binding"
# Excel refuses "History" as a sheet name; the others are this workbook's own.
RESERVED_TITLES = {"instructions", "lists", "binding", "history"}
FIRST_QUESTION_ROW = 4
CODE_COLUMN, ANSWER_COLUMN = "A", "D"
MULTIPLE_SEPARATOR = ";"

_HEADER_FILL = PatternFill("solid", fgColor="DDE5F0")
_ANSWER_FILL = PatternFill("solid", fgColor="FFF7D6")
_THIN = Side(style="thin", color="B0B0B0")
_ANSWER_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def max_upload_bytes():
    return upload_limit("OFFLINE_MAX_UPLOAD_BYTES")


def workbook_filename(invitation):
    agency = slugify(invitation.agency.name) or f"agency-{invitation.agency_id}"
    return f"{invitation.campaign.code}-{agency}-offline.xlsx"


# The binding ------------------------------------------------------------------


@dataclass
class Binding:
    """What a workbook was made for, and which cell answers which question."""

    invitation: str
    campaign: str
    questionnaire: str
    version: str
    language: str
    cells: list = field(default_factory=list)  # [(sheet title, coordinate, question code)]

    def canonical(self):
        content = asdict(self)
        content["format"] = BINDING_FORMAT
        content["cells"] = [list(cell) for cell in self.cells]
        return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    def signature(self, secret=None):
        return salted_hmac(
            BINDING_SALT, self.canonical(), secret=secret, algorithm="sha256"
        ).hexdigest()

    def signed_by_us(self, signature):
        # SECRET_KEY_FALLBACKS keep workbooks valid across a key rotation.
        secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
        return any(constant_time_compare(self.signature(secret), signature) for secret in secrets)


_BINDING_KEYS = ["invitation", "campaign", "questionnaire", "version", "language"]


def _write_binding(workbook, binding):
    sheet = workbook.create_sheet(BINDING_SHEET)
    rows = [("format", BINDING_FORMAT)]
    rows += [(key, getattr(binding, key)) for key in _BINDING_KEYS]
    rows += [("signature", binding.signature()), ("sheet", "cell", "question")]
    rows += binding.cells
    for row in rows:
        sheet.append(row)
    for row in sheet.iter_rows():
        for cell in row:
            cell.data_type = "s"
    sheet.sheet_state = "veryHidden"
    sheet.protection.sheet = True


# Messages of refusals. None names another agency or says why beyond the need.
NOT_OURS = (
    "This file is not an offline questionnaire from this platform, or its hidden binding to "
    "your invitation was removed or changed. Download a new workbook and copy your answers "
    "into it."
)
OTHER_INVITATION = (
    "This workbook was made for another invitation, so it cannot be uploaded here. Download "
    "the workbook from this page and copy your answers into it."
)


class WorkbookRefused(Exception):
    """The whole upload is refused, for the plain reason given."""


def _read_binding(workbook):
    if BINDING_SHEET not in workbook.sheetnames:
        raise WorkbookRefused(NOT_OURS)
    rows = [
        tuple("" if value is None else str(value) for value in row)
        for row in _rows(workbook[BINDING_SHEET], max_col=3)
    ]
    head = {row[0]: row[1] for row in rows[:7] if len(row) >= 2}
    if head.get("format") != BINDING_FORMAT or set(_BINDING_KEYS + ["signature"]) - set(head):
        raise WorkbookRefused(NOT_OURS)
    cells = [row[:3] for row in rows[8:] if any(row)]
    if rows[7:8] != [("sheet", "cell", "question")] or any(len(cell) < 3 for cell in cells):
        raise WorkbookRefused(NOT_OURS)
    binding = Binding(**{key: head[key] for key in _BINDING_KEYS}, cells=cells)
    if not binding.signed_by_us(head["signature"]):
        raise WorkbookRefused(NOT_OURS)
    return binding


def _rows(sheet, max_col):
    """The sheet's values, row by row. A read-only sheet's XML is parsed only
    now, so a damaged or hostile sheet shows up here as a refusal."""
    try:
        return sheet_rows(sheet, max_col=max_col)
    except UnsafeWorkbook as error:
        raise WorkbookRefused(f"The file was refused: {error}.") from error


# Writing the workbook -------------------------------------------------------------


def _put(cell, value):
    """Write a value; text is always text, never a formula, whatever it starts with."""
    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"
    else:
        cell.value = value
    return cell


def _sheet_titles(labels):
    """Excel sheet titles for the section labels: at most 31 characters,
    without []:*?/\\, unique ignoring case, none of the workbook's own."""
    used, titles = set(RESERVED_TITLES), []
    for number, label in enumerate(labels, start=1):
        base = _SHEET_TITLE_FORBIDDEN.sub(" ", label)
        base = re.sub(r"\s+", " ", base).strip().strip("'").strip() or f"Section {number}"
        title, copy = _shorten(base, 31), 1
        while title.lower() in used:
            copy += 1
            suffix = f" ({copy})"
            title = _shorten(base, 31 - len(suffix)) + suffix
        used.add(title.lower())
        titles.append(title)
    return titles


def _shorten(text, length):
    """At most `length` characters, cut after a whole word where there is one."""
    if len(text) <= length:
        return text
    cut = text[: length - 1]
    if " " in cut[length // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;-") + "…"


_COMPARISONS = {
    "=": "is",
    "!=": "is not",
    "<": "is less than",
    "<=": "is at most",
    ">": "is more than",
    ">=": "is at least",
}


class _Words:
    """A relevant expression read aloud: `${role} = 'other'` becomes
    "the answer to role is “Other”". Shapes it does not know come back as None."""

    def __init__(self, questions, choices, text):
        self.questions = questions
        self.choices = choices
        self.text = text

    def label(self, code, name):
        question = self.questions.get(code)
        for choice in self.choices.get(question.list_name if question else "", []):
            if choice.name == name:
                return f"“{self.text(choice.label)}”"
        return f"“{name}”"

    def value(self, node, code):
        if node[0] == "string":
            return self.label(code, node[1])
        if node[0] == "number":
            number = node[1]
            return str(int(number)) if number.is_integer() else repr(number)
        return None

    def describe(self, node):
        kind = node[0]
        if kind == "op" and node[1] in ("and", "or"):
            left, right = self.describe(node[2]), self.describe(node[3])
            if left is None or right is None:
                return None
            return f"({left} {node[1]} {right})" if node[1] == "or" else f"{left} {node[1]} {right}"
        if kind == "op" and node[1] in _COMPARISONS and node[2][0] == "ref":
            value = self.value(node[3], node[2][1])
            if value is None:
                return None
            return f"the answer to {node[2][1]} {_COMPARISONS[node[1]]} {value}"
        if kind == "call" and node[1] == "selected" and node[2][0][0] == "ref":
            code = node[2][0][1]
            value = self.value(node[2][1], code)
            return None if value is None else f"the answers to {code} include {value}"
        if kind == "call" and node[1] == "not":
            inner = self.describe(node[2][0])
            return None if inner is None else f"not ({inner})"
        return None


def condition_in_words(expression, questions, choices, text):
    """ "Answer only if …" for a relevant expression, or "" when there is none."""
    if not expression or not expression.strip():
        return ""
    words = _Words(questions, choices, text).describe(expressions.parse(expression))
    if words is None:
        words = "this condition holds: " + re.sub(r"\$\{([^}]+)\}", r"\1", expression)
    elif words.startswith("(") and words.endswith(")"):
        words = words[1:-1]
    return f"Answer only if {words}."


@dataclass
class _Context:
    invitation: object
    structure: selectors.Structure
    answers: dict
    language: str

    def text(self, texts):
        return localized(texts, self.language, self.structure.questionnaire.default_language)


def _allowed_answers(context, question, choices):
    kind = question.type
    if kind == Question.Type.SELECT_ONE:
        labels = "; ".join(context.text(c.label) for c in choices)
        return f"Choose one from the list: {labels}."
    if kind == Question.Type.SELECT_MULTIPLE:
        labels = "; ".join(context.text(c.label) for c in choices)
        return f"One or more of: {labels}. Separate them with “{MULTIPLE_SEPARATOR}”."
    if kind == Question.Type.INTEGER:
        return "A whole number."
    if kind == Question.Type.DECIMAL:
        return "A number."
    if kind == Question.Type.DATE:
        return "A date (year-month-day, e.g. 2025-03-31)."
    return f"Text, up to {TEXT_MAX_LENGTH} characters."


def _prefill(question, value, choices, text):
    """A stored answer as the workbook shows it: labels, numbers, dates."""
    if not value:
        return None
    labels = {choice.name: text(choice.label) for choice in choices}
    if question.type == Question.Type.SELECT_ONE:
        return labels.get(value, value)
    if question.type == Question.Type.SELECT_MULTIPLE:
        return f"{MULTIPLE_SEPARATOR} ".join(labels.get(name, name) for name in value.split())
    if question.type == Question.Type.INTEGER:
        try:
            return int(value)
        except ValueError:
            return value
    if question.type == Question.Type.DECIMAL:
        # A number only where the float says exactly what is stored.
        try:
            number = float(value)
            return number if Decimal(repr(number)) == Decimal(value) else value
        except (ValueError, InvalidOperation):
            return value
    if question.type == Question.Type.DATE:
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            return value
    return value


class _Validations:
    """One data validation per kind of answer cell and sheet, as Excel prefers."""

    def __init__(self, sheet, list_ranges):
        self.sheet = sheet
        self.list_ranges = list_ranges
        self.by_key = {}

    def add(self, question, coordinate, labels_hint):
        key, make = self._kind(question, labels_hint)
        if make is None:
            return
        if key not in self.by_key:
            validation = make()
            validation.allow_blank = True
            self.sheet.add_data_validation(validation)
            self.by_key[key] = validation
        self.by_key[key].add(coordinate)

    def _kind(self, question, labels_hint):
        kind = question.type
        if kind == Question.Type.SELECT_ONE:
            reference = self.list_ranges.get(question.list_name)
            return ("list", question.list_name), lambda: DataValidation(
                type="list",
                formula1=reference,
                showErrorMessage=True,
                errorTitle="Not in the list",
                error="Choose an answer from the drop-down list.",
            )
        if kind == Question.Type.SELECT_MULTIPLE:
            prompt = labels_hint if len(labels_hint) <= 255 else labels_hint[:252] + "…"
            return ("multiple", question.list_name), lambda: DataValidation(
                showInputMessage=True, promptTitle="One or more answers", prompt=prompt
            )
        if kind == Question.Type.INTEGER:
            return ("integer",), lambda: DataValidation(
                type="whole",
                operator="between",
                formula1="-1000000000000",
                formula2="1000000000000",
                showErrorMessage=True,
                errorTitle="Whole number",
                error="Enter a whole number.",
            )
        if kind == Question.Type.DECIMAL:
            return ("decimal",), lambda: DataValidation(
                type="decimal",
                operator="between",
                formula1="-1000000000000",
                formula2="1000000000000",
                showErrorMessage=True,
                errorTitle="Number",
                error="Enter a number.",
            )
        if kind == Question.Type.DATE:
            # Serial numbers of 1 January 1900 and 31 December 9999.
            return ("date",), lambda: DataValidation(
                type="date",
                operator="between",
                formula1="1",
                formula2="2958465",
                showErrorMessage=True,
                errorTitle="Date",
                error="Enter a date, e.g. 2025-03-31.",
            )
        if kind == Question.Type.TEXT:
            return ("text",), lambda: DataValidation(
                type="textLength",
                operator="lessThanOrEqual",
                formula1=str(TEXT_MAX_LENGTH),
                showErrorMessage=True,
                errorTitle="Too long",
                error=f"At most {TEXT_MAX_LENGTH} characters.",
            )
        return None, None


def _write_instructions(workbook, context):
    invitation, questionnaire = context.invitation, context.structure.questionnaire
    campaign, agency = invitation.campaign, invitation.agency
    languages = ", ".join(_language_name(language) for language in questionnaire.languages)
    sheet = workbook.active
    sheet.title = INSTRUCTIONS_SHEET
    rows = [
        (campaign.name, ""),
        ("", ""),
        ("Agency", f"{agency.name}, {agency.country.name}"),
        ("Assessment", f"{campaign.name} ({campaign.code})"),
        ("Deadline", campaign.closes_on.strftime("%d %B %Y")),
        ("Questionnaire", f"{questionnaire.title} (version {questionnaire.version})"),
        ("Language", f"{_language_name(context.language)}. Available: {languages}."),
        ("", ""),
        ("How to fill it in", ""),
        ("1", "Each section of the questionnaire is a sheet (tabs at the bottom)."),
        (
            "2",
            "Type or choose each answer in the yellow cells of column D. Other cells are "
            "locked. Questions marked “required” must be answered before the questionnaire "
            "can be submitted.",
        ),
        (
            "3",
            "Lists: choose from the drop-down. Several answers: type them separated by "
            f"“{MULTIPLE_SEPARATOR}”, e.g. “English; French”. Dates: year-month-day, e.g. "
            "2025-03-31. Formulas are not accepted: type the value.",
        ),
        (
            "4",
            "Some questions apply only given other answers (“Answer only if …” in column "
            "C). Answers to questions that do not apply are not saved.",
        ),
        (
            "5",
            "Answers already given online are filled in. A cell you leave empty does not "
            "remove an answer saved online; to remove an answer, clear it online.",
        ),
        (
            "6",
            "Do not rename, add or remove sheets, rows or columns: the upload finds each "
            "answer by its place.",
        ),
        ("", ""),
        ("How to upload it", ""),
        (
            "1",
            "Open the link of your invitation and choose “Fill in offline”, then upload this "
            f"file (at most {max_upload_bytes() // (1024 * 1024)} MB); or send it to the "
            "coordinator of the assessment.",
        ),
        (
            "2",
            "Valid answers are saved at once; every problem is listed by sheet and cell. "
            "Correct them and upload again as often as needed.",
        ),
        ("3", "Then review and submit the questionnaire online."),
        ("", ""),
        (
            "Languages",
            "To get this workbook in another language, choose the language on the "
            "questionnaire's first page and download it again. Answers may be given in either "
            "language's labels.",
        ),
    ]
    for row in rows:
        sheet.append([None, None])
        _put(sheet.cell(sheet.max_row, 1), row[0])
        _put(sheet.cell(sheet.max_row, 2), row[1])
        sheet.cell(sheet.max_row, 2).alignment = _WRAP
    sheet["A1"].font = Font(bold=True, size=14)
    for row_number, (key, _) in enumerate(rows, start=1):
        if key in ("How to fill it in", "How to upload it", "Languages"):
            sheet.cell(row_number, 1).font = Font(bold=True)
    sheet.column_dimensions["A"].width = 20
    sheet.column_dimensions["B"].width = 100
    sheet.protection.sheet = True


def _language_name(language):
    return re.sub(r"\s*\([^)]*\)\s*$", "", language) or language


def _write_lists(workbook, context):
    """The hidden sheet of choice labels, one column per list, that the
    drop-downs refer to; a range works for lists of any length and any label."""
    sheet = workbook.create_sheet(LISTS_SHEET)
    ranges = {}
    for column, (list_name, choices) in enumerate(context.structure.choices.items(), start=1):
        letter = get_column_letter(column)
        for row, choice in enumerate(choices, start=1):
            _put(sheet.cell(row, column), context.text(choice.label))
        ranges[list_name] = f"{LISTS_SHEET}!${letter}$1:${letter}${len(choices)}"
    sheet.sheet_state = "hidden"
    sheet.protection.sheet = True
    return ranges


def _write_section(workbook, context, section, title, list_ranges, words, binding):
    structure, text = context.structure, context.text
    sheet = workbook.create_sheet(title)
    _put(sheet["A1"], text(section.label)).font = Font(bold=True, size=14)
    intro = " ".join(
        part
        for part in (
            text(section.hint),
            condition_in_words(section.relevant, *words).replace(
                "Answer only if", "Answer this sheet only if"
            ),
        )
        if part
    )
    if intro:
        _put(sheet["A2"], intro)
    for column, heading in enumerate(
        ("Code", "Question", "Help and allowed answers", "Your answer", "Required"), start=1
    ):
        cell = _put(sheet.cell(3, column), heading)
        cell.font, cell.fill = Font(bold=True), _HEADER_FILL
    validations = _Validations(sheet, list_ranges)
    row = FIRST_QUESTION_ROW
    for question in structure.questions_by_section[section.pk]:
        _put(sheet.cell(row, 1), question.code).font = Font(color="808080", size=8)
        if question.type == Question.Type.NOTE:
            note = _put(sheet.cell(row, 2), text(question.label))
            note.alignment, note.font = _WRAP, Font(italic=True)
            sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=5)
            sheet.row_dimensions[row].height = 15 * (math.ceil(len(note.value) / 120) + 1)
            row += 1
            continue
        choices = structure.choices.get(question.list_name, [])
        label = text(question.label)
        if question.dimension == Question.Dimension.IMPORTANCE:
            label += " (importance)"
        elif question.dimension == Question.Dimension.CAPABILITY:
            label += " (current capability)"
        allowed = _allowed_answers(context, question, choices)
        help_text = "\n".join(
            part
            for part in (
                condition_in_words(question.relevant, *words),
                text(question.hint),
                text(question.constraint_message),
                allowed,
            )
            if part
        )
        _put(sheet.cell(row, 2), label).alignment = _WRAP
        _put(sheet.cell(row, 3), help_text).alignment = _WRAP
        answer = sheet.cell(row, 4)
        _put(answer, _prefill(question, context.answers.get(question.code, ""), choices, text))
        answer.protection = Protection(locked=False)
        answer.fill, answer.border, answer.alignment = _ANSWER_FILL, _ANSWER_BORDER, _WRAP
        if question.type == Question.Type.DATE:
            answer.number_format = "yyyy-mm-dd"
        if question.required:
            _put(sheet.cell(row, 5), "required")
        validations.add(question, answer.coordinate, allowed)
        binding.cells.append((title, answer.coordinate, question.code))
        row += 1
    for letter, width in zip("ABCDE", (12, 60, 45, 30, 10), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = f"A{FIRST_QUESTION_ROW}"
    sheet.protection.sheet = True


def build_offline_workbook(invitation, *, response=None):
    """The invitation's questionnaire as .xlsx bytes, in the response's
    language, with the response's stored answers filled in."""
    questionnaire = invitation.campaign.questionnaire
    structure = selectors.questionnaire_structure(questionnaire)
    language = (response.language if response else "") or questionnaire.default_language
    context = _Context(invitation, structure, selectors.response_answers(response), language)
    binding = Binding(
        invitation=str(invitation.pk),
        campaign=invitation.campaign.code,
        questionnaire=questionnaire.code,
        version=str(questionnaire.version),
        language=language,
    )
    workbook = openpyxl.Workbook()
    _write_instructions(workbook, context)
    list_ranges = _write_lists(workbook, context)
    questions = {question.code: question for question in structure.questions}
    words = (questions, structure.choices, context.text)
    titles = _sheet_titles([context.text(section.label) for section in structure.sections])
    for section, title in zip(structure.sections, titles, strict=True):
        _write_section(workbook, context, section, title, list_ranges, words, binding)
    # The lists sheet goes after the sections, out of the way.
    workbook.move_sheet(LISTS_SHEET, offset=len(workbook.sheetnames) - 2)
    _write_binding(workbook, binding)
    workbook.active = 0
    # No password: this stops sheets being renamed, moved or unhidden by accident.
    workbook.security = WorkbookProtection(lockStructure=True)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


# Reading an upload ------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Something about one cell (or, without sheet and cell, the whole file)."""

    message: str
    sheet: str = ""
    cell: str = ""

    def __str__(self):
        if self.sheet:
            return f"sheet '{self.sheet}', cell {self.cell}: {self.message}"
        return self.message


@dataclass
class OfflineReading:
    """A readable upload: the valid answers that apply (code → stored text),
    problems that kept a value from being saved, and notices (values ignored
    because their question does not apply)."""

    binding: Binding
    values: dict
    problems: list
    notices: list


def _normal(text):
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", str(text))
    return re.sub(r"\s+", " ", text).strip().casefold()


def _choice_names(choices):
    """Normalised label (in every language) or name → choice name."""
    names = {}
    for choice in choices:
        for label in choice.label.values():
            names.setdefault(_normal(label), choice.name)
    for choice in choices:
        names[_normal(choice.name)] = choice.name
    return names


def _as_text(value):
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _form_value(question, value, choices):
    """A cell's value as the online form would post it."""
    if question.type == Question.Type.SELECT_ONE:
        text = _as_text(value)
        return _choice_names(choices).get(_normal(text), text)
    if question.type == Question.Type.SELECT_MULTIPLE:
        names = _choice_names(choices)
        parts = [part.strip() for part in _as_text(value).split(MULTIPLE_SEPARATOR)]
        return [names.get(_normal(part), part) for part in parts if part]
    return _as_text(value)


DATE_FORMAT_MESSAGE = "Enter the date as year-month-day, e.g. 2025-03-31."


def _is_ambiguous_date(question, value):
    """A date typed as text other than year-month-day: 01/03/2025 is March in
    some countries and January in others, so it is not guessed."""
    return (
        question.type == Question.Type.DATE
        and isinstance(value, str)
        and not re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}\s*", value)
    )


def _is_empty(value):
    return value is None or (isinstance(value, str) and not value.strip())


def read_offline_upload(data, invitation, *, answers=None, structure=None, max_bytes=None):
    """Read a filled offline workbook for `invitation`.

    Raises WorkbookRefused when the file as a whole cannot be used (not a
    safe .xlsx, no valid binding, another invitation or questionnaire
    version, sheets or rows moved). Otherwise returns an OfflineReading.
    Empty cells are left out: they never clear a stored answer. `answers`
    are the response's stored answers, which constraints and skip logic use
    together with the uploaded values.
    """
    try:
        workbook = open_workbook(data, max_bytes=max_bytes or max_upload_bytes())
    except UnsafeWorkbook as error:
        raise WorkbookRefused(f"The file was refused: {error}.") from error
    try:
        return _read(workbook, invitation, answers or {}, structure)
    finally:
        workbook.close()


def _read(workbook, invitation, answers, structure):
    binding = _read_binding(workbook)
    questionnaire = invitation.campaign.questionnaire
    if binding.invitation != str(invitation.pk) or binding.campaign != invitation.campaign.code:
        raise WorkbookRefused(OTHER_INVITATION)
    if (binding.questionnaire, binding.version) != (questionnaire.code, str(questionnaire.version)):
        raise WorkbookRefused(
            f"This workbook was made for version {binding.version} of the questionnaire; "
            f"this invitation now uses version {questionnaire.version}. Download a new "
            "workbook and copy your answers into it."
        )
    structure = structure or selectors.questionnaire_structure(questionnaire)
    questions = {question.code: question for question in structure.questions}
    language = binding.language
    if language not in questionnaire.languages:
        language = questionnaire.default_language

    sheets, values, where, problems, notices = {}, {}, {}, {}, []
    for title, coordinate, code in binding.cells:
        if title not in sheets:
            if title not in workbook.sheetnames:
                raise WorkbookRefused(
                    f"The sheet '{title}' was renamed or removed. Download a new workbook "
                    "and copy your answers into it."
                )
            sheets[title] = _cells_by_coordinate(workbook[title])
        cells = sheets[title]
        row = re.sub(r"^[A-Z]+", "", coordinate)
        if _as_text(cells.get(f"{CODE_COLUMN}{row}", ("", ""))[0]) != code or code not in questions:
            raise WorkbookRefused(
                f"Rows were inserted, removed or moved on sheet '{title}': cell "
                f"{CODE_COLUMN}{row} no longer holds question {code}. Download a new workbook "
                "and copy your answers into it."
            )
        value, data_type = cells.get(coordinate, (None, "n"))
        where[code] = (title, coordinate)
        if data_type == "f" or not isinstance(value, str | int | float | datetime.date | None):
            problems[code] = ["formulas are not accepted; type the value."]
        elif _is_empty(value):
            continue
        elif _is_ambiguous_date(questions[code], value):
            problems[code] = [DATE_FORMAT_MESSAGE]
        else:
            question = questions[code]
            values[code] = _form_value(
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
    relevant = selectors.relevance(structure, {**answers, **valid})
    words = (questions, structure.choices, form.text)
    for code in values:
        if not relevant[code]:
            if code in form.errors or valid.get(code, "") != answers.get(code, ""):
                why = _why_not_asked(structure, questions[code], words)
                notices.append(
                    Problem(
                        f"ignored: this question does not apply given the answers. {why}",
                        *where[code],
                    )
                )
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
        raise WorkbookRefused(
            f"The workbook could not be read ({error.__class__.__name__})."
        ) from error
    return cells
