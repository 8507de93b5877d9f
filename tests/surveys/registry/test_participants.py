"""A course's participants: invited one by one before the course, asked again
after it and three to six months later by send_followups, seen as a class
by the trainer, and forgotten once the follow-ups are over."""

import datetime
import io
import re
import smtplib

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils import timezone

from surveys.models import (
    Agency,
    Answer,
    Assessment,
    Country,
    Course,
    Invitation,
    Participant,
    Question,
    TrainingEvent,
)
from surveys.questionnaires import services as questionnaire_services
from surveys.questionnaires.xlsform import read_xlsform
from surveys.registry import assessments
from surveys.respond import services as response_services
from tests.conftest import make_agency, make_user

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
CLASS = [  # name, DF-02 before, DF-02 after (importance, capability), FRS-101, tools
    ("Ana", (5, 1), (5, 3), "no", "EnCase, FTK Imager"),
    ("Ben", (5, 2), (5, 4), "yes", "encase; Autopsy"),
    ("Chloé", (4, 2), (4, 3), "no", "FTK Imager"),
    ("Dev", (4, 3), (4, 4), "yes", ""),
    ("Eli", (5, 4), (5, 5), "yes", ""),
]


def link_for(token):
    return f"http://testserver/r/{token}/"


@pytest.fixture
def event(questionnaire):
    call_command("import_courses", "fixtures/courses.csv", stdout=io.StringIO())
    kenya = Country.objects.get(code="KE")
    event = TrainingEvent.objects.create(
        provider="UNODC", reference="GP-1", course=Course.objects.get(code="FOR-201"),
        start_date=TODAY + 7 * DAY, end_date=TODAY + 9 * DAY,
        status=TrainingEvent.Status.PLANNED, country=kenya,
    )  # fmt: skip
    unit = make_agency("Cybercrime Unit", "KE")
    lab = make_agency("Forensic Lab", "KE", kind=Agency.Kind.POLICE)
    for index, (name, *_) in enumerate(CLASS):
        Participant.objects.create(
            event=event, name=name, email=f"{name.lower()}@police.example",
            agency=unit if index % 2 else lab, role="forensic_examiner",
        )  # fmt: skip
    return event


def answer(invitation, rating, prerequisite="yes", tools=""):
    response = response_services.response_open(invitation=invitation)
    questions = list(Question.objects.filter(questionnaire=invitation.campaign.questionnaire))
    importance, capability = rating
    values = {
        "DF-02_imp": str(importance), "DF-02_cap": str(capability),
        "DF-03_imp": "4", "DF-03_cap": "3", "prior_training": "no",
        "prereq_FRS-101": prerequisite, "tools": tools,
    }  # fmt: skip
    response_services.response_save_answers(
        response=response, questions=questions, values=values, base_version=response.version
    )
    response_services.response_submit(response=response)


def stage_invitations(event, stage):
    campaign = event.assessments.get(stage=stage).campaign
    return {i.participant.name: i for i in campaign.invitations.select_related("participant")}


def run_the_course(event, *, post=True, answering=5):
    assessments.participants_invite(event, Assessment.Stage.PRE, link_for=link_for)
    invitations = stage_invitations(event, "pre")
    for name, before, _, prerequisite, tools in CLASS[:answering]:
        answer(invitations[name], before, prerequisite, tools)
    event.status = TrainingEvent.Status.DELIVERED
    event.save()
    if post:
        assessments.send_followups(link_for=link_for, today=event.end_date)
        for name, _, after, *_ in CLASS:
            answer(stage_invitations(event, "post")[name], after)


def test_each_participant_gets_their_own_link_and_the_questionnaire_knows_their_role(event):
    issued = assessments.participants_invite(event, Assessment.Stage.PRE, link_for=link_for).issued

    assert len(issued) == 5
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        f"{name.lower()}@police.example" for name, *_ in CLASS
    )
    message = next(m for m in mail.outbox if m.to == ["ana@police.example"])
    assert message.body.startswith("Dear Ana,")
    token = re.search(r"/r/([^/]+)/", message.body).group(1)
    page = pytest.importorskip("django.test").Client().get(reverse("surveys:start", args=[token]))
    assert page.status_code == 200
    campaign = event.assessments.get(stage="pre").campaign
    assert campaign.questionnaire.code == "pre_for_201"
    assert campaign.closes_on == event.start_date
    # Two participants of one agency: an invitation each.
    assert campaign.invitations.filter(agency__name="Forensic Lab").count() == 3
    invitation = stage_invitations(event, "pre")["Ana"]
    response = response_services.response_open(invitation=invitation)
    assert Answer.objects.get(response=response, question__code="role").value == (
        "forensic_examiner"
    )
    # The prerequisite course is asked about.
    assert campaign.questionnaire.questions.filter(code="prereq_FRS-101").exists()
    # Inviting again adds nobody.
    assert assessments.participants_invite(event, "pre", link_for=link_for).issued == []
    # Their agencies are recorded as taking part.
    assert set(event.agencies.values_list("name", flat=True)) == {"Cybercrime Unit", "Forensic Lab"}


def test_send_followups_invites_after_the_course_and_three_months_later_once_each(event):
    run_the_course(event, post=False)
    out = io.StringIO()
    mail.outbox.clear()

    def on(day):
        return assessments.send_followups(link_for=link_for, today=day)

    call_command("send_followups", stdout=out)  # today: the course has not ended
    assert "No follow-up due." in out.getvalue()
    assert on(event.end_date - DAY).invited == []
    assert on(event.end_date).invited == [(event, "post", 5)]
    assert on(event.end_date + DAY).invited == []  # the second day sends nothing more
    assert len(mail.outbox) == 5
    assert Invitation.objects.filter(campaign__assessment__stage="post").count() == 5
    assert on(event.end_date + 90 * DAY).invited == []
    assert on(event.end_date + 91 * DAY).invited == [(event, "followup", 5)]
    assert len(mail.outbox) == 10
    followup = event.assessments.get(stage="followup").campaign
    assert (followup.opens_on, followup.closes_on) == (
        event.end_date + 91 * DAY, event.end_date + 183 * DAY
    )  # fmt: skip


def test_a_cancelled_course_or_one_already_started_asks_nobody(event, client):
    event.start_date = TODAY - DAY
    event.save()
    client.force_login(make_user("coord", "coordinator"))

    page = client.post(reverse("surveys:event_invite", args=[event.pk, "pre"]), follow=True)

    assert "the pre-course questionnaire is for before it" in page.content.decode()
    event.status = TrainingEvent.Status.CANCELLED
    event.save()
    with pytest.raises(assessments.AssessmentError, match="was cancelled"):
        assessments.participants_invite(event, "post", link_for=link_for, today=event.end_date)
    assert not Invitation.objects.filter(participant__isnull=False).exists()


def test_the_trainer_sees_the_class_and_the_change_without_names(event, client):
    run_the_course(event)
    client.force_login(make_user("trainer", "trainer"))

    page = client.get(reverse("surveys:event", args=[event.pk])).content.decode()

    # DF-02 before: importance 4.6, capability 2.4, gap 2.2, 3 of 5 low.
    assert re.search(r"DF-02</strong>.*?4\.60</td>.*?2\.40</td>.*?2\.20</td>.*?60%", page, re.S)
    assert "2 of 5 have not completed it." in page
    assert 'EnCase (2)</li><li class="list-inline-item">FTK Imager (2)</li>' in page
    assert "Autopsy (1)" in page
    # After: gaps 2, 1, 1, 0, 0 (0.80); each participant's change −2, −2, −1,
    # −1, −1: mean −1.4, sd √0.3, t(0.975, 4) = 2.7764 → ±0.68.
    assert "-1.40 [-2.08, -0.72]" in page
    for name, *_ in CLASS:
        assert name not in page
    assert "Each participant (coordinators only)" not in page


def test_a_class_too_small_is_withheld_from_the_trainer_not_the_coordinator(event, client):
    run_the_course(event, post=False, answering=4)
    client.force_login(make_user("trainer", "trainer"))

    page = client.get(reverse("surveys:event", args=[event.pk])).content.decode()

    assert "4 participants answered the pre-course questionnaire" in page
    assert "EnCase" not in page
    client.force_login(make_user("coord", "coordinator"))
    page = client.get(reverse("surveys:event", args=[event.pk])).content.decode()
    assert "(Ana, Chloé)" in page  # who lacks FRS-101
    assert "EnCase, FTK Imager" in page


def test_a_focal_point_does_not_see_the_class(event, client):
    client.force_login(make_user("fp", "focal_point", "KE"))

    assert client.get(reverse("surveys:event", args=[event.pk])).status_code == 403


def test_the_coordinator_adds_a_participant_once(event, client):
    client.force_login(make_user("coord", "coordinator"))
    url = reverse("surveys:event", args=[event.pk])
    agency = Agency.objects.get(name="Cybercrime Unit")
    data = {"name": "Fay", "email": "Fay@Police.example", "agency": agency.pk,
            "role": "investigator"}  # fmt: skip

    client.post(url, data)
    again = client.post(url, data).content.decode()

    assert Participant.objects.filter(event=event, email="fay@police.example").count() == 1
    assert "fay@police.example is already a participant of this event." in again


def test_names_and_addresses_are_erased_after_the_retention_period(event, settings):
    run_the_course(event)
    settings.TNA_PARTICIPANT_RETENTION_DAYS = 90
    last_followup = event.end_date + 183 * DAY

    assessments.send_followups(link_for=link_for, today=last_followup + 90 * DAY)
    assert Participant.objects.filter(anonymised_at__isnull=True).count() == 5
    report = assessments.send_followups(link_for=link_for, today=last_followup + 91 * DAY)

    assert report.anonymised == 5
    assert set(Participant.objects.values_list("name", "email")) == {("", "")}
    assert not Participant.history.exclude(name="").exists()
    assert not Participant.history.exclude(email="").exists()
    # The answers stay, with the agency and the role.
    assert (
        Answer.objects.filter(
            response__invitation__participant__event=event, question__code="DF-02_cap"
        ).count()
        == 10
    )


def test_the_class_campaigns_are_not_a_round_trainers_or_focal_points_can_open(event, client):
    run_the_course(event, post=False)
    code = event.assessments.get(stage="pre").campaign.code
    dashboard = reverse("analysis:dashboard", args=[code])

    for user in (make_user("trainer", "trainer"), make_user("fp", "focal_point", "KE")):
        client.force_login(user)
        assert client.get(dashboard).status_code == 404
        assert code not in client.get(reverse("surveys:campaigns")).content.decode()
    client.force_login(make_user("coord", "coordinator"))
    assert code not in client.get(reverse("surveys:campaigns")).content.decode()
    detail = client.get(reverse("surveys:campaign", args=[code])).content.decode()
    assert "Ana, Forensic Lab" in detail  # each participant's own invitation


def test_the_trainer_sees_the_class_grow_five_answers_at_a_time(event, client):
    Participant.objects.create(
        event=event, name="Fay", email="fay@police.example",
        agency=Agency.objects.get(name="Cybercrime Unit"), role="investigator",
    )  # fmt: skip
    run_the_course(event, post=False)  # five of the six answer
    client.force_login(make_user("trainer", "trainer"))
    url = reverse("surveys:event", args=[event.pk])
    five = client.get(url).content.decode()
    answer(stage_invitations(event, "pre")["Fay"], (1, 5), "yes", "EnCase")

    six = client.get(url).content.decode()

    # The sixth answer is not shown until four more come: subtracting the two
    # pages gives nothing.
    assert "From the 5 participants" in six
    profile = re.compile(r"The class before the course.*", re.S)
    assert profile.search(six).group() == profile.search(five).group()


def test_send_followups_refuses_a_date_in_the_future(event):
    with pytest.raises(CommandError, match="cannot be after today"):
        call_command("send_followups", "--date", f"{TODAY + DAY}", stdout=io.StringIO())


def test_a_failed_e_mail_invites_nobody_and_is_tried_again(event, monkeypatch):
    from surveys.campaigns import services as campaign_services

    real = campaign_services.send_mail

    def flaky(subject, body, sender, to):
        if to == ["chloé@police.example"]:
            raise smtplib.SMTPException("mailbox unavailable")
        return real(subject, body, sender, to)

    monkeypatch.setattr(campaign_services, "send_mail", flaky)
    invited = assessments.participants_invite(event, "pre", link_for=link_for)

    assert len(invited.issued) == 4
    assert [(p.name, why) for p, why in invited.failed] == [("Chloé", "mailbox unavailable")]
    assert "Chloé" not in stage_invitations(event, "pre")
    monkeypatch.setattr(campaign_services, "send_mail", real)
    again = assessments.participants_invite(event, "pre", link_for=link_for)
    assert [link.invitation.participant.name for link in again.issued] == ["Chloé"]


def test_a_course_still_marked_planned_after_it_ended_is_reported(event):
    run_the_course(event, post=False)
    event.status = TrainingEvent.Status.PLANNED
    event.save()
    report = assessments.send_followups(link_for=link_for, today=event.end_date)

    assert "still marked planned" in report.problems[0][1]
    assert not Invitation.objects.filter(campaign__assessment__stage="post").exists()


def test_the_coordinator_sends_the_post_course_questionnaire_by_hand(event, client):
    run_the_course(event, post=False)
    event.start_date, event.end_date = TODAY - 3 * DAY, TODAY - DAY
    event.save()
    client.force_login(make_user("coord", "coordinator"))

    page = client.post(reverse("surveys:event_invite", args=[event.pk, "post"]))

    assert "Invited 5 participants" in page.content.decode()
    post = event.assessments.get(stage="post").campaign
    assert post.is_open()
    assert post.questionnaire == event.assessments.get(stage="pre").campaign.questionnaire


def test_a_class_campaign_invites_no_agency(event, client):
    run_the_course(event, post=False)
    code = event.assessments.get(stage="pre").campaign.code
    client.force_login(make_user("coord", "coordinator"))

    detail = client.get(reverse("surveys:campaign", args=[code])).content.decode()
    client.post(reverse("surveys:campaign_invite", args=[code]), {})

    assert "Invite agencies" not in detail
    assert "invite them from the event's page" in detail
    assert Invitation.objects.filter(campaign__code=code).count() == 5


def test_the_admin_refuses_a_second_invitation_of_an_agency(campaign, agency):
    from surveys.admin.forms import InvitationForm

    Invitation.objects.create(campaign=campaign, agency=agency)
    form = InvitationForm({"campaign": campaign.pk, "agency": agency.pk})

    assert not form.is_valid()
    assert "is already invited to R1" in str(form.errors)


def test_a_participant_who_answered_cannot_be_deleted_with_their_answers(event):
    run_the_course(event, post=False)
    ana = Participant.objects.get(name="Ana")

    with pytest.raises(ProtectedError):
        ana.delete()
    assert "Ana" not in str(ana)  # the admin's log keeps str(), never erased


def test_a_deleted_participants_history_loses_the_name_too(event):
    fay = Participant.objects.create(
        event=event, name="Fay", email="fay@police.example",
        agency=Agency.objects.get(name="Cybercrime Unit"),
    )  # fmt: skip
    fay.delete()

    assessments.participants_anonymise(today=TODAY)

    assert not Participant.history.filter(name="Fay").exists()
    assert Participant.history.filter(name="Ana").exists()  # still needed


def test_an_edited_pre_training_questionnaire_is_the_one_asked(event, tmp_path):
    output = tmp_path / "pre.xlsx"
    call_command("pretraining_form", "--course", "FOR-201", "--output", str(output),
                 stdout=io.StringIO())  # fmt: skip
    definition = read_xlsform(output.read_bytes())
    definition.title = "Before FOR-201 (edited)"
    edited, _ = questionnaire_services.questionnaire_import(definition=definition, publish=True)

    assessments.participants_invite(event, "pre", link_for=link_for)

    assert event.assessments.get(stage="pre").campaign.questionnaire == edited


def test_send_followups_needs_the_sites_address_in_production(event, settings):
    settings.TNA_SITE_URL = ""

    with pytest.raises(CommandError, match="Set TNA_SITE_URL"):
        call_command("send_followups", stdout=io.StringIO())
    call_command("send_followups", "--site-url", "https://tna.example.org", stdout=io.StringIO())
