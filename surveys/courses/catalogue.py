"""The training course catalogue: reading it from a spreadsheet and loading it.

A catalogue is a CSV (UTF-8, with or without a byte-order mark) or an .xlsx
whose first sheet has one course a row under a header row (row 1):

    code, title, description, competencies, audiences, level, duration_days,
    prerequisites, preconditions, source

`competencies`, `audiences`, `prerequisites` and `preconditions` hold codes
separated by spaces or commas; `preconditions` names the yes / partly / no
questions on the legal powers or resources the course depends on (an agency
answering "no" is advised on those first, not counted for the course).
`description`, `prerequisites`, `preconditions` and `source` may be left
out. A file is checked cell by cell and refused whole: every problem names
its row and column, and nothing is loaded while any remains.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.spreadsheets import Problem, UnsafeWorkbook, cell_text, read_table
from surveys.models import Choice, Course, Question

COLUMNS = (
    "code",
    "title",
    "description",
    "competencies",
    "audiences",
    "level",
    "duration_days",
    "prerequisites",
    "preconditions",
    "source",
)
REQUIRED_COLUMNS = ("code", "title", "competencies", "audiences", "level", "duration_days")
CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,40}")
MAX_DURATION_DAYS = Decimal("999.9")  # Course.duration_days: 4 digits, 1 decimal place


class CourseImportError(Exception):
    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


@dataclass
class CourseRow:
    row: int
    code: str
    title: str
    level: str
    duration_days: Decimal
    competencies: list = field(default_factory=list)
    audiences: list = field(default_factory=list)
    prerequisites: list = field(default_factory=list)
    preconditions: list = field(default_factory=list)
    description: str = ""
    source: str = ""


def split_codes(text):
    """'DF-01, DF-02 DF-03' → ['DF-01', 'DF-02', 'DF-03'], first occurrence kept."""
    codes = [code for code in re.split(r"[\s,;]+", text or "") if code]
    return list(dict.fromkeys(codes))


def competency_codes(questionnaire=None):
    """The competency codes of one questionnaire's questions, or of all of them."""
    questions = Question.objects.exclude(competency="")
    if questionnaire is not None:
        questions = questions.filter(questionnaire=questionnaire)
    return set(questions.values_list("competency", flat=True).distinct())


def precondition_codes(questionnaire=None):
    """The codes of the questions a course may depend on: single choices
    whose list offers "no" (the yes / partly / no legal and resource items)."""
    lists = Choice.objects.filter(name="no")
    questions = Question.objects.filter(type=Question.Type.SELECT_ONE)
    if questionnaire is not None:
        questions = questions.filter(questionnaire=questionnaire)
        lists = lists.filter(questionnaire=questionnaire)
    names = set(lists.values_list("list_name", flat=True))
    return set(questions.filter(list_name__in=names).values_list("code", flat=True).distinct())


def course_graph():
    """{code: [prerequisite codes]} of the courses in the database."""
    graph = {code: [] for code in Course.objects.values_list("code", flat=True)}
    through = Course.prerequisites.through.objects.values_list(
        "from_course__code", "to_course__code"
    )
    for code, prerequisite in through:
        graph[code].append(prerequisite)
    return graph


def find_cycles(graph):
    """Each cycle of a {code: [prerequisite codes]} graph once, as a list of
    codes that starts and ends with the same code (depth-first search)."""
    cycles, state, path = [], {}, []

    def visit(code):
        state[code] = "open"
        path.append(code)
        for prerequisite in graph.get(code, ()):
            if state.get(prerequisite) == "open":
                cycles.append(path[path.index(prerequisite) :] + [prerequisite])
            elif prerequisite not in state:
                visit(prerequisite)
        path.pop()
        state[code] = "done"

    for code in sorted(graph):
        if code not in state:
            visit(code)
    return cycles


def read_courses(
    data, filename, *, known_competencies, existing_courses=None, known_preconditions=None
):
    """Parse and check a catalogue file, or raise CourseImportError.

    `known_competencies`: the competency codes a course may name.
    `existing_courses`: {code: [prerequisite codes]} of the courses already
    loaded (by default, read from the database); a prerequisite may name one
    of them, and the file's rows replace theirs when checking for cycles.
    `known_preconditions`: the question codes a precondition may name (by
    default precondition_codes()).
    """
    if existing_courses is None:
        existing_courses = course_graph()
    if known_preconditions is None:
        known_preconditions = precondition_codes()
    sheet, headers, records = _records(data, filename)
    problems = []
    for column in REQUIRED_COLUMNS:
        if column not in headers:
            problems.append(Problem(_("the column is missing"), sheet, 1, column))
    if problems:
        raise CourseImportError(problems)
    if not records:
        raise CourseImportError([Problem(_("the file has no courses"), sheet, 2)])

    rows, first_row = [], {}
    for number, record in records:
        row = _course_row(number, record, known_competencies, sheet, problems)
        row.preconditions = _preconditions(record, known_preconditions, sheet, number, problems)
        if row.code in first_row:
            problems.append(
                Problem(
                    _("course '%(code)s' is already in row %(row)d")
                    % {"code": row.code, "row": first_row[row.code]},
                    sheet,
                    number,
                    "code",
                )
            )
        elif row.code:
            first_row[row.code] = number
        rows.append(row)

    problems += _unknown_prerequisites(rows, first_row, existing_courses, sheet)
    graph = {**existing_courses, **{row.code: row.prerequisites for row in rows if row.code}}
    for cycle in find_cycles(graph):
        rows_on_cycle = [first_row[code] for code in cycle if code in first_row]
        if not rows_on_cycle:
            continue  # a cycle already in the database is not this file's doing
        problems.append(
            Problem(
                _("the prerequisites form a cycle: %(cycle)s") % {"cycle": " → ".join(cycle)},
                sheet,
                min(rows_on_cycle),
                "prerequisites",
            )
        )
    if problems:
        raise CourseImportError(sorted(problems, key=lambda problem: problem.row or 0))
    return rows


def _unknown_prerequisites(rows, first_row, existing_courses, sheet):
    return [
        Problem(
            _("unknown prerequisite '%(code)s': no such course in the file or the catalogue")
            % {"code": prerequisite},
            sheet,
            row.row,
            "prerequisites",
        )
        for row in rows
        for prerequisite in row.prerequisites
        if prerequisite not in first_row and prerequisite not in existing_courses
    ]


def _course_row(number, record, known_competencies, sheet, problems):
    def problem(column, message):
        problems.append(Problem(message, sheet, number, column))

    code, title, source = (record.get(column, "") for column in ("code", "title", "source"))
    _check_texts(code, title, source, problem)
    competencies = split_codes(record.get("competencies"))
    if not competencies:
        problem("competencies", _("name at least one competency"))
    for competency in competencies:
        if competency not in known_competencies:
            if known_competencies:
                message = _("unknown competency '%(code)s'")
            else:
                message = _(
                    "unknown competency '%(code)s' (no questionnaire defines competencies yet)"
                )
            problem("competencies", message % {"code": competency})

    audiences = [audience.lower() for audience in split_codes(record.get("audiences"))]
    if not audiences:
        problem("audiences", _("name at least one audience"))
    values = {"values": ", ".join(Course.Audience.values)}
    for audience in audiences:
        if audience not in Course.Audience.values:
            # Translators: %(values)s lists the codes the file may hold, e.g. "judges, managers".
            message = _("unknown audience '%(code)s'; use %(values)s")
            problem("audiences", message % {"code": audience, **values})

    level = record.get("level", "").lower()
    values = {"values": ", ".join(Course.Level.values), "code": level}
    if not level:
        # Translators: %(values)s lists the codes the file may hold, e.g. "introductory, advanced".
        problem("level", _("the level is missing; use %(values)s") % values)
    elif level not in Course.Level.values:
        problem("level", _("unknown level '%(code)s'; use %(values)s") % values)

    duration = _duration(record.get("duration_days", ""))
    if duration is None:
        message = _(
            "'%(value)s' is not a number of days between 0.5 and %(max)s, with at most one decimal"
        )
        value = record.get("duration_days", "")
        problem("duration_days", message % {"value": value, "max": MAX_DURATION_DAYS})

    prerequisites = split_codes(record.get("prerequisites"))
    return CourseRow(
        row=number,
        code=code,
        title=title,
        description=record.get("description", ""),
        competencies=competencies,
        audiences=[a for a in Course.Audience.values if a in audiences],
        level=level,
        duration_days=duration,
        prerequisites=prerequisites,
        source=source,
    )


def _preconditions(record, known, sheet, number, problems):
    codes = split_codes(record.get("preconditions"))
    for code in codes:
        if code not in known:
            problems.append(
                Problem(
                    _(
                        "unknown precondition '%(code)s': name a yes / partly / no question of "
                        "the questionnaire, e.g. UC-L01"
                    )
                    % {"code": code},
                    sheet,
                    number,
                    "preconditions",
                )
            )
    return codes


def _check_texts(code, title, source, problem):
    if not code:
        problem("code", _("the code is missing"))
    elif not CODE_PATTERN.fullmatch(code):
        message = _("code '%(code)s' may use only letters, digits, - and _ (at most 40)")
        problem("code", message % {"code": code})
    if not title:
        problem("title", _("the title is missing"))
    elif len(title) > 200:
        message = ngettext(
            "the title has %(count)d character; at most 200",
            "the title has %(count)d characters; at most 200",
            len(title),
        )
        problem("title", message % {"count": len(title)})
    if len(source) > 300:
        message = ngettext(
            "the source has %(count)d character; at most 300",
            "the source has %(count)d characters; at most 300",
            len(source),
        )
        problem("source", message % {"count": len(source)})


def _duration(text):
    try:
        days = Decimal(text.replace(",", ".")) if text else None
    except InvalidOperation:
        return None
    if days is None or not days.is_finite() or not 0 < days <= MAX_DURATION_DAYS:
        return None
    if days != days.quantize(Decimal("0.1")):
        return None
    return days.quantize(Decimal("0.1"))


def _records(data, filename):
    """(sheet name or None, headers, [(row number, {column: text})]) of the
    non-blank rows, header = row 1. An .xlsx is read from its sheet named
    'Courses' when it has one, else from its first."""
    try:
        table = read_table(data, filename, sheet="courses", data_only=False)
    except UnsafeWorkbook as error:
        raise CourseImportError([Problem(str(error), error.sheet)]) from error
    return (table.sheet, *_to_records(table.rows))


def _to_records(table):
    if not table:
        return [], []
    headers = [cell_text(cell).lower() for cell in table[0]]
    records = []
    for number, values in enumerate(table[1:], start=2):
        record = {
            header: cell_text(value)
            for header, value in zip(headers, values, strict=False)
            if header in COLUMNS
        }
        if any(record.values()):
            records.append((number, record))
    return [header for header in headers if header], records


@transaction.atomic
def import_courses(rows):
    """Create or update each course by code, then set the prerequisites once
    every course exists. Returns (created, updated); a course whose content
    is unchanged is not saved again, so its history stays clean."""
    fields = ("title", "description", "competencies", "audiences", "level", "duration_days")
    fields += ("preconditions", "source")
    existing = {course.code: course for course in Course.objects.prefetch_related("prerequisites")}
    created, changed = set(), set()
    for row in rows:
        values = {name: getattr(row, name) for name in fields}
        course = existing.get(row.code)
        if course is None:
            existing[row.code] = Course.objects.create(code=row.code, **values)
            created.add(row.code)
        elif any(getattr(course, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(course, name, value)
            course.save(update_fields=list(fields))
            changed.add(row.code)
    for row in rows:
        course = existing[row.code]
        current = set() if row.code in created else {p.code for p in course.prerequisites.all()}
        if current != set(row.prerequisites):
            course.prerequisites.set([existing[code] for code in row.prerequisites])
            if row.code not in created:
                changed.add(row.code)
    return len(created), len(changed)
