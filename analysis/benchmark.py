"""The performance benchmark behind `manage.py benchmark`.

It builds a synthetic campaign (default 4,000 responses × 300 items, about
1.2 million answers) in a scratch database, then measures what a campaign of
that size costs us:

1. the analysis frame (analysis.selectors.answers_frame);
2. the gap tables the dashboard and breakdowns show (analysis.gaps);
3. the four dashboard charts rendered to PNG (analysis.charts);
4. the full workbook with the Answers sheet (analysis.exports + analysis.workbook);

each beside a floor (the least work that gets the same answers out of the
database or into a spreadsheet) and a baseline (what one would otherwise
write: a plain-Python loop, pandas' to_excel). Then it puts respondents under
load: a gunicorn server on the loopback interface, simulated people saving
section pages, and a check that every answer they were told was saved is in
the database.

Seconds come from a plain run of each step and peak memory from a second,
separate run under tracemalloc, since tracing slows a step down. The
management command (analysis/management/commands/benchmark.py) only parses
arguments, runs this in a subprocess pointed at the scratch database, and
prints.
"""

import gc
import hashlib
import http.cookiejar
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import repeat
from pathlib import Path

import dj_database_url
import django
import lxml.html
import numpy as np
import pandas as pd
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from surveys.campaigns import services as campaign_services
from surveys.models import (
    Agency,
    Answer,
    Campaign,
    Country,
    Invitation,
    InvitationLink,
    Question,
    Region,
    Response,
)
from surveys.questionnaires import services as questionnaire_services
from surveys.questionnaires.xlsform import (
    ChoiceDef,
    FormDefinition,
    QuestionDef,
    SectionDef,
)

from . import charts, exports, gaps, results
from .selectors import answers_frame
from .workbook import write_workbook

SEED = 2011  # ECOSOC resolution 2011/33
SECTIONS = 10
COUNTRIES_PER_REGION = 8
LANGUAGE = "English (en)"
CAMPAIGN_CODE = "BENCH"
ANSWER_CHUNK_ROWS = 60_000

# Targets from the issue: reported against, never asserted.
ANALYSIS_SECONDS = 2.0
WORKBOOK_SECONDS = 10.0
WORKBOOK_FLOOR_RATIO = 1.5
WORKBOOK_PEAK_MB = 500.0
SAVE_P95_MS = 100.0

# The simulated respondents: people, not a load generator.
THINK_SECONDS = (0.5, 1.5)
SWITCH_SECTION = 0.25  # chance that, after a save, a person opens another section
MAX_ACTIONS = 200  # per respondent, whatever --load-seconds allows
REQUEST_TIMEOUT = 15.0
SERVER_START_SECONDS = 60.0
# As README.md ("Production") runs it: three sync workers.
GUNICORN = ["--workers", "3"]
LOOPBACK = "127.0.0.1"

# Capability lags importance more in some regions than others, so the
# tables by region have something to show.
CAPABILITY_BY_REGION = {"Africa": -0.5, "Americas": 0.0, "Asia": -0.2, "Europe": 0.5}
CAPABILITY_OTHER_REGION = -0.6
LEGAL_CHOICES = ("yes", "partly", "no", "dont_know")


# Progress -------------------------------------------------------------------


class ProgressBar:
    """A small text bar on stderr, redrawn when the whole percentage moves."""

    def __init__(self, label, total, stream=None, width=30):
        self.label, self.total, self.width = label, max(total, 1), width
        self.stream = stream or sys.stderr
        self.shown = None

    def update(self, done):
        percent = min(100, int(100 * done / self.total))
        if percent == self.shown:
            return
        self.shown = percent
        filled = self.width * percent // 100
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\r{self.label:<28} [{bar}] {percent:3d}%")
        self.stream.flush()

    def close(self):
        self.update(self.total)
        self.stream.write("\n")
        self.stream.flush()


def say(message):
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


# The synthetic questionnaire -------------------------------------------------


def item_mix(items):
    """(competency pairs, legal-power items, integer items) adding up to `items`:
    about four fifths of the items rate competencies for importance and
    capability, as in the shipped questionnaire."""
    if items < 4:
        raise ValueError("a synthetic questionnaire needs at least 4 items")
    integers = max(1, round(items * 0.05))
    legal = max(1, round(items * 0.15))
    pairs = (items - legal - integers) // 2
    return pairs, items - integers - 2 * pairs, integers


def _label(text):
    return {LANGUAGE: text}


def synthetic_definition(items):
    """A FormDefinition with exactly `items` questions in up to 10 sections.

    Competency pairs (importance and capability on a select_one 1–5 scale),
    legal-power items (yes / partly / no / don't know) and staffing counts
    (integers) are dealt round the sections in turn.
    """
    pairs, legal, integers = item_mix(items)
    units = [("pair", n) for n in range(pairs)]
    units += [("legal", n) for n in range(legal)]
    units += [("integer", n) for n in range(integers)]
    section_count = min(SECTIONS, len(units))
    sections = [
        SectionDef(code=f"s{number:02d}", label=_label(f"Domain {number}"))
        for number in range(1, section_count + 1)
    ]
    counters = defaultdict(int)
    for index, (kind, _) in enumerate(units):
        section = sections[index % section_count]
        counters[section.code, kind] += 1
        number = counters[section.code, kind]
        prefix = section.code.upper()
        if kind == "pair":
            competency = f"{prefix}-{number:02d}"
            statement = _label(f"Competency {competency} of {section.label[LANGUAGE]}")
            for suffix, dimension, hint in (
                ("imp", "importance", "How important is this to your agency's work?"),
                ("cap", "capability", "How capable is your agency today?"),
            ):
                section.questions.append(
                    QuestionDef(
                        code=f"{competency}_{suffix}",
                        type="select_one",
                        list_name="scale5",
                        label=statement,
                        hint=_label(hint),
                        competency=competency,
                        dimension=dimension,
                    )
                )
        elif kind == "legal":
            section.questions.append(
                QuestionDef(
                    code=f"{prefix}-L{number:02d}",
                    type="select_one",
                    list_name="legal",
                    label=_label(f"Does the law give your agency power {number}?"),
                    dimension="legal_power",
                )
            )
        else:
            section.questions.append(
                QuestionDef(
                    code=f"{prefix}-R{number:02d}",
                    type="integer",
                    label=_label(f"How many staff work on task {number}?"),
                    dimension="resource",
                )
            )
    for section in sections:  # ratings first, as a person meets them on the page
        order = {"importance": 0, "capability": 0, "legal_power": 1, "resource": 2}
        section.questions.sort(key=lambda question: order[question.dimension])
    scale = [ChoiceDef("scale5", str(value), _label(str(value))) for value in range(1, 6)]
    legal_choices = [
        ChoiceDef("legal", name, _label(name.replace("_", " ").capitalize()))
        for name in LEGAL_CHOICES
    ]
    return FormDefinition(
        form_id="benchmark",
        title=f"Synthetic benchmark questionnaire ({items} items)",
        form_version=f"bench-{items}",
        default_language=LANGUAGE,
        languages=[LANGUAGE],
        sections=sections,
        choices=scale + legal_choices,
    )


# The synthetic campaign -------------------------------------------------------


def _countries(rng):
    """About 40 countries: eight drawn from each UN region."""
    chosen = []
    for region in Region.objects.order_by("name"):
        codes = list(region.countries.order_by("code").values_list("pk", flat=True))
        take = min(COUNTRIES_PER_REGION, len(codes))
        chosen += [codes[i] for i in sorted(rng.choice(len(codes), size=take, replace=False))]
    return chosen


@transaction.atomic
def synthetic_campaign_build(*, responses, items, seed=SEED, progress=True):
    """The BENCH campaign: `responses` agencies in about 40 countries, each
    with a submitted response answering all `items` questions. Returns it."""
    rng = np.random.default_rng(seed)
    questionnaire, _ = questionnaire_services.questionnaire_import(
        definition=synthetic_definition(items), publish=True
    )
    today = timezone.localdate()
    campaign = campaign_services.campaign_create(
        code=CAMPAIGN_CODE,
        name=f"Benchmark: {responses} responses × {items} items",
        questionnaire=questionnaire,
        opens_on=today - timedelta(days=40),
        closes_on=today + timedelta(days=30),
    )
    countries = _countries(rng)
    kinds = list(Agency.Kind.values)
    agency_countries = rng.choice(countries, size=responses)
    agency_kinds = rng.choice(len(kinds), size=responses)
    agencies = Agency.objects.bulk_create(
        Agency(
            name=f"Synthetic agency {number:05d}",
            country_id=int(country),
            kind=kinds[kind],
            size=int(size),
        )
        for number, (country, kind, size) in enumerate(
            zip(agency_countries, agency_kinds, rng.integers(5, 500, responses), strict=True)
        )
    )
    opened = timezone.now() - timedelta(days=40)
    submitted = np.sort(rng.uniform(0, 39 * 86_400, responses))
    invitations = Invitation.objects.bulk_create(
        Invitation(
            campaign=campaign,
            agency=agency,
            status=Invitation.Status.SUBMITTED,
            created_at=opened,
            opened_at=opened,
        )
        for agency in agencies
    )
    InvitationLink.objects.bulk_create(
        InvitationLink(
            invitation=invitation,
            token_hash=hashlib.sha256(rng.bytes(32)).hexdigest(),
            created_at=opened,
        )
        for invitation in invitations
    )
    stored = Response.objects.bulk_create(
        Response(
            invitation=invitation,
            status=Response.Status.SUBMITTED,
            version=1,
            started_at=opened,
            updated_at=opened + timedelta(seconds=float(seconds)),
            submitted_at=opened + timedelta(seconds=float(seconds)),
        )
        for invitation, seconds in zip(invitations, submitted, strict=True)
    )
    # Capability differs by region, and specialised units are more capable.
    region_of_country = dict(Country.objects.values_list("pk", "region__name"))
    offsets = np.array(
        [
            CAPABILITY_BY_REGION.get(region_of_country[int(c)], CAPABILITY_OTHER_REGION)
            for c in agency_countries
        ]
    )
    _answers_insert(
        questionnaire,
        np.array([response.pk for response in stored]),
        offsets + np.where(np.array(kinds)[agency_kinds] == "specialised_unit", 0.4, 0.0),
        rng,
        progress,
    )
    return campaign


def _answer_generator(questions, rng):
    """Per question, the parameters its answers are drawn from."""
    plan = []
    for question in questions:
        if question.dimension == "importance":
            plan.append(("importance", rng.uniform(3.0, 4.7)))
        elif question.dimension == "capability":
            plan.append(("capability", rng.uniform(1.8, 3.6)))
        elif question.dimension == "legal_power":
            plan.append(("legal", rng.dirichlet([4, 2, 3, 1])))
        else:
            plan.append(("integer", rng.uniform(2, 40)))
    return plan


def _answer_matrix(plan, capability_offsets, rng):
    """(texts, numbers) for a chunk of responses: arrays of shape
    (responses, questions); numbers are None for yes/no answers."""
    count = len(capability_offsets)
    texts = np.empty((count, len(plan)), dtype=object)
    numbers = np.empty((count, len(plan)), dtype=object)
    for column, (kind, parameter) in enumerate(plan):
        if kind in ("importance", "capability"):
            centre = parameter + (capability_offsets if kind == "capability" else 0.0)
            spread = 0.7 if kind == "importance" else 0.8
            values = np.clip(np.rint(centre + rng.normal(0, spread, count)), 1, 5).astype(int)
        elif kind == "integer":
            values = rng.poisson(parameter, count)
        else:
            picked = rng.choice(len(LEGAL_CHOICES), size=count, p=parameter)
            texts[:, column] = [LEGAL_CHOICES[index] for index in picked]
            numbers[:, column] = None
            continue
        texts[:, column] = values.astype(str).tolist()
        numbers[:, column] = values.astype(float).tolist()
    return texts, numbers


def _answers_insert(questionnaire, response_ids, capability_offsets, rng, progress):
    """All answers, in chunks: executemany on SQLite, COPY on PostgreSQL.
    Django's bulk_create would build a model instance per answer, which at a
    million answers costs minutes."""
    questions = list(Question.objects.filter(questionnaire=questionnaire).order_by("position"))
    question_ids = np.array([question.pk for question in questions])
    plan = _answer_generator(questions, rng)
    table = Answer._meta.db_table
    names = ["response", "question", "value", "number", "saved_version", "updated_at"]
    columns = ", ".join(Answer._meta.get_field(name).column for name in names)
    updated = connection.ops.adapt_datetimefield_value(timezone.now())
    per_chunk = max(1, ANSWER_CHUNK_ROWS // len(questions))
    total = len(response_ids) * len(questions)
    bar = ProgressBar("inserting answers", total) if progress else None
    with connection.cursor() as cursor:
        for start in range(0, len(response_ids), per_chunk):
            chunk = response_ids[start : start + per_chunk]
            texts, numbers = _answer_matrix(
                plan, capability_offsets[start : start + per_chunk], rng
            )
            rows = zip(
                np.repeat(chunk, len(questions)).tolist(),
                np.tile(question_ids, len(chunk)).tolist(),
                texts.ravel().tolist(),
                numbers.ravel().tolist(),
                repeat(1),
                repeat(updated),
            )
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                placeholders = ", ".join(["%s"] * len(names))
                cursor.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", list(rows)
                )
            if bar:
                bar.update(min(total, (start + len(chunk)) * len(questions)))
        # A real database would have statistics on a table this size.
        cursor.execute(f"ANALYZE {table}")
    if bar:
        bar.close()


# Measuring ----------------------------------------------------------------------


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


# The steps -------------------------------------------------------------------------


def gap_tables(frame, min_n):
    """The dashboard's tables (analysis.results.overview_tables), plus the
    competency table by region of the breakdown pages."""
    tables = results.overview_tables(frame, min_n)
    tables["competencies_by_region"] = gaps.competency_gaps(frame, by="region", min_n=min_n)
    return tables


def dashboard_charts(campaign, tables, min_n):
    """The four dashboard charts as PNG bytes, drawn as analysis.views.chart does."""
    labels = results.labels(campaign.questionnaire)
    rows, invited, invited_by = results.submissions(campaign)
    figures = [
        charts.gap_bars(
            tables["competencies"],
            top=15,
            min_n=min_n,
            labels=labels["competencies"],
            domain_labels=labels["domains"],
        ),
        charts.heatmap(tables["domains_by_region"], min_n=min_n, domain_labels=labels["domains"]),
        charts.quadrant_plot(tables["competencies"], min_n=min_n, domain_labels=labels["domains"]),
        charts.response_rate(
            [row[0] for row in rows], invited, by=[row[1] for row in rows], invited_by=invited_by
        ),
    ]
    return [charts.render(figure, "png") for figure in figures]


def full_workbook(campaign, path, parts):
    """The coordinator's workbook from a cold cache, as after an answer changes."""
    cache.clear()
    started = time.perf_counter()
    data = exports.workbook_data(campaign, results.Filters(), include_answers=True)
    parts["workbook_data"] = time.perf_counter() - started
    started = time.perf_counter()
    write_workbook(data, path)
    parts["write_workbook"] = time.perf_counter() - started
    return data


# The references -----------------------------------------------------------------------


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


# Query counts --------------------------------------------------------------------------


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


# The survey under load --------------------------------------------------------------------


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn on the loopback interface, stopped on leaving the block
    (also on an error or Ctrl-C)."""

    def __init__(self, scratch, env=None):
        self.port = free_port()
        self.base_url = f"http://{LOOPBACK}:{self.port}"
        self.log_path = Path(scratch) / "gunicorn.log"
        self.env = env or os.environ.copy()
        self.process = None
        self.command = [
            sys.executable,
            "-m",
            "gunicorn",
            "needsassessment.wsgi",
            "-b",
            f"{LOOPBACK}:{self.port}",
            *GUNICORN,
            "--graceful-timeout",
            "5",
        ]

    def __enter__(self):
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            self.command,
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def _wait_until_ready(self):
        deadline = time.monotonic() + SERVER_START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited at start:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.request("/"), timeout=2) as reply:
                    if reply.status == 200:
                        return
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer in {SERVER_START_SECONDS:.0f} s")

    def request(self, path, data=None):
        return urllib.request.Request(
            self.base_url + path, data=data, headers=proxy_headers(self.port)
        )

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if not self.log.closed:
            self.log.close()

    def log_tail(self, lines=20):
        self.log.flush()
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])


def proxy_headers(port):
    """What the TLS-terminating proxy in front of production adds: with
    DJANGO_BEHIND_PROXY=1 Django then treats the request as HTTPS, so the
    production settings (HTTPS redirect, secure cookies, CSRF origin check)
    stay on while the benchmark talks plain HTTP on the loopback interface."""
    return {"X-Forwarded-Proto": "https", "Origin": f"https://{LOOPBACK}:{port}"}


class _HandBack(urllib.request.HTTPErrorProcessor):
    """Every response comes back as it is, redirects included, so that a
    save's POST and the GET of its redirect are timed apart."""

    def http_response(self, request, response):
        return response

    https_response = http_response


def _opener():
    # The session and CSRF cookies are Secure, as in production; the
    # "proxy" hop is plain HTTP on the loopback interface, so allow it.
    policy = http.cookiejar.DefaultCookiePolicy(secure_protocols=("https", "wss", "http"))
    jar = http.cookiejar.CookieJar(policy)
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _HandBack())


@dataclass
class Page:
    csrf: str
    version: str
    rating_fields: list


def parse_section_page(html):
    document = lxml.html.fromstring(html)
    csrf = document.xpath("//input[@name='csrfmiddlewaretoken']/@value")
    version = document.xpath("//form//input[@name='version']/@value")
    fields = sorted(set(document.xpath("//input[@type='radio' and @value='5']/@name")))
    if not csrf or not version:
        raise ValueError("the section page has no CSRF token or version")
    return Page(csrf[0], version[0], fields)


@dataclass
class Session:
    """What one simulated respondent did and was told."""

    invitation_id: int
    save_ms: list = field(default_factory=list)
    get_ms: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    sent: dict = field(default_factory=dict)  # question code → last value the server accepted
    saves: int = 0


class Respondent:
    """One person at a browser: opens a section, rates its competencies,
    saves, reads the page again, now and then moves to another section."""

    def __init__(self, server, token, invitation_id, sections, seed, deadline):
        self.server, self.token, self.sections = server, token, sections
        self.rng = np.random.default_rng(seed)
        self.deadline = deadline
        self.opener = _opener()
        self.session = Session(invitation_id)

    def run(self):
        try:
            section = self._pick_section()
            page = self._get(section)
            actions, saved_here = 0, False
            while page is not None and actions < MAX_ACTIONS and self._think():
                actions += 1
                # A person rates a page before moving on to another.
                if saved_here and self.rng.random() < SWITCH_SECTION:
                    section = self._pick_section()
                    page, saved_here = self._get(section), False
                else:
                    page, saved_here = self._save(section, page), True
        except Exception as error:  # a thread must report, never die silently
            self.session.errors.append(f"{type(error).__name__}: {error}")
        return self.session

    def _pick_section(self):
        return self.sections[int(self.rng.integers(len(self.sections)))]

    def _think(self):
        pause = float(self.rng.uniform(*THINK_SECONDS))
        if time.monotonic() + pause > self.deadline:
            return False
        time.sleep(pause)
        return True

    def _url(self, section):
        return reverse("surveys:section", args=[self.token, section])

    def _open(self, path, data=None):
        request = self.server.request(path, data)
        started = time.perf_counter()
        with self.opener.open(request, timeout=REQUEST_TIMEOUT) as reply:
            body = reply.read()
            status, location = reply.status, reply.headers.get("Location")
        return status, location, body, (time.perf_counter() - started) * 1000

    def _get(self, section=None, path=None):
        status, _, body, ms = self._open(path or self._url(section))
        self.session.get_ms.append(ms)
        if status != 200:
            self.session.errors.append(f"GET {status}")
            return None
        return parse_section_page(body)

    def _save(self, section, page):
        values = {name: str(self.rng.integers(1, 6)) for name in page.rating_fields}
        form = {"csrfmiddlewaretoken": page.csrf, "version": page.version, "action": "save"}
        data = urllib.parse.urlencode(form | values).encode()
        status, location, _, ms = self._open(self._url(section), data)
        self.session.save_ms.append(ms)
        if status != 302 or not location:
            self.session.errors.append(f"save POST {status}")
            return None
        self.session.saves += 1
        self.session.sent.update(values)
        path = urllib.parse.urlsplit(location).path
        return self._get(path=path)


def load_invitations_create(campaign, count, prefix="Load-test agency", seed=SEED + 1):
    """`count` draft invitations for simulated respondents: [(invitation, token)]."""
    rng = np.random.default_rng(seed)
    countries = list(Country.objects.values_list("pk", flat=True).order_by("code"))
    kinds = list(Agency.Kind.values)
    created = []
    for number in range(count):
        agency = Agency.objects.create(
            name=f"{prefix} {number:03d}",
            country_id=countries[int(rng.integers(len(countries)))],
            kind=kinds[number % len(kinds)],
        )
        created.append(campaign_services.invitation_create(campaign=campaign, agency=agency))
    return created


def rating_sections(campaign):
    return list(
        Question.objects.filter(questionnaire=campaign.questionnaire, dimension__in=gaps.RATED)
        .order_by("section__position")
        .values_list("section__code", flat=True)
        .distinct()
    )


def _percentiles(values):
    if not values:
        return {"count": 0, "p50": None, "p95": None, "max": None}
    array = np.asarray(values)
    return {
        "count": len(values),
        "p50": float(np.percentile(array, 50)),
        "p95": float(np.percentile(array, 95)),
        "max": float(array.max()),
    }


def answers_check(sessions):
    """Per respondent, the last value the server accepted for each question
    against what the database holds."""
    answers = Answer.objects.filter(
        response__invitation_id__in=[session.invitation_id for session in sessions]
    ).values_list("response__invitation_id", "question__code", "value")
    stored = {(invitation_id, code): value for invitation_id, code, value in answers}
    sent = found = mismatched = 0
    for session in sessions:
        for code, value in session.sent.items():
            sent += 1
            held = stored.get((session.invitation_id, code))
            if held is not None:
                found += 1
            if held != value:
                mismatched += 1
    return {"sent": sent, "stored": found, "mismatches": mismatched, "lost": mismatched}


def survey_load(campaign, scratch, *, concurrency, seconds):
    """Simulated respondents against gunicorn; latencies and the lost-answer check."""
    invitations = load_invitations_create(campaign, concurrency)
    sections = rating_sections(campaign)
    connection.close()  # the server's workers, not this process, use the database now
    with Server(scratch) as server:
        _warm_up(server)
        deadline = time.monotonic() + seconds
        respondents = [
            Respondent(server, token, invitation.pk, sections, SEED + 100 + number, deadline)
            for number, (invitation, token) in enumerate(invitations)
        ]
        sessions = []
        threads = [
            threading.Thread(target=lambda r=r: sessions.append(r.run()), daemon=True)
            for r in respondents
        ]
        bar = ProgressBar(f"survey load ({concurrency} people)", seconds)
        started = time.monotonic()
        for thread in threads:
            thread.start()
        while any(thread.is_alive() for thread in threads):
            bar.update(min(seconds, time.monotonic() - started))
            time.sleep(0.25)
            if time.monotonic() > deadline + 2 * REQUEST_TIMEOUT + 5:
                break
        elapsed = time.monotonic() - started
        bar.close()
        server_log = server.log_tail(40)
    save_ms = [ms for s in sessions for ms in s.save_ms]
    get_ms = [ms for s in sessions for ms in s.get_ms]
    errors = [error for s in sessions for error in s.errors]
    return {
        "respondents": concurrency,
        "seconds": elapsed,
        "server": " ".join(["gunicorn", "needsassessment.wsgi", *GUNICORN]),
        "think_seconds": list(THINK_SECONDS),
        "save_post_ms": _percentiles(save_ms),
        "section_get_ms": _percentiles(get_ms),
        "requests": len(save_ms) + len(get_ms),
        "requests_per_second": (len(save_ms) + len(get_ms)) / elapsed if elapsed else 0.0,
        "errors": len(errors),
        "error_samples": errors[:10],
        "unfinished_respondents": concurrency - len(sessions),
        "answers": answers_check(sessions),
        "server_log_tail": server_log if errors else "",
    }


def _warm_up(server, requests=24):
    """Let every worker import the project before the clock starts."""

    def get(_):
        try:
            with urllib.request.urlopen(server.request("/"), timeout=REQUEST_TIMEOUT) as reply:
                reply.read()
        except OSError:
            pass

    threads = [threading.Thread(target=get, args=(n,)) for n in range(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


# Targets and the report -----------------------------------------------------------


@dataclass
class Target:
    key: str
    name: str
    target: str
    measured: str
    met: bool


def targets(steps, load):
    """The issue's targets with what was measured: reported, never asserted."""
    by_name = {step.name: step for step in steps}
    analysis, workbook = by_name["analysis"], by_name["full_workbook"]
    floor = next(ref for ref in workbook.references if ref.kind == "floor")
    floor_ratio = floor.ratio(workbook.seconds)
    p95 = load["save_post_ms"]["p95"]
    answers = load["answers"]
    return [
        Target(
            "analysis",
            "analysis (frame + gap tables)",
            f"< {ANALYSIS_SECONDS:g} s",
            f"{analysis.seconds:.2f} s",
            analysis.seconds < ANALYSIS_SECONDS,
        ),
        Target(
            "workbook_seconds",
            "full workbook time",
            f"< {WORKBOOK_SECONDS:g} s",
            f"{workbook.seconds:.2f} s",
            workbook.seconds < WORKBOOK_SECONDS,
        ),
        Target(
            "workbook_floor",
            "full workbook against the bare dump",
            f"≤ {WORKBOOK_FLOOR_RATIO:g}× floor",
            f"{floor_ratio:.2f}×",
            floor_ratio <= WORKBOOK_FLOOR_RATIO,
        ),
        Target(
            "workbook_memory",
            "full workbook peak memory",
            f"< {WORKBOOK_PEAK_MB:g} MB peak",
            f"{workbook.peak_mb:.0f} MB",
            workbook.peak_mb < WORKBOOK_PEAK_MB,
        ),
        Target(
            "save_p95",
            f"section save p95, {load['respondents']} respondents",
            f"p95 < {SAVE_P95_MS:g} ms",
            "no saves" if p95 is None else f"{p95:.0f} ms",
            p95 is not None and p95 < SAVE_P95_MS,
        ),
        Target(
            "lost_answers",
            "lost answers",
            "0 lost",
            f"{answers['lost']} of {answers['sent']} sent",
            answers["lost"] == 0 and answers["sent"] > 0,
        ),
    ]


STEP_TARGETS = {
    "analysis": ["analysis"],
    "full_workbook": ["workbook_seconds", "workbook_memory"],
}
REFERENCE_TARGETS = {("full_workbook", "floor"): "workbook_floor"}
ROW = "{:<53} {:>8} {:>8} {:>8} {:>7}  {:<16} {}"


def _verdict(met):
    return "met" if met else "not met"


def _mb(value):
    return "—" if value is None else f"{value:.0f}"


def _ms(value):
    return "—" if value is None else f"{value:.0f} ms"


def _other_load_lines(shares):
    """A warning when other processes took a noticeable share of the CPUs."""
    busy = [
        f"{share:.0%} of the CPUs during the {name.replace('_', ' ')}"
        for name, share in shares.items()
        if share is not None and share > 0.1
    ]
    if not busy:
        return []
    return [
        f"Warning: other processes (a database server counts) used {' and '.join(busy)}; "
        "these timings are inflated."
    ]


def report_table(report):
    """The report as a readable table (the JSON has every number)."""
    sizes, load, queries = report["sizes"], report["load"], report["queries"]
    goals = {target["key"]: target for target in report["targets"]}

    def goal(key):
        return (goals[key]["target"], _verdict(goals[key]["met"])) if key else ("", "")

    out = [
        f"Benchmark: {sizes['responses']:,} responses × {sizes['items']} items = "
        f"{sizes['answers']:,} answers on {sizes['database']} "
        f"({sizes['cpus']} CPUs, Python {sizes['python']}, Django {sizes['django']})",
        "Seconds come from a plain run of each step, peak MB from a separate run under "
        "tracemalloc (tracing slows a step down).",
        "Ratio = the step's seconds / the reference's seconds.",
        *_other_load_lines(report["other_processes_cpu_share"]),
        "",
        ROW.format("step", "seconds", "peak MB", "ref s", "ratio", "target", "verdict"),
        "-" * 115,
    ]
    for name, step in report["steps"].items():
        keys = STEP_TARGETS.get(name, [None])
        out.append(
            ROW.format(
                step["label"],
                f"{step['seconds']:.2f}",
                _mb(step["peak_mb"]),
                "",
                "",
                *goal(keys[0]),
            )
        )
        for key in keys[1:]:
            out.append(ROW.format("", "", "", "", "", *goal(key)))
        for part, seconds in step["parts"].items():
            out.append(ROW.format(f"    of which {part}", f"{seconds:.2f}", "", "", "", "", ""))
        for ref in step["references"]:
            measured = step["seconds"] if ref["compared_with"] is None else ref["compared_with"]
            out.append(
                ROW.format(
                    f"    {ref['kind']}: {ref['label']}",
                    "",
                    _mb(ref["peak_mb"]),
                    f"{ref['seconds']:.2f}",
                    f"{measured / ref['seconds']:.2f}×",
                    *goal(REFERENCE_TARGETS.get((name, ref["kind"]))),
                )
            )
    save, get, answers = load["save_post_ms"], load["section_get_ms"], load["answers"]
    out += [
        "",
        f"5 survey under load: {load['respondents']} respondents for {load['seconds']:.0f} s, "
        f"thinking {THINK_SECONDS[0]:g}–{THINK_SECONDS[1]:g} s between actions "
        f"({load['server']})",
        f"    section save POST   p50 {_ms(save['p50'])}, p95 {_ms(save['p95'])}, "
        f"max {_ms(save['max'])} ({save['count']} saves)   "
        f"{goals['save_p95']['target']}: {_verdict(goals['save_p95']['met'])}",
        f"    section page GET    p50 {_ms(get['p50'])}, p95 {_ms(get['p95'])}, "
        f"max {_ms(get['max'])} ({get['count']} pages)",
        f"    {load['requests_per_second']:.1f} requests/s, {load['errors']} errors",
        f"    answers: {answers['sent']} sent, {answers['stored']} stored, "
        f"{answers['mismatches']} missing or different   "
        f"{goals['lost_answers']['target']}: {_verdict(goals['lost_answers']['met'])}",
        "",
        "6 queries: section page GET {}, dashboard GET {} cold / {} warm (cached results)".format(
            queries["section_page_get"]["queries"],
            queries["dashboard_get_cold"]["queries"],
            queries["dashboard_get_warm"]["queries"],
        ),
        "",
        "Targets:",
    ]
    for target in report["targets"]:
        out.append(
            f"  {target['name']:<40} {target['target']:<16} {target['measured']:<22} "
            f"{_verdict(target['met'])}"
        )
    return "\n".join(out)


def _jsonable(value):
    if isinstance(value, (Measure, Reference, Target)):
        return _jsonable(value.__dict__)
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


# Orchestration ------------------------------------------------------------------------


def run(*, responses, items, concurrency, load_seconds, scratch):
    """Everything, in this process, on the database Django is connected to
    (a scratch database: see scratch_environment). Returns the report (a
    JSON-ready dict)."""
    if Campaign.objects.exists():
        raise RuntimeError(
            "the database already holds campaigns: the benchmark needs an empty scratch database"
        )
    say(f"building {responses:,} responses × {items} items")
    campaign, build_seconds = timed(
        lambda: synthetic_campaign_build(responses=responses, items=items)
    )
    answers = Answer.objects.filter(response__invitation__campaign=campaign).count()
    say(f"built {answers:,} answers in {build_seconds:.1f} s")
    with OtherLoad() as steps_load:
        steps = measure_steps(campaign, scratch)
    gc.collect()

    _, token = load_invitations_create(campaign, 1, prefix="Query-count agency")[0]
    sections = rating_sections(campaign)
    queries = query_counts(campaign, token, sections[0])
    with OtherLoad() as survey_other_load:
        load = survey_load(campaign, scratch, concurrency=concurrency, seconds=load_seconds)

    report = {
        "sizes": {
            "responses": responses,
            "items": items,
            "answers": answers,
            "database": connection.vendor
            + (f" {connection.Database.sqlite_version}" if connection.vendor == "sqlite" else ""),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "django": django.get_version(),
            "build_seconds": build_seconds,
        },
        "other_processes_cpu_share": {
            "steps": steps_load.share,
            "survey_load": survey_other_load.share,
        },
        "steps": {step.name: step for step in steps},
        "load": load,
        "queries": queries,
        "targets": targets(steps, load),
        "notes": [
            "Seconds come from a plain run of each step; peak MB from a separate run of the "
            "same step under tracemalloc, which slows it down.",
            "The full workbook runs from a cold cache (cache.clear()), as after an answer "
            "changes; its parts are workbook_data and write_workbook.",
            "The pandas to_excel baseline writes the same tables and is compared with "
            "write_workbook alone.",
            "Load: each simulated respondent thinks 0.5–1.5 s between actions; a save's POST "
            "and the GET of its redirect are timed apart. The server runs with DEBUG off "
            "behind a simulated TLS proxy (X-Forwarded-Proto: https).",
        ],
    }
    return _jsonable(report)


def write_json(report, path):
    Path(path).write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")


# The scratch database ----------------------------------------------------------


def scratch_directory():
    return Path(tempfile.mkdtemp(prefix="tna-benchmark-"))


def sqlite_url(scratch):
    return f"sqlite:///{Path(scratch) / 'benchmark.sqlite3'}"


def is_development_database(database_url):
    """Whether the URL names the database this process's settings use."""
    wanted = dj_database_url.parse(database_url)
    current = settings.DATABASES["default"]
    return all(
        str(wanted.get(key) or "") == str(current.get(key) or "")
        for key in ("ENGINE", "NAME", "HOST", "PORT")
    )


def scratch_environment(database_url):
    """The environment of every process of the benchmark: the scratch
    database, production settings (DEBUG off) and, for loopback HTTP, the
    proxy setting under which X-Forwarded-Proto says the request came over TLS."""
    env = os.environ.copy()
    env.update(
        DATABASE_URL=database_url,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS=LOOPBACK,
        DJANGO_BEHIND_PROXY="1",
        DJANGO_LOG_LEVEL=env.get("DJANGO_LOG_LEVEL", "WARNING"),
        PYTHONUNBUFFERED="1",
    )
    return env


def needs_collectstatic():
    """With DEBUG off, a manifest storage serves only collected static files."""
    backend = settings.STORAGES["staticfiles"]["BACKEND"]
    return settings.STATIC_ROOT is not None and "Manifest" in backend


def remove_scratch(scratch):
    shutil.rmtree(scratch, ignore_errors=True)
