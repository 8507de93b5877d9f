import datetime
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from surveys.campaigns import services as campaign_services
from surveys.models import Agency, Campaign, Invitation, Response, UserRole
from surveys.respond import services as response_services
from tests.conftest import make_agency, make_user, submit_ratings

pytestmark = pytest.mark.django_db
Role = UserRole.Role

LINK = re.compile(r"http://testserver(/r/[A-Za-z0-9_\-]+/)")


@pytest.fixture
def invited(campaign):
    """One Kenyan and one Brazilian agency invited; the Kenyan one has an address."""
    kenya = make_agency("Kenyan unit", "KE")
    kenya.contact_email = "unit@example.ke"
    kenya.save()
    brazil = make_agency("Brazilian unit", "BR", Agency.Kind.PROSECUTION)
    campaign_services.invitation_create(campaign=campaign, agency=kenya)
    campaign_services.invitation_create(campaign=campaign, agency=brazil)
    return campaign


def url(name, *args):
    return reverse(f"surveys:{name}", args=args)


GET_PAGES = [("campaigns", ()), ("campaign_new", ()), ("campaign", ("R1",))]
POST_ACTIONS = ["campaign_invite", "campaign_remind", "campaign_close"]


@pytest.mark.parametrize(("name", "args"), GET_PAGES)
def test_a_visitor_must_log_in(client, invited, name, args):
    reply = client.get(url(name, *args))

    assert reply.status_code == 302 and reply["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("who", "name", "args", "status"),
    [
        ("coordinator", "campaigns", (), 200),
        ("focal_point", "campaigns", (), 200),
        ("trainer", "campaigns", (), 200),
        ("coordinator", "campaign_new", (), 200),
        ("focal_point", "campaign_new", (), 403),
        ("trainer", "campaign_new", (), 403),
        ("coordinator", "campaign", ("R1",), 200),
        ("focal_point", "campaign", ("R1",), 200),
        ("trainer", "campaign", ("R1",), 403),
    ],
)
def test_each_role_sees_the_pages_it_should(client, invited, request, who, name, args, status):
    client.force_login(request.getfixturevalue(who))

    assert client.get(url(name, *args)).status_code == status


@pytest.mark.parametrize("name", POST_ACTIONS)
@pytest.mark.parametrize("who", ["focal_point", "trainer"])
def test_only_a_coordinator_may_act_on_a_campaign(client, invited, request, who, name):
    client.force_login(request.getfixturevalue(who))

    reply = client.post(url(name, "R1"))

    assert reply.status_code == 403
    assert Campaign.objects.get(code="R1").closed_at is None


@pytest.mark.parametrize("who", ["focal_point", "trainer"])
def test_only_a_coordinator_may_issue_a_link_or_reopen_a_response(client, invited, request, who):
    invitation = Invitation.objects.get(agency__name="Kenyan unit")
    response = submit_ratings(invitation, {"DF-01": (5, 1)})
    client.force_login(request.getfixturevalue(who))

    assert client.post(url("invitation_new_link", "R1", invitation.pk)).status_code == 403
    assert client.post(url("response_reopen", "R1", invitation.pk)).status_code == 403
    response.refresh_from_db()
    assert response.status == Response.Status.SUBMITTED
    assert invitation.links.filter(revoked_at__isnull=True).count() == 1


def test_the_campaign_list_shows_response_counts(client, coordinator, invited):
    submit_ratings(Invitation.objects.get(agency__name="Kenyan unit"), {"DF-01": (5, 1)})
    client.force_login(coordinator)

    page = client.get(url("campaigns"))

    assert "R1" in page.content.decode()
    [(campaign, totals)] = page.context["campaigns"]
    assert (totals["submitted"], totals["invited"]) == (1, 2)


def test_a_focal_point_sees_only_their_countrys_invitations(client, focal_point, invited):
    client.force_login(focal_point)

    page = client.get(url("campaign", "R1"))

    text = page.content.decode()
    assert "Kenyan unit" in text
    assert "Brazilian unit" not in text and "Brazil" not in text
    assert "Send reminders" not in text and "Invite agencies" not in text


def test_a_focal_point_cannot_see_a_campaign_without_their_country(client, campaign):
    campaign_services.invitation_create(
        campaign=campaign, agency=make_agency("Brazilian unit", "BR")
    )
    client.force_login(make_user("focal-fj", Role.FOCAL_POINT, "FJ"))

    assert client.get(url("campaign", "R1")).status_code == 404
    assert client.get(url("campaigns")).context["campaigns"] == []


def test_a_coordinator_creates_a_campaign_on_a_published_questionnaire(
    client, coordinator, questionnaire
):
    client.force_login(coordinator)

    reply = client.post(
        url("campaign_new"),
        {
            "code": "TNA-2027",
            "name": "Round two",
            "questionnaire": questionnaire.pk,
            "opens_on": "2027-01-01",
            "closes_on": "2027-03-31",
        },
    )

    assert reply.status_code == 302 and reply["Location"] == url("campaign", "TNA-2027")
    assert Campaign.objects.get(code="TNA-2027").questionnaire == questionnaire


def test_a_campaign_that_closes_before_it_opens_is_refused(client, coordinator, questionnaire):
    client.force_login(coordinator)

    reply = client.post(
        url("campaign_new"),
        {
            "code": "BAD",
            "name": "Backwards",
            "questionnaire": questionnaire.pk,
            "opens_on": "2027-03-01",
            "closes_on": "2027-01-01",
        },
    )

    assert reply.status_code == 200
    assert "cannot close before it opens" in reply.content.decode()
    assert not Campaign.objects.filter(code="BAD").exists()


def test_inviting_by_region_and_kind_creates_links_and_emails_them(client, coordinator, campaign):
    kenya = make_agency("Kenyan police", "KE", Agency.Kind.POLICE)
    kenya.contact_email = "police@example.ke"
    kenya.save()
    make_agency("Kenyan court", "KE", Agency.Kind.JUDICIARY)
    make_agency("Brazilian police", "BR", Agency.Kind.POLICE)
    client.force_login(coordinator)
    africa = kenya.country.region

    page = client.post(
        url("campaign_invite", "R1"), {"regions": [africa.pk], "kinds": ["police"]}, follow=True
    )

    assert list(campaign.invitations.values_list("agency__name", flat=True)) == ["Kenyan police"]
    assert "1 agency invited so far" in page.content.decode()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["police@example.ke"]
    links = LINK.findall(mail.outbox[0].body)
    assert len(links) == 1
    assert client.get(links[0]).status_code == 200


def test_inviting_again_skips_agencies_already_invited(client, coordinator, invited):
    client.force_login(coordinator)

    reply = client.post(url("campaign_invite", "R1"), {}, follow=True)

    assert "Every matching agency is already invited" in reply.content.decode()
    assert invited.invitations.count() == 2


def test_reminders_go_to_agencies_that_have_not_submitted_and_old_links_keep_working(
    client, coordinator, invited
):
    kenya = Invitation.objects.get(agency__name="Kenyan unit")
    old_token = campaign_services.invitation_issue_token(invitation=kenya)
    submit_ratings(Invitation.objects.get(agency__name="Brazilian unit"), {"DF-01": (5, 1)})
    client.force_login(coordinator)

    page = client.post(url("campaign_remind", "R1"), {"confirm": "1"}, follow=True)

    assert "1 agency reminded so far" in page.content.decode()
    assert len(mail.outbox) == 1, "only the Kenyan unit has not submitted"
    assert mail.outbox[0].subject.startswith("Reminder:")
    kenya.refresh_from_db()
    assert kenya.reminders_sent == 1
    assert client.get(f"/r/{old_token}/").status_code == 200
    assert client.get(LINK.findall(mail.outbox[0].body)[0]).status_code == 200


def test_closing_a_campaign_stops_its_links_and_reopening_restores_them(
    client, coordinator, invited
):
    token = campaign_services.invitation_issue_token(
        invitation=Invitation.objects.get(agency__name="Kenyan unit")
    )
    client.force_login(coordinator)

    client.post(url("campaign_close", "R1"), {"confirm": "1"})
    assert client.get(f"/r/{token}/").status_code == 410
    assert client.post(url("campaign_remind", "R1"), follow=True).context["messages"]

    client.post(url("campaign_close", "R1"), {"reopen": "1"})
    assert client.get(f"/r/{token}/").status_code == 200


def test_a_new_link_retires_the_old_ones(client, coordinator, invited):
    invitation = Invitation.objects.get(agency__name="Kenyan unit")
    old_token = campaign_services.invitation_issue_token(invitation=invitation)
    client.force_login(coordinator)

    page = client.post(url("invitation_new_link", "R1", invitation.pk), {"confirm": "1"})

    [new_link] = LINK.findall(page.content.decode())
    assert client.get(new_link).status_code == 200
    assert client.get(f"/r/{old_token}/").status_code == 410


def test_a_coordinator_reopens_a_submitted_response(client, coordinator, invited):
    invitation = Invitation.objects.get(agency__name="Kenyan unit")
    response = submit_ratings(invitation, {"DF-01": (5, 1)})
    client.force_login(coordinator)

    client.post(url("response_reopen", "R1", invitation.pk))

    response.refresh_from_db()
    invitation.refresh_from_db()
    assert response.status == Response.Status.DRAFT
    assert invitation.status == Invitation.Status.IN_PROGRESS


def test_an_invitation_of_another_campaign_cannot_be_touched_through_this_one(
    client, coordinator, invited, questionnaire
):
    today = timezone.localdate()
    other = campaign_services.campaign_create(
        code="R2", name="Other", questionnaire=questionnaire,
        opens_on=today, closes_on=today + datetime.timedelta(days=9),
    )  # fmt: skip
    foreign, _ = campaign_services.invitation_create(
        campaign=other, agency=make_agency("Other unit", "KE")
    )
    client.force_login(coordinator)

    assert client.post(url("invitation_new_link", "R1", foreign.pk)).status_code == 404


def test_only_a_coordinator_sees_the_link_to_the_audit_trail(
    client, coordinator, focal_point, invited
):
    client.force_login(coordinator)
    assert reverse("audit:page", args=["R1"]) in client.get(url("campaign", "R1")).content.decode()

    client.force_login(focal_point)
    assert (
        reverse("audit:page", args=["R1"]) not in client.get(url("campaign", "R1")).content.decode()
    )


def test_withdrawing_links_and_reopening_are_kept_in_the_history(invited):
    invitation = Invitation.objects.get(agency__name="Kenyan unit")
    link = invitation.links.get()
    response = submit_ratings(invitation, {"DF-01": (5, 1)})

    campaign_services.invitation_issue_token(invitation=invitation)
    response_services.response_reopen(response=response)

    revoked = [h.revoked_at is not None for h in link.history.order_by("history_date")]
    assert revoked == [False, True]
    statuses = list(invitation.history.order_by("history_date").values_list("status", flat=True))
    assert statuses[-1] == Invitation.Status.IN_PROGRESS


@pytest.mark.parametrize(
    ("action", "says"),
    [
        ("campaign_remind", "will each be e-mailed a reminder with a new link"),
        ("campaign_close", "Every invitation link stops working at once"),
        ("invitation_new_link", "stop working at once"),
    ],
)
def test_an_action_that_cannot_be_undone_asks_first_and_changes_nothing(
    client, coordinator, invited, action, says
):
    invitation = Invitation.objects.get(agency__name="Kenyan unit")
    token = campaign_services.invitation_issue_token(invitation=invitation)
    args = ("R1", invitation.pk) if action == "invitation_new_link" else ("R1",)
    client.force_login(coordinator)

    page = client.post(url(action, *args))

    assert page.status_code == 200
    assert says in page.content.decode()
    assert 'name="confirm" value="1"' in page.content.decode()
    assert len(mail.outbox) == 0
    assert client.get(f"/r/{token}/").status_code == 200


def test_a_campaign_closed_early_says_the_day_it_was_closed(client, coordinator, invited):
    token = campaign_services.invitation_issue_token(
        invitation=Invitation.objects.get(agency__name="Kenyan unit")
    )
    campaign_services.campaign_close(campaign=Campaign.objects.get(code="R1"))

    page = client.get(f"/r/{token}/")

    assert page.status_code == 410
    assert f"Closed on <strong>{timezone.localdate():%-d %B %Y}</strong>" in page.content.decode()


def test_the_403_page_offers_a_way_back(client, trainer, invited):
    client.force_login(trainer)

    page = client.get(url("campaign", "R1"))

    assert page.status_code == 403
    assert 'href="/campaigns/"' in page.content.decode()
