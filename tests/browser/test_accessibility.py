"""axe-core (tests/browser/vendor/axe.min.js, MPL-2.0, vendored from the npm
registry) on every page a person uses, Django's admin aside: at a desktop's
and a phone's width, in English and in Arabic, with the WCAG 2.2 AA rules.
No serious or critical violation is allowed."""

from pathlib import Path

import pytest
from django.conf import settings

from surveys.models import Response, UserRole
from tests.browser.helpers import PASSWORD, answer_remaining_required, make_staff
from tests.conftest import seed_submitted_round

pytestmark = pytest.mark.browser

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
RUN_AXE_JS = """
async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
  return result.violations
    .filter((violation) => ["serious", "critical"].includes(violation.impact))
    .map((violation) => ({
      rule: violation.id,
      impact: violation.impact,
      nodes: violation.nodes.slice(0, 3).map((node) => node.target.join(" ")),
    }));
}
"""
WIDTHS = {"desktop": 1366, "phone": 360}
COUNTS = Path(settings.BASE_DIR) / "test-artifacts" / "axe-counts.txt"


def violations(page):
    page.evaluate(AXE)
    return page.evaluate(RUN_AXE_JS, TAGS)


def log_in(page, username):
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url("**/campaigns/")


def respondent_pages(token):
    return [f"/r/{token}/", f"/r/{token}/section/profile/", f"/r/{token}/section/forensics/",
            f"/r/{token}/review/", f"/r/{token}/offline/"]  # fmt: skip


STAFF_PAGES = [
    "/campaigns/", "/campaigns/R1/", "/campaigns/R1/dashboard/",
    "/campaigns/R1/competencies/DF-01/", "/campaigns/R1/domains/forensics/", "/campaigns/R1/plan/",
    "/campaigns/R1/audit/", "/campaigns/R1/countries/KE/", "/training/",
]  # fmt: skip


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("width", list(WIDTHS))
def test_no_page_has_a_serious_accessibility_violation(
    browsing, campaign, invitation_and_token, language, width
):
    invitation, token = invitation_and_token
    seed_submitted_round(campaign)
    make_staff("coordinator", UserRole.Role.COORDINATOR)
    options = {
        "viewport": {"width": WIDTHS[width], "height": 900},
        "locale": "ar-EG" if language == "ar" else "en-GB",
        "bypass_csp": True,  # to load axe into the page
    }
    found = {}
    respondent = browsing.new_page(**options)
    for path in respondent_pages(token):
        assert respondent.goto(path).ok, path
        found[path] = violations(respondent)
    answer_remaining_required(invitation)
    respondent.goto(f"/r/{token}/review/")
    respondent.locator("form[action$='/submit/'] button").click()
    respondent.wait_for_url("**/done/")
    assert Response.objects.get(invitation=invitation).is_submitted
    found["receipt"] = violations(respondent)
    staff = browsing.new_page(**options)
    log_in(staff, "coordinator")
    for path in STAFF_PAGES:
        assert staff.goto(path).ok, path
        assert staff.locator("html").get_attribute("lang") == language, path
        found[path] = violations(staff)

    COUNTS.parent.mkdir(exist_ok=True)
    with COUNTS.open("a", encoding="utf-8") as log:
        for path, problems in found.items():
            log.write(f"{language} {width} {path}: {len(problems)}\n")
    assert {path: problems for path, problems in found.items() if problems} == {}


def test_axe_finds_what_it_should(browsing):
    page = browsing.new_page(bypass_csp=True)
    page.set_content(
        '<html lang="en"><title>t</title><body><main><img src="data:,"></main></body></html>'
    )

    assert [problem["rule"] for problem in violations(page)] == ["image-alt"]
