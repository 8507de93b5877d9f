"""The respondent's language (remembered, else the browser's, else the
form's), the switch that names each language in itself and keeps what was
typed, and the ways a typed answer is never lost: autosave, an expired form,
a number that is not one."""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from surveys.models import Answer, Response

pytestmark = pytest.mark.django_db


def url(name, token, *args):
    return reverse(f"surveys:{name}", args=[token, *args])


def saved(invitation):
    response = Response.objects.filter(invitation=invitation).first()
    return dict(Answer.objects.filter(response=response).values_list("question__code", "value"))


def version_of(client, token, code="profile"):
    return client.get(url("section", token, code)).context["version"]


def post_page(client, token, code, values):
    version = version_of(client, token, code)
    return client.post(
        url("section", token, code), {**values, "version": version, "action": "save"}
    )


def test_the_browsers_language_is_used_until_one_is_chosen(client, token, invitation):
    page = client.get(url("start", token), HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9")

    assert page.context["survey"].language == "Spanish (es)"
    assert '<html lang="es" dir="ltr">' in page.content.decode()
    assert Response.objects.get(invitation=invitation).language == ""  # a visit chooses nothing

    client.get(url("start", token) + "?lang=French (fr)")
    again = client.get(url("start", token), HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9")

    assert again.context["survey"].language == "French (fr)"  # remembered for the response
    assert Response.objects.get(invitation=invitation).language == "French (fr)"


def test_a_language_the_form_lacks_falls_back_to_the_forms_default(client, token):
    page = client.get(url("start", token), HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")

    assert page.context["survey"].language == "English (en)"


def test_arabic_reads_right_to_left_with_bootstraps_rtl_stylesheet(client, token):
    page = client.get(url("section", token, "profile") + "?lang=Arabic (ar)").content.decode()

    assert '<html lang="ar" dir="rtl">' in page
    assert "bootstrap-5.3.9.rtl.min.css" in page
    assert "ما هي وظيفتك" in page or "وظيفت" in page  # the question, in Arabic


def test_the_switch_names_each_language_in_itself(client, token):
    page = client.get(url("section", token, "profile")).content.decode()

    for name in ("Français", "Español", "العربية", "Русский", "中文"):
        assert f">{name}</button>" in page
    assert 'lang="ar"' in page


def test_switching_language_on_a_page_keeps_what_was_typed(client, token, invitation):
    version = version_of(client, token)

    reply = client.post(
        url("section", token, "profile"),
        {"role": "investigator", "years_in_post": "7", "version": version, "lang": "Russian (ru)"},
    )

    assert reply.status_code == 302 and reply.url == url("section", token, "profile")
    assert saved(invitation)["years_in_post"] == "7"
    page = client.get(reply.url).content.decode()
    assert '<html lang="ru"' in page and 'value="7"' in page


def test_autosave_saves_each_valid_answer_and_names_the_others(client, token, invitation):
    version = version_of(client, token)

    reply = client.post(
        url("autosave", token, "profile"),
        {"role": "prosecutor", "years_in_post": "1e", "version": version,
         "autosave_fields": ["role", "years_in_post"]},
    )  # fmt: skip

    body = json.loads(reply.content)
    assert reply.status_code == 200
    assert saved(invitation)["role"] == "prosecutor"
    assert "years_in_post" not in saved(invitation)
    assert list(body["errors"]) == ["years_in_post"]
    assert body["version"] > version


def test_autosave_on_a_submitted_response_changes_nothing(client, token, invitation):
    response = Response.objects.create(invitation=invitation, status=Response.Status.SUBMITTED)

    reply = client.post(url("autosave", token, "profile"), {"role": "judge", "version": 9})

    assert reply.status_code == 409
    assert not Answer.objects.filter(response=response).exists()


def test_a_number_that_is_not_one_gets_a_message_not_a_silent_blank(client, token, invitation):
    version = version_of(client, token)

    page = client.post(
        url("section", token, "profile"),
        {"years_in_post": "1e", "version": version, "action": "save"},
    ).content.decode()

    assert "Enter a whole number." in page
    assert 'id="error-summary"' in page and 'href="#div_id_years_in_post"' in page
    assert "Your answers are saved." not in page
    assert "years_in_post" not in saved(invitation)


def test_a_rating_that_is_not_an_option_is_marked_on_every_option_of_its_row(
    client, token, invitation
):
    page = post_page(client, token, "forensics", {"DF-01_imp": "9", "DF-01_cap": "2"})

    html = page.content.decode()
    options = re.findall(r'<input type="radio" class="([^"]+)" name="DF-01_imp"', html)
    assert len(options) == 7  # no answer, 1–5, not applicable
    assert set(options) == {"form-check-input is-invalid"}
    assert 'href="#div_id_DF-01_imp"' in html
    assert re.search(r'name="DF-01_cap" value="2" id="id_DF-01_cap_\d+" checked', html)
    assert saved(invitation).get("DF-01_cap") == "2" and "DF-01_imp" not in saved(invitation)


def test_an_expired_form_keeps_the_typed_answers_and_asks_to_save_again(token, invitation):
    browser = Client(enforce_csrf_checks=True)
    version = version_of(browser, token)

    # The page's CSRF token no longer matches (a new cookie, a very old tab).
    browser.cookies["csrftoken"] = "x" * 32
    page = browser.post(
        url("section", token, "profile"),
        {"role": "judge", "years_in_post": "12", "version": version, "action": "next"},
    )

    text = page.content.decode()
    assert page.status_code == 403
    assert "press Save to keep them" in text
    assert 'name="years_in_post" value="12"' in text
    assert re.search(r'name="role" value="judge"\s+id="id_role_\d+" checked', text)
    assert "years_in_post" not in saved(invitation)  # nothing saved until they press Save
    csrf = browser.cookies["csrftoken"].value
    browser.post(
        url("section", token, "profile"),
        {"role": "judge", "years_in_post": "12", "version": version, "action": "save",
         "csrfmiddlewaretoken": csrf},
    )  # fmt: skip
    assert saved(invitation)["years_in_post"] == "12"


def test_the_review_says_which_rating_of_a_pair_is_missing_and_links_to_it(
    client, token, invitation
):
    version = version_of(client, token, "forensics")
    client.post(
        url("section", token, "forensics"),
        {"DF-01_imp": "4", "version": version, "action": "save"},
    )

    page = client.get(url("review", token)).content.decode()

    assert f'href="{url("section", token, "forensics")}#div_id_DF-01_cap"' in page
    assert "(Capability)" in page
    assert f'href="{url("section", token, "forensics")}#div_id_DF-01_imp"' not in page


def test_the_receipt_carries_a_reference(client, token, invitation):
    response = Response.objects.create(invitation=invitation, status=Response.Status.SUBMITTED)

    page = client.get(url("done", token)).content.decode()

    assert f"R1-{response.pk:06d}" in page


def test_a_mail_scanner_opening_the_link_first_does_not_choose_the_language(token, invitation):
    Client().get(url("start", token))  # no Accept-Language at all

    page = Client().get(url("start", token), HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")

    assert page.context["survey"].language == "French (fr)"


def test_the_language_answered_in_is_remembered_with_the_first_answer(client, token, invitation):
    version = version_of(client, token)
    client.post(
        url("section", token, "profile"),
        {"years_in_post": "4", "version": version, "action": "save"},
        HTTP_ACCEPT_LANGUAGE="ru",
    )

    assert Response.objects.get(invitation=invitation).language == "Russian (ru)"


def test_the_switch_button_wins_over_a_language_in_the_address(client, token):
    version = version_of(client, token)

    client.post(
        url("section", token, "profile") + "?lang=French (fr)",
        {"version": version, "lang": "Russian (ru)", "action": "save"},
    )

    assert client.get(url("start", token)).context["survey"].language == "Russian (ru)"


def test_questions_an_autosaved_answer_opened_are_shown_before_moving_on(client, token):
    page = client.get(url("section", token, "profile"))
    assert "role_other" not in page.context["shown"].split()
    client.post(
        url("autosave", token, "profile"),
        {"role": "other", "version": page.context["version"], "autosave_fields": "role"},
    )

    reply = client.post(
        url("section", token, "profile"),
        {"role": "other", "version": page.context["version"], "action": "next",
         "shown": page.context["shown"]},
    )  # fmt: skip

    assert reply.status_code == 302 and reply.url == url("section", token, "profile")
    again = client.get(reply.url)
    assert "role_other" in again.context["shown"].split()
    assert "opened 1 more question" in again.content.decode()


def test_autosave_never_erases_an_answer_another_device_gave(client, token, invitation):
    page = client.get(url("section", token, "profile"))  # tab A: years_in_post empty
    other = Client()
    other.post(
        url("section", token, "profile"),
        {"years_in_post": "5", "version": version_of(other, token), "action": "save"},
    )

    versions = {}
    for value in ("judge", "prosecutor"):  # as the script sends them
        reply = client.post(
            url("autosave", token, "profile"),
            {"role": value, "years_in_post": "", "version": page.context["version"],
             "field_versions": json.dumps(versions), "autosave_fields": "role"},
        )  # fmt: skip
        versions["role"] = json.loads(reply.content)["version"]

    assert saved(invitation)["years_in_post"] == "5"
    assert saved(invitation)["role"] == "prosecutor"


def test_a_page_saved_after_its_own_autosave_sees_no_conflict(client, token, invitation):
    page = client.get(url("section", token, "forensics"))
    version = page.context["version"]
    body = json.loads(
        client.post(
            url("autosave", token, "forensics"),
            {"DF-01_imp": "3", "version": version, "autosave_fields": "DF-01_imp"},
        ).content
    )

    reply = client.post(
        url("section", token, "forensics"),
        {"DF-01_imp": "4", "version": version, "action": "next",
         "field_versions": json.dumps({"DF-01_imp": body["version"]})},
    )  # fmt: skip

    assert reply.status_code == 302
    assert saved(invitation)["DF-01_imp"] == "4"


@pytest.mark.parametrize(
    ("language", "typed", "stored"),
    [("French (fr)", "12,5", "12.5"), ("English (en)", "12.5", "12.5"),
     ("Arabic (ar)", "١٢٫٥", "12.5"), ("French (fr)", "1 200", "1200")],
)  # fmt: skip
def test_numbers_are_read_as_people_type_them(client, token, invitation, language, typed, stored):
    code = "DF-R06" if stored == "12.5" else "DF-R04"
    page = client.get(url("section", token, "forensics") + f"?lang={language}")

    client.post(
        url("section", token, "forensics"),
        {code: typed, "version": page.context["version"], "action": "save"},
    )

    assert saved(invitation)[code] == stored


def test_an_expired_autosave_is_answered_in_json(token, invitation):
    browser = Client(enforce_csrf_checks=True)
    version = version_of(browser, token)
    browser.cookies["csrftoken"] = "x" * 32

    reply = browser.post(
        url("autosave", token, "profile"),
        {"role": "judge", "version": version, "autosave_fields": "role"},
    )

    assert reply.status_code == 403 and "press Save" in json.loads(reply.content)["error"]


def test_a_browser_that_refuses_cookies_is_told_so(token):
    browser = Client(enforce_csrf_checks=True)
    version = version_of(browser, token)
    browser.cookies.clear()

    reply = browser.post(url("section", token, "profile"), {"version": version})

    assert reply.status_code == 403
    assert "accepts cookies" in reply.content.decode()


def test_the_staff_pages_switch_names_each_language_in_itself_in_arabic_too(client):
    page = client.get("/accounts/login/", headers={"Accept-Language": "ar"}).content.decode()

    assert 'dir="rtl"' in page
    for name in ("English", "Français", "Español", "Русский", "中文"):
        assert f">{name}</button>" in page


def test_a_page_changing_several_answers_to_different_values_stores_each_and_its_history(
    client, token, invitation
):
    first = {"DF-01_imp": "4", "DF-01_cap": "2", "DF-02_imp": "5", "DF-02_cap": "1"}
    post_page(client, token, "forensics", first)
    changed = {"DF-01_imp": "1", "DF-01_cap": "5", "DF-02_imp": "1", "DF-02_cap": "1"}

    post_page(client, token, "forensics", changed)

    answers = Answer.objects.filter(response__invitation=invitation, question__code__in=changed)
    assert {a.question.code: (a.value, a.number) for a in answers} == {
        code: (value, float(value)) for code, value in changed.items()
    }
    assert {a.question.code: a.saved_version for a in answers} == {
        "DF-01_imp": 2, "DF-01_cap": 2, "DF-02_imp": 2, "DF-02_cap": 1,
    }  # fmt: skip
    updates = Answer.history.filter(history_type="~", response__invitation=invitation)
    assert sorted(updates.values_list("question__code", "value")) == [
        ("DF-01_cap", "5"), ("DF-01_imp", "1"), ("DF-02_imp", "1"),
    ]  # fmt: skip


def test_an_option_label_or_value_with_markup_is_shown_as_text():
    from django import forms

    from surveys.respond.forms import radio_options

    class Form(forms.Form):
        pick = forms.ChoiceField(choices=[('a"b', "<b>Yes</b> & 'no'")], widget=forms.RadioSelect)

    html = radio_options(Form()["pick"])

    assert "<b>" not in html
    assert "&lt;b&gt;Yes&lt;/b&gt; &amp; &#x27;no&#x27;" in html
    assert 'value="a&quot;b" id="id_pick_0"' in html
