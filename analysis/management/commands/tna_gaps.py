"""The gap table of ratings collected outside the platform (paper forms,
KoboToolbox exports), from a CSV or XLSX file in long form; see
analysis.ratings_file for the file's shape and how it is checked."""

import csv
import io
import json

import pandas as pd
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from analysis import gaps, ratings_file
from common.downloads import escape_formula

# Shown to two decimals in the table; csv and json keep full precision.
DECIMAL_COLUMNS = tuple(gaps.STATISTIC_COLUMNS)


class Command(BaseCommand):
    help = (
        "Print the training-gap table (means, gap with 95% interval, Borich MWDS, rank, "
        "priority) of a CSV or XLSX file with columns respondent, competency, importance, "
        "capability and optional grouping columns. Rows with neither rating are skipped; "
        "only respondents who rated both importance and capability are counted."
    )

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True, help="A .csv or .xlsx file (first sheet)")
        parser.add_argument("--by", help="A column to group by, e.g. region; ranks are per group")
        parser.add_argument(
            "--min-n",
            type=int,
            help="Rows with fewer respondents show n only "
            f"(default: setting TNA_MIN_N, else {gaps.DEFAULT_MIN_N})",
        )
        parser.add_argument("--format", choices=["table", "csv", "json"], default="table")
        parser.add_argument("--scale-min", type=float, default=1, help="Lowest rating (default 1)")
        parser.add_argument("--scale-max", type=float, default=5, help="Highest rating (default 5)")

    def handle(self, *args, input, by, min_n, format, scale_min, scale_max, **options):
        if min_n is None:
            min_n = getattr(settings, "TNA_MIN_N", gaps.DEFAULT_MIN_N)
        if min_n < 1:
            raise CommandError("--min-n must be at least 1")
        if scale_min >= scale_max:
            raise CommandError("--scale-min must be below --scale-max")
        try:
            ratings = ratings_file.read_ratings(
                input, by=by, scale_min=scale_min, scale_max=scale_max
            )
        except ratings_file.InputError as error:
            raise CommandError(f"{input}: nothing computed.\n{error}") from error

        table = gaps.gap_statistics(ratings.pairs, "competency", ratings.by, min_n)
        suppressed = int(table["suppressed"].sum())
        table = table.drop(columns="suppressed")
        note = [
            f"{ratings.rows} rows: {len(ratings.pairs)} rated both ways, "
            f"{ratings.incomplete} with one rating left out, {ratings.unrated} unrated skipped; "
            f"{len(table)} rows in the table, {suppressed} suppressed (n < {min_n}).",
            gaps.PRIORITY_CONVENTION,
        ]
        if format == "table":
            self.stdout.write(render_table(table))
            self.stdout.write("\n" + "\n".join(note))
            return
        self.stdout.write(render_csv(table) if format == "csv" else render_json(table), ending="")
        # Keep stdout to the data alone; str leaves the note unstyled (not red).
        self.stderr.write("\n".join(note), style_func=str)


def render_csv(table):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.columns)
    for row in table.itertuples(index=False):
        # Codes and group names come from user files: never let them run as formulas.
        writer.writerow(
            "" if value is None else escape_formula(value) for value in map(_plain, row)
        )
    return buffer.getvalue()


def render_json(table):
    rows = [
        dict(zip(table.columns, map(_plain, row), strict=True))
        for row in table.itertuples(index=False)
    ]
    return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"


def render_table(table):
    columns = list(table.columns)
    cells = [columns]
    for row in table.itertuples(index=False):
        cells.append([_shown(column, value) for column, value in zip(columns, row, strict=True)])
    widths = [max(len(line[position]) for line in cells) for position in range(len(columns))]
    # The group and competency (the columns before n) and the priority are text.
    text_columns = {*range(columns.index("n")), columns.index("priority")}
    lines = []
    for line in cells:
        lines.append(
            "  ".join(
                cell.ljust(width) if position in text_columns else cell.rjust(width)
                for position, (cell, width) in enumerate(zip(line, widths, strict=True))
            ).rstrip()
        )
    return "\n".join(lines)


def _shown(column, value):
    value = _plain(value)
    if value is None:
        return ""
    if column in DECIMAL_COLUMNS:
        return f"{value:.2f}"
    return str(value)


def _plain(value):
    """Python's own int, float, str or None (for NaN, NA and suppressed cells)."""
    if value is None or pd.isna(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value
