"""Reading responses collected elsewhere (KoboToolbox, ODK Central) from their
XLSX or CSV exports, every cell checked as the online form checks it.

Such an export has one row per submission under a header row. Question
columns carry the question's name, often behind its groups' names
(`forensics/DF-01_imp` from KoboToolbox, `forensics-DF-01_imp` from ODK
Central); a select-multiple question comes as one column of space-separated
choice names, or one 0/1 column per choice (`training_languages/en`), or
both. The tools' own columns (`_id`, `start`, `meta/instanceID`,
`SubmissionDate`, …) are ignored.

Each row names its agency: in the `agency` column of the XLSForm written by
surveys.imports.form (or the column named by `agency_column`), or else in an
agency name column beside a country column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.downloads import upload_limit
from common.spreadsheets import UnsafeWorkbook, cell_text, read_table
from surveys.models import Invitation, Question
from surveys.offline.read import (
    DATE_FORMAT_MESSAGE,
    form_value,
    is_ambiguous_date,
    is_empty,
    normal,
)
from surveys.questionnaires import rules
from surveys.questionnaires import selectors as questionnaire_selectors
from surveys.respond.forms import SectionForm

AGENCY_COLUMN = "agency"
AGENCY_CHOICE_PREFIX = "a"
# Characters the tools put between a group's name and a question's, and
# between a select-multiple question and one of its choices.
SEPARATORS = "/-.:"
# Columns the tools add to every export, by their last part, lower case.
TOOL_COLUMNS = {
    "start", "end", "today", "deviceid", "username", "phonenumber", "simserial",
    "subscriberid", "audit", "instanceid", "instancename", "submissiondate", "key",
    "submitterid", "submittername", "attachmentspresent", "attachmentsexpected",
    "status", "reviewstate", "edits", "formversion", "__version__", "uuid",
}  # fmt: skip
AGENCY_NAME_COLUMNS = ("agency_name", "agency", "organisation", "organization")
COUNTRY_COLUMNS = ("country", "country_code", "iso3")
TRUE_CELLS = {"1", "true", "yes"}
FALSE_CELLS = {"0", "false", "no"}


class ImportRefused(Exception):
    """The file as a whole cannot be read as responses to this campaign."""


@dataclass(frozen=True)
class Problem:
    """Something wrong with one cell, or (without a column) one row."""

    row: int
    column: str
    message: str

    def __str__(self):
        if self.column:
            # Translators: where a problem in an uploaded file is, then what it is.
            where = _("row %(row)s, column '%(column)s'")
        else:
            where = _("row %(row)s")
        return f"{where % {'row': self.row, 'column': self.column}}: {self.message}"


@dataclass
class RowReading:
    """One submission: its row, invitation, valid values (code → stored text)
    and the column each value came from."""

    number: int
    invitation: Invitation
    values: dict
    columns: dict


@dataclass
class CollectedReading:
    rows: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    notices: list = field(default_factory=list)


def agency_choice_name(agency):
    """The agency's name in the exported XLSForm's `agency` choice list."""
    return f"{AGENCY_CHOICE_PREFIX}{agency.pk}"


def read_collected(data, filename, campaign, *, agency_column=None, max_bytes=None):
    """Read an export for `campaign`. Raises ImportRefused for a file that
    cannot be used at all; otherwise every problem is named by row and column."""
    try:
        limit = max_bytes or upload_limit("OFFLINE_MAX_UPLOAD_BYTES")
        table = read_table(data, filename, max_bytes=limit)
    except UnsafeWorkbook as error:
        raise ImportRefused(_("The file was refused: %(reason)s.") % {"reason": error}) from error
    if not table.rows or not any(cell_text(cell) for cell in table.rows[0]):
        raise ImportRefused(
            _("The file is empty: it needs a header row, then one row per response.")
        )
    structure = questionnaire_selectors.questionnaire_structure(campaign.questionnaire)
    columns = _Columns([cell_text(cell) for cell in table.rows[0]], structure, agency_column)
    agencies = _Agencies(campaign)
    reading = CollectedReading(notices=columns.notices)
    seen = {}
    for number, cells in enumerate(table.rows[1:], start=2):
        if not any(cell_text(cell) for cell in cells):
            continue
        invitation, problem = columns.invitation(number, cells, agencies)
        if problem:
            reading.problems.append(problem)
            continue
        if invitation.pk in seen:
            message = _(
                "%(agency)s is also in row %(other)s; keep one row per agency, the one to import."
            ) % {"agency": invitation.agency, "other": seen[invitation.pk]}
            reading.problems.append(Problem(number, "", message))
            continue
        seen[invitation.pk] = number
        row = columns.row(number, cells, invitation, structure, reading)
        reading.rows.append(row)
    if not reading.rows and not reading.problems:
        raise ImportRefused(_("The file has a header row but no responses."))
    return reading


class _Agencies:
    """The agencies invited to the campaign, by every way a row may name one."""

    def __init__(self, campaign):
        self.invitations = list(
            campaign.invitations.filter(participant=None, revoked_at=None).select_related(
                "agency__country"
            )
        )
        self.by_choice = {agency_choice_name(i.agency): i for i in self.invitations}
        self.by_name = {}
        for invitation in self.invitations:
            agency = invitation.agency
            for text in (agency.name, str(agency), f"{agency.name} ({agency.country.name})"):
                self.by_name.setdefault(normal(text), []).append(invitation)

    def find(self, text, country=""):
        text = normal(text)
        if text in self.by_choice:
            return [self.by_choice[text]]
        found = self.by_name.get(text, [])
        if country:
            country = normal(country)
            found = [
                invitation
                for invitation in found
                if country
                in {
                    normal(invitation.agency.country.code),
                    normal(invitation.agency.country.iso3),
                    normal(invitation.agency.country.name),
                }
            ]
        return list(dict.fromkeys(found))


class _Columns:
    """What each column of the header row holds."""

    def __init__(self, headers, structure, agency_column):
        self.headers = headers
        self.questions = {q.code: q for q in structure.questions if q.type != Question.Type.NOTE}
        self.structure = structure
        self.notices = []
        self.single = {}  # code → column index
        self.split = {}  # code → {choice name: column index}
        self.agency = self.agency_name = self.country = None
        extra = {}
        for index, header in enumerate(headers):
            if not header:
                continue
            code = self._question(header)
            if code is not None:
                if code in self.single:
                    raise ImportRefused(
                        _("Columns '%(first)s' and '%(second)s' both hold question %(code)s.")
                        % {"first": headers[self.single[code]], "second": header, "code": code}
                    )
                self.single[code] = index
                continue
            part = self._choice_column(header)
            if part is not None:
                self.split.setdefault(part[0], {})[part[1]] = index
                continue
            extra[_last_part(header).lower()] = index
            extra.setdefault(header.lower(), index)
        self._agency_columns(extra, agency_column)
        if not self.single and not self.split:
            raise ImportRefused(
                _(
                    "No column holds a question of this campaign's questionnaire (%(form)s). "
                    "Export the data with the questions' names (KoboToolbox: 'XML values and "
                    "headers'), not their labels."
                )
                % {"form": structure.questionnaire}
            )
        used = set(self.single.values()) | {i for c in self.split.values() for i in c.values()}
        used |= {self.agency, self.agency_name, self.country} - {None}
        for index, header in enumerate(headers):
            if header and index not in used and not _is_tool_column(header):
                self.notices.append(
                    _("Column '%(column)s' is not a question of this questionnaire; ignored.")
                    % {"column": header}
                )

    def _question(self, header):
        """The question a header names, behind any group names, or None."""
        if header in self.questions:
            return header
        for index, character in enumerate(header):
            if character in SEPARATORS and header[index + 1 :] in self.questions:
                return header[index + 1 :]
        return None

    def _choice_column(self, header):
        """(code, choice) for a select-multiple question's 0/1 column, or None."""
        for index in range(len(header) - 1, 0, -1):
            if header[index] not in SEPARATORS:
                continue
            code = self._question(header[:index])
            question = self.questions.get(code)
            if question is not None and question.type == Question.Type.SELECT_MULTIPLE:
                names = {c.name for c in self.structure.choices.get(question.list_name, [])}
                if header[index + 1 :] in names:
                    return code, header[index + 1 :]
        return None

    def _agency_columns(self, extra, agency_column):
        if agency_column:
            index = extra.get(agency_column.lower())
            if index is None:
                index = extra.get(_last_part(agency_column).lower())
            if index is None:
                raise ImportRefused(
                    _("The file has no column '%(column)s'.") % {"column": agency_column}
                )
            self.agency = index
            return
        if AGENCY_COLUMN in extra:
            self.agency = extra[AGENCY_COLUMN]
            return
        self.agency_name = next((extra[n] for n in AGENCY_NAME_COLUMNS if n in extra), None)
        self.country = next((extra[n] for n in COUNTRY_COLUMNS if n in extra), None)
        if self.agency_name is None:
            raise ImportRefused(
                _(
                    "No column names the agency. Collect with the XLSForm exported for this "
                    "campaign, whose 'agency' question lists the invited agencies, or name the "
                    "column that holds the agency with --agency-column (in the admin: 'Agency "
                    "column'), or give an 'agency_name' and a 'country' column."
                )
            )

    def invitation(self, number, cells, agencies):
        """(invitation, None) for the row's agency, or (None, Problem)."""
        index = self.agency if self.agency is not None else self.agency_name
        text = _cell(cells, index)
        country = _cell(cells, self.country) if self.country is not None else ""
        column = self.headers[index]
        if not text:
            return None, Problem(number, column, _("the agency is missing."))
        found = agencies.find(text, country)
        if len(found) == 1:
            return found[0], None
        if found:
            message = _(
                "more than one invited agency is called '%(agency)s'; add a country column "
                "or use the agency list of the exported XLSForm."
            )
        else:
            message = _("'%(agency)s' is not an agency invited to this campaign.")
        return None, Problem(number, column, message % {"agency": text})

    def row(self, number, cells, invitation, structure, reading):
        """The row's values, checked as the online form checks a page."""
        values, columns = {}, {}
        for code, index in self.single.items():
            value = cells[index] if index < len(cells) else None
            if is_empty(value):
                continue
            question = self.questions[code]
            columns[code] = self.headers[index]
            if is_ambiguous_date(question, value):
                reading.problems.append(Problem(number, columns[code], str(DATE_FORMAT_MESSAGE)))
                continue
            choices = structure.choices.get(question.list_name, [])
            values[code] = form_value(question, value, choices, separator=None)
        for code, parts in self.split.items():
            if code in self.single:
                continue  # the single column says it all
            chosen = []
            for name, index in parts.items():
                text = _cell(cells, index).lower()
                if text in TRUE_CELLS:
                    chosen.append(name)
                elif text and text not in FALSE_CELLS:
                    message = _("enter 1 if the choice was selected, 0 if not.")
                    reading.problems.append(Problem(number, self.headers[index], message))
            if chosen:
                values[code] = chosen
                columns[code] = self.headers[min(parts.values())]
        return self._checked(number, invitation, values, columns, structure, reading)

    def _checked(self, number, invitation, values, columns, structure, reading):
        questionnaire = structure.questionnaire
        form = SectionForm(
            values,
            questions=[self.questions[code] for code in values],
            choices=structure.choices,
            language=questionnaire.default_language,
            default_language=questionnaire.default_language,
            answers={},
        )
        form.is_valid()
        valid = {code: value for code, value in form.valid_values().items() if value}
        relevant = rules.relevance(structure, valid)
        for code in values:
            if code in form.errors:
                reading.problems += [Problem(number, columns[code], m) for m in form.errors[code]]
            elif not relevant[code]:
                valid.pop(code, None)
                reading.notices.append(str(Problem(number, columns[code], str(NOT_ASKED))))
        return RowReading(number, invitation, valid, columns)


NOT_ASKED = gettext_lazy("ignored: this question does not apply given the row's other answers.")


def _last_part(header):
    return re.split(f"[{re.escape(SEPARATORS)}]", header)[-1]


def _is_tool_column(header):
    first = re.split(f"[{re.escape(SEPARATORS)}]", header)[0].lower()
    return (
        header.startswith("_")
        or first in ("meta", "formhub", "__system")
        or _last_part(header).lower() in TOOL_COLUMNS
    )


def _cell(cells, index):
    return cell_text(cells[index]) if index is not None and index < len(cells) else ""
