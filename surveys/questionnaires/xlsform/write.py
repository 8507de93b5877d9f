"""Writing a FormDefinition back out as an XLSForm workbook."""

import io

import openpyxl

from surveys.questionnaires.xlsform.definition import DEFAULT_LANGUAGE, TRANSLATABLE


def write_xlsform(definition):
    """The FormDefinition as XLSForm workbook bytes; read_xlsform reads it back equal."""
    languages = definition.languages

    def translated(base, items):
        used = [lang for lang in languages if any(lang in getattr(i, base) for i in items)]
        return [(base, lang) for lang in used]

    def header(base, language):
        return base if language == DEFAULT_LANGUAGE else f"{base}::{language}"

    questions = definition.questions
    label_columns = [("label", lang) for lang in languages]
    hint_columns = translated("hint", definition.sections + questions)
    message_columns = translated("constraint_message", questions)
    headers = (
        ["type", "name"]
        + [header(*column) for column in label_columns + hint_columns]
        + ["required", "relevant", "constraint"]
        + [header(*column) for column in message_columns]
        + ["competency", "dimension", "source"]
    )
    # A group's extras can name survey columns (a group's `source`): one column each.
    headers += sorted(
        {key for item in definition.sections + questions for key in item.extra} - set(headers)
    )

    workbook = openpyxl.Workbook(write_only=True)
    survey = workbook.create_sheet("survey")
    survey.append(headers)
    for section in definition.sections:
        row = {"type": "begin group", "name": section.code, "relevant": section.relevant}
        row.update({header("label", lang): text for lang, text in section.label.items()})
        row.update({header("hint", lang): text for lang, text in section.hint.items()})
        row.update(section.extra)
        survey.append([_cell(row.get(h, "")) for h in headers])
        for question in section.questions:
            row = {
                "type": f"{question.type} {question.list_name}".strip(),
                "name": question.code,
                "required": "yes" if question.required else "",
                "relevant": question.relevant,
                "constraint": question.constraint,
                "competency": question.competency,
                "dimension": question.dimension,
                "source": question.source,
            }
            for base in TRANSLATABLE:
                row.update({header(base, lang): t for lang, t in getattr(question, base).items()})
            row.update(question.extra)
            survey.append([_cell(row.get(h, "")) for h in headers])
        survey.append([_cell("end group")] + [None] * (len(headers) - 1))

    choice_extra = sorted({key for choice in definition.choices for key in choice.extra})
    choice_headers = ["list_name", "name"] + [header("label", lang) for lang in languages]
    choice_headers += choice_extra
    choices = workbook.create_sheet("choices")
    choices.append(choice_headers)
    for choice in definition.choices:
        row = {"list_name": choice.list_name, "name": choice.name, **choice.extra}
        row.update({header("label", lang): text for lang, text in choice.label.items()})
        choices.append([_cell(row.get(h, "")) for h in choice_headers])

    settings = workbook.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "default_language", "draft_translations"])
    settings.append(
        [
            _cell(definition.title),
            _cell(definition.form_id),
            _cell(definition.form_version),
            _cell(
                definition.default_language
                if definition.default_language != DEFAULT_LANGUAGE
                else ""
            ),
            _cell("; ".join(definition.draft_languages)),
        ]
    )
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _cell(value):
    """Text cells only: a label that starts with '=' stays text, never a formula."""
    if value in ("", None):
        return None
    cell = openpyxl.cell.WriteOnlyCell(_WRITE_ONLY_SHEET, value=str(value))
    cell.data_type = "s"
    return cell


_WRITE_ONLY_SHEET = openpyxl.Workbook(write_only=True).create_sheet()
