"""Another agency's link: a token opens and writes only its own response."""

import datetime
import hashlib
import re

import pytest
from django.db import connection

from surveys.campaigns import services as campaign_services
from surveys.models import (
    InvitationLink,
)
from tests.conftest import make_agency
from tests.security.helpers import answers_of, section_post, url

pytestmark = pytest.mark.django_db


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
