"""The campaign workbook for trainers: one .xlsx, written with openpyxl's
write-only mode so that a campaign of thousands of responses streams to
disk instead of filling memory.

This module only writes: WorkbookData carries tables already computed (by
analysis.results, the same functions the dashboard uses, so the numbers
agree) and write_workbook lays them out. Every text cell that could come from
a person (answers, names, labels) is written as text, never as a formula.
"""

from dataclasses import dataclass, field

import pandas as pd
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.utils import get_column_letter

from analysis import gaps, tables
from analysis.sheets import (
    HEADER_FONT,
    SCALE,
    Sheet,
    plain,
    text_cell,
)
from analysis.sheets import cell as sheet_cell
from common.downloads import FORMULA_STARTS

MEAN_FORMAT = "0.0"
MWDS_FORMAT = "0.00"
SHARE_FORMAT = "0%"
COST_FORMAT = "#,##0"
WRAPPED_ROWS = 2000
READING_GUIDE = [
    (
        gettext_lazy("Gap"),
        gettext_lazy(
            # xgettext:no-python-format
            "For each competency, each respondent rated its importance to their agency's work "
            "and their agency's current capability on the same 1–5 scale. The gap is the mean "
            "of the differences importance − capability over the respondents who gave both "
            "ratings, with its 95% confidence interval (Student's t). A gap of 2 means "
            "capability lags importance by two points on average."
        ),
    ),
    (
        "MWDS",
        gettext_lazy(
            "Borich's mean weighted discrepancy score weights the gap by how important the "
            "competency is: MWDS = mean importance × mean gap. Competencies are ranked by MWDS, "
            "highest first (rank 1 = greatest training need); equal scores share a rank."
        ),
    ),
]


@dataclass
class WorkbookData:
    campaign_code: str
    campaign_name: str
    questionnaire: str
    exported_at: str
    filters: dict
    min_n: int
    respondents: int
    rates: list
    competencies: pd.DataFrame
    statements: dict
    domain_labels: dict
    domains_by_region: pd.DataFrame
    domains_by_kind: pd.DataFrame
    kind_labels: dict
    shares_by_region: pd.DataFrame
    shares: pd.DataFrame
    item_labels: dict
    codebook: list
    codebook_note: str = ""
    plan: object | None = None  # analysis.plan.Plan
    plan_note: str = ""
    plan_named: bool = False  # the sheets that name agencies: coordinators only
    disclosure: str = ""
    answers: pd.DataFrame | None = None
    answer_numeric: set = field(default_factory=set)


def write_workbook(data, output):
    """Write the workbook to `output` (a path or a binary file object)."""
    workbook = Workbook(write_only=True)
    _summary(workbook, data)
    _ranked_gaps(workbook, data)
    _matrix(workbook, _("By region"), data.domains_by_region, "region", data)
    _matrix(
        workbook, _("By agency kind"), data.domains_by_kind, "agency_kind", data, data.kind_labels
    )
    _shares(workbook, data)
    if data.plan is not None:
        _plan(workbook, data)
    _codebook(workbook, data)
    if data.answers is not None:
        _answers(workbook, data)
    workbook.save(output)


def _summary(workbook, data):
    header = [_("Item"), _("Value"), "", ""]
    widths = {header[0]: 28, header[1]: 70, "": 14}
    # One page wide: the long values wrap in their column.
    sheet = Sheet(workbook, _("Summary"), header, widths, fit_width=True)
    filters = "; ".join(f"{k}: {v}" for k, v in data.filters.items()) or _("none (all agencies)")
    for item, value in [
        (_("Campaign"), f"{data.campaign_code}: {data.campaign_name}"),
        (_("Questionnaire"), data.questionnaire),
        (_("Exported"), data.exported_at),
        (_("Filters"), filters),
        (_("Submitted responses in this export"), data.respondents),
        (_("Small cells"), _small_cells(data.min_n)),
        *([(_("Disclosure control"), data.disclosure)] if data.disclosure else []),
    ]:
        sheet.append([item, value], wrap=True)
    sheet.append([])
    sheet.append([_("Invitations by region"), _("Invited"), _("Submitted"), _("Response rate")])
    for row in data.rates:
        sheet.append(
            [row["region"], row["invited"], row["submitted"], row["rate"]], {3: SHARE_FORMAT}
        )
    sheet.append([])
    sheet.append([_("How to read the scores"), ""])
    guide = [*READING_GUIDE, (_("Priority"), gaps.priority_convention())]
    if data.plan_note:
        guide.append((_("Training plan"), data.plan_note))
    for name, paragraph in guide:
        # Wrapped, each row as high as its paragraph needs.
        sheet.append([str(name), str(paragraph)], wrap=True)
    sheet.close()


def _small_cells(min_n):
    return ngettext(
        'Groups with fewer than %(count)d respondent show their count only ("n<%(count)d"), '
        "never a mean, gap, MWDS or rank; where one small group could be worked out from the "
        "others, the next smallest is hidden too.",
        'Groups with fewer than %(count)d respondents show their count only ("n<%(count)d"), '
        "never a mean, gap, MWDS or rank; where one small group could be worked out from the "
        "others, the next smallest is hidden too.",
        min_n,
    ) % {"count": min_n}


GAP_HEADER = [
    gettext_lazy("Rank"),
    gettext_lazy("Competency"),
    gettext_lazy("Statement"),
    gettext_lazy("Domain"),
    "n",
    gettext_lazy("Importance"),
    gettext_lazy("Capability"),
    gettext_lazy("Gap"),
    # Translators: the lower end of the gap's 95% confidence interval.
    # xgettext:no-python-format
    gettext_lazy("Gap 95% low"),
    # Translators: the upper end of the gap's 95% confidence interval.
    # xgettext:no-python-format
    gettext_lazy("Gap 95% high"),
    "MWDS",
    gettext_lazy("Priority"),
]
GAP_WIDTHS = {2: 55, 3: 28, 11: 10, 1: 12}  # by position in GAP_HEADER


def _ranked_gaps(workbook, data):
    header = [str(name) for name in GAP_HEADER]
    widths = {header[index]: width for index, width in GAP_WIDTHS.items()}
    sheet = Sheet(workbook, _("Ranked gaps"), header, widths)
    formats = {5: MEAN_FORMAT, 6: MEAN_FORMAT, 7: MEAN_FORMAT, 8: MEAN_FORMAT, 9: MEAN_FORMAT,
               10: MWDS_FORMAT}  # fmt: skip
    for row in data.competencies.itertuples(index=False):
        suppressed = bool(row.suppressed)
        values = [
            None if suppressed else _int(row.rank),
            row.competency,
            data.statements.get(row.competency, ""),
            data.domain_labels.get(row.domain, row.domain),
            int(row.n),
        ]
        if suppressed:
            values += [f"n<{data.min_n}"] + [None] * 5 + [None]
        else:
            values += [
                row.importance_mean, row.capability_mean, row.gap_mean, row.gap_ci_low,
                row.gap_ci_high, row.mwds, row.priority,
            ]  # fmt: skip
        sheet.append(values, formats)
    last_row = sheet.close()
    sheet.color_scale(header[7], last_row)  # the gap
    sheet.color_scale("MWDS", last_row)
    shown = int((~data.competencies["suppressed"].astype(bool)).sum())
    if shown:
        chart = BarChart()
        chart.type = "bar"
        chart.title = _("Top competencies by MWDS")
        chart.y_axis.title = "MWDS"
        chart.x_axis.title = header[1]  # the competency
        chart.legend = None
        top = min(15, shown)
        values = Reference(sheet.sheet, min_col=11, min_row=1, max_row=1 + top)
        categories = Reference(sheet.sheet, min_col=2, min_row=2, max_row=1 + top)
        chart.add_data(values, titles_from_data=True)
        chart.set_categories(categories)
        chart.x_axis.scaling.orientation = "maxMin"  # rank 1 at the top
        chart.height, chart.width = 12, 18
        sheet.sheet.add_chart(chart, "N2")


def _int(value):
    return None if value is None or pd.isna(value) else int(value)


def _matrix(workbook, title, table, by, data, group_labels=None):
    """Domain × group of mean gap; a small cell reads "n<5", never a number."""
    matrix = tables.domain_matrix(table, by, data.domain_labels, group_labels)
    groups = [str(group) for group in matrix["groups"]]
    header = [_("Domain"), *groups]
    note = _(
        "Mean gap (importance − capability) per respondent; n<%(min_n)d marks groups too small "
        "to show."
    ) % {"min_n": data.min_n}
    below = _("Respondents per cell are listed below the matrix.")
    sheet = Sheet(
        workbook,
        title,
        header,
        {header[0]: 45} | {group: 16 for group in groups},
        above=[f"{note} {below}"],
    )
    formats = {index: MEAN_FORMAT for index in range(1, len(header))}
    counts = []
    for label, row_cells in matrix["rows"]:
        values = [label]
        for cell in row_cells:
            if cell is None:
                values.append(None)
            elif cell["suppressed"]:
                values.append(f"n<{data.min_n}")
            else:
                values.append(float(cell["gap_mean"]))
        sheet.append(values, formats)
        counts.append([label] + [None if c is None else int(c["n"]) for c in row_cells])
    last_row = sheet.close()
    if groups:
        first, last = get_column_letter(2), get_column_letter(len(header))
        sheet.sheet.conditional_formatting.add(
            f"{first}{sheet.header_row + 1}:{last}{last_row}",
            ColorScaleRule(start_type="min", end_type="max", **SCALE),
        )
    sheet.sheet.append([])
    sheet.sheet.append([text_cell(sheet.sheet, _("Respondents per cell"), font=HEADER_FONT)])
    for row in counts:
        sheet.sheet.append([sheet_cell(sheet.sheet, value) for value in row])


def _shares(workbook, data):
    """Share of agencies lacking each power or resource (answering no or
    partly), overall and by region."""
    items = tables.items_by_region(data.shares, data.shares_by_region, data.item_labels)
    header = [_("Item"), _("Question"), _("Domain"), _("Agencies"), _("Lacking (all)"),
              _("Lacking, States equally")]  # fmt: skip
    # Translators: the share of agencies lacking an item in %(region)s, a UN region.
    header += [_("Lacking (%(region)s)") % {"region": region} for region in items["regions"]]
    note = _(
        "Share of agencies answering 'no' or 'partly' to each legal-power or resource "
        "question, each agency counting once; 'States equally': the mean of each State's "
        "own share, each State counting once."
    )
    small = _("n<%(min_n)d marks groups too small to show.") % {"min_n": data.min_n}
    sheet = Sheet(
        workbook,
        _("Legal powers & resources"),
        header,
        {header[1]: 60, header[2]: 28},
        above=[f"{note} {small}"],
    )
    formats = {index: SHARE_FORMAT for index in range(4, len(header))}
    for row in items["rows"]:
        values = [
            row["question"],
            data.item_labels.get(row["question"], ""),
            data.domain_labels.get(row["domain"], row["domain"]),
            int(row["n"]),
            _lacking(row, data.min_n),
            _lacking({**row, "lacking": row["lacking_states"]}, data.min_n),
        ]
        values += [None if cell is None else _lacking(cell, data.min_n) for cell in row["cells"]]
        sheet.append(values, formats)
    sheet.close()


def _lacking(row, min_n):
    return f"n<{min_n}" if row["suppressed"] else float(row["lacking"])


PLAN_HEADER = {
    "priority": (gettext_lazy("Priority"), 10),
    "code": (gettext_lazy("Course"), 10),
    "title": (gettext_lazy("Title"), 30),
    "audience": (gettext_lazy("Audience"), 18),
    "level": (gettext_lazy("Level"), 12),
    "duration_days": (gettext_lazy("Days"), 6),
    "need_score": (gettext_lazy("Need score (MWDS)"), 9),
    "competencies": (gettext_lazy("Competencies"), 14),
    "agencies_needing": (gettext_lazy("Agencies needing it"), 9),
    "countries_needing": (gettext_lazy("Countries"), 9),
    "cohorts": (gettext_lazy("Cohorts by region and language"), 40),
    "participants": (gettext_lazy("Participants"), 12),
    "participants_assumed": (gettext_lazy("Of which assumed (agencies)"), 11),
    "cost_usd": (gettext_lazy("Estimated cost (US$)"), 11),
    "held_back": (gettext_lazy("Agencies held back by preconditions"), 13),
    "covered": (gettext_lazy("Agencies already trained or scheduled"), 13),
    "prerequisites": (gettext_lazy("Take first"), 16),
}
AGENCY_HEADER = {
    "code": (gettext_lazy("Course"), 10),
    "country_name": (gettext_lazy("Country"), 16),
    "agency_name": (gettext_lazy("Agency"), 34),
    "kind": (gettext_lazy("Kind of agency"), 16),
    "competencies": (gettext_lazy("Competencies and gaps that put it there"), 40),
    "participants": (gettext_lazy("Participants"), 12),
    "assumed": (gettext_lazy("Participants assumed"), 11),
    "language": (gettext_lazy("Language of instruction"), 14),
}
PRECONDITION_HEADER = {
    "country_name": (gettext_lazy("Country"), 16),
    "agency_name": (gettext_lazy("Agency"), 34),
    "kind": (gettext_lazy("Kind of agency"), 16),
    "question": (gettext_lazy("Question"), 9),
    "recommendation": (gettext_lazy("Before training"), 60),
    "courses": (gettext_lazy("Courses it holds back"), 18),
}


def _table(workbook, title, table, columns, formats=None, labels=None):
    """A sheet of `table`'s `columns` ({name: (header, width)}), printed one
    page wide, landscape, long texts wrapped (up to WRAPPED_ROWS rows: a
    longer sheet is data to filter, not a page to print, and stays fast)."""
    wrap = len(table) <= WRAPPED_ROWS
    header = [str(heading) for heading, _width in columns.values()]
    widths = {str(heading): width for heading, width in columns.values()}
    sheet = Sheet(workbook, title, header, widths, fit_width=True)
    labels = labels or {}
    for record in table[list(columns)].itertuples(index=False, name=None):
        values = [plain(value) for value in record]
        values = [
            labels.get(name, {}).get(value, value)
            for name, value in zip(columns, values, strict=True)
        ]
        sheet.append(values, formats, wrap=wrap)
    sheet.close()


def _plan(workbook, data):
    plan = data.plan
    formats = {list(PLAN_HEADER).index("need_score"): MWDS_FORMAT,
               list(PLAN_HEADER).index("cost_usd"): COST_FORMAT}  # fmt: skip
    _table(workbook, _("Training plan"), plan.courses, PLAN_HEADER, formats)
    if data.plan_named:
        # Translators: an agency's participants, assumed because it gave no staff count.
        yes_no = {"assumed": {True: _("assumed"), False: ""}, "kind": data.kind_labels}
        _table(workbook, _("Agencies per course"), plan.agencies, AGENCY_HEADER, labels=yes_no)
        kinds = {"kind": data.kind_labels}
        _table(
            workbook, _("Before training"), plan.preconditions, PRECONDITION_HEADER, labels=kinds
        )


# The codebook's rows are keyed by these names (surveys.questionnaires.codebook);
# the sheet's header shows them translated.
CODEBOOK_HEADER = {
    "Code": (gettext_lazy("Code"), None),
    "Domain": (gettext_lazy("Domain"), 28),
    "Type": (gettext_lazy("Type"), None),
    "Label": (gettext_lazy("Label"), 60),
    "Choices": (gettext_lazy("Choices"), 45),
    "Required": (gettext_lazy("Required"), None),
    "Applies when": (gettext_lazy("Applies when"), 30),
    "Constraint": (gettext_lazy("Constraint"), None),
    "Competency": (gettext_lazy("Competency"), None),
    "Dimension": (gettext_lazy("Dimension"), None),
    "Source": (gettext_lazy("Source"), 35),
}


def _codebook(workbook, data):
    header = [str(heading) for heading, _width in CODEBOOK_HEADER.values()]
    widths = {str(heading): width for heading, width in CODEBOOK_HEADER.values() if width}
    above = [data.codebook_note] if data.codebook_note else ()
    sheet = Sheet(workbook, _("Codebook"), header, widths, above=above)
    for row in data.codebook:
        sheet.append([row[name] for name in CODEBOOK_HEADER])
    sheet.close()


def _answers(workbook, data):
    """One row per response, one column per question code, profile first."""
    answers = data.answers
    header = list(answers.columns)
    sheet = Sheet(workbook, _("Answers"), header, {"agency": 40, "country": 18, "region": 12})
    raw = sheet.sheet
    # Missing cells become None in one vectorised step; only the text columns
    # (a few of hundreds) are looked at cell by cell, for formula prefixes.
    cells = answers.astype(object).where(answers.notna(), None)
    text_columns = [index for index, name in enumerate(header) if name not in data.answer_numeric]
    for values in cells.itertuples(index=False, name=None):
        row = list(values)
        for index in text_columns:
            value = row[index]
            if isinstance(value, str) and value.startswith(FORMULA_STARTS):
                row[index] = text_cell(raw, value)
        raw.append(row)
        sheet.rows += 1
    sheet.close()
