import re

import pytest
from django.core.management import call_command

from surveys.models import Agency, Answer, Campaign, Country, Invitation, Questionnaire, Response

pytestmark = pytest.mark.django_db


def seed(capsys):
    call_command("seed_demo")
    return capsys.readouterr().out


def test_it_loads_a_campaign_of_thirty_agencies_in_ten_countries_across_regions(capsys):
    seed(capsys)

    campaign = Campaign.objects.get(code="DEMO")
    assert campaign.questionnaire.status == Questionnaire.Status.PUBLISHED
    assert Agency.objects.count() == 30
    countries = Country.objects.filter(agencies__isnull=False).distinct()
    assert countries.count() == 10
    assert {c.region.name for c in countries} == {"Africa", "Americas", "Asia", "Europe", "Oceania"}
    statuses = set(campaign.invitations.values_list("status", flat=True))
    assert {
        Invitation.Status.SUBMITTED,
        Invitation.Status.IN_PROGRESS,
        Invitation.Status.SENT,
    } <= statuses
    submitted = Response.objects.filter(status=Response.Status.SUBMITTED)
    assert submitted.filter(invitation__campaign=campaign).count() == 24
    assert Response.objects.filter(status=Response.Status.DRAFT).count() == 3
    assert campaign.invitations.filter(status=Invitation.Status.SENT).count() == 3


def test_running_it_twice_changes_nothing_but_the_printed_links(capsys):
    seed(capsys)
    counts = (Agency.objects.count(), Invitation.objects.count(), Answer.objects.count())

    seed(capsys)

    assert (Agency.objects.count(), Invitation.objects.count(), Answer.objects.count()) == counts
    rounds = Campaign.objects.filter(assessment__isnull=True).values_list("code", flat=True)
    assert sorted(rounds) == ["DEMO", "DEMO-2025"]
    assert Campaign.objects.filter(assessment__isnull=False).count() == 3
    assert Questionnaire.objects.count() == 3  # with the course's pre-training questionnaire


def test_the_demo_class_answered_before_after_and_four_of_six_three_months_on(capsys):
    seed(capsys)

    answered = {
        stage: Response.objects.filter(
            invitation__campaign__assessment__stage=stage, status=Response.Status.SUBMITTED
        ).count()
        for stage in ("pre", "post", "followup")
    }
    assert answered == {"pre": 6, "post": 6, "followup": 4}


def test_the_demo_campaign_uses_version_2_beside_version_1(capsys):
    seed(capsys)

    versions = Questionnaire.objects.filter(code="tna").order_by("version")
    versions = versions.values_list("version", "form_version")
    assert list(versions) == [(1, "2026.1"), (2, "2026.2")]
    assert Campaign.objects.get(code="DEMO").questionnaire.version == 2


def test_it_prints_the_coordinator_login_and_two_links_that_work(capsys, client):
    out = seed(capsys)

    assert "Coordinator login: http://127.0.0.1:8000/accounts/login/" in out
    login = client.post(
        "/accounts/login/", {"username": "coordinator", "password": "demo-coordinator-2026"}
    )
    assert login.status_code == 302
    links = re.findall(r"http://127\.0\.0\.1:8000(/r/[^/\s]+/)", out)
    assert len(links) == 2
    for link in links:
        page = client.get(link)
        assert page.status_code == 200
        assert (
            "Continue where you left off" in page.content.decode()
            or "Start" in page.content.decode()
        )


def test_submitted_demo_answers_respect_the_skip_logic(capsys):
    seed(capsys)

    for response in Response.objects.filter(status=Response.Status.SUBMITTED):
        answers = dict(response.answers.values_list("question__code", "value"))
        if answers.get("SR-R01") in ("no", "dont_know"):
            assert "SR-R02" not in answers
        if answers.get("role") != "other":
            assert "role_other" not in answers


def test_it_creates_a_focal_point_and_a_trainer_to_try_the_roles(capsys):
    from surveys.models import UserRole

    out = seed(capsys)
    seed(capsys)

    roles = {role.user.username: (role.role, role.country and role.country.code)
             for role in UserRole.objects.select_related("user", "country")}  # fmt: skip
    assert roles == {"focal-ke": ("focal_point", "KE"), "trainer": ("trainer", None)}
    assert "Country focal point (KE): user focal-ke" in out
    assert "Dashboard: http://127.0.0.1:8000/campaigns/DEMO/dashboard/" in out


def test_the_demo_has_an_earlier_round_and_training_between_the_rounds(capsys, client):
    from surveys.models import TrainingEvent

    out = seed(capsys)

    earlier = Campaign.objects.get(code="DEMO-2025")
    assert earlier.questionnaire.version == 1 and earlier.closed_at is not None
    assert earlier.invitations.filter(status=Invitation.Status.SUBMITTED).count() == 24
    delivered = TrainingEvent.objects.filter(status="delivered", course__code="FOR-201")
    assert delivered.exclude(reference="GP-DEMO-CLASS").count() == 4  # besides the class
    assert (
        "Compared with the 2025 round: http://127.0.0.1:8000/campaigns/DEMO/compare/DEMO-2025/"
        in out
    )
    client.post(
        "/accounts/login/", {"username": "coordinator", "password": "demo-coordinator-2026"}
    )
    page = client.get("/campaigns/DEMO/compare/DEMO-2025/")
    row = next(row for row in page.context["trained"] if row["course"] == "FOR-201")
    assert row["n_trained"] >= 5 and row["n_untrained"] >= 5, row
    assert row["difference"] < 0
    assert "Possible duplication" in client.get("/training/").content.decode()
