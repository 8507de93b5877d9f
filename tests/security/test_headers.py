"""Security headers and the plain error pages."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string

from tests.security.helpers import url

pytestmark = pytest.mark.django_db


@pytest.fixture
def pages(client, coordinator, token, submitted):
    """A respondent page, a dashboard page and an admin page."""
    respondent = client.get(url("surveys:done", token))
    client.force_login(coordinator)
    dashboard = client.get(url("analysis:dashboard", "R1"))
    client.force_login(get_user_model().objects.create_superuser("root", "r@example.org", "pw"))
    admin = client.get("/admin/surveys/campaign/")
    return [respondent, dashboard, admin]


def test_every_page_sends_the_security_headers(pages):
    for page in pages:
        assert page.status_code == 200
        policy = page["Content-Security-Policy"]
        for directive in (
            "default-src 'self'",
            "img-src 'self' data:",
            "style-src 'self'",
            "script-src 'self'",
            "frame-ancestors 'none'",
            "form-action 'self'",
            "base-uri 'none'",
            "object-src 'none'",
        ):
            assert directive in policy
        assert "unsafe-inline" not in policy
        assert page["X-Content-Type-Options"] == "nosniff"
        assert page["Referrer-Policy"] == "same-origin"
        assert page["X-Frame-Options"] == "DENY"
        assert page["Cross-Origin-Opener-Policy"] == "same-origin"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


INLINE_STYLE = re.compile(r"""\sstyle\s*=\s*["']|<style\b|\son[a-z]+\s*=\s*["']""", re.IGNORECASE)


def test_our_pages_need_no_inline_script_or_style(client, token, submitted, other):
    _, draft_token = other
    respondent_urls = [
        url("surveys:start", draft_token),
        url("surveys:section", draft_token, "profile"),
        url("surveys:section", draft_token, "forensics"),
        url("surveys:review", draft_token),
        url("surveys:done", token),
        "/accounts/login/",
    ]
    pages = [client.get(address) for address in respondent_urls]
    client.force_login(get_user_model().objects.create_superuser("root", "r@example.org", "pw"))
    for address in [
        url("surveys:campaigns"),
        url("surveys:campaign", "R1"),
        url("analysis:dashboard", "R1"),
        url("analysis:competency", "R1", "DF-01"),
        url("analysis:domain", "R1", "forensics"),
        url("audit:page", "R1"),
        "/admin/",
        "/admin/surveys/invitation/",
    ]:
        pages.append(client.get(address))

    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200, page.request["PATH_INFO"]
        assert not INLINE_SCRIPT.search(html), page.request["PATH_INFO"]
        assert not INLINE_STYLE.search(html), page.request["PATH_INFO"]


@pytest.mark.parametrize(
    ("template", "says"),
    [
        ("400.html", "too large"),
        ("403.html", "not allowed"),
        ("403_csrf.html", "not saved"),
        ("404.html", "no such page"),
        ("500.html", "went wrong"),
    ],
)
def test_error_pages_render_without_a_request_and_say_what_happened(template, says):
    html = render_to_string(template)

    assert says in html.lower()
    assert not INLINE_SCRIPT.search(html) and not INLINE_STYLE.search(html)


def test_an_unknown_address_gets_the_plain_404_page(client):
    page = client.get("/no/such/page/")

    assert page.status_code == 404
    assert "There is no such page" in page.content.decode()
