"""Ratings collected elsewhere (paper, KoboToolbox exports) read from a CSV
or XLSX file in long form, one row per respondent and competency:

    respondent, competency, importance, capability[, any grouping columns]

Row numbers in messages are those a person sees in a spreadsheet: the
header is row 1. Column names are matched ignoring case and surrounding
spaces; cells are stripped, and a cell holding only spaces is empty.

- a row whose cells are all empty is ignored;
- a row with neither rating is skipped (the competency was not rated);
- a row with only one of the two ratings is checked but left out of the
  pairs: a gap needs both, so n counts respondents who rated both;
- anything else wrong (a missing column, text or a value off the scale in a
  rating, an empty respondent, competency or grouping cell, a respondent
  rating the same competency twice) is an error naming row and column.
"""

import math
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd

from common.spreadsheets import UnsafeWorkbook
from common.spreadsheets import read_table as read_spreadsheet

REQUIRED_COLUMNS = ("respondent", "competency", "importance", "capability")
RATINGS = ("importance", "capability")
EXTENSIONS = (".csv", ".xlsx")
# Beyond this many, listing more problems with the same cause helps nobody.
MAX_PROBLEMS = 20


class InputError(ValueError):
    """The file cannot be used; `problems` are lines a person can act on."""

    def __init__(self, problems):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


@dataclass
class Ratings:
    """What `read_ratings` found: `pairs` has columns [by], respondent,
    competency, importance, capability, one row per pair rated both ways;
    `by` is the grouping column's name as matched (lower case)."""

    pairs: pd.DataFrame
    by: str | None
    rows: int
    unrated: int
    incomplete: int


def read_table(path):
    """(header, rows) of a .csv or .xlsx file (its first sheet): `rows` are
    (row number, cells) with cells as read, numbers from XLSX as numbers.
    The file goes through common.spreadsheets, with its size and zip-bomb
    checks, like every upload."""
    path = Path(path)
    extension = path.suffix.lower()
    if extension not in EXTENSIONS:
        raise InputError(
            f"{path.name}: cannot read '{path.suffix or 'no extension'}' files; "
            f"use {' or '.join(EXTENSIONS)}"
        )
    try:
        lines = read_spreadsheet(path.read_bytes(), path.name).rows
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror or error}") from error
    except UnsafeWorkbook as error:
        raise InputError(f"{path.name}: {error}") from error
    if not lines or not any(_text(cell) for cell in lines[0]):
        raise InputError(f"{path.name} is empty: row 1 should name the columns")
    header = [_text(cell) for cell in lines[0]]
    rows = [(number, cells) for number, cells in enumerate(lines[1:], start=2)]
    return header, rows


def read_ratings(path, by=None, scale_min=1, scale_max=5):
    """The rating pairs in `path`, checked cell by cell (see the module
    docstring). `by` names an extra column to keep for grouping."""
    name = Path(path).name
    header, rows = read_table(path)
    columns = _column_positions(header, name)
    wanted = list(REQUIRED_COLUMNS)
    if by is not None:
        by = by.strip().lower()
        if by in REQUIRED_COLUMNS:
            raise InputError(f"cannot group by '{by}': it is one of the rated columns")
        if by not in columns:
            raise InputError(f"{name} has no column '{by}' to group by; found: {_listing(header)}")
        wanted.append(by)

    problems = []
    records = []
    first_row = {}
    unrated = incomplete = seen = 0
    for number, cells in rows:
        if not any(_text(cell) for cell in cells):
            continue
        values = {column: _cell(cells, columns[column]) for column in wanted}
        seen += 1
        if all(_text(values[rating]) == "" for rating in RATINGS):
            unrated += 1
            continue
        record = _record(number, values, scale_min, scale_max, problems)
        key = (record["respondent"], record["competency"])
        if all(key) and key in first_row:
            problems.append(
                f"rows {first_row[key]} and {number}, columns 'respondent' and 'competency': "
                f"respondent '{key[0]}' rated competency '{key[1]}' twice"
            )
        first_row.setdefault(key, number)
        if any(record[rating] is None for rating in RATINGS):
            incomplete += 1
        else:
            records.append(record)
    if not seen:
        raise InputError(f"{name} has a header row but no data rows")
    if problems:
        if len(problems) > MAX_PROBLEMS:
            problems = problems[:MAX_PROBLEMS] + [f"... and {len(problems) - MAX_PROBLEMS} more"]
        raise InputError(problems)

    order = ([by] if by else []) + list(REQUIRED_COLUMNS)
    pairs = pd.DataFrame.from_records(records, columns=order)
    pairs[list(RATINGS)] = pairs[list(RATINGS)].astype("float64")
    return Ratings(pairs=pairs, by=by, rows=seen, unrated=unrated, incomplete=incomplete)


def _record(number, values, scale_min, scale_max, problems):
    """The row's cells checked: ratings as numbers (None when empty), the
    other columns as text; what is wrong goes to `problems`."""
    record = {}
    for column, value in values.items():
        if column in RATINGS:
            record[column] = _rating(value, scale_min, scale_max)
            if isinstance(record[column], str):
                problems.append(f"row {number}, column '{column}': {record[column]}")
        else:
            record[column] = _text(value)
            if not record[column]:
                problems.append(f"row {number}, column '{column}' is empty")
    return record


def _column_positions(header, name):
    positions = {}
    for position, column in enumerate(header):
        key = column.strip().lower()
        if not key:
            continue
        if key in positions:
            raise InputError(
                f"{name}: row 1 names column '{key}' twice "
                f"(columns {_letter(positions[key])} and {_letter(position)})"
            )
        positions[key] = position
    missing = [column for column in REQUIRED_COLUMNS if column not in positions]
    if missing:
        names = ", ".join(f"'{column}'" for column in missing)
        plural = "s" if len(missing) > 1 else ""
        raise InputError(f"{name} is missing column{plural} {names}; found: {_listing(header)}")
    return positions


def _listing(header):
    return ", ".join(column for column in header if column) or "none"


def _letter(position):
    return openpyxl.utils.get_column_letter(position + 1)


def _cell(cells, position):
    return cells[position] if position < len(cells) else None


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _rating(value, scale_min, scale_max):
    """The rating as a float, None when empty, or a message (str) saying
    what is wrong with it."""
    text = _text(value)
    if not text:
        return None
    if isinstance(value, bool):
        return f"{text!r} is not a number"
    try:
        number = float(value) if isinstance(value, int | float) else float(text)
    except ValueError:
        return f"{text!r} is not a number"
    if not math.isfinite(number):
        return f"{text!r} is not a number"
    if not scale_min <= number <= scale_max:
        return f"{text} is outside the scale {scale_min:g} to {scale_max:g}"
    return number
