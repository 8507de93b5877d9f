"""Offline uploads that would exhaust a worker are refused before openpyxl
parses a sheet, each with a message that says what is wrong."""

import os
from pathlib import Path

import pytest

from common import spreadsheets
from surveys.models import OfflineUpload
from tests.surveys.offline.helpers import (
    FILLED,
    assert_refused,
    download,
    filled,
    page_text,
    upload,
)
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


def files_on_disk(settings):
    return sorted(path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file())


def test_the_same_refused_file_sent_twenty_times_is_kept_once(client, token, invitation, settings):
    settings.OFFLINE_UPLOADS_PER_HOUR = 100
    data = os.urandom(200 * 1024)

    for _ in range(20):
        upload(client, token, data)

    assert OfflineUpload.objects.filter(invitation=invitation).count() == 20
    assert len(files_on_disk(settings)) == 1


def test_only_the_last_refused_files_are_kept(client, token, invitation, settings):
    settings.OFFLINE_UPLOADS_PER_HOUR = 100
    for number in range(7):
        upload(client, token, os.urandom(1024), name=f"attempt-{number}.xlsx")

    kept = OfflineUpload.objects.filter(invitation=invitation).exclude(file="")
    assert sorted(kept.values_list("original_name", flat=True)) == [
        f"attempt-{number}.xlsx" for number in range(2, 7)
    ]
    assert len(files_on_disk(settings)) == 5


def test_a_link_may_upload_ten_workbooks_an_hour(client, token, invitation):
    for _ in range(10):
        upload(client, token, os.urandom(1024))

    reply = upload(client, token, os.urandom(1024))

    assert "uploaded 10 workbooks in the last hour" in page_text(reply)
    assert "Try again after" in page_text(reply)
    assert OfflineUpload.objects.filter(invitation=invitation).count() == 10
