"""The comparison of two rounds as a workbook: the change per competency
(and group) and trained versus not (analysis.rounds). Pure: it only writes."""

from openpyxl import Workbook

from analysis import compare, rounds
from analysis.sheets import Sheet, plain

DECIMAL = "0.00"


def write(comparison, output):
    workbook = Workbook(write_only=True)
    columns = ([comparison.by] if comparison.by else []) + compare.COMPARE_COLUMNS
    note = (
        f"{comparison.before.code} (before) and {comparison.after.code} (after). change = gap "
        "after − gap before, 95% interval by Welch's t; paired: the agencies that answered both "
        f"rounds, Student's t. Rows with fewer than {comparison.min_n} agencies in a round show "
        "counts only."
    )
    _sheet(workbook, "Change by competency", comparison.table, columns, note)
    trained_note = (
        "Agencies trained on the course between the rounds (training registry) against the "
        "others that answered both rounds: the mean change of their gaps on the course's "
        "competencies, and the difference (trained − not) with Welch's 95% interval."
    )
    _sheet(workbook, "Trained versus not", comparison.trained, rounds.TRAINED_COLUMNS, trained_note)
    workbook.save(output)


def _sheet(workbook, title, table, columns, note):
    sheet = Sheet(workbook, title, columns, above=[note], fit_width=True)
    formats = {
        index: DECIMAL
        for index, name in enumerate(columns)
        if not name.startswith("n_") and name not in ("competency", "course", "region",
                                                        "country", "agency_kind")
    }  # fmt: skip
    for record in table[columns].itertuples(index=False, name=None):
        sheet.append([plain(value) for value in record], formats)
    sheet.close()
