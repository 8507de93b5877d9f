"""What a respondent's section page costs: queries that do not grow with
the answers, the link read in one cheap query, the questionnaire read once,
and the page's HTML written without running its texts as template code."""

import copy

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from surveys.questionnaires import selectors as questionnaire_selectors
from surveys.respond.forms import SectionForm
from tests.surveys.respond.test_views import fill_section, stored, url

pytestmark = pytest.mark.django_db


def _blank_form(structure, questions, language, default_language):
    return SectionForm(
        None,
        questions=questions,
        choices=structure.choices,
        language=language,
        default_language=default_language,
        answers={},
    )


def test_the_section_page_query_count_does_not_grow_with_the_answers(
    client, token, invitation, questionnaire
):
    structure = questionnaire_selectors.questionnaire_structure(questionnaire)
    client.get(url("start", token))
    with CaptureQueriesContext(connection) as empty:
        client.get(url("section", token, "forensics"))

    for section in structure.sections:
        fill_section(client, token, structure, section.code)
    assert len(stored(invitation)) > 150
    with CaptureQueriesContext(connection) as full:
        client.get(url("section", token, "forensics"))

    assert len(full) == len(empty)
    assert len(full) <= 8


def test_questionnaire_texts_are_shown_as_text_never_run_as_template_code(questionnaire):
    # A form's texts come from an uploaded XLSForm. The competency statement
    # heads its two ratings: it was rendered as a Django template, unescaped.
    structure = questionnaire_selectors.questionnaire_structure(questionnaire)
    questions = [
        copy.copy(q) for q in structure.questions_by_section[structure.section("forensics").pk]
    ]
    rating = next(i for i, question in enumerate(questions) if question.competency)
    questions[rating].label = {"en": "<script>x()</script> {{ form.fields }} {% now 'Y' %}"}
    html = _blank_form(structure, questions, "en", "en").body()

    assert questions[rating].competency == questions[rating + 1].competency
    legend = "&lt;script&gt;x()&lt;/script&gt; {{ form.fields }} {% now &#x27;Y&#x27; %}"
    assert f"<legend>{legend}</legend>" in html
    assert "<script>" not in html


def test_the_link_is_read_in_one_query_without_a_sort_or_a_limit(client, token, invitation):
    # A token's hash is unique. With ORDER BY or LIMIT, PostgreSQL plans the
    # link's eight-table join four times slower, on every respondent page.
    client.get(url("section", token, "forensics"))

    with CaptureQueriesContext(connection) as queries:
        client.get(url("section", token, "forensics"))

    links = [q["sql"] for q in queries if 'FROM "surveys_invitationlink"' in q["sql"]]
    assert len(links) == 1
    assert "ORDER BY" not in links[0]
    assert "LIMIT" not in links[0]
    assert invitation.agency.name in client.get(url("section", token, "forensics")).content.decode()


def test_a_published_questionnaires_structure_is_read_once(client, token, questionnaire):
    client.get(url("section", token, "forensics"))

    with CaptureQueriesContext(connection) as queries:
        client.get(url("section", token, "forensics"))

    for table in ("surveys_section", "surveys_question", "surveys_choice"):
        assert not any(f'FROM "{table}"' in query["sql"] for query in queries), table


def test_the_invitation_is_marked_in_progress_by_the_first_save_only(client, token, invitation):
    from surveys.models import Invitation
    from tests.surveys.respond.test_views import section_post

    section_post(client, token, "forensics", {"DF-01_imp": "4"}, action="save")
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.IN_PROGRESS
    page = client.get(url("section", token, "forensics"))

    with CaptureQueriesContext(connection) as queries:
        section_post(
            client, token, "forensics", {"DF-01_imp": "2"}, action="save",
            version=page.context["version"],
        )  # fmt: skip

    assert stored(invitation)["DF-01_imp"] == "2"
    writes = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
    assert not any('"surveys_invitation"' in sql for sql in writes)
    assert not any(q["sql"].startswith('SELECT "surveys_invitation"."id"') for q in queries)


def test_questions_of_one_list_share_its_options_in_the_pages_language(questionnaire):
    # The page's 30-odd ratings all use the rating scale: its options are
    # put in the page's language once, not once a field.
    structure = questionnaire_selectors.questionnaire_structure(questionnaire)
    questions = structure.questions_by_section[structure.section("forensics").pk]
    ratings = [q for q in questions if q.competency]
    form = _blank_form(structure, questions, "French (fr)", "English (en)")
    scale = structure.choices[ratings[0].list_name]
    expected = [("", "No answer")] + [
        (choice.name, choice.label.get("French (fr)") or choice.label["English (en)"])
        for choice in scale
    ]

    fields = [form.fields[q.code] for q in ratings if q.list_name == ratings[0].list_name]

    assert len(fields) > 10
    assert expected[1][1] != scale[0].label["English (en)"]
    assert list(fields[0].choices) == expected
    assert all(field.choices is fields[0].choices for field in fields)
    assert len(fields[0].choices) == len(scale) + 1
    assert fields[0].valid_value(scale[-1].name)
    assert not fields[0].valid_value("9")
