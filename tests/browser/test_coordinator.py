"""Coordinators and trainers follow a round in a real browser."""

import openpyxl
import pytest
from playwright.sync_api import expect

from surveys.models import UserRole
from tests.browser.helpers import log_in, make_staff, page_structure_problems
from tests.conftest import seed_submitted_round

pytestmark = pytest.mark.browser

Role = UserRole.Role

CHARTS_LOADED_JS = """
() => [...document.querySelectorAll("img")].every((image) => image.complete)
"""
CHART_WIDTHS_JS = """
() => Object.fromEntries([...document.querySelectorAll("img")]
    .map((image) => [new URL(image.src).pathname, image.naturalWidth]))
"""


def test_a_coordinator_sees_the_responses_and_the_charts(browsing, campaign):
    seed_submitted_round(campaign)
    submitted, invited = 11, 12
    make_staff("coordinator", Role.COORDINATOR)
    page = browsing.new_page()

    log_in(page, "coordinator")
    page.get_by_role("link", name="Invitations").click()
    expect(page.get_by_role("heading", name="Responses:")).to_contain_text(
        f"Responses: {submitted} of {invited} agencies"
    )
    page.get_by_role("link", name="Dashboard").click()

    expect(page.get_by_role("main")).to_contain_text(f"{submitted} submitted responses match")
    page.wait_for_function(CHARTS_LOADED_JS)
    widths = page.evaluate(CHART_WIDTHS_JS)
    assert len(widths) == 4
    assert all(width > 0 for width in widths.values()), widths
    assert page_structure_problems(page) == []
    assert browsing.console_errors == []


def test_a_trainer_downloads_the_workbook_without_single_agencies_answers(
    browsing, campaign, tmp_path
):
    seed_submitted_round(campaign)
    make_staff("trainer", Role.TRAINER)
    page = browsing.new_page()

    log_in(page, "trainer")
    page.get_by_role("link", name="Dashboard").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="the workbook for trainers (Excel)").click()

    assert download.value.suggested_filename == "tna-r1.xlsx"
    # openpyxl goes by the file's extension, which Playwright's copy lacks.
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    workbook = openpyxl.load_workbook(path)
    assert {"Summary", "Ranked gaps", "By region", "Codebook"} <= set(workbook.sheetnames)
    assert "Answers" not in workbook.sheetnames
    ranked = [
        competency
        for rank, competency, *_ in workbook["Ranked gaps"].iter_rows(min_row=2, values_only=True)
        if rank is not None
    ]
    assert sorted(ranked) == ["DF-01", "DF-02", "ET-01"]
