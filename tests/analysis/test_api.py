"""The read-only API: the same roles, filters and suppression as the pages,
tokens from the admin, a budget per token, a log line per request without
the token; and every request generated from its schema answered as the
schema says."""

import io
import logging

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from analysis.api.throttling import TokenRateThrottle
from surveys.campaigns import services as campaign_services
from tests.conftest import make_agency, make_user, submit_ratings

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    ("api:campaigns", []),
    ("api:campaign", ["R1"]),
    ("api:response_rates", ["R1"]),
    ("api:gaps", ["R1"]),
    ("api:shares", ["R1"]),
    ("api:training_plan", ["R1"]),
    ("api:country_profile", ["R1", "KE"]),
    ("api:responses", ["R1"]),
]


def token_for(username, role, country=None):
    return Token.objects.create(user=make_user(username, role, country)).key


def get(client, name, args=(), token=None, **params):
    headers = {"Authorization": f"Token {token}"} if token else {}
    return client.get(reverse(name, args=args), params, headers=headers)


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()


@pytest.mark.parametrize(("name", "args"), ENDPOINTS)
def test_without_a_token_every_endpoint_answers_401(client, seeded_round, name, args):
    response = get(client, name, args)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_an_unknown_or_revoked_token_answers_401(client, seeded_round):
    key = token_for("coordinator", "coordinator")
    assert get(client, "api:campaigns", token=key).status_code == 200

    Token.objects.filter(key=key).delete()  # revoked in the admin

    assert get(client, "api:campaigns", token=key).status_code == 401


@pytest.mark.parametrize(("name", "args"), ENDPOINTS)
def test_a_coordinator_reads_every_endpoint(client, seeded_round, name, args):
    response = get(client, name, args, token=token_for("coordinator", "coordinator"))

    assert response.status_code == 200, response.content


def test_a_trainer_gets_no_per_agency_data(client, seeded_round):
    call_command("import_courses", "fixtures/courses.csv", stdout=io.StringIO())
    key = token_for("trainer", "trainer")
    named = get(client, "api:training_plan", ["R1"], token=token_for("c", "coordinator")).json()
    assert named["agencies"]  # which agency needs which course

    assert get(client, "api:responses", ["R1"], token=key).status_code == 403
    plan = get(client, "api:training_plan", ["R1"], token=key).json()
    assert plan["courses"] and plan["agencies"] == []
    profile = get(client, "api:country_profile", ["R1", "KE"], token=key).json()
    assert profile["agencies"] == []
    rates = get(client, "api:response_rates", ["R1"], token=key).json()
    assert rates["totals"] == {"invited": 12, "submitted": 11, "rate": 11 / 12}


def test_a_coordinator_gets_each_agencys_answers(client, seeded_round):
    rows = get(client, "api:responses", ["R1"], token=token_for("c", "coordinator")).json()

    kenyan = next(row for row in rows if row["agency"] == "Kenyan unit 1")
    assert kenyan["answers"]["DF-01_cap"] == "2"
    assert (kenyan["country"], kenyan["status"]) == ("KE", "submitted")
    silent = next(row for row in rows if row["agency"] == "Silent unit")
    assert silent["answers"] == {} and silent["status"] == "sent"


def test_the_gaps_are_the_dashboards_numbers_with_its_filters(client, seeded_round):
    key = token_for("coordinator", "coordinator")

    both = get(client, "api:gaps", ["R1"], token=key).json()
    brazil = get(client, "api:gaps", ["R1"], token=key, country="BR").json()

    df01 = next(row for row in both["competencies"] if row["competency"] == "DF-01")
    # Kenya: importance 5, capability 1 or 2 (gaps 4, 3, 4, 3, 4, 3); Brazil: 3 − 3.
    assert (df01["n"], df01["gap_mean"]) == (11, pytest.approx(21 / 11))
    assert both["respondents"] == 11 and both["filters"] == {}
    brazil_df01 = next(row for row in brazil["competencies"] if row["competency"] == "DF-01")
    assert (brazil_df01["n"], brazil_df01["gap_mean"]) == (5, 0)
    assert brazil["filters"] == {"country": "BR"}


def test_a_small_group_is_suppressed_as_nulls(client, seeded_round):
    for number in range(2):
        invitation, _ = campaign_services.invitation_create(
            campaign=seeded_round, agency=make_agency(f"Nigerian unit {number}", "NG")
        )
        submit_ratings(invitation, {"DF-01": (5, 1)})

    table = get(
        client, "api:gaps", ["R1"], token=token_for("c", "coordinator"), by="country"
    ).json()

    nigeria = next(
        row
        for row in table["competencies"]
        if row["group"] == "NG" and row["competency"] == "DF-01"
    )
    assert nigeria["suppressed"] is True and nigeria["n"] == 2
    assert nigeria["gap_mean"] is None and nigeria["importance_mean"] is None
    kenya = next(
        row
        for row in table["competencies"]
        if row["group"] == "KE" and row["competency"] == "DF-01"
    )
    assert kenya["gap_mean"] == pytest.approx(3.5)


def test_a_focal_point_reads_their_own_country_only(client, seeded_round):
    key = token_for("focal", "focal_point", "KE")

    gaps = get(client, "api:gaps", ["R1"], token=key, country="BR").json()
    assert gaps["filters"] == {"country": "KE"} and gaps["respondents"] == 6
    assert get(client, "api:country_profile", ["R1", "BR"], token=key).status_code == 404
    assert get(client, "api:responses", ["R1"], token=key).status_code == 403
    rates = get(client, "api:response_rates", ["R1"], token=key).json()
    assert [row["code"] for row in rates["by_country"]] == ["KE"]


def test_an_unknown_filter_value_is_a_400_that_names_it(client, seeded_round):
    response = get(
        client, "api:gaps", ["R1"], token=token_for("c", "coordinator"), region="Atlantis", by="x"
    )

    assert response.status_code == 400
    assert response.json() == {
        "errors": {
            "region": "Unknown value 'Atlantis'.",
            "by": "One of region, agency_kind, role, country.",
        }
    }


def test_an_unknown_campaign_is_a_404(client, seeded_round):
    response = get(client, "api:gaps", ["NOPE"], token=token_for("c", "coordinator"))

    assert response.status_code == 404 and response.json() == {"detail": "No such campaign."}


def test_requests_are_throttled_per_token(client, seeded_round, monkeypatch):
    monkeypatch.setattr(TokenRateThrottle, "rate", "3/minute", raising=False)
    first, second = token_for("c1", "coordinator"), token_for("c2", "coordinator")

    answers = [get(client, "api:campaigns", token=first).status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]
    assert get(client, "api:campaigns", token=second).status_code == 200


def test_each_request_is_logged_without_its_token(client, seeded_round, caplog):
    key = token_for("partner", "trainer")

    with caplog.at_level(logging.INFO, logger="api"):
        get(client, "api:gaps", ["R1"], token=key, region="Africa")

    lines = [record.getMessage() for record in caplog.records if record.name == "api"]
    assert len(lines) == 1
    assert lines[0].startswith(
        "api GET /api/campaigns/R1/gaps/?region=Africa user=partner status=200"
    )
    assert key not in caplog.text


def test_tokens_are_created_and_revoked_by_coordinators_in_the_admin(client, seeded_round):
    partner = make_user("partner", "trainer")
    client.force_login(get_user_model().objects.create_superuser("root", "r@example.org", "pw"))

    client.post(reverse("admin:authtoken_tokenproxy_add"), {"user": partner.pk})

    key = Token.objects.get(user=partner).key
    client.post(reverse("admin:authtoken_tokenproxy_delete", args=[partner.pk]), {"post": "yes"})
    assert not Token.objects.filter(key=key).exists()


def test_the_schema_is_served_without_a_token(client):
    response = client.get(reverse("api:schema"), {"format": "json"})

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/campaigns/{code}/gaps/" in paths
    assert "tokenAuth" in str(response.json()["components"]["securitySchemes"])


def test_every_generated_request_is_answered_as_the_schema_says(seeded_round):
    """Schemathesis: requests generated from the OpenAPI schema, with a
    coordinator's token, for every operation: no server error, and every
    answer's status, content type and body as the schema says."""
    # As Django's test client does: a request's end must not close the test's
    # database connection (its transaction holds the seeded round).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        _generated_requests_answered_as_promised()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _generated_requests_answered_as_promised():
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    key = Token.objects.create(user=make_user("schema-coordinator", "coordinator")).key
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 8

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
        def answered_as_promised(case):
            cache.clear()  # the token's request budget
            case.call_and_validate(headers={"Authorization": f"Token {key}"}, checks=checks)

        answered_as_promised()
