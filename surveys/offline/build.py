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
whose signature checks, and validates every answer as the online form does."""

import datetime
import io
import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import openpyxl
from django.conf import settings
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import get_language_bidi, ngettext
from django.utils.translation import gettext as _
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from common import languages as interface_languages
from common.downloads import upload_limit
from surveys.models import Question, localized
from surveys.offline.binding import (
    INSTRUCTIONS_SHEET,
    LISTS_SHEET,
    MULTIPLE_SEPARATOR,
    Binding,
    write_binding,
)
from surveys.offline.texts import at_most_characters, instructions
from surveys.offline.words import condition_in_words
from surveys.questionnaires import selectors as questionnaire_selectors
from surveys.respond import selectors as response_selectors
from surveys.respond.forms import TEXT_MAX_LENGTH

# Excel refuses "History" as a sheet name; the others are this workbook's own.
RESERVED_TITLES = {"instructions", "lists", "binding", "history"}


FIRST_QUESTION_ROW = 4


_HEADER_FILL = PatternFill("solid", fgColor="DDE5F0")


_ANSWER_FILL = PatternFill("solid", fgColor="FFF7D6")


_THIN = Side(style="thin", color="B0B0B0")


_ANSWER_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


_WRAP = Alignment(wrap_text=True, vertical="top")


_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def max_upload_bytes():
    return upload_limit("OFFLINE_MAX_UPLOAD_BYTES")


def _fit(text, length):
    """Text cut to what Excel allows in a data validation's title or message."""
    text = str(text)
    return text if len(text) <= length else text[: length - 1] + "…"


def workbook_filename(invitation):
    agency = slugify(invitation.agency.name) or f"agency-{invitation.agency_id}"
    return f"{invitation.campaign.code}-{agency}-offline.xlsx"


def _put(cell, value):
    """Write a value; text is always text, never a formula, whatever it starts with."""
    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell.data_type = "s"
    else:
        cell.value = value
    return cell


def _sheet_title(text):
    """Text made a valid Excel sheet title, or "" when nothing of it is left."""
    text = re.sub(r"\s+", " ", _SHEET_TITLE_FORBIDDEN.sub(" ", text)).strip().strip("'").strip()
    return _shorten(text, 31)


def _sheet_titles(labels, reserved=()):
    """Excel sheet titles for the section labels: at most 31 characters,
    without []:*?/\\, unique ignoring case, none of the workbook's own
    (nor those `reserved`)."""
    used, titles = set(RESERVED_TITLES) | {title.lower() for title in reserved}, []
    for number, label in enumerate(labels, start=1):
        base = _SHEET_TITLE_FORBIDDEN.sub(" ", label)
        base = re.sub(r"\s+", " ", base).strip().strip("'").strip()
        # Translators: the title of a sheet for a section without a label.
        base = base or _sheet_title(_("Section %(number)s") % {"number": number})
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


@dataclass
class _Context:
    invitation: object
    structure: questionnaire_selectors.Structure
    answers: dict
    language: str

    def text(self, texts):
        return localized(texts, self.language, self.structure.questionnaire.default_language)


def _allowed_answers(context, question, choices):
    kind = question.type
    if kind == Question.Type.SELECT_ONE:
        labels = "; ".join(context.text(c.label) for c in choices)
        # Translators: %(answers)s are the possible answers, separated by semicolons.
        return _("Choose one from the list: %(answers)s.") % {"answers": labels}
    if kind == Question.Type.SELECT_MULTIPLE:
        labels = "; ".join(context.text(c.label) for c in choices)
        # Translators: %(answers)s are the possible answers; %(separator)s is ";".
        return _("One or more of: %(answers)s. Separate them with “%(separator)s”.") % {
            "answers": labels,
            "separator": MULTIPLE_SEPARATOR,
        }
    if kind == Question.Type.INTEGER:
        return _("A whole number.")
    if kind == Question.Type.DECIMAL:
        return _("A number.")
    if kind == Question.Type.DATE:
        return _("A date (year-month-day, e.g. 2025-03-31).")
    return ngettext(
        "Text, up to %(count)s character.", "Text, up to %(count)s characters.", TEXT_MAX_LENGTH
    ) % {"count": TEXT_MAX_LENGTH}


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
                errorTitle=_fit(_("Not in the list"), 32),
                error=_fit(_("Choose an answer from the drop-down list."), 255),
            )
        if kind == Question.Type.SELECT_MULTIPLE:
            prompt = labels_hint if len(labels_hint) <= 255 else labels_hint[:252] + "…"
            return ("multiple", question.list_name), lambda: DataValidation(
                showInputMessage=True,
                promptTitle=_fit(_("One or more answers"), 32),
                prompt=prompt,
            )
        if kind == Question.Type.INTEGER:
            return ("integer",), lambda: DataValidation(
                type="whole",
                operator="between",
                formula1="-1000000000000",
                formula2="1000000000000",
                showErrorMessage=True,
                errorTitle=_fit(_("Whole number"), 32),
                error=_fit(_("Enter a whole number."), 255),
            )
        if kind == Question.Type.DECIMAL:
            return ("decimal",), lambda: DataValidation(
                type="decimal",
                operator="between",
                formula1="-1000000000000",
                formula2="1000000000000",
                showErrorMessage=True,
                errorTitle=_fit(_("Number"), 32),
                error=_fit(_("Enter a number."), 255),
            )
        if kind == Question.Type.DATE:
            # Serial numbers of 1 January 1900 and 31 December 9999.
            return ("date",), lambda: DataValidation(
                type="date",
                operator="between",
                formula1="1",
                formula2="2958465",
                showErrorMessage=True,
                errorTitle=_fit(_("Date"), 32),
                error=_fit(_("Enter a date, e.g. 2025-03-31."), 255),
            )
        if kind == Question.Type.TEXT:
            return ("text",), lambda: DataValidation(
                type="textLength",
                operator="lessThanOrEqual",
                formula1=str(TEXT_MAX_LENGTH),
                showErrorMessage=True,
                errorTitle=_fit(_("Too long"), 32),
                error=_fit(at_most_characters(TEXT_MAX_LENGTH), 255),
            )
        return None, None


def _write_instructions(workbook, context):
    sheet = workbook.active
    sheet.title = _sheet_title(str(INSTRUCTIONS_SHEET)) or "Instructions"
    sheet.sheet_view.rightToLeft = get_language_bidi()
    rows, headings = instructions(
        context.invitation,
        context.structure.questionnaire,
        context.language,
        required=_("required"),
        megabytes=max_upload_bytes() // (1024 * 1024),
    )
    for key, text in rows:
        sheet.append([None, None])
        _put(sheet.cell(sheet.max_row, 1), key)
        _put(sheet.cell(sheet.max_row, 2), text).alignment = _WRAP
    sheet["A1"].font = Font(bold=True, size=14)
    for row_number, (key, _text) in enumerate(rows, start=1):
        if key in headings:
            sheet.cell(row_number, 1).font = Font(bold=True)
    sheet.column_dimensions["A"].width = 20
    sheet.column_dimensions["B"].width = 100
    sheet.protection.sheet = True
    return sheet.title


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
            condition_in_words(section.relevant, *words, sheet=True),
        )
        if part
    )
    if intro:
        _put(sheet["A2"], intro)
    headings = (_("Code"), _("Question"), _("Help and allowed answers"), _("Your answer"))
    for column, heading in enumerate((*headings, _("Required")), start=1):
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
            # Translators: %(question)s is a question that asks how important a competency is.
            label = _("%(question)s (importance)") % {"question": label}
        elif question.dimension == Question.Dimension.CAPABILITY:
            # Translators: %(question)s is a question that asks how capable the agency is now.
            label = _("%(question)s (current capability)") % {"question": label}
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
            # Translators: marks a required question in column E, headed “Required”.
            _put(sheet.cell(row, 5), _("required"))
        validations.add(question, answer.coordinate, allowed)
        binding.cells.append((title, answer.coordinate, question.code))
        row += 1
    for letter, width in zip("ABCDE", (12, 60, 45, 30, 10), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = f"A{FIRST_QUESTION_ROW}"
    sheet.sheet_view.rightToLeft = get_language_bidi()  # Arabic: column A on the right
    sheet.protection.sheet = True


def build_offline_workbook(invitation, *, response=None):
    """The invitation's questionnaire as .xlsx bytes, in the response's
    language, with the response's stored answers filled in. Its labels and
    instructions are in that language too, whoever downloads it (the
    interface's default where the interface does not speak it)."""
    questionnaire = invitation.campaign.questionnaire
    language = (response.language if response else "") or questionnaire.default_language
    code = interface_languages.interface_code(language) or settings.LANGUAGE_CODE
    with translation.override(code):
        workbook = _workbook(invitation, response, language)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _workbook(invitation, response, language):
    questionnaire = invitation.campaign.questionnaire
    structure = questionnaire_selectors.questionnaire_structure(questionnaire)
    context = _Context(
        invitation, structure, response_selectors.response_answers(response), language
    )
    binding = Binding(
        invitation=str(invitation.pk),
        campaign=invitation.campaign.code,
        questionnaire=questionnaire.code,
        version=str(questionnaire.version),
        language=language,
    )
    workbook = openpyxl.Workbook()
    instructions_title = _write_instructions(workbook, context)
    list_ranges = _write_lists(workbook, context)
    questions = {question.code: question for question in structure.questions}
    words = (questions, structure.choices, context.text)
    titles = _sheet_titles(
        [context.text(section.label) for section in structure.sections],
        reserved=[instructions_title],
    )
    for section, title in zip(structure.sections, titles, strict=True):
        _write_section(workbook, context, section, title, list_ranges, words, binding)
    # The lists sheet goes after the sections, out of the way.
    workbook.move_sheet(LISTS_SHEET, offset=len(workbook.sheetnames) - 2)
    write_binding(workbook, binding)
    workbook.active = 0
    # No password: this stops sheets being renamed, moved or unhidden by accident.
    workbook.security = WorkbookProtection(lockStructure=True)
    return workbook
