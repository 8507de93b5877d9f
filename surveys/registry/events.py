"""The training registry: importing the events partners already keep in a
spreadsheet, and what the plan needs to know of them.

A file (CSV, or the first sheet or one named 'Events' of an .xlsx) has one
event a row under a header row:

    provider, reference, course, competencies, funder, start_date, end_date,
    status, country, venue, language, agencies, participants_female,
    participants_male, participants_other, participants_<audience>...

`provider` + `reference` (the provider's own id) is the key: importing the
same file twice adds nothing, a changed row updates its event. `course` is
a catalogue code, or a title with `competencies` listing codes. `country` is
ISO alpha-2; `venue` a place or "online"; `agencies` names separated by
";", each one of that country's agencies. Every problem is named by row and
column, and nothing is saved while any remains.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.spreadsheets import Problem, UnsafeWorkbook, cell_text, read_table
from surveys.courses.catalogue import competency_codes, split_codes
from surveys.models import Agency, Country, Course, TrainingEvent

REQUIRED = ("provider", "reference", "course", "start_date", "end_date", "status", "country")
OPTIONAL = (
    "competencies", "funder", "venue", "language", "agencies", "participants_female",
    "participants_male", "participants_other",
)  # fmt: skip
COUNTS = ("participants_female", "participants_male", "participants_other")
AUDIENCE_COLUMNS = {f"participants_{audience}": audience for audience in Course.Audience.values}


class EventImportError(Exception):
    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


@dataclass
class EventRow:
    row: int
    values: dict = field(default_factory=dict)
    agencies: list = field(default_factory=list)


def read_events(data, filename):
    """The checked rows of an events file, or EventImportError."""
    try:
        table = read_table(data, filename, sheet="events")
    except UnsafeWorkbook as error:
        raise EventImportError([Problem(str(error), error.sheet)]) from error
    sheet, rows = table.sheet, table.rows
    if not rows:
        raise EventImportError([Problem(_("the file is empty"), sheet)])
    headers = [cell_text(cell).lower() for cell in rows[0]]
    absent = _("the column is missing")
    missing = [Problem(absent, sheet, 1, c) for c in REQUIRED if c not in headers]
    if missing:
        raise EventImportError(missing)
    context = _Context.load()
    problems, events, keys = [], [], {}
    for number, cells in enumerate(rows[1:], start=2):
        record = {h: cell for h, cell in zip(headers, cells, strict=False) if h}
        if not any(cell_text(value) for value in record.values()):
            continue
        event = _event(number, record, context, sheet, problems)
        key = (event.values.get("provider"), event.values.get("reference"))
        if all(key) and key in keys:
            # Translators: the event's provider and reference, then a row number.
            message = _("the event %(provider)s %(reference)s is already in row %(row)d")
            problems.append(
                Problem(
                    message % {"provider": key[0], "reference": key[1], "row": keys[key]},
                    sheet,
                    number,
                    "reference",
                )  # fmt: skip
            )
        keys.setdefault(key, number)
        events.append(event)
    if not events and not problems:
        problems.append(Problem(_("the file has no events"), sheet, 2))
    if problems:
        raise EventImportError(problems)
    return events


class _Context:
    """The reference data rows are checked against, read once."""

    @classmethod
    def load(cls):
        context = cls()
        context.courses = {course.code: course for course in Course.objects.all()}
        context.countries = {country.code: country for country in Country.objects.all()}
        context.agencies = {}
        for agency in Agency.objects.select_related("country"):
            context.agencies[(agency.country.code, _name_key(agency.name))] = agency
        context.competencies = competency_codes()
        return context


def _name_key(name):
    return re.sub(r"\s+", " ", name).strip().casefold()


def _event(number, record, context, sheet, problems):
    def problem(column, message):
        problems.append(Problem(message, sheet, number, column))

    text = {column: cell_text(record.get(column)) for column in (*REQUIRED, *OPTIONAL)}
    values = {"provider": text["provider"], "reference": text["reference"]}
    for column in ("provider", "reference"):
        named = {"column": column}
        if not text[column]:
            # Translators: a column's name, as in the file: provider or reference.
            problem(column, _("the %(column)s is missing") % named)
        elif len(text[column]) > (200 if column == "provider" else 100):
            # Translators: a column's name, as in the file: provider or reference.
            problem(column, _("the %(column)s is too long") % named)
    _course(text, values, context, problem)
    for column in ("start_date", "end_date"):
        values[column] = _date(record.get(column), column, problem)
    if values["start_date"] and values["end_date"] and values["end_date"] < values["start_date"]:
        problem("end_date", _("the end date is before the start date"))
    status = text["status"].lower()
    if status not in TrainingEvent.Status.values:
        # Translators: planned, delivered and cancelled are the values the file must hold.
        message = _("'%(value)s' is not a status; use planned, delivered or cancelled")
        problem("status", message % {"value": text["status"]})
    values["status"] = status
    country = context.countries.get(text["country"].upper())
    if country is None:
        message = _("'%(value)s' is not an ISO 3166 alpha-2 country code")
        problem("country", message % {"value": text["country"]})
    values["country"] = country
    values["online"] = text["venue"].lower() == "online"
    values["venue"] = "" if values["online"] else text["venue"]
    values["funder"], values["language"] = text["funder"], text["language"]
    for column, limit in (("venue", 200), ("funder", 200), ("language", 60)):
        if (length := len(text[column])) > limit:
            problem(column, _too_long(column, length, limit))
    _participants(record, values, problem)
    event = EventRow(row=number, values=values)
    if country is not None:
        for name in [part for part in text["agencies"].split(";") if part.strip()]:
            agency = context.agencies.get((country.code, _name_key(name)))
            if agency is None:
                message = _("no agency '%(name)s' in %(country)s")
                problem("agencies", message % {"name": name.strip(), "country": country.name})
            else:
                event.agencies.append(agency)
    return event


def _too_long(column, length, limit):
    return ngettext(
        # Translators: a column's name, as in the file: venue, funder or language.
        "the %(column)s has %(count)d character; at most %(limit)d",
        "the %(column)s has %(count)d characters; at most %(limit)d",
        length,
    ) % {"column": column, "count": length, "limit": limit}


def _course(text, values, context, problem):
    code = text["course"]
    values["course"], values["title"], values["competencies"] = None, "", []
    if not code:
        problem("course", _("the course is missing: a catalogue code, or a title"))
    elif code in context.courses:
        values["course"] = context.courses[code]
        values["competencies"] = list(context.courses[code].competencies)
    else:
        codes = split_codes(text["competencies"])
        if not codes:
            problem(
                "competencies",
                _("'%(code)s' is not a course of the catalogue: name the competencies it covers")
                % {"code": code},
            )
        for competency in codes:
            if competency not in context.competencies:
                message = _("unknown competency '%(code)s'")
                problem("competencies", message % {"code": competency})
        values["title"], values["competencies"] = code[:200], codes


def _date(value, column, problem):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = cell_text(value)
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        message = _("'%(value)s' is not a date; write it as year-month-day, e.g. 2026-03-31")
        problem(column, message % {"value": text})
        return None


def _participants(record, values, problem):
    def count(column):
        text = cell_text(record.get(column))
        if not text:
            return 0
        if not text.isdecimal():
            problem(
                column, _("'%(value)s' is not a whole number of participants") % {"value": text}
            )
            return 0
        return int(text)

    for column in COUNTS:
        values[column] = count(column)
    values["participants_by_audience"] = {
        audience: number
        for column, audience in AUDIENCE_COLUMNS.items()
        if column in record and (number := count(column))
    }


@transaction.atomic
def import_events(rows):
    """Create or update each event by provider and reference. Returns
    (created, updated); an unchanged event is not saved again."""
    created = updated = 0
    for row in rows:
        key = {"provider": row.values["provider"], "reference": row.values["reference"]}
        fields = {k: v for k, v in row.values.items() if k not in key}
        event = TrainingEvent.objects.filter(**key).first()
        if event is None:
            event = TrainingEvent.objects.create(**key, **fields)
            event.agencies.set(row.agencies)
            created += 1
            continue
        changed = any(getattr(event, name) != value for name, value in fields.items())
        if changed:
            for name, value in fields.items():
                setattr(event, name, value)
            event.save()
        if set(event.agencies.all()) != set(row.agencies):
            event.agencies.set(row.agencies)
            changed = True
        updated += changed
    return created, updated


def covered(plan_agencies, today, *, months_back=24, months_ahead=12):
    """{(agency id, course code): "provider reference (status, start date)"}
    of the catalogue courses an agency took within `months_back` months or
    is scheduled for within the next `months_ahead`: the plan does not count
    these again. `plan_agencies`: agency ids to look at (None for all)."""
    since = today - datetime.timedelta(days=round(30.44 * months_back))
    until = today + datetime.timedelta(days=round(30.44 * months_ahead))
    events = TrainingEvent.objects.filter(course__isnull=False).exclude(
        status=TrainingEvent.Status.CANCELLED
    )
    delivered = events.filter(status=TrainingEvent.Status.DELIVERED, end_date__gte=since)
    planned = events.filter(
        status=TrainingEvent.Status.PLANNED, start_date__gte=today, start_date__lte=until
    )
    found = {}
    for event in (delivered | planned).select_related("course").prefetch_related("agencies"):
        for agency in event.agencies.all():
            if plan_agencies is None or agency.pk in plan_agencies:
                found.setdefault(
                    (agency.pk, event.course.code),
                    f"{event.provider} {event.reference} ({event.get_status_display().lower()}, "
                    f"{event.start_date.isoformat()})",
                )
    return found
