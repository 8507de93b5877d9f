"""Write-only worksheet helpers for the workbooks: a sheet with a frozen,
filtered, printable header, text cells that never become formulas, wrapped
rows that carry their height, a name Excel accepts in any language."""

import math
import re

import pandas as pd
from django.utils.functional import Promise
from django.utils.translation import get_language_bidi
from openpyxl.cell import WriteOnlyCell
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from common.downloads import FORMULA_STARTS

# Light to dark blue: readable for every common kind of colour blindness.
SCALE = {"start_color": "FFF7FBFF", "end_color": "FF08519C"}
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", start_color="FFDCE6F1")
WRAP = Alignment(wrap_text=True, vertical="top")
HEADER_WRAP = Alignment(wrap_text=True, vertical="bottom")
MAX_WIDTH = 60
LINE_HEIGHT = 13.5  # points per line of wrapped 11-point text
MAX_TITLE = 31  # characters in a sheet's name, Excel's limit
INVALID_TITLE = re.compile(r"[\\\[\]:*?/]")


def sheet_title(title, taken=()):
    """`title` (perhaps translated) as a sheet name Excel accepts: none of
    []:*?/\\, no apostrophe at either end, at most 31 characters, and unlike
    the names in `taken` (Excel ignores case)."""
    name = INVALID_TITLE.sub(" ", str(title)).strip().strip("'").strip()
    name = name[:MAX_TITLE].rstrip(" '") or "Sheet"
    taken = {other.casefold() for other in taken}
    base, number = name, 2
    while name.casefold() in taken:
        suffix = f" ({number})"
        name = base[: MAX_TITLE - len(suffix)].rstrip() + suffix
        number += 1
    return name


def text_cell(sheet, value, **style):
    """A cell that is always text: '=1+1' stays the characters =1+1."""
    cell = WriteOnlyCell(sheet, value=str(value) if isinstance(value, Promise) else value)
    cell.data_type = "s"
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def wrapped(sheet, cell):
    if cell is None:
        return None
    if not hasattr(cell, "alignment"):
        cell = WriteOnlyCell(sheet, value=cell)
    cell.alignment = WRAP
    return cell


def cell(sheet, value, number_format=None):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, Promise):  # a translated label not yet evaluated
        value = str(value)
    if isinstance(value, str):
        return text_cell(sheet, value) if value.startswith(FORMULA_STARTS) else value
    if number_format:
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = number_format
        return cell
    return value


class Sheet:
    """A write-only sheet with a header row: frozen, filtered, printable."""

    def __init__(self, workbook, title, header, widths=None, *, above=(), fit_width=False):
        self.sheet = workbook.create_sheet(sheet_title(title, workbook.sheetnames))
        self.header = header
        self.header_row = len(above) + 1
        widths = widths or {}
        self.widths = []
        for index, name in enumerate(header, start=1):
            width = widths.get(name, max(10, min(MAX_WIDTH, len(str(name)) + 4)))
            self.sheet.column_dimensions[get_column_letter(index)].width = width
            self.widths.append(width)
        self.fit_width = fit_width
        self.sheet.freeze_panes = f"A{self.header_row + 1}"
        # Arabic reads right to left: so does the sheet, column A on the right.
        self.sheet.sheet_view.rightToLeft = get_language_bidi()
        last = get_column_letter(len(header))
        self.sheet.print_title_rows = f"{self.header_row}:{self.header_row}"
        self.sheet.page_setup.orientation = "landscape"
        self.sheet.page_setup.paperSize = "9"  # A4
        if fit_width:
            # One page wide, as many pages down as it takes.
            self.sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
            self.sheet.page_setup.fitToWidth = 1
            self.sheet.page_setup.fitToHeight = 0
        self.rows = 0
        for line in above:
            self.sheet.append([text_cell(self.sheet, line, alignment=WRAP)] if line else [])
        if fit_width:
            self.sheet.row_dimensions[self.header_row].height = self._height(header, bold=True)
        self.sheet.append(
            [
                text_cell(
                    self.sheet, str(name), font=HEADER_FONT, fill=HEADER_FILL, alignment=HEADER_WRAP
                )
                for name in header
            ]
        )
        self._last = last

    def append(self, values, formats=None, *, wrap=False):
        formats = formats or {}
        cells = [cell(self.sheet, value, formats.get(index)) for index, value in enumerate(values)]
        if wrap:
            cells = [wrapped(self.sheet, cell) for cell in cells]
            # Spreadsheets do not all grow a row to fit wrapped text when they
            # open a file: give each its height.
            row = self.header_row + self.rows + 1
            self.sheet.row_dimensions[row].height = self._height(values)
        self.sheet.append(cells)
        self.rows += 1

    def _height(self, values, *, bold=False):
        """Points for the lines `values` take, wrapped at their columns' widths
        (words are not split, so a line holds a little less than the width)."""
        lines = 1
        for value, width in zip(values, self.widths, strict=False):
            if value is None:
                continue
            chars = max(1, int(width * (0.75 if bold else 1.0)) - 1)
            text = str(value)
            lines = max(
                lines, sum(max(1, math.ceil(len(part) / chars)) for part in text.split("\n"))
            )
        return round(LINE_HEIGHT * lines + 3, 1)

    def close(self):
        last_row = self.header_row + max(self.rows, 1)
        self.sheet.auto_filter.ref = f"A{self.header_row}:{self._last}{last_row}"
        return last_row

    def column(self, name):
        return get_column_letter(self.header.index(name) + 1)

    def color_scale(self, name, last_row):
        letter = self.column(name)
        self.sheet.conditional_formatting.add(
            f"{letter}{self.header_row + 1}:{letter}{last_row}",
            ColorScaleRule(start_type="min", end_type="max", **SCALE),
        )


def plain(value):
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    if value is pd.NA:
        return None
    return value
