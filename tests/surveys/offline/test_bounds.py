"""Offline uploads that would exhaust a worker are refused before openpyxl
parses a sheet, each with a message that says what is wrong."""

import pytest

from common import spreadsheets
from tests.surveys.offline.helpers import FILLED, assert_refused, download, filled, upload
from tests.surveys.questionnaires.xlsforms import replace_member

pytestmark = pytest.mark.django_db


def sheet_of(rows, cells_per_row):
    """A worksheet's XML with many small cells, as a hostile file holds them."""
    row = "".join(f'<c t="n"><v>{n}</v></c>' for n in range(cells_per_row))
    body = "".join(f"<row>{row}</row>" for _ in range(rows))
    return (
        '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main"><sheetData>{body}</sheetData></worksheet>'
    ).encode()


def forbid_parsing(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl was asked to load a workbook that should be refused")

    monkeypatch.setattr(spreadsheets.openpyxl, "load_workbook", refuse)


def test_a_workbook_of_656_thousand_small_cells_is_refused_unread(
    client, token, invitation, monkeypatch
):
    # The review's file: 656k cells, 4 MB zipped, under both zip-bomb bounds.
    data = replace_member(
        filled(download(client, token), FILLED), "xl/worksheets/sheet3.xml", sheet_of(8200, 80)
    )
    assert len(data) < 5 * 1024 * 1024
    forbid_parsing(monkeypatch)

    reply = upload(client, token, data)

    assert_refused(reply, invitation, "cells, more than this workbook can need", data)


def test_a_workbook_of_a_million_rows_is_refused_saying_so(client, token, invitation, monkeypatch):
    data = replace_member(
        filled(download(client, token), FILLED), "xl/worksheets/sheet3.xml", sheet_of(1_000_000, 0)
    )
    forbid_parsing(monkeypatch)

    reply = upload(client, token, data)

    assert_refused(reply, invitation, "rows, more than this workbook can need", data)


def test_a_macro_enabled_workbook_is_refused(client, token, invitation):
    data = replace_member(filled(download(client, token), FILLED), "xl/vbaProject.bin", b"\0")

    reply = upload(client, token, data, name="filled.xlsm")

    assert_refused(reply, invitation, "the workbook contains macros", data)
