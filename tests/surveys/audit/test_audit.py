import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from surveys.audit import selectors as audit
from surveys.campaigns import services as campaign_services
from surveys.models import Question, UserRole
from surveys.questionnaires import rules
from surveys.respond import services as response_services
from tests.conftest import make_agency, make_user

pytestmark = pytest.mark.django_db
Role = UserRole.Role


def save_section(client, token, code, values):
    page = client.get(reverse("surveys:section", args=[token, code]))
    return client.post(
        reverse("surveys:section", args=[token, code]),
        {**values, "version": page.context["version"], "action": "save"},
    )


def csv_rows(reply):
    return list(csv.reader(io.StringIO(reply.content.decode())))


def answer_changes(changes, code):
    return [change for change in changes if change.subject == code]


def test_an_answer_changed_through_the_link_shows_from_to_who_and_why(
    client, campaign, token, invitation
):
    before = timezone.now()
    save_section(client, token, "forensics", {"DF-01_imp": "3"})
    save_section(client, token, "forensics", {"DF-01_imp": "5"})
    save_section(client, token, "forensics", {"DF-01_imp": ""})

    changes = answer_changes(audit.campaign_audit(campaign), "DF-01_imp")

    assert [(c.action, c.before, c.after) for c in changes] == [
        ("cleared", "5", ""),
        ("changed", "3", "5"),
        ("answered", "", "3"),
    ]
    assert {c.who for c in changes} == {"agency via link"}
    assert {c.agency for c in changes} == {"Cybercrime Unit (KE)"}
    assert changes[1].reason == response_services.RESPONDENT
    assert before <= changes[2].when <= changes[1].when <= changes[0].when <= timezone.now()


def test_a_change_by_a_coordinator_names_them_and_their_reason(campaign, invitation, coordinator):
    response = response_services.response_open(invitation=invitation)
    questions = list(Question.objects.filter(questionnaire=campaign.questionnaire))
    response_services.response_save_answers(
        response=response, questions=questions, values={"DF-02_cap": "2"}, base_version=0
    )
    response_services.response_save_answers(
        response=response,
        questions=questions,
        values={"DF-02_cap": "4"},
        base_version=1,
        actor=coordinator,
        reason="corrected from the paper copy",
    )

    latest = answer_changes(audit.campaign_audit(campaign), "DF-02_cap")[0]

    assert (latest.before, latest.after) == ("2", "4")
    assert latest.who == "coordinator"
    assert latest.reason == "corrected from the paper copy"


def test_invitations_links_responses_and_the_campaign_are_in_the_trail(
    client, campaign, token, invitation, coordinator
):
    client.get(reverse("surveys:start", args=[token]))  # the agency opens its link
    client.force_login(coordinator)
    client.post(reverse("surveys:campaign_remind", args=["R1"]), {"confirm": "1"})
    campaign_services.invitation_revoke(invitation=invitation)
    campaign_services.invitation_issue_token(invitation=invitation)
    client.post(reverse("surveys:campaign_close", args=["R1"]), {"confirm": "1"})

    changes = audit.campaign_audit(campaign)

    seen = [(c.subject.split()[0], c.action, c.who) for c in reversed(changes)]
    assert seen[0] == ("Campaign", "created", "no signed-in user")
    assert ("Invitation", "invited", "no signed-in user") in seen
    assert ("Invitation", "link opened", "agency via link") in seen
    assert ("Invitation", "reminder sent", "coordinator") in seen
    assert ("Invitation", "all links withdrawn", "no signed-in user") in seen
    assert ("Invitation", "withdrawal lifted with a new link", "no signed-in user") in seen
    assert sum(1 for s in seen if s[:2] == ("Link", "link issued")) == 3
    assert seen[-1] == ("Campaign", "closed", "coordinator")
    reminder = next(c for c in changes if c.action == "reminder sent")
    assert (reminder.before, reminder.after) == ("0", "1")


def test_submitting_and_reopening_a_response_are_in_the_trail(
    client, campaign, token, invitation, coordinator, monkeypatch
):
    monkeypatch.setattr(rules, "missing_required", lambda *args: [])
    client.get(reverse("surveys:start", args=[token]))
    client.post(reverse("surveys:submit", args=[token]))
    client.force_login(coordinator)
    client.post(reverse("surveys:response_reopen", args=["R1", invitation.pk]))

    changes = [c for c in audit.campaign_audit(campaign) if c.subject == "Response"]

    assert [(c.action, c.before, c.after, c.who) for c in changes] == [
        ("reopened", "Submitted", "Draft", "coordinator"),
        ("submitted", "Draft", "Submitted", "agency via link"),
    ]


@pytest.fixture
def two_agencies(client, campaign, token, invitation):
    save_section(client, token, "forensics", {"DF-01_imp": "3"})
    other = make_agency("Brazilian unit", "BR")
    other_invitation, other_token = campaign_services.invitation_create(
        campaign=campaign, agency=other
    )
    save_section(client, other_token, "forensics", {"DF-01_imp": "1"})
    return invitation, other_invitation


def test_the_page_lists_changes_and_filters_by_agency(client, coordinator, two_agencies):
    invitation, other_invitation = two_agencies
    client.force_login(coordinator)

    everything = client.get(reverse("audit:page", args=["R1"]))
    only_brazil = client.get(
        reverse("audit:page", args=["R1"]), {"agency": other_invitation.agency_id}
    )

    assert everything.status_code == 200
    text = everything.content.decode()
    assert "Cybercrime Unit (KE)" in text and "Brazilian unit (BR)" in text
    assert "Campaign</strong> created" in text
    agencies = {change.agency for change in only_brazil.context["page"].object_list}
    assert agencies == {"Brazilian unit (BR)"}
    assert "Campaign</strong> created" not in only_brazil.content.decode()


def test_an_unknown_agency_filter_shows_everything(client, coordinator, two_agencies):
    client.force_login(coordinator)

    page = client.get(reverse("audit:page", args=["R1"]), {"agency": "999999"})

    assert page.status_code == 200
    assert page.context["agency_id"] is None


def test_the_page_is_paginated(client, coordinator, campaign, invitation):
    response = response_services.response_open(invitation=invitation)
    questions = list(Question.objects.filter(questionnaire=campaign.questionnaire))
    values = {q.code: "3" for q in questions if q.dimension == Question.Dimension.IMPORTANCE}
    response_services.response_save_answers(
        response=response, questions=questions, values=values, base_version=0
    )
    client.force_login(coordinator)

    first = client.get(reverse("audit:page", args=["R1"]))
    second = client.get(reverse("audit:page", args=["R1"]), {"page": 2})

    assert len(first.context["page"].object_list) == 50
    assert second.context["page"].number == 2
    assert "Older" in first.content.decode()


def test_the_csv_has_one_row_a_change_with_who_when_and_from_to(client, coordinator, two_agencies):
    invitation, _ = two_agencies
    client.force_login(coordinator)

    reply = client.get(reverse("audit:csv", args=["R1"]), {"agency": invitation.agency_id})

    assert reply["Content-Type"] == "text/csv; charset=utf-8"
    assert reply["Content-Disposition"] == (
        f'attachment; filename="audit-r1-agency-{invitation.agency_id}.csv"'
    )
    rows = csv_rows(reply)
    assert rows[0] == ["when", "agency", "subject", "action", "from", "to", "who", "reason"]
    answered = next(row for row in rows if row[2:4] == ["DF-01_imp", "answered"])
    assert answered[1] == "Cybercrime Unit (KE)"
    assert answered[4:7] == ["", "3", "agency via link"]
    assert answered[7] == response_services.RESPONDENT
    assert datetime.datetime.fromisoformat(answered[0]) <= timezone.now()
    assert rows[-1][0].startswith("Exported on request by coordinator")
    assert not any(row[1] == "Brazilian unit (BR)" for row in rows if len(row) > 1)


@pytest.mark.parametrize("name", ["audit:page", "audit:csv"])
def test_only_coordinators_see_the_trail(client, campaign, invitation, name):
    address = reverse(name, args=["R1"])
    assert client.get(address)["Location"].startswith("/accounts/login/")

    for user, status in [
        (make_user("trainer", Role.TRAINER), 403),
        (make_user("focal-ke", Role.FOCAL_POINT, "KE"), 403),
        (make_user("nobody"), 403),
        (make_user("coordinator", Role.COORDINATOR), 200),
    ]:
        client.force_login(user)
        assert client.get(address).status_code == status, user.username


def add_agencies_with_answers(campaign, count, start):
    questions = list(Question.objects.filter(questionnaire=campaign.questionnaire))
    for number in range(start, start + count):
        invitation, _ = campaign_services.invitation_create(
            campaign=campaign, agency=make_agency(f"Unit {number}", "KE")
        )
        response = response_services.response_open(invitation=invitation)
        response_services.response_save_answers(
            response=response,
            questions=questions,
            values={"DF-01_imp": "2", "DF-01_cap": "1"},
            base_version=0,
        )
        response_services.response_save_answers(
            response=response, questions=questions, values={"DF-01_imp": "4"}, base_version=1
        )
        campaign_services.invitation_revoke(invitation=invitation)


@pytest.mark.parametrize("name", ["audit:page", "audit:csv"])
def test_the_number_of_queries_does_not_grow_with_the_changes(client, coordinator, campaign, name):
    client.force_login(coordinator)
    add_agencies_with_answers(campaign, 1, start=0)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse(name, args=["R1"])).status_code == 200

    add_agencies_with_answers(campaign, 8, start=1)
    with CaptureQueriesContext(connection) as many:
        reply = client.get(reverse(name, args=["R1"]))

    assert reply.status_code == 200
    assert len(many) == len(few)


def test_a_page_of_many_different_answers_changed_at_once_is_kept_whole(campaign, invitation):
    """Past a few distinct values (free text) the save takes another path."""
    response = response_services.response_open(invitation=invitation)
    questions = list(Question.objects.filter(questionnaire=campaign.questionnaire))
    codes = [q.code for q in questions if q.type == Question.Type.TEXT][:10]
    assert len(codes) == 10
    response_services.response_save_answers(
        response=response, questions=questions, values=dict.fromkeys(codes, "first"),
        base_version=0,
    )  # fmt: skip
    changed = {code: f"note {number}" for number, code in enumerate(codes)}

    response_services.response_save_answers(
        response=response, questions=questions, values=changed, base_version=1
    )

    stored = dict(response.answers.values_list("question__code", "value"))
    assert {code: stored[code] for code in codes} == changed
    assert set(response.answers.filter(question__code__in=codes).values_list(
        "saved_version", flat=True)) == {2}  # fmt: skip
    latest = {code: answer_changes(audit.campaign_audit(campaign), code)[0] for code in codes}
    assert {code: (c.before, c.after) for code, c in latest.items()} == {
        code: ("first", value) for code, value in changed.items()
    }
