"""The comparison of two rounds as a workbook: the change per competency
(and group) and trained versus not (analysis.rounds). Pure: it only writes."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import Workbook

from analysis import compare, rounds
from analysis.sheets import Sheet, plain

DECIMAL = "0.00"


def write(comparison, output):
    """The column names are those of analysis.compare and analysis.rounds (as
    `manage.py tna_compare` writes them); the notes above them are translated."""
    workbook = Workbook(write_only=True)
    columns = ([comparison.by] if comparison.by else []) + compare.COMPARE_COLUMNS
    # Translators: %(before)s and %(after)s are campaign codes; change,
    # paired, n_before and the like are column names, left in English.
    rounds_note = _(
        "%(before)s (before) and %(after)s (after). change = gap after − gap before, 95%% "
        "interval by Welch's t; paired: the agencies that answered both rounds, Student's t."
    ) % {"before": comparison.before.code, "after": comparison.after.code}
    small = ngettext(
        "Rows with fewer than %(count)d agency in a round show counts only.",
        "Rows with fewer than %(count)d agencies in a round show counts only.",
        comparison.min_n,
    ) % {"count": comparison.min_n}
    note = f"{rounds_note} {small}"
    _sheet(workbook, _("Change by competency"), comparison.table, columns, note)
    trained_note = _(
        # xgettext:no-python-format
        "Agencies trained on the course between the rounds (training registry) against the "
        "others that answered both rounds: the mean change of their gaps on the course's "
        "competencies, and the difference (trained − not) with Welch's 95% interval."
    )
    _sheet(
        workbook, _("Trained versus not"), comparison.trained, rounds.TRAINED_COLUMNS, trained_note
    )
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
