"""Questionnaires in and out as XLSForm workbooks (survey, choices, settings).

Reading keeps each cell's sheet, row and column so that every problem can be
named where the author will find it; pyxform then converts the same bytes to
an XForm, which catches whatever else makes a form invalid for ODK and
KoboToolbox. Extra columns carry what XLSForm lacks: `competency`,
`dimension` and `source`. Unknown columns are kept and written back, so a
round trip loses nothing."""

import io
import re
from pathlib import PurePath

from pyxform.errors import PyXFormError
from pyxform.xls2xform import convert

from common.spreadsheets import Problem, UnsafeWorkbook, open_workbook, sheet_rows
from surveys.questionnaires import expressions
from surveys.questionnaires.xlsform.definition import (
    DEFAULT_LANGUAGE,
    DIMENSIONS,
    RATED_DIMENSIONS,
    SUPPORTED_TYPES,
    SURVEY_COLUMNS,
    TRANSLATABLE,
    ChoiceDef,
    FormDefinition,
    QuestionDef,
    SectionDef,
    XLSFormError,
)

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


_TRUE = {"yes", "true", "true()", "1"}


_FALSE = {"", "no", "false", "false()", "0"}


def _text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


def _sheet_rows(sheet):
    """(row number, {header: text}) for each non-blank row, and the headers."""
    try:
        rows = sheet_rows(sheet)
    except UnsafeWorkbook as error:
        raise XLSFormError([Problem(str(error), sheet=sheet.title)]) from error
    headers = [_text(cell) for cell in (rows[0] if rows else ())]
    records = []
    for number, values in enumerate(rows[1:], start=2):
        record = {
            header: _text(value)
            for header, value in zip(headers, values, strict=False)
            if header and _text(value)
        }
        if record:
            records.append((number, record))
    return [header for header in headers if header], records


def _split_translatable(header):
    """'label::French (fr)' → ('label', 'French (fr)'); 'label' → ('label', None).
    The older single colon ('label:english', as pyxform still reads it)
    works too."""
    separator = "::" if "::" in header or header.startswith("jr:") else ":"
    base, _, language = header.partition(separator)
    base = base.strip()
    if base == "jr:constraintMsg":
        base = "constraint_message"
    if base in TRANSLATABLE:
        return base, (language.strip() or None)
    return None, None


def _translations(record, base, default_language):
    found = {}
    for header, value in record.items():
        column, language = _split_translatable(header)
        if column == base:
            found[language or default_language] = value
    return found


def _extras(record, known):
    return {
        header: value
        for header, value in record.items()
        if header not in known and _split_translatable(header)[0] is None
    }


def _languages(headers, default_language):
    languages = []
    for header in headers:
        column, language = _split_translatable(header)
        if column and (language or default_language) not in languages:
            languages.append(language or default_language)
    return languages


def _parse_type(raw):
    """'select_one scale5' → ('select_one', 'scale5'); also pyxform's 'select one x'."""
    parts = raw.replace("select one ", "select_one ").replace(
        "select multiple ", "select_multiple "
    )
    parts = parts.split()
    if not parts:
        return "", ""
    if parts[0] in ("begin", "end") and len(parts) == 2 and parts[1] == "group":
        return f"{parts[0]}_group", ""
    return parts[0], " ".join(parts[1:])


def read_xlsform(data, filename=None):
    """Parse XLSForm workbook bytes into a FormDefinition or raise XLSFormError.

    Without a settings sheet (or a form_id in it), the form id is the file's
    name without its extension, as pyxform and KoboToolbox take it."""
    try:
        workbook = open_workbook(data)
    except UnsafeWorkbook as error:
        raise XLSFormError([Problem(str(error))]) from error
    sheets = {name.strip().lower(): workbook[name] for name in workbook.sheetnames}
    if "survey" not in sheets:
        raise XLSFormError([Problem("the workbook has no 'survey' sheet", sheet="survey")])

    problems = []
    settings = {}
    if "settings" in sheets:
        _, setting_rows = _sheet_rows(sheets["settings"])
        if setting_rows:
            settings = setting_rows[0][1]
    form_id = settings.get("form_id", "") or _form_id_from(filename)
    if not form_id:
        problems.append(Problem("form_id is missing", sheet="settings", column="form_id"))
    elif not re.fullmatch(r"[A-Za-z0-9_\-]{1,60}", form_id):
        problems.append(
            Problem(
                f"form_id '{form_id}' may use only letters, digits, - and _ (at most 60)",
                sheet="settings",
                row=2,
                column="form_id",
            )
        )

    survey_headers, survey_rows = _sheet_rows(sheets["survey"])
    default_language = settings.get("default_language") or DEFAULT_LANGUAGE
    choice_headers, choice_rows = (
        _sheet_rows(sheets["choices"]) if "choices" in sheets else ([], [])
    )
    languages = _languages(survey_headers + choice_headers, default_language)
    if default_language not in languages and languages:
        if settings.get("default_language"):
            problems.append(
                Problem(
                    f"default_language '{default_language}' has no label column "
                    f"(columns found for: {', '.join(languages)})",
                    sheet="settings",
                    column="default_language",
                )
            )
        default_language = languages[0]
    for column in ("type", "name"):
        if column not in survey_headers:
            problems.append(Problem(f"the '{column}' column is missing", sheet="survey", row=1))
    if not any(_split_translatable(h)[0] == "label" for h in survey_headers):
        problems.append(
            Problem("no label column (label or label::Language)", sheet="survey", row=1)
        )
    if problems:
        raise XLSFormError(problems)

    choices, lists = _read_choices(choice_rows, default_language, problems)
    sections = _read_survey(survey_rows, default_language, lists, problems)
    if problems:
        raise XLSFormError(problems)

    definition = FormDefinition(
        form_id=form_id,
        title=settings.get("form_title") or form_id,
        form_version=settings.get("version", ""),
        default_language=default_language,
        languages=languages or [default_language],
        sections=sections,
        choices=choices,
        draft_languages=[
            language
            for language in re.split(r"\s*;\s*", settings.get("draft_translations", "").strip())
            if language in languages
        ],
    )
    _check_with_pyxform(data, definition)
    return definition


def _read_choices(rows, default_language, problems):
    choices, lists, seen = [], {}, set()
    for row, record in rows:
        list_name, name = record.get("list_name", ""), record.get("name", "")
        label = _translations(record, "label", default_language)
        if not list_name:
            problems.append(Problem("list_name is empty", "choices", row, "list_name"))
            continue
        if not name:
            problems.append(Problem("name is empty", "choices", row, "name"))
            continue
        if (list_name, name) in seen:
            problems.append(
                Problem(
                    f"choice '{name}' appears twice in list '{list_name}'", "choices", row, "name"
                )
            )
            continue
        if not label.get(default_language):
            problems.append(
                Problem(
                    f"choice '{name}' has no label", "choices", row, _label_column(default_language)
                )
            )
        seen.add((list_name, name))
        lists.setdefault(list_name, []).append(name)
        choices.append(ChoiceDef(list_name, name, label, _extras(record, {"list_name", "name"})))
    return choices, lists


def _label_column(language):
    return "label" if language == DEFAULT_LANGUAGE else f"label::{language}"


def _read_survey(rows, default_language, lists, problems):
    sections, section, names = [], None, {}
    expressions_to_check = []
    for row, record in rows:
        raw_type = record.get("type", "")
        kind, list_name = _parse_type(raw_type)
        name = record.get("name", "")
        label = _translations(record, "label", default_language)
        if not kind:
            problems.append(Problem("the row has content but no type", "survey", row, "type"))
            continue
        if kind == "end_group":
            _check_group_end(section, row, problems)
            section = None
            continue
        problem = _name_problem(name, names, row)
        if problem:
            problems.append(problem)
            continue
        names[name] = row
        if not label.get(default_language):
            problems.append(
                Problem(f"'{name}' has no label", "survey", row, _label_column(default_language))
            )
        relevant = record.get("relevant", "")
        if relevant:
            expressions_to_check.append((row, "relevant", relevant))
        if kind == "begin_group":
            if section is not None:
                problems.append(
                    Problem(
                        f"group '{name}' is inside group '{section.code}': nested groups are "
                        "not supported, close the first with 'end group'",
                        "survey",
                        row,
                        "type",
                    )
                )
                continue
            section = SectionDef(
                code=name,
                label=label,
                hint=_translations(record, "hint", default_language),
                relevant=relevant,
                extra=_extras(record, {"type", "name", "relevant"}),
            )
            sections.append(section)
            continue
        if kind not in SUPPORTED_TYPES:
            problems.append(
                Problem(
                    f"question type '{raw_type}' is not supported "
                    f"(use one of: {', '.join(SUPPORTED_TYPES)}, begin group, end group)",
                    "survey",
                    row,
                    "type",
                )
            )
            continue
        if section is None:
            problems.append(
                Problem(
                    f"'{name}' is outside any group: every question belongs to a section "
                    "(begin group … end group)",
                    "survey",
                    row,
                    "type",
                )
            )
            continue
        question = _read_question(
            row, record, kind, list_name, name, label, default_language, lists, problems
        )
        if question.constraint:
            expressions_to_check.append((row, "constraint", question.constraint))
        section.questions.append(question)
    if section is not None:
        problems.append(
            Problem(
                f"group '{section.code}' is never closed with 'end group'",
                "survey",
                names[section.code],
                "type",
            )
        )
    if not sections and not problems:
        problems.append(Problem("the form has no sections (begin group … end group)", "survey"))

    _check_references(expressions_to_check, names, problems)
    _check_competency_pairs(sections, names, problems)
    return sections


def _check_group_end(section, row, problems):
    if section is None:
        problems.append(Problem("'end group' without 'begin group'", "survey", row, "type"))
    elif not section.questions:
        problems.append(Problem(f"group '{section.code}' has no questions", "survey", row, "type"))


def _name_problem(name, names, row):
    """What is wrong with a question or group name, or None."""
    if not name:
        return Problem("name is empty", "survey", row, "name")
    if not _NAME.match(name):
        return Problem(
            f"name '{name}' must start with a letter or _ and use only letters, digits, _, - and .",
            "survey",
            row,
            "name",
        )
    if name in names:
        return Problem(f"name '{name}' is already used in row {names[name]}", "survey", row, "name")
    return None


def _check_references(expressions_to_check, names, problems):
    """Every relevant and constraint expression is one we can evaluate, and
    refers only to questions of this form."""
    for row, column, text in expressions_to_check:
        try:
            unknown = sorted(expressions.references(text) - set(names))
        except expressions.ExpressionError as error:
            problems.append(Problem(f"cannot understand '{text}': {error}", "survey", row, column))
            continue
        if unknown:
            problems.append(
                Problem(
                    f"'{text}' refers to {', '.join('${' + n + '}' for n in unknown)}, "
                    "which is not a question in this form",
                    "survey",
                    row,
                    column,
                )
            )


def _read_question(row, record, kind, list_name, name, label, default_language, lists, problems):
    if kind in ("select_one", "select_multiple"):
        if not list_name:
            problems.append(Problem(f"'{kind}' needs a choice list name", "survey", row, "type"))
        elif list_name not in lists:
            problems.append(
                Problem(
                    f"choice list '{list_name}' is not on the choices sheet", "survey", row, "type"
                )
            )
    elif list_name:
        problems.append(
            Problem(f"type '{kind}' does not take a list ('{list_name}')", "survey", row, "type")
        )
    required_text = record.get("required", "").lower()
    if required_text not in _TRUE | _FALSE:
        problems.append(
            Problem(
                f"required must be yes or no, not '{record['required']}'", "survey", row, "required"
            )
        )
    dimension = record.get("dimension", "")
    competency = record.get("competency", "")
    if dimension and dimension not in DIMENSIONS:
        problems.append(
            Problem(
                f"dimension '{dimension}' is not one of {', '.join(DIMENSIONS)}",
                "survey",
                row,
                "dimension",
            )
        )
    if dimension in RATED_DIMENSIONS:
        if not competency:
            problems.append(
                Problem(
                    f"the {dimension} rating needs a competency code", "survey", row, "competency"
                )
            )
        if kind != "select_one":
            problems.append(
                Problem(f"the {dimension} rating must be a select_one scale", "survey", row, "type")
            )
    elif competency:
        problems.append(
            Problem(
                "a competency item needs dimension importance or capability",
                "survey",
                row,
                "dimension",
            )
        )
    return QuestionDef(
        code=name,
        type=kind,
        list_name=list_name,
        label=label,
        hint=_translations(record, "hint", default_language),
        required=required_text in _TRUE,
        constraint=record.get("constraint", ""),
        constraint_message=_translations(record, "constraint_message", default_language),
        relevant=record.get("relevant", ""),
        competency=competency,
        dimension=dimension,
        source=record.get("source", ""),
        extra=_extras(record, set(SURVEY_COLUMNS)),
    )


def _check_competency_pairs(sections, names, problems):
    """Each competency is rated once for importance and once for capability."""
    ratings = {}
    for section in sections:
        for question in section.questions:
            if question.dimension in RATED_DIMENSIONS:
                ratings.setdefault(question.competency, []).append(question)
    for competency, questions in ratings.items():
        dimensions = sorted(question.dimension for question in questions)
        if dimensions != ["capability", "importance"]:
            problems.append(
                Problem(
                    f"competency '{competency}' must have exactly one importance and one "
                    f"capability item (found: {', '.join(dimensions)})",
                    "survey",
                    names[questions[0].code],
                    "competency",
                )
            )
        elif questions[0].list_name != questions[1].list_name:
            problems.append(
                Problem(
                    f"competency '{competency}' rates importance and capability on different "
                    "scales",
                    "survey",
                    names[questions[0].code],
                    "type",
                )
            )


def _form_id_from(filename):
    stem = PurePath(filename or "").stem
    return re.sub(r"[^A-Za-z0-9_\-]+", "_", stem).strip("_")[:60]


def _check_with_pyxform(data, definition):
    try:
        convert(xlsform=io.BytesIO(data), file_type=".xlsx", form_name="data", warnings=[])
    except PyXFormError as error:
        raise XLSFormError([Problem(f"pyxform: {error}")]) from error
    except Exception as error:  # pyxform raises plain errors on some malformed sheets
        raise XLSFormError([Problem(f"pyxform could not read the form: {error}")]) from error
