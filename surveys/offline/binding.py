"""The signed binding sheet that ties a workbook to one invitation and version."""

import json
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.spreadsheets import UnsafeWorkbook, sheet_rows

# The workbook's layout, which build writes and read expects. The hidden
# sheets' names are identifiers; the instructions sheet is titled in the
# workbook's language, and nothing looks for it when a workbook comes back.
# Translators: the title of a sheet (tab) of an Excel workbook: at most 31
# characters, without [ ] : * ? / or a backslash.
INSTRUCTIONS_SHEET = gettext_lazy("Instructions")
LISTS_SHEET, BINDING_SHEET = "lists", "binding"
CODE_COLUMN, ANSWER_COLUMN = "A", "D"
MULTIPLE_SEPARATOR = ";"

BINDING_FORMAT = "tna-offline/1"


BINDING_SALT = "surveys.offline.binding"


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


def write_binding(workbook, binding):
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
NOT_OURS = gettext_lazy(
    "This file is not an offline questionnaire from this platform, or its hidden binding to "
    "your invitation was removed or changed. Download a new workbook and copy your answers "
    "into it."
)


OTHER_INVITATION = gettext_lazy(
    "This workbook was made for another invitation, so it cannot be uploaded here. Download "
    "the workbook from this page and copy your answers into it."
)


class WorkbookRefused(Exception):
    """The whole upload is refused, for the plain reason given."""


def read_binding(workbook):
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
        damage = error.__cause__
        if damage is not None:
            raise WorkbookRefused(unreadable(damage)) from error
        raise WorkbookRefused(refused(error)) from error


def unreadable(damage):
    # Translators: %(error)s is the name of a programming error, e.g. BadZipFile.
    return _("The workbook could not be read (%(error)s).") % {"error": damage.__class__.__name__}


def refused(error):
    # Translators: %(reason)s says why the file is unsafe or too big to read.
    return _("The file was refused: %(reason)s.") % {"reason": error}
