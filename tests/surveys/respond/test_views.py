import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from surveys.campaigns import services as campaign_services
from surveys.models import Agency, Answer, Invitation, Question, Response
from surveys.questionnaires import selectors as questionnaire_selectors
from surveys.respond import services as response_services
from tests.conftest import make_agency

pytestmark = pytest.mark.django_db


def url(name, token, *args):
    return reverse(f"surveys:{name}", args=[token, *args])


def sample_value(question, choices):
    """A valid answer for any question of the shipped form."""
    names = [choice.name for choice in choices.get(question.list_name, [])]
    if question.code == "role":
        return "investigator"
    if question.type == Question.Type.SELECT_ONE:
        return "3" if "3" in names else names[0]
    if question.type == Question.Type.SELECT_MULTIPLE:
        return [names[0]]
    if question.type == Question.Type.INTEGER:
        return "4"
    if question.type == Question.Type.DECIMAL:
        return "12.5"
    if question.type == Question.Type.DATE:
        return "2025-03-01"
    return "Answer text"


def section_post(client, token, code, values, *, action="next", version=None):
    """Post a section page as the browser would, with the page's own version."""
    if version is None:
        page = client.get(url("section", token, code))
        version = page.context["version"]
    return client.post(
        url("section", token, code), {**values, "version": version, "action": action}
    )


def fill_section(client, token, structure, code):
    """Answer every visible question of a section, as a respondent would:
    when an answer opens more questions the page comes back, and they are
    answered too."""
    section = structure.section(code)
    for _ in range(3):
        page = client.get(url("section", token, code))
        visible = page.context["form"].question_by_code
        values = {
            q.code: sample_value(q, structure.choices)
            for q in structure.questions_by_section[section.pk]
            if q.code in visible
        }
        reply = section_post(client, token, code, values, version=page.context["version"])
        if reply.status_code != 302 or reply["Location"] != url("section", token, code):
            return reply
    raise AssertionError(f"section {code} keeps asking for more")


def stored(invitation):
    """The answers given, leaving out the kind of agency pre-filled from the
    agency's record when the response started (tested on its own)."""
    answers = dict(
        Answer.objects.filter(response__invitation=invitation).values_list(
            "question__code", "value"
        )
    )
    if answers.get("agency_kind") == invitation.agency.kind:
        del answers["agency_kind"]
    return answers


def test_the_start_page_names_the_agency_the_campaign_and_the_deadline(client, token, invitation):
    page = client.get(url("start", token))

    assert page.status_code == 200
    text = page.content.decode()
    assert "Cybercrime Unit" in text and "Kenya" in text
    assert invitation.campaign.name in text
    assert invitation.campaign.closes_on.strftime("%-d %B %Y") in text
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.OPENED


def test_a_section_page_shows_one_section_with_progress(client, token):
    page = client.get(url("section", token, "forensics"))

    assert page.status_code == 200
    assert "Digital forensics" in page.content.decode()
    assert "Section 2 of 11" in page.content.decode()
    assert 'name="DF-01_imp"' in page.content.decode()
    assert 'name="AD-01_imp"' not in page.content.decode()


def test_next_saves_the_page_and_goes_to_the_following_section(
    client, token, invitation, questionnaire
):
    structure = questionnaire_selectors.questionnaire_structure(questionnaire)

    reply = fill_section(client, token, structure, "profile")

    assert reply.status_code == 302
    assert reply["Location"] == url("section", token, "forensics")
    answers = stored(invitation)
    assert answers["role"] == "investigator"
    assert answers["years_in_post"] == "4"
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.IN_PROGRESS


def test_a_respondent_can_leave_and_resume_then_submit_and_the_response_is_read_only(
    client, token, invitation, questionnaire
):
    structure = questionnaire_selectors.questionnaire_structure(questionnaire)
    fill_section(client, token, structure, "profile")
    section_post(client, token, "forensics", {"DF-01_imp": "5", "DF-01_cap": "2"}, action="save")

    # Another device: a fresh browser with the same link resumes where they left off.
    client.cookies.clear()
    start = client.get(url("start", token))
    assert start.context["resume"].code == "forensics"
    assert "Continue where you left off" in start.content.decode()
    page = client.get(url("section", token, "forensics"))
    assert page.context["form"]["DF-01_imp"].value() == "5"
    assert re.search(r'name="DF-01_imp" value="5"\s+id="[^"]+" checked', page.content.decode())

    review = client.get(url("review", token))
    assert review.context["missing"], "forensics is only partly answered"
    for section in structure.sections[1:]:
        fill_section(client, token, structure, section.code)
    review = client.get(url("review", token))
    assert review.context["missing"] == []

    done = client.post(url("submit", token), follow=True)

    assert done.redirect_chain[-1][0] == url("done", token)
    assert "submitted" in done.content.decode().lower()
    assert "Investigator" in done.content.decode(), "the printable copy shows choice labels"
    response = Response.objects.get(invitation=invitation)
    assert response.status == Response.Status.SUBMITTED
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.SUBMITTED

    before = stored(invitation)
    again = client.get(url("section", token, "forensics"))
    assert again.status_code == 302 and again["Location"] == url("done", token)
    client.post(url("section", token, "forensics"), {"DF-01_imp": "1", "version": 999})
    assert stored(invitation) == before


def test_submit_is_refused_while_required_answers_are_missing(client, token, invitation):
    reply = client.post(url("submit", token), follow=True)

    assert "required answers are still missing" in reply.content.decode()
    assert Response.objects.get(invitation=invitation).status == Response.Status.DRAFT


def test_the_review_page_lists_what_is_missing_by_section(client, token):
    section_post(client, token, "profile", {"role": "judge"}, action="save")

    review = client.get(url("review", token))

    text = review.content.decode()
    assert "Respondent profile" in text
    missing_codes = {q.code for q in review.context["missing"]}
    assert "role" not in missing_codes
    assert {"agency_kind", "years_in_post", "DF-01_imp"} <= missing_codes
    assert "Submit the answers" not in text


def test_a_coordinator_reopening_a_response_makes_it_editable_again(
    client, token, invitation, questionnaire
):
    structure = questionnaire_selectors.questionnaire_structure(questionnaire)
    for section in structure.sections:
        fill_section(client, token, structure, section.code)
    client.post(url("submit", token))
    response = Response.objects.get(invitation=invitation)

    response_services.response_reopen(response=response)

    page = client.get(url("section", token, "forensics"))
    assert page.status_code == 200
    section_post(client, token, "forensics", {"DF-01_imp": "1"}, action="save")
    assert stored(invitation)["DF-01_imp"] == "1"


# Skip logic -----------------------------------------------------------------


def test_a_follow_up_question_appears_only_when_its_condition_holds(client, token, invitation):
    page = client.get(url("section", token, "structures"))
    assert "SR-R02" not in page.context["form"].fields

    reply = section_post(client, token, "structures", {"SR-R01": "yes"}, action="next")

    assert reply.status_code == 302
    assert reply["Location"] == url("section", token, "structures"), (
        "stays to show the new question"
    )
    page = client.get(url("section", token, "structures"))
    assert "SR-R02" in page.context["form"].fields
    assert "opened 1 more question on this page" in page.content.decode()


def test_answers_to_questions_that_no_longer_apply_are_not_counted(
    client, token, invitation, questionnaire
):
    structure = questionnaire_selectors.questionnaire_structure(questionnaire)
    section_post(client, token, "structures", {"SR-R01": "yes"}, action="save")
    section_post(client, token, "structures", {"SR-R01": "yes", "SR-R02": "12"}, action="save")
    assert stored(invitation)["SR-R02"] == "12"

    section_post(client, token, "structures", {"SR-R01": "no"}, action="save")
    page = client.get(url("section", token, "structures"))
    assert "SR-R02" not in page.context["form"].fields
    missing = {q.code for q in client.get(url("review", token)).context["missing"]}
    assert "SR-R02" not in missing

    for section in structure.sections:
        if section.code != "structures":
            fill_section(client, token, structure, section.code)
    client.post(url("submit", token))

    assert "SR-R02" not in stored(invitation)
    assert stored(invitation)["SR-R01"] == "no"


def test_other_role_asks_for_a_description(client, token):
    section_post(client, token, "profile", {"role": "other"}, action="save")

    page = client.get(url("section", token, "profile"))

    assert "role_other" in page.context["form"].fields
    missing = {q.code for q in client.get(url("review", token)).context["missing"]}
    assert "role_other" in missing


# Validation -----------------------------------------------------------------


def test_an_invalid_number_gets_a_message_keeps_what_was_typed_and_saves_the_rest(
    client, token, invitation
):
    reply = section_post(
        client, token, "profile", {"role": "judge", "years_in_post": "about ten"}, action="next"
    )

    assert reply.status_code == 200
    assert reply.context["form"].errors["years_in_post"] == ["Enter a whole number."]
    assert 'value="about ten"' in reply.content.decode()
    assert stored(invitation) == {"role": "judge"}


def test_a_value_outside_the_constraint_shows_the_forms_own_message(client, token, invitation):
    reply = section_post(client, token, "profile", {"years_in_post": "75"}, action="next")

    assert reply.status_code == 200
    message = reply.context["form"].errors["years_in_post"][0]
    question = Question.objects.get(code="years_in_post")
    assert message == question.constraint_message["English (en)"]
    assert "years_in_post" not in stored(invitation)


def test_the_constraint_message_follows_the_chosen_language(client, token):
    client.get(url("start", token) + "?lang=French (fr)")

    reply = section_post(client, token, "profile", {"years_in_post": "75"}, action="next")

    question = Question.objects.get(code="years_in_post")
    assert reply.context["form"].errors["years_in_post"] == [
        question.constraint_message["French (fr)"]
    ]
    assert "Profil" in reply.content.decode()


def test_an_answer_not_among_the_choices_is_refused(client, token, invitation):
    reply = section_post(client, token, "forensics", {"DF-01_imp": "9"}, action="save")

    assert reply.status_code == 200
    assert "DF-01_imp" in reply.context["form"].errors
    assert "DF-01_imp" not in stored(invitation)


def test_clearing_an_answer_removes_it(client, token, invitation):
    section_post(client, token, "forensics", {"DF-01_imp": "4"}, action="save")

    section_post(client, token, "forensics", {"DF-01_imp": ""}, action="save")

    assert "DF-01_imp" not in stored(invitation)


# Two tabs -------------------------------------------------------------------


def test_a_stale_tab_does_not_silently_overwrite_a_newer_answer(client, token, invitation):
    stale_version = client.get(url("section", token, "forensics")).context["version"]
    section_post(client, token, "forensics", {"DF-01_imp": "5"}, action="save")  # the other tab

    reply = section_post(
        client, token, "forensics", {"DF-01_imp": "2", "DF-02_imp": "4"}, version=stale_version
    )

    assert reply.status_code == 200
    assert "another window or device" in reply.context["form"].errors["DF-01_imp"][0]
    assert "5 – Very high" in reply.context["form"].errors["DF-01_imp"][0]
    assert reply.context["form"]["DF-01_imp"].value() == "2", "the person's value is kept on screen"
    assert stored(invitation)["DF-01_imp"] == "5"
    assert stored(invitation)["DF-02_imp"] == "4", "the answers without conflict were saved"

    # Saving again from the re-rendered page is a deliberate choice.
    section_post(
        client,
        token,
        "forensics",
        {"DF-01_imp": "2", "DF-02_imp": "4"},
        version=reply.context["version"],
        action="save",
    )
    assert stored(invitation)["DF-01_imp"] == "2"


def test_a_stale_tab_on_another_section_saves_without_conflict(client, token, invitation):
    stale_version = client.get(url("section", token, "forensics")).context["version"]
    section_post(client, token, "profile", {"role": "judge"}, action="save")  # the other tab

    reply = section_post(client, token, "forensics", {"DF-01_imp": "2"}, version=stale_version)

    assert reply.status_code == 302
    assert stored(invitation) == {"role": "judge", "DF-01_imp": "2"}


def test_a_tab_left_open_after_submitting_cannot_change_the_answers(
    client, token, invitation, questionnaire
):
    structure = questionnaire_selectors.questionnaire_structure(questionnaire)
    for section in structure.sections:
        fill_section(client, token, structure, section.code)
    version = client.get(url("section", token, "forensics")).context["version"]
    client.post(url("submit", token))

    reply = section_post(client, token, "forensics", {"DF-01_imp": "1"}, version=version)

    assert reply.status_code == 302
    assert stored(invitation)["DF-01_imp"] == "3"


# Links that cannot be used --------------------------------------------------


@pytest.mark.parametrize(
    "bad_token",
    ["not-a-real-token-but-long-enough", "short", "x" * 43, "has spaces in it and is long"],
)
def test_an_unknown_link_gets_a_clear_page_that_reveals_nothing(client, invitation, bad_token):
    page = client.get(f"/r/{bad_token}/")

    assert page.status_code == 404
    assert "This link is not valid" in page.content.decode()
    assert invitation.agency.name not in page.content.decode()


def test_a_withdrawn_link_says_so(client, token, invitation):
    campaign_services.invitation_revoke(invitation=invitation)

    page = client.get(url("section", token, "profile"))

    assert page.status_code == 410
    assert "This link has been withdrawn" in page.content.decode()
    assert invitation.agency.name not in page.content.decode()


def test_a_replaced_link_stops_working_and_the_new_one_works(client, token, invitation):
    new_token = campaign_services.invitation_issue_token(invitation=invitation)

    assert "This link has been withdrawn" in client.get(url("start", token)).content.decode()
    assert client.get(url("start", new_token)).status_code == 200


def test_a_link_expires_with_its_campaign(client, token, invitation):
    campaign = invitation.campaign
    campaign.closes_on = timezone.localdate() - datetime.timedelta(days=1)
    campaign.save()

    page = client.get(url("start", token))

    assert page.status_code == 410
    assert "This assessment round is closed" in page.content.decode()
    assert invitation.agency.name not in page.content.decode()


def test_a_closed_campaign_refuses_saves(client, token, invitation):
    version = client.get(url("section", token, "profile")).context["version"]
    invitation.campaign.closed_at = timezone.now()
    invitation.campaign.save()

    page = section_post(client, token, "profile", {"role": "judge"}, version=version)

    assert page.status_code == 410
    assert stored(invitation) == {}


def test_a_campaign_that_has_not_opened_says_when_it_opens(client, token, invitation):
    campaign = invitation.campaign
    campaign.opens_on = timezone.localdate() + datetime.timedelta(days=3)
    campaign.save()

    page = client.get(url("start", token))

    assert page.status_code == 403
    assert "has not opened yet" in page.content.decode()


def test_an_unknown_section_is_a_404(client, token):
    assert client.get(url("section", token, "nothing-here")).status_code == 404


# Audit trail ----------------------------------------------------------------


def test_every_change_to_an_answer_is_kept_with_its_earlier_value(client, token, invitation):
    section_post(client, token, "forensics", {"DF-01_imp": "4"}, action="save")
    section_post(client, token, "forensics", {"DF-01_imp": "2"}, action="save")
    section_post(client, token, "forensics", {"DF-01_imp": ""}, action="save")

    answer_history = Answer.history.filter(question__code="DF-01_imp").order_by("history_date")

    assert [(h.history_type, h.value) for h in answer_history] == [
        ("+", "4"),
        ("~", "2"),
        ("-", "2"),
    ]
    assert {h.history_change_reason for h in answer_history} == {response_services.RESPONDENT}
    assert all(h.history_user is None for h in answer_history)


def test_the_kind_of_agency_is_pre_filled_from_the_agencys_record(client, token, invitation):
    client.get(url("start", token))

    answer = Answer.objects.get(response__invitation=invitation, question__code="agency_kind")
    assert answer.value == invitation.agency.kind == "specialised_unit"
    assert answer.history.get().history_change_reason == "pre-filled from the agency's record"
    page = client.get(url("section", token, "profile"))
    html = page.content.decode()
    assert re.search(r'value="specialised_unit"[^>]*(checked|selected)', html)


def test_a_court_is_not_asked_about_disk_imaging(client, campaign):
    court = make_agency("High Court", "KE", Agency.Kind.JUDICIARY)
    _, token = campaign_services.invitation_create(campaign=campaign, agency=court)

    start = client.get(url("start", token)).content.decode()

    assert "Digital forensics" not in start
    assert client.get(url("section", token, "forensics")).status_code == 302
