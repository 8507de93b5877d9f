"""Reading spreadsheets that strangers upload: the one way in.

Every .xlsx or .csv a person gives us (an XLSForm, a course catalogue, a
filled offline questionnaire, a ratings file) is read here, with the same
checks before any parser sees it:

- size: at most the upload's limit (common.downloads.upload_limit);
- an .xlsx is a zip of XML parts: it must be one, hold an Excel workbook,
  and not expand past MAX_UNCOMPRESSED_BYTES or by a ratio no real workbook
  has (a zip bomb of a few kilobytes can expand to gigabytes);
- no XML part may declare a DOCTYPE or an entity (billion laughs, external
  entities); openpyxl parses with defusedxml besides;
- a workbook with macros (vbaProject.bin, an .xlsm) is refused;
- the cells and rows of every sheet are counted while its XML streams out
  of the zip, before any parser sees it: a sheet beyond the bound the
  caller expects (MAX_CELLS by default) is refused in well under a second;
- at most MAX_CELLS cells are read from one sheet, whatever size the
  sheet claims;
- a CSV is UTF-8 (with or without a byte-order mark), its delimiter
  whichever of , ; and tab its first line holds most of.
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass

import openpyxl
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .downloads import upload_limit

MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
# A questionnaire of 300 questions in six languages is some 10,000 cells.
MAX_CELLS = 200_000
_CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")
_ROW = re.compile(rb"<(?:\w+:)?row[\s>/]")
_CHUNK = 1024 * 1024
# Spreadsheets in many locales (and KoboToolbox by default) write ';'.
DELIMITERS = (",", ";", "\t")
_DECLARATIONS = (b"<!DOCTYPE", b"<!ENTITY")
ZIP_BOMB = gettext_lazy("the workbook expands to more than it should (possible zip bomb); refused")


class UnsafeWorkbook(ValueError):
    """The file cannot be read safely; the message says why, plainly, and
    `sheet` names the sheet where the problem is, when it is in one."""

    def __init__(self, message, sheet=None):
        super().__init__(message)
        self.sheet = sheet


@dataclass(frozen=True)
class Problem:
    """Something wrong in a spreadsheet, where a person can find it."""

    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def __str__(self):
        where = []
        if self.sheet:
            where.append(_("sheet '%(sheet)s'") % {"sheet": self.sheet})
        if self.row:
            where.append(_("row %(row)d") % {"row": self.row})
        if self.column:
            where.append(_("column '%(column)s'") % {"column": self.column})
        return f"{', '.join(where)}: {self.message}" if where else str(self.message)


def check_size(data: bytes, max_bytes: int | None = None) -> None:
    max_bytes = max_bytes or upload_limit()
    if len(data) > max_bytes:
        raise UnsafeWorkbook(
            _("the file is %(size)d KB; the limit is %(limit)d KB")
            % {"size": len(data) // 1024, "limit": max_bytes // 1024}
        )


def open_workbook(
    data: bytes,
    *,
    max_bytes: int | None = None,
    data_only: bool = False,
    max_cells: int = MAX_CELLS,
    max_rows: int | None = None,
) -> openpyxl.Workbook:
    """Open .xlsx bytes read-only, or raise UnsafeWorkbook with a plain reason.
    With `data_only`, formula cells read as the value Excel last computed.
    A sheet holding more than `max_cells` cells or `max_rows` rows (by
    default as many as cells) is refused before it is parsed."""
    check_size(data, max_bytes)
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise UnsafeWorkbook(_("the file is not an Excel workbook (.xlsx)"))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_archive(archive)
            _check_sheet_sizes(archive, max_cells, max_rows or max_cells)
            _check_parts(archive)
    except zipfile.BadZipFile as error:
        raise UnsafeWorkbook(_("the file is not an Excel workbook (.xlsx)")) from error
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    except Exception as error:  # openpyxl raises many kinds on damaged files
        raise UnsafeWorkbook(
            _("the workbook could not be read (%(error)s)") % {"error": error.__class__.__name__}
        ) from error


def _check_archive(archive):
    """What the zip's directory shows: an Excel workbook, no macros, and no
    more bytes than a workbook could expand to."""
    members = archive.infolist()
    if "xl/workbook.xml" not in {member.filename for member in members}:
        raise UnsafeWorkbook(_("the file is a zip archive but not an Excel workbook (.xlsx)"))
    if any(member.filename.lower().endswith("vbaproject.bin") for member in members):
        raise UnsafeWorkbook(
            _(
                "the workbook contains macros (an .xlsm file); save it as an Excel workbook "
                "(.xlsx) without macros and upload that"
            )
        )
    if sum(member.file_size for member in members) > MAX_UNCOMPRESSED_BYTES:
        raise UnsafeWorkbook(str(ZIP_BOMB))


def _check_parts(archive):
    """What the parts hold: no suspicious compression, no XML entities."""
    members = archive.infolist()
    total = sum(member.file_size for member in members)
    compressed = sum(member.compress_size for member in members) or 1
    # Small workbooks can compress very well; the ratio matters only for big ones.
    if total > 5 * 1024 * 1024 and total / compressed > MAX_COMPRESSION_RATIO:
        raise UnsafeWorkbook(str(ZIP_BOMB))
    # Bounded by the checks before, so reading every XML part is cheap.
    for member in members:
        if member.filename.endswith((".xml", ".rels", ".vml")):
            head = archive.read(member)
            if any(declaration in head for declaration in _DECLARATIONS):
                raise UnsafeWorkbook(
                    _(
                        "the workbook could not be read (it declares XML entities, which "
                        "Excel never writes); refused"
                    )
                )


def _check_sheet_sizes(archive, max_cells, max_rows):
    for member in archive.infolist():
        name = member.filename
        if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
            continue
        cells = rows = 0
        tail = b""
        with archive.open(member) as stream:
            while chunk := stream.read(_CHUNK):
                # A tag split between two chunks is counted in the next one.
                text = tail + chunk
                cut = text.rfind(b"<")
                cut = len(text) if cut < 0 else cut
                cells += len(_CELL.findall(text, 0, cut))
                rows += len(_ROW.findall(text, 0, cut))
                tail = text[cut:]
                if cells > max_cells or rows > max_rows:
                    break
            cells += len(_CELL.findall(tail))
            rows += len(_ROW.findall(tail))
        if rows > max_rows:
            raise UnsafeWorkbook(
                _("a sheet has more than %(rows)s rows, more than this workbook can need; refused")
                % {"rows": f"{max_rows:,}"}
            )
        if cells > max_cells:
            raise UnsafeWorkbook(
                _(
                    "a sheet has more than %(cells)s cells, more than this workbook can need; "
                    "refused"
                )
                % {"cells": f"{max_cells:,}"}
            )


def sheet_rows(sheet, *, max_col: int | None = None, max_cells: int = MAX_CELLS) -> list[list]:
    """A read-only sheet's values, row by row. Its XML is parsed only now, so
    a damaged or hostile sheet shows up here, as UnsafeWorkbook."""
    rows, cells = [], 0
    if hasattr(sheet, "reset_dimensions"):
        # A read-only sheet pads every row to the size its XML claims
        # (A1:XFD1048576 is 17 billion cells); read only what is there.
        sheet.reset_dimensions()
    try:
        for row in sheet.iter_rows(max_col=max_col, values_only=True):
            cells += len(row)
            if cells > max_cells:
                raise UnsafeWorkbook(
                    _("the sheet has more than %(cells)s cells; refused")
                    % {"cells": f"{max_cells:,}"},
                    sheet.title,
                )
            rows.append(list(row))
    except UnsafeWorkbook:
        raise
    except Exception as error:  # the XML parser's errors, whichever parser is in use
        raise UnsafeWorkbook(
            _("the sheet could not be read (%(error)s)") % {"error": error.__class__.__name__},
            sheet.title,
        ) from error
    return rows


@dataclass
class Table:
    """A spreadsheet's first (or named) sheet, or a CSV: `rows` includes the
    header row; cells are as read (numbers from an .xlsx stay numbers)."""

    sheet: str | None
    rows: list[list]


def read_table(
    data: bytes, filename: str, *, sheet: str | None = None, data_only: bool = True,
    max_bytes: int | None = None,
) -> Table:  # fmt: skip
    """The rows of a .csv or .xlsx upload. An .xlsx is read from the sheet
    named `sheet` (matched ignoring case) when it has one, else its first
    (chart sheets, which hold no cells, are passed over)."""
    name = (filename or "").lower()
    if name.endswith(".xlsx") or (not name.endswith(".csv") and data[:2] == b"PK"):
        workbook = open_workbook(data, max_bytes=max_bytes, data_only=data_only)
        try:
            sheets = {each.title.strip().lower(): each for each in workbook.worksheets}
            if not sheets:
                raise UnsafeWorkbook(_("the workbook has no sheet with cells"))
            worksheet = sheets.get((sheet or "").lower(), workbook.worksheets[0])
            # Read-only rows come padded to the stated dimensions, which some
            # writers get wrong; resetting them reads what is there.
            worksheet.reset_dimensions()
            return Table(worksheet.title, sheet_rows(worksheet))
        finally:
            workbook.close()
    if not name.endswith(".csv"):
        raise UnsafeWorkbook(_("the file must be a .csv or an .xlsx spreadsheet"))
    check_size(data, max_bytes)
    return Table(None, _csv_rows(data))


def _csv_rows(data):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnsafeWorkbook(_("the file is not UTF-8 text; save it as 'CSV UTF-8'")) from error
    first_line = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=first_line.count)
    try:
        # Every record counts, blank lines too, so numbers match a spreadsheet's.
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        message = _("the CSV could not be read (%(error)s)") % {"error": error}
        raise UnsafeWorkbook(message) from error


def cell_text(value) -> str:
    """A cell as a person reads it: whole numbers without '.0', stripped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
