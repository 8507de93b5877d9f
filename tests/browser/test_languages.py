"""Respondents in French, Spanish and Arabic, from the first page to the
receipt; autosave that survives a closed tab; a section by keyboard alone."""

import pytest
from django.utils import translation
from playwright.sync_api import expect

from surveys.models import Answer, Choice, Question, Response
from tests.browser.helpers import answer_remaining_required

pytestmark = pytest.mark.browser


def words(code, *texts):
    """The interface's texts in `code`, as the catalogues give them."""
    with translation.override(code):
        found = [translation.gettext(text) for text in texts]
    assert all(found[i] != texts[i] for i in range(len(texts))) or code == "en", found
    return found


def label(questionnaire, code, language):
    return Question.objects.get(questionnaire=questionnaire, code=code).label[language]


def choice(questionnaire, list_name, name, language):
    found = Choice.objects.get(questionnaire=questionnaire, list_name=list_name, name=name)
    return found.label[language]


@pytest.mark.parametrize(
    ("locale", "code", "language"),
    [("fr-FR", "fr", "French (fr)"), ("es-ES", "es", "Spanish (es)"),
     ("ar-EG", "ar", "Arabic (ar)")],
)  # fmt: skip
def test_a_respondent_answers_in_their_language_to_the_receipt(
    browsing, invitation_and_token, locale, code, language
):
    invitation, token = invitation_and_token
    questionnaire = invitation.campaign.questionnaire
    start, next_, previous, review, submit, copy = words(
        code, "Start", "Next", "Previous", "Review and submit", "Submit the answers",
        "Copy of the answers",
    )  # fmt: skip
    page = browsing.new_page(locale=locale)

    page.goto(f"/r/{token}/")
    expect(page.locator("html")).to_have_attribute("lang", code)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if code == "ar" else "ltr")
    page.get_by_role("link", name=start, exact=True).click()
    role = page.get_by_role("group", name=label(questionnaire, "role", language))
    role.get_by_text(choice(questionnaire, "role", "investigator", language), exact=True).click()
    page.get_by_label(label(questionnaire, "years_in_post", language)).fill("7")
    page.get_by_role("button", name=next_).click()
    expect(page.get_by_role("heading", level=2)).to_have_text(
        Question.objects.get(questionnaire=questionnaire, code="DF-01_imp").section.label[language]
    )
    if code == "ar":  # Back and Next mirrored: Previous on the right
        back = page.get_by_role("button", name=previous).bounding_box()
        forward = page.get_by_role("button", name=next_).bounding_box()
        assert back["x"] > forward["x"]
    written = answer_remaining_required(invitation)
    page.goto(f"/r/{token}/review/")
    expect(page.get_by_role("heading", name=review)).to_be_visible()
    page.get_by_role("button", name=submit).click()

    expect(page.get_by_role("heading", name=copy)).to_be_visible()
    response = Response.objects.get(invitation=invitation)
    expect(page.locator("main")).to_contain_text(response.reference)
    assert response.status == Response.Status.SUBMITTED and response.language == language
    saved = dict(Answer.objects.filter(response=response).values_list("question__code", "value"))
    assert saved["role"] == "investigator" and saved["years_in_post"] == "7"
    assert len(saved) >= len(written)
    assert browsing.console_errors == []


def test_autosave_keeps_answers_when_the_tab_is_closed(browsing, invitation_and_token):
    invitation, token = invitation_and_token
    (saved_text,) = words("en", "All answers saved")
    page = browsing.new_page()
    page.goto(f"/r/{token}/section/profile/")

    page.get_by_role("group", name="What is your role?").get_by_text("Judge", exact=True).click()
    field = page.get_by_label("How many years have you worked in your current post?")
    field.fill("12")
    field.blur()
    expect(page.locator(".autosave-status")).to_have_text(saved_text)
    page.context.close()  # no Save, no Next

    response = Response.objects.get(invitation=invitation)
    saved = dict(Answer.objects.filter(response=response).values_list("question__code", "value"))
    assert saved["role"] == "judge" and saved["years_in_post"] == "12"
    again = browsing.new_page()
    again.goto(f"/r/{token}/section/profile/")
    expect(again.get_by_label("Judge", exact=True)).to_be_checked()
    expect(again.get_by_label("How many years have you worked")).to_have_value("12")


def test_leaving_with_an_answer_not_yet_saved_asks_first(browsing, token):
    page = browsing.new_page()
    page.goto(f"/r/{token}/section/profile/")
    page.get_by_label("How many years have you worked").press_sequentially("3")
    # Only the question is tested: the autosave that leaving the field starts
    # (when the context closes) must not reach the server as the test's
    # database is emptied.
    page.route(
        "**/*", lambda route: route.abort() if route.request.method == "POST" else route.continue_()
    )
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))

    page.close(run_before_unload=True)

    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]


def test_a_whole_section_by_keyboard_alone(browsing, invitation_and_token):
    invitation, token = invitation_and_token
    page = browsing.new_page()
    page.goto(f"/r/{token}/section/profile/")

    def tab_to(name):
        for _ in range(80):
            page.keyboard.press("Tab")
            if page.evaluate("() => document.activeElement.name") == name:
                return
        raise AssertionError(f"Tab never reached {name}")

    tab_to("role")
    page.keyboard.press("ArrowDown")  # from "No answer" to the first role
    tab_to("years_in_post")
    page.keyboard.type("5")
    tab_to("training_languages")
    page.keyboard.press("Space")
    tab_to("action")
    assert page.evaluate("() => document.activeElement.value") == "save"
    # The autosave's own status may already say "Saved" for the role: wait
    # for the page the save leads to, with its message.
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("main > [role=status]")).to_be_visible()
    response = Response.objects.get(invitation=invitation)
    saved = dict(Answer.objects.filter(response=response).values_list("question__code", "value"))
    assert saved["years_in_post"] == "5"
    assert saved["role"] == "investigator"
    assert saved["training_languages"]
    assert browsing.console_errors == []
