"""What the browser tests share: data set-up written straight to the
database, and checks run inside the page."""

from playwright.sync_api import expect

from surveys.models import Question, Response, localized
from surveys.questionnaires import rules
from surveys.questionnaires import selectors as questionnaire_selectors
from surveys.respond import selectors as response_selectors
from surveys.respond import services as response_services
from tests.conftest import make_user

PASSWORD = "a long browser-test passphrase"
SCALE = {1: "1 – Very low", 2: "2 – Low", 3: "3 – Moderate", 4: "4 – High", 5: "5 – Very high"}
PHONE_WIDTH = 360
PHONE = {"viewport": {"width": PHONE_WIDTH, "height": 740}, "is_mobile": True, "has_touch": True}
IMPORTANCE = "How important is this to your agency's work?"
CAPABILITY = "How well can your agency do this today?"


def competency_statements(questionnaire, section_code):
    """Competency code → the statement a respondent sees as its legend."""
    questions = Question.objects.filter(
        questionnaire=questionnaire,
        section__code=section_code,
        dimension=Question.Dimension.IMPORTANCE,
    )
    return {
        question.competency: localized(question.label, "", questionnaire.default_language)
        for question in questions
    }


def rate(page, statement, importance, capability):
    """Click the two rating labels in one competency's box, as a person does."""
    competency = page.get_by_role("group", name=statement, exact=True)
    competency.get_by_role("group", name=IMPORTANCE).get_by_text(
        SCALE[importance], exact=True
    ).click()
    competency.get_by_role("group", name=CAPABILITY).get_by_text(
        SCALE[capability], exact=True
    ).click()


def _valid_value(question, choices):
    if question.type in (Question.Type.SELECT_ONE, Question.Type.SELECT_MULTIPLE):
        return choices[question.list_name][0].name
    if question.type in (Question.Type.INTEGER, Question.Type.DECIMAL):
        return "3"
    if question.type == Question.Type.DATE:
        return "2024-06-01"
    return "Not applicable"


def answer_remaining_required(invitation):
    """Answer, straight into the database, every required question the
    response still lacks, through the same service the section pages call.

    The browser test fills two sections by hand; clicking through the other
    eight (over a hundred ratings) would triple its time without exercising
    anything new. Answers that open further required questions (skip logic)
    are followed until nothing is missing. Returns the values written.
    """
    structure = questionnaire_selectors.questionnaire_structure(invitation.campaign.questionnaire)
    response = Response.objects.get(invitation=invitation)
    written = {}
    for _ in range(5):
        missing = rules.missing_required(structure, response_selectors.response_answers(response))
        if not missing:
            return written
        values = {question.code: _valid_value(question, structure.choices) for question in missing}
        response_services.response_save_answers(
            response=response, questions=missing, values=values, base_version=response.version
        )
        response.refresh_from_db()
        written.update(values)
    raise AssertionError(f"Still missing after answering: {[q.code for q in missing]}")


def make_staff(username, role):
    """A user with a role and a real password, to log in through the form."""
    user = make_user(username, role)
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


def log_in(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Assessment campaigns")).to_be_visible()


def page_width(page):
    """The document's full width in CSS pixels: wider than the viewport
    means the reader has to scroll sideways."""
    return page.evaluate("() => document.documentElement.scrollWidth")


# Every visible form field must have an accessible name: its own <label>,
# aria-label or aria-labelledby. Radio buttons and checkboxes also need the
# question itself, as the <legend> of an enclosing <fieldset>. Input buttons
# are left out: their value is their name.
UNNAMED_FIELDS_JS = """
() => {
  const text = (element) => (element ? element.textContent.trim() : "");
  const visible = (element) => !!(element.offsetWidth || element.offsetHeight
      || element.getClientRects().length) && getComputedStyle(element).visibility !== "hidden";
  const named = (field) =>
      [...field.labels].some((label) => text(label))
      || (field.getAttribute("aria-label") || "").trim()
      || (field.getAttribute("aria-labelledby") || "").split(/\\s+/)
           .some((id) => text(document.getElementById(id)));
  const grouped = (field) => {
    const fieldset = field.closest("fieldset");
    return fieldset && text(fieldset.querySelector(":scope > legend"));
  };
  return [...document.querySelectorAll("input, select, textarea")]
    .filter((field) => !["hidden", "submit", "button", "reset", "image"].includes(field.type))
    .filter(visible)
    .filter((field) => !named(field)
        || (["radio", "checkbox"].includes(field.type) && !grouped(field)))
    .map((field) => field.id || field.name);
}
"""


def unnamed_fields(page):
    return page.evaluate(UNNAMED_FIELDS_JS)


def page_structure_problems(page):
    """The <html lang>, one <h1>, and alt text on every image."""
    problems = []
    if not page.evaluate("() => document.documentElement.lang.trim()"):
        problems.append("no lang attribute on <html>")
    headings = page.locator("h1").count()
    if headings != 1:
        problems.append(f"{headings} <h1> elements")
    without_alt = page.evaluate(
        "() => [...document.images].filter((image) => !(image.getAttribute('alt') || '').trim())"
        ".map((image) => image.src)"
    )
    problems += [f"no alt text: {src}" for src in without_alt]
    return problems
