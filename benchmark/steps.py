"""The measured steps, each beside a floor (the least work that gets the same
answers out of the database or into a spreadsheet) and a baseline (what one
would otherwise write). Every step calls the code the pages call."""

import gc
import os
import time
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook

from analysis import charts, gaps, results, selectors
from analysis.selectors import answers_frame
from analysis.workbook import write_workbook
from benchmark.load import LOOPBACK
from benchmark.synthetic import say
from surveys.models import (
    Answer,
    Invitation,
    Question,
    Response,
)


def timed(function):
    """(result, seconds) of one plain run."""
    gc.collect()
    started = time.perf_counter()
    result = function()
    return result, time.perf_counter() - started


def peak_mb(function):
    """Peak memory allocated (MB) during a separate run under tracemalloc."""
    gc.collect()
    tracemalloc.start()
    try:
        function()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    gc.collect()
    return peak / 2**20


class OtherLoad:
    """How much of the machine's CPU other processes used while the block ran
    (a share of all CPUs, 0–1; None where /proc/stat is missing). Timings
    taken while others compete for the CPUs are inflated, so the report says so."""

    def __enter__(self):
        self.share = None
        self.start = self._sample()
        return self

    def __exit__(self, *exc_info):
        end = self._sample()
        if self.start and end:
            wall = end[0] - self.start[0]
            busy, own = end[1] - self.start[1], end[2] - self.start[2]
            if wall > 0:
                self.share = max(0.0, min(1.0, (busy - own) / (wall * (os.cpu_count() or 1))))

    @staticmethod
    def _sample():
        try:
            with open("/proc/stat") as stat:
                fields = [int(value) for value in stat.readline().split()[1:9]]
        except OSError:
            return None
        idle = fields[3] + fields[4]  # idle, iowait
        busy = (sum(fields) - idle) / os.sysconf("SC_CLK_TCK")
        times = os.times()  # this process and the children it has waited for
        own = times.user + times.system + times.children_user + times.children_system
        return time.monotonic(), busy, own


@dataclass
class Measure:
    name: str
    label: str
    seconds: float
    peak_mb: float | None = None
    parts: dict = field(default_factory=dict)
    references: list = field(default_factory=list)
    extra: dict = field(default_factory=dict)


@dataclass
class Reference:
    kind: str  # "floor" or "baseline"
    label: str
    seconds: float
    peak_mb: float | None = None
    compared_with: float | None = None  # seconds of what the ratio divides, if not the step's
    extra: dict = field(default_factory=dict)

    def ratio(self, step_seconds):
        measured = step_seconds if self.compared_with is None else self.compared_with
        return measured / self.seconds if self.seconds else None


def measure(name, label, function):
    say(f"measuring {label}")
    result, seconds = timed(function)
    return result, Measure(name, label, seconds, peak_mb(function))


def reference(kind, label, function, compared_with=None):
    say(f"  reference: {label}")
    result, seconds = timed(function)
    return result, Reference(kind, label, seconds, peak_mb(function), compared_with)


def gap_tables(frame, min_n):
    """The dashboard's tables (analysis.results.overview_tables), plus the
    competency table by region of the breakdown pages."""
    tables = results.overview_tables(frame, min_n)
    tables["competencies_by_region"] = gaps.competency_gaps(frame, by="region", min_n=min_n)
    return tables


def dashboard_charts(campaign, tables, min_n):
    """The four dashboard charts as PNG bytes, built by the function the
    dashboard's chart view calls (analysis.charts.dashboard_chart)."""
    labels = selectors.question_labels(campaign.questionnaire)
    submissions = selectors.submissions(campaign)

    def build(name):
        return lambda: charts.dashboard_chart(
            name, tables, labels=labels, min_n=min_n, submissions=submissions
        )

    return [charts.draw(build(name), "png") for name in charts.DASHBOARD_CHARTS]


def full_workbook(campaign, path, parts):
    """The coordinator's workbook from a cold cache, as after an answer changes."""
    cache.clear()
    started = time.perf_counter()
    data = results.workbook_data(campaign, results.Filters(), include_answers=True)
    parts["workbook_data"] = time.perf_counter() - started
    started = time.perf_counter()
    write_workbook(data, path)
    parts["write_workbook"] = time.perf_counter() - started
    return data


def _submitted_answers_sql(columns):
    answer, response = Answer._meta.db_table, Response._meta.db_table
    invitation = Invitation._meta.db_table
    return (
        f"SELECT {', '.join('a.' + column for column in columns)} FROM {answer} a "
        f"JOIN {response} r ON r.id = a.response_id "
        f"JOIN {invitation} i ON i.id = r.invitation_id "
        "WHERE i.campaign_id = %s AND r.status = %s"
    )


def _raw_fetch(campaign, columns):
    with connection.cursor() as cursor:
        cursor.execute(
            _submitted_answers_sql(columns), [campaign.pk, Response.Status.SUBMITTED.value]
        )
        return cursor.fetchall()


def floor_analysis(campaign):
    """The floor for analysis: the same answers in one raw query, one groupby."""
    columns = ["response_id", "question_id", "number"]
    frame = pd.DataFrame.from_records(_raw_fetch(campaign, columns), columns=columns)
    return frame.groupby("question_id")["number"].mean()


def baseline_gap_loop(campaign):
    """What one might write without pandas: the ORM's rows and a loop computing
    the competency gap table (n, importance and capability means, mean gap,
    Borich's MWDS = importance mean × mean gap), highest MWDS first."""
    rows = Answer.objects.filter(
        response__invitation__campaign=campaign,
        response__status=Response.Status.SUBMITTED,
        question__dimension__in=gaps.RATED,
    ).values_list("response_id", "question__competency", "question__dimension", "number")
    ratings = {}
    for response_id, competency, dimension, number in rows:
        if number is not None:
            ratings.setdefault((response_id, competency), {})[dimension] = number
    sums = {}
    for (_, competency), pair in ratings.items():
        if len(pair) == 2:
            total = sums.setdefault(competency, [0, 0.0, 0.0, 0.0])
            total[0] += 1
            total[1] += pair["importance"]
            total[2] += pair["capability"]
            total[3] += pair["importance"] - pair["capability"]
    table = []
    for competency, (n, importance, capability, gap) in sums.items():
        table.append(
            {
                "competency": competency,
                "n": n,
                "importance_mean": importance / n,
                "capability_mean": capability / n,
                "gap_mean": gap / n,
                "mwds": importance / n * gap / n,
            }
        )
    table.sort(key=lambda row: (-row["mwds"], row["competency"]))
    return table


def answer_cells(campaign):
    """The Answers sheet's cells, fetched raw: a header of question codes and
    one row per response, numbers as numbers (whole ones as int, as the
    workbook writes them). Returns (header, rows)."""
    questions = list(
        Question.objects.filter(questionnaire=campaign.questionnaire)
        .order_by("position")
        .values_list("pk", "code")
    )
    column = {pk: index for index, (pk, _) in enumerate(questions)}
    rows = {}
    width = len(questions)
    for response_id, question_id, value, number in _raw_fetch(
        campaign, ["response_id", "question_id", "value", "number"]
    ):
        row = rows.get(response_id)
        if row is None:
            row = rows[response_id] = [None] * width
        if number is not None:
            value = int(number) if number.is_integer() else number
        row[column[question_id]] = value
    return [code for _, code in questions], list(rows.values())


def floor_workbook(campaign, path):
    """The floor for the workbook: the answers fetched raw and dumped into a
    bare write-only sheet, N rows × M cells, with no formatting at all.
    Returns the seconds of each part."""
    parts = {}
    started = time.perf_counter()
    header, rows = answer_cells(campaign)
    parts["fetch"] = time.perf_counter() - started
    started = time.perf_counter()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Answers")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    parts["dump"] = time.perf_counter() - started
    return parts


def baseline_to_excel(data, path):
    """What one might write with pandas: to_excel (openpyxl engine) of the
    same sheets, from the same tables."""
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        data.answers.to_excel(writer, sheet_name="Answers", index=False)
        data.competencies.to_excel(writer, sheet_name="Ranked gaps", index=False)
        data.domains_by_region.to_excel(writer, sheet_name="By region", index=False)
        data.domains_by_kind.to_excel(writer, sheet_name="By agency kind", index=False)
        data.shares.to_excel(writer, sheet_name="Legal powers & resources", index=False)
        pd.DataFrame(data.codebook).to_excel(writer, sheet_name="Codebook", index=False)


def _agrees(library, loop):
    """Whether the library's competency table and the plain loop give the same
    n and MWDS for every competency (a check that both compute the same thing)."""
    shown = library.set_index("competency")
    if len(shown) != len(loop):
        return False
    for row in loop:
        mine = shown.loc[row["competency"]]
        if int(mine["n"]) != row["n"]:
            return False
        if not pd.isna(mine["mwds"]) and abs(float(mine["mwds"]) - row["mwds"]) > 1e-9:
            return False
    return True


def measure_steps(campaign, scratch):
    """Steps 1–4 with their references, as a list of Measure."""
    min_n = results.min_cell_size()
    frame, analysis_frame = measure(
        "analysis_frame", "1 analysis frame (answers_frame)", lambda: answers_frame([campaign])
    )
    _, floor = reference("floor", "raw SQL fetch + one groupby", lambda: floor_analysis(campaign))
    analysis_frame.references.append(floor)
    analysis_frame.extra["rows"] = len(frame)

    tables, tables_step = measure(
        "gap_tables",
        "2 gap tables (7, from the frame)",
        lambda frame=frame: gap_tables(frame, min_n),
    )
    tables_step.extra["tables"] = {
        name: len(table) for name, table in tables.items() if hasattr(table, "columns")
    }
    del frame
    loop, baseline = reference(
        "baseline", "ORM rows + Python loop, 1 table", lambda: baseline_gap_loop(campaign)
    )
    baseline.extra["agrees_with_library"] = _agrees(tables["competencies"], loop)
    analysis = Measure(
        "analysis",
        "  analysis = 1 + 2 (a cold dashboard)",
        analysis_frame.seconds + tables_step.seconds,
        references=[baseline],
    )

    _, charts_step = measure(
        "dashboard_charts",
        "3 dashboard charts (4 PNG)",
        lambda tables=tables: dashboard_charts(campaign, tables, min_n),
    )
    del tables

    workbook_path = Path(scratch) / "workbook.xlsx"
    parts = {}
    say("measuring full workbook (cold cache)")
    data, seconds = timed(lambda: full_workbook(campaign, workbook_path, parts))
    workbook = Measure("full_workbook", "4 full workbook (cold cache)", seconds, parts=parts)
    workbook.peak_mb = peak_mb(lambda: full_workbook(campaign, workbook_path, {}))
    workbook.extra["bytes"] = workbook_path.stat().st_size
    workbook.extra["answer_rows"] = len(data.answers)

    floor_path = Path(scratch) / "floor.xlsx"
    floor_parts, floor = reference(
        "floor", "raw fetch + bare write-only dump", lambda: floor_workbook(campaign, floor_path)
    )
    floor.extra.update(parts=floor_parts, bytes=floor_path.stat().st_size)
    workbook.references.append(floor)
    baseline_path = Path(scratch) / "to_excel.xlsx"
    _, baseline = reference(
        "baseline",
        "pandas to_excel, same sheets (vs write)",
        lambda: baseline_to_excel(data, baseline_path),
        compared_with=parts["write_workbook"],
    )
    baseline.extra["bytes"] = baseline_path.stat().st_size
    workbook.references.append(baseline)
    for path in (workbook_path, floor_path, baseline_path):
        path.unlink(missing_ok=True)
    return [analysis_frame, tables_step, analysis, charts_step, workbook]


def _test_client():
    # As the server sees a request that came through the TLS proxy.
    return Client(SERVER_NAME=LOOPBACK, HTTP_X_FORWARDED_PROTO="https")


def query_counts(campaign, token, section_code):
    """Queries of a returning respondent's section page and of the dashboard,
    cold (nothing cached) and warm."""
    counts = {}
    client = _test_client()
    url = reverse("surveys:section", args=[token, section_code])
    client.get(url, secure=True)  # the first visit creates the response
    with CaptureQueriesContext(connection) as queries:
        status = client.get(url, secure=True).status_code
    counts["section_page_get"] = {"queries": len(queries), "status": status}

    user_model = get_user_model()
    user = user_model.objects.filter(username="benchmark").first()
    if user is None:
        user = user_model.objects.create_superuser("benchmark", "", None)
    client = _test_client()
    client.force_login(user)
    url = reverse("analysis:dashboard", args=[campaign.code])
    cache.clear()
    for name in ("dashboard_get_cold", "dashboard_get_warm"):
        with CaptureQueriesContext(connection) as queries:
            status = client.get(url, secure=True).status_code
        counts[name] = {"queries": len(queries), "status": status}
    return counts
