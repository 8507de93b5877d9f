"""Compare two rounds of ratings collected outside the platform, in the long
form of `tna_gaps` (analysis.ratings_file): did the gaps close?"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from analysis import compare, gaps, ratings_file
from analysis.management.commands.tna_gaps import render_csv, render_json

DECIMAL_COLUMNS = {*compare.ROUND_COLUMNS, *compare.PAIRED_COLUMNS}
COUNT_COLUMNS = {"n_before", "n_after", "n_paired"}


class Command(BaseCommand):
    help = (
        "Compare the gaps of two rounds (CSV or XLSX files in the long form of tna_gaps: "
        "respondent, competency, importance, capability, optional grouping columns): per "
        "competency the change in mean gap with Welch's 95% interval, and the paired change "
        "over respondents in both rounds with Student's interval."
    )

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, help="The earlier round's file")
        parser.add_argument("--after", required=True, help="The later round's file")
        parser.add_argument("--by", help="A column to group by, in both files, e.g. region")
        parser.add_argument(
            "--crosswalk",
            help="A CSV or XLSX with columns old_code,new_code renaming the earlier round's "
            "competencies",
        )
        parser.add_argument(
            "--min-n",
            type=int,
            help="Rows with fewer respondents in a round show counts only "
            f"(default: setting TNA_MIN_N, else {gaps.DEFAULT_MIN_N})",
        )
        parser.add_argument("--format", choices=["table", "csv", "json"], default="table")

    def handle(self, *args, before, after, by, crosswalk, min_n, format, **options):
        if min_n is None:
            min_n = getattr(settings, "TNA_MIN_N", gaps.DEFAULT_MIN_N)
        if min_n < 1:
            raise CommandError("--min-n must be at least 1")
        rounds = [_read(path, by) for path in (before, after)]
        earlier = compare.apply_crosswalk(rounds[0].pairs, _crosswalk(crosswalk))
        table = compare.compare_rounds(earlier, rounds[1].pairs, by=rounds[1].by, min_n=min_n)
        note = (
            f"{len(table)} rows; change = gap after − gap before (Welch's t); paired change over "
            f"respondents in both rounds (Student's t). Rows with fewer than {min_n} respondents "
            "in a round show counts only."
        )
        if format == "table":
            self.stdout.write(render_table(table))
            self.stdout.write("\n" + note)
            return
        self.stdout.write(render_csv(table) if format == "csv" else render_json(table), ending="")
        self.stderr.write(note, style_func=str)


def _read(path, by):
    try:
        return ratings_file.read_ratings(path, by=by)
    except ratings_file.InputError as error:
        raise CommandError(f"{path}: nothing computed.\n{error}") from error


def _crosswalk(path):
    if not path:
        return {}
    try:
        header, rows = ratings_file.read_table(path)
    except ratings_file.InputError as error:
        raise CommandError(f"{path}: {error}") from error
    names = [str(cell or "").strip().lower() for cell in header]
    if "old_code" not in names or "new_code" not in names:
        raise CommandError(f"{path} needs the columns old_code and new_code")
    old, new = names.index("old_code"), names.index("new_code")
    mapping = {}
    for number, cells in rows:
        source = str(cells[old] if old < len(cells) and cells[old] is not None else "").strip()
        target = str(cells[new] if new < len(cells) and cells[new] is not None else "").strip()
        if source and target:
            if source in mapping and mapping[source] != target:
                raise CommandError(f"{path}, row {number}: '{source}' is mapped twice")
            mapping[source] = target
    return mapping


def render_table(table):
    columns = list(table.columns)
    cells = [columns]
    for row in table.itertuples(index=False):
        line = []
        for column, value in zip(columns, row, strict=True):
            if value is None or value != value:
                line.append("")
            elif column in DECIMAL_COLUMNS:
                line.append(f"{value:.2f}")
            else:
                line.append(str(value))
        cells.append(line)
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
    numeric = {i for i, c in enumerate(columns) if c in DECIMAL_COLUMNS | COUNT_COLUMNS}
    return "\n".join(
        "  ".join(
            cell.rjust(width) if i in numeric else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(line, widths, strict=True))
        ).rstrip()
        for line in cells
    )
