"""An agency answers the questionnaire in a real browser."""

import pytest
from playwright.sync_api import expect

from surveys.models import Answer, Response
from tests.browser.helpers import (
    CAPABILITY,
    IMPORTANCE,
    PHONE,
    PHONE_WIDTH,
    SCALE,
    answer_remaining_required,
    competency_statements,
    page_structure_problems,
    page_width,
    rate,
    unnamed_fields,
)

pytestmark = pytest.mark.browser

# (importance, capability) clicked for every Digital forensics competency.
FORENSICS = {
    "DF-01": (5, 2),
    "DF-02": (4, 3),
    "DF-03": (5, 1),
    "DF-04": (3, 3),
    "DF-05": (4, 2),
    "DF-06": (2, 4),
    "DF-07": (5, 3),
    "DF-08": (4, 1),
    "DF-09": (3, 5),
    "DF-10": (1, 1),
    "DF-11": (4, 4),
}


def group(page, question):
    return page.get_by_role("group", name=question)


def test_an_agency_fills_two_sections_comes_back_later_and_submits(browsing, invitation_and_token):
    invitation, token = invitation_and_token
    statements = competency_statements(invitation.campaign.questionnaire, "forensics")
    assert statements.keys() == FORENSICS.keys()

    page = browsing.new_page()
    page.goto(f"/r/{token}/")
    page.get_by_role("link", name="Start", exact=True).click()
    expect(page.get_by_role("heading", name="Respondent profile")).to_be_visible()
    group(page, "What is your role?").get_by_text("Investigator", exact=True).click()
    group(page, "What kind of agency").get_by_text("Specialised unit", exact=True).click()
    page.get_by_label("How many years have you worked in your current post?").fill("7")
    group(page, "In which languages").get_by_text("English", exact=True).click()
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_role("heading", name="Digital forensics")).to_be_visible()
    for code, (importance, capability) in FORENSICS.items():
        rate(page, statements[code], importance, capability)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Your answers are saved.")
    page.context.close()

    page = browsing.new_page()
    page.goto(f"/r/{token}/")
    page.get_by_role("link", name="Continue where you left off").click()
    expect(page.get_by_role("heading", name="Digital forensics")).to_be_visible()
    for code, (importance, capability) in FORENSICS.items():
        competency = page.get_by_role("group", name=statements[code], exact=True)
        ratings = {IMPORTANCE: importance, CAPABILITY: capability}
        for question, rating in ratings.items():
            radio = group(competency, question).get_by_label(SCALE[rating], exact=True)
            expect(radio).to_be_checked()
    page.get_by_text("Go to another section").click()
    page.get_by_role("button", name="1. Respondent profile").click()
    expect(page.get_by_role("heading", name="Respondent profile")).to_be_visible()
    expect(group(page, "What is your role?").get_by_label("Investigator")).to_be_checked()
    expect(page.get_by_label("How many years have you worked")).to_have_value("7")
    expect(group(page, "In which languages").get_by_label("English")).to_be_checked()

    written = answer_remaining_required(invitation)
    page.goto(f"/r/{token}/")
    page.get_by_role("link", name="Review and submit").click()
    expect(page.get_by_text("Every required question is answered.")).to_be_visible()
    expect(page.get_by_text("still missing")).to_have_count(0)
    page.get_by_role("button", name="Submit the answers").click()

    expect(page.get_by_role("status")).to_contain_text("your answers have been submitted")
    expect(page.get_by_role("heading", name="Copy of the answers")).to_be_visible()
    role_row = page.get_by_role("row").filter(has_text="What is your role?")
    expect(role_row).to_contain_text("Investigator")
    response = Response.objects.get(invitation=invitation)
    assert response.status == Response.Status.SUBMITTED
    answers = dict(Answer.objects.filter(response=response).values_list("question__code", "value"))
    clicked = {
        "role": "investigator",
        "agency_kind": "specialised_unit",
        "years_in_post": "7",
        "training_languages": "en",
    }
    for code, (importance, capability) in FORENSICS.items():
        clicked[f"{code}_imp"] = str(importance)
        clicked[f"{code}_cap"] = str(capability)
    assert answers == {**written, **clicked}
    assert browsing.console_errors == []


def test_the_survey_pages_fit_a_phones_screen(browsing, token):
    page = browsing.new_page(**PHONE)
    page.goto(f"/r/{token}/")
    assert page_width(page) <= PHONE_WIDTH + 1, "start page"
    page.get_by_role("link", name="Start", exact=True).click()

    expect(page.get_by_role("heading", name="Respondent profile")).to_be_visible()
    assert page_width(page) <= PHONE_WIDTH + 1, "profile section"
    save = page.get_by_role("button", name="Save", exact=True)
    save.scroll_into_view_if_needed()
    expect(save).to_be_in_viewport()
    save.click()
    expect(page.get_by_role("status")).to_contain_text("Your answers are saved.")
    next_button = page.get_by_role("button", name="Next")
    next_button.scroll_into_view_if_needed()
    expect(next_button).to_be_in_viewport()
    next_button.click()

    expect(page.get_by_role("heading", name="Digital forensics")).to_be_visible()
    assert page_width(page) <= PHONE_WIDTH + 1, "a section of ratings"
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Access to data")).to_be_visible()
    page.goto(f"/r/{token}/review/")
    expect(page.get_by_role("heading", name="Review and submit")).to_be_visible()
    assert page_width(page) <= PHONE_WIDTH + 1, "review page"


def test_every_field_of_every_section_has_an_accessible_name(browsing, token):
    page = browsing.new_page()
    page.goto(f"/r/{token}/")
    assert page_structure_problems(page) == []
    sections = page.get_by_role("table").get_by_role("link")
    expect(sections).to_have_count(11)
    links = sections.evaluate_all(
        "links => links.map((link) => [link.textContent.trim(), link.getAttribute('href')])"
    )

    problems = {}
    for title, href in links:
        page.goto(href)
        expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()
        found = unnamed_fields(page) + page_structure_problems(page)
        if found:
            problems[title] = found

    page.goto(f"/r/{token}/review/")
    expect(page.get_by_role("heading", name="Review and submit")).to_be_visible()
    assert page_structure_problems(page) == []
    assert problems == {}
    assert browsing.console_errors == []
