"""Small XLSForm workbooks built in memory, for the tests of reading them."""

import io
import zipfile
from pathlib import Path

import openpyxl
import openpyxl.xml
import pytest

from surveys.questionnaires.xlsform import XLSFormError, read_xlsform

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"


SURVEY_HEADER = (
    "type",
    "name",
    "label",
    "required",
    "relevant",
    "constraint",
    "competency",
    "dimension",
)


CHOICES = [
    ("list_name", "name", "label"),
    ("scale", "1", "Low"),
    ("scale", "2", "High"),
    ("scale4", "1", "Low"),
    ("scale4", "2", "High"),
]


SETTINGS = [("form_id", "form_title"), ("demo", "Demo form")]


def make_xlsform(survey_rows, choices_rows=CHOICES, settings_rows=SETTINGS):
    """Workbook bytes with the sheets given (None leaves a sheet out).

    Every value is a text cell, as an author types it: "=1+1" stays text.
    """
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in (
        ("survey", survey_rows),
        ("choices", choices_rows),
        ("settings", settings_rows),
    ):
        if rows is None:
            continue
        sheet = workbook.create_sheet(title)
        for row_number, row in enumerate(rows, start=1):
            for column_number, value in enumerate(row, start=1):
                if value:
                    cell = sheet.cell(row_number, column_number, value)
                    cell.data_type = "s"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def make_zip(members):
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return output.getvalue()


def replace_member(data, name, content):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {member: archive.read(member) for member in archive.namelist()}
    members[name] = content
    return make_zip(members)


def problems_in(data):
    with pytest.raises(XLSFormError) as caught:
        read_xlsform(data)
    return caught.value.problems


def rated_pair(competency, importance_list="scale", capability_list="scale"):
    return [
        (f"select_one {importance_list}", f"{competency}_imp", "Imp", "", "", "", competency,
         "importance"),
        (f"select_one {capability_list}", f"{competency}_cap", "Cap", "", "", "", competency,
         "capability"),
    ]  # fmt: skip


VALID_SURVEY = [
    SURVEY_HEADER,
    ("begin group", "skills", "Skills"),
    *rated_pair("SK-01"),
    ("integer", "staff", "How many staff?", "", "", ". >= 0"),
    ("text", "staff_note", "Why none?", "", "${staff} = 0"),
    ("end group",),
]


BEGIN = ("begin group", "g", "Group")


END = ("end group",)


TEXT = ("text", "a", "A question")


def add_zeros(data, megabytes):
    """The workbook with an extra member of zeros, written without holding it in memory."""
    output = io.BytesIO(data)
    with zipfile.ZipFile(output, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/media/padding.bin", "w") as member:
            chunk = bytes(1024 * 1024)
            for _ in range(megabytes):
                member.write(chunk)
    return output.getvalue()


ENTITY_SHEETS = [
    pytest.param(
        b'<?xml version="1.0"?>\n'
        b'<!DOCTYPE worksheet [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
        b'<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">'
        b'<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">'
        b'<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">'
        b'<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">'
        b'<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">'
        b'<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>\n'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
        b"</sheetData></worksheet>",
        id="billion laughs",
    ),
    pytest.param(
        b'<?xml version="1.0"?>\n'
        b'<!DOCTYPE worksheet [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&secret;</t></is></c></row>'
        b"</sheetData></worksheet>",
        id="external entity",
    ),
]
