"""The respondent's pages. Every page is reached through the invitation link's
token; `with_invitation` is the one place that turns a token into an
invitation or into a clear page saying why the link cannot be used."""

import json
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from common import languages
from surveys import access
from surveys.models import Question, localized
from surveys.questionnaires import rules
from surveys.questionnaires import selectors as questionnaire_selectors
from surveys.respond import selectors as response_selectors
from surveys.respond import services as response_services
from surveys.respond.forms import SectionForm


def with_invitation(view):
    @wraps(view)
    def wrapper(request, token, *args, **kwargs):
        try:
            invitation = access.invitation_for_token(token)
        except access.LinkProblem as problem:
            return render(
                request, "surveys/link_problem.html", {"problem": problem}, status=problem.status
            )
        invitation.token = token
        return view(request, invitation, *args, **kwargs)

    return wrapper


@dataclass
class Survey:
    """What every respondent page needs, loaded in a fixed number of queries."""

    invitation: object
    response: object
    structure: questionnaire_selectors.Structure
    answers: dict
    relevant: dict
    language: str

    @property
    def questionnaire(self):
        return self.structure.questionnaire

    def text(self, texts):
        return localized(texts, self.language, self.questionnaire.default_language)

    def sections(self):
        """Sections that apply, as (section, label) in order."""
        return [
            (section, self.text(section.label))
            for section in self.structure.sections
            if rules.section_applies(self.structure, section, self.relevant)
        ]

    def url(self, name, *args):
        return reverse(f"surveys:{name}", args=[self.invitation.token, *args])

    def languages(self):
        """(language, its name in itself, its code) for the switch."""
        return [
            (language, languages.native_name(language), languages.xlsform_code(language))
            for language in self.questionnaire.languages
        ]

    def content_lang(self):
        """The questions' language code, which the interface may not speak
        (a Portuguese form has English buttons)."""
        return languages.xlsform_code(self.language) or translation.get_language()


def _language(request, response, questionnaire, remember):
    """The language asked for with the switch (remembered for the response),
    else the one remembered, else the browser's where the form has it, else
    the form's default. The browser's is remembered with the first answer
    saved, not on a visit: a mail scanner opening the link first must not
    choose for the respondent."""
    requested = request.POST.get("lang") or request.GET.get("lang")
    if requested in questionnaire.languages:
        if remember:
            response_services.response_set_position(response=response, language=requested)
        return requested
    if response.language in questionnaire.languages:
        return response.language
    return languages.from_browser(request, questionnaire.languages) or (
        questionnaire.default_language
    )


def survey_for(request, invitation, *, remember=True):
    """The survey, with the interface switched to its language."""
    response = response_services.response_open(invitation=invitation)
    questionnaire = invitation.campaign.questionnaire
    language = _language(request, response, questionnaire, remember)
    translation.activate(languages.interface_code(language) or settings.LANGUAGE_CODE)
    request.LANGUAGE_CODE = translation.get_language()
    structure = questionnaire_selectors.questionnaire_structure(questionnaire)
    answers = response_selectors.response_answers(response)
    return Survey(
        invitation=invitation,
        response=response,
        structure=structure,
        answers=answers,
        relevant=rules.relevance(structure, answers),
        language=language,
    )


def home(request):
    return render(request, "surveys/home.html")


@with_invitation
def start(request, invitation):
    survey = survey_for(request, invitation)
    if survey.response.is_submitted:
        return redirect(survey.url("done"))
    progress = [
        (section, survey.text(section.label), answered, total)
        for section, answered, total in rules.section_progress(
            survey.structure, survey.answers, survey.relevant
        )
    ]
    sections = [code for code, _ in survey.sections()]
    resume = survey.structure.section(survey.response.last_section)
    if resume not in sections:
        resume = sections[0] if sections else None
    return render(
        request,
        "surveys/start.html",
        {"survey": survey, "progress": progress, "resume": resume},
    )


def _section_form(survey, section, data=None):
    questions = [
        question
        for question in survey.structure.questions_by_section[section.pk]
        if survey.relevant[question.code]
    ]
    return SectionForm(
        data,
        questions=questions,
        choices=survey.structure.choices,
        language=survey.language,
        default_language=survey.questionnaire.default_language,
        answers=survey.answers,
    )


@with_invitation
def section(request, invitation, code):
    survey = survey_for(request, invitation)
    if survey.response.is_submitted:
        messages.info(request, _("This response has been submitted; it is shown read-only."))
        return redirect(survey.url("done"))
    current = survey.structure.section(code)
    if current is None:
        raise Http404("No such section")
    applying = [s for s, _ in survey.sections()]
    if current not in applying:
        messages.info(request, _("That section does not apply given your answers."))
        return redirect(survey.url("start"))
    if request.method == "POST":
        return _save_section(request, survey, current)
    response_services.response_set_position(response=survey.response, section_code=current.code)
    return _render_section(request, survey, current, _section_form(survey, current))


def _render_section(request, survey, current, form, version=None, status=200, field_versions="{}"):
    applying = survey.sections()
    position = next(i for i, (s, _) in enumerate(applying) if s == current)
    return render(
        request,
        "surveys/section.html",
        {
            "autosave_url": survey.url("autosave", current.code),
            "field_versions": field_versions,
            "shown": " ".join(form.question_by_code),
            "survey": survey,
            "section": current,
            "section_label": survey.text(current.label),
            "section_hint": survey.text(current.hint),
            "form": form,
            "version": survey.response.version if version is None else version,
            "sections": applying,
            "position": position + 1,
            "percent": round(100 * (position + 1) / len(applying)),
            "is_first": position == 0,
            "is_last": position == len(applying) - 1,
        },
        status=status,
    )


def _save_valid_answers(request, survey, current, only=None):
    """(form, outcome): the page's valid answers saved (`only` those named),
    the others and any conflict marked on the form. The first answer saved
    also remembers the language the respondent is answering in."""
    form = _section_form(survey, current, request.POST)
    form.is_valid()
    values = form.valid_values()
    if only is not None:
        values = {code: value for code, value in values.items() if code in only}
    outcome = response_services.response_save_answers(
        response=survey.response,
        questions=list(form.question_by_code.values()),
        values=values,
        base_version=_base_version(request),
        base_versions=_field_versions(request),
        section_code=current.code,
    )
    _show_conflicts(form, survey, outcome.conflicts)
    if outcome.saved and not survey.response.language:
        response_services.response_set_position(response=survey.response, language=survey.language)
    return form, outcome


def _field_versions(request):
    """{code: version} of the answers this page autosaved since it was shown."""
    try:
        versions = json.loads(request.POST.get("field_versions") or "{}")
    except ValueError:
        return {}
    if not isinstance(versions, dict):
        return {}
    return {str(k): v for k, v in versions.items() if isinstance(v, int)}


def _opened(count):
    return ngettext(
        "Your answers opened %(count)d more question on this page.",
        "Your answers opened %(count)d more questions on this page.",
        count,
    ) % {"count": count}


def _save_section(request, survey, current):
    try:
        form, outcome = _save_valid_answers(request, survey, current)
    except response_services.ResponseLocked as error:
        messages.error(request, str(error))
        return redirect(survey.url("done"))
    if form.errors:
        if outcome.saved:
            messages.warning(request, _("Your other answers on this page were saved."))
        return _render_section(request, survey, current, form, version=outcome.version)
    appeared = _reload_answers(request, survey, current)
    if appeared:
        messages.info(request, _opened(appeared))
        return redirect(survey.url("section", current.code))
    return redirect(_destination(request, survey, current))


def _base_version(request):
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return -1  # an unknown page age: treat every newer answer as a conflict


def _show_conflicts(form, survey, conflicts):
    for conflict in conflicts:
        stored = rules.answer_display(
            conflict.question, conflict.stored, survey.structure.choices, survey.text
        )
        form.add_error(
            conflict.question.code,
            _(
                "Someone changed this answer in another window or device after you opened "
                "this page; it is now saved as “%(stored)s”. Your value is shown here: save "
                "again to keep it, or change it."
            )
            % {"stored": stored},
        )


def _reload_answers(request, survey, current):
    """Read the saved answers back; how many questions of this page they
    made apply that the page did not show (`shown`, posted by the page;
    autosave may already have saved the answer that opened them)."""
    answers = response_selectors.response_answers(survey.response)
    relevant = rules.relevance(survey.structure, answers)
    posted = request.POST.get("shown")
    shown = set(posted.split()) if posted is not None else None
    appeared = [
        q
        for q in survey.structure.questions_by_section[current.pk]
        if relevant[q.code]
        and q.type != Question.Type.NOTE
        and (q.code not in shown if shown is not None else not survey.relevant[q.code])
    ]
    survey.answers, survey.relevant = answers, relevant
    return len(appeared)


def _destination(request, survey, current):
    applying = [s for s, _ in survey.sections()]
    action = request.POST.get("action", "save")
    if request.POST.get("lang"):  # the language switch: stay on this page
        return survey.url("section", current.code)
    goto = survey.structure.section(request.POST.get("goto", ""))
    if goto in applying:
        return survey.url("section", goto.code)
    if action == "review":
        return survey.url("review")
    index = applying.index(current) if current in applying else 0
    if action == "next":
        return (
            survey.url("section", applying[index + 1].code)
            if index + 1 < len(applying)
            else survey.url("review")
        )
    if action == "previous" and index > 0:
        return survey.url("section", applying[index - 1].code)
    messages.success(request, _("Your answers are saved."))
    return survey.url("section", current.code)


@dataclass
class MissingItem:
    code: str
    label: str
    which: str  # which of a competency's two ratings, or ""


def _missing_item(survey, question):
    which = ""
    if question.dimension in (Question.Dimension.IMPORTANCE, Question.Dimension.CAPABILITY):
        which = question.get_dimension_display()
    return MissingItem(question.code, survey.text(question.label), which)


@require_POST
@with_invitation
def autosave(request, invitation, code):
    """Save one page's valid answers as they change (static/surveys/autosave.js):
    JSON with the response's new version and the fields not saved, by name."""
    survey = survey_for(request, invitation)
    current = survey.structure.section(code)
    if survey.response.is_submitted or current not in [s for s, _ in survey.sections()]:
        return JsonResponse({"error": _("This page can no longer be changed.")}, status=409)
    edited = set(request.POST.getlist("autosave_fields"))
    form, outcome = _save_valid_answers(request, survey, current, only=edited)
    errors = {
        name: " ".join(messages_) for name, messages_ in form.errors.items() if name in edited
    }
    opened = _reload_answers(request, survey, current)
    return JsonResponse({"version": outcome.version, "errors": errors, "opened": opened})


def csrf_failure(request, reason=""):
    """An expired form: on a questionnaire page, the typed answers come back
    unsaved with a request to save again; elsewhere, the usual page."""
    from django.urls import resolve
    from django.views.csrf import csrf_failure as default

    match = resolve(request.path_info)
    if match.url_name == "autosave":  # the script shows the message
        return JsonResponse({"error": _("This page was open too long: press Save.")}, status=403)
    if request.method == "POST" and match.url_name == "section" and request.COOKIES:
        return _expired_section(request, **match.kwargs)
    # No cookie at all: the browser refuses them, and saving again would fail again.
    return default(request, reason, template_name="403_csrf.html")


@with_invitation
def _expired_section(request, invitation, code):
    survey = survey_for(request, invitation, remember=False)
    current = survey.structure.section(code)
    if survey.response.is_submitted or current not in [s for s, _ in survey.sections()]:
        return redirect(survey.url("start"))
    form = _section_form(survey, current, request.POST)
    form.is_valid()
    messages.warning(
        request,
        _(
            "This page was open too long, so your answers on it were not saved yet. They are "
            "shown below: press Save to keep them."
        ),
    )
    versions = json.dumps(_field_versions(request))
    return _render_section(
        request, survey, current, form, _base_version(request), status=403, field_versions=versions
    )


@with_invitation
def review(request, invitation):
    survey = survey_for(request, invitation)
    if survey.response.is_submitted:
        return redirect(survey.url("done"))
    missing = rules.missing_required(survey.structure, survey.answers, survey.relevant)
    by_section = {}
    for question in missing:
        by_section.setdefault(question.section_id, []).append(_missing_item(survey, question))
    missing_sections = [
        (section, label, by_section[section.pk])
        for section, label in survey.sections()
        if section.pk in by_section
    ]
    return render(
        request,
        "surveys/review.html",
        {"survey": survey, "missing": missing, "missing_sections": missing_sections},
    )


@require_POST
@with_invitation
def submit(request, invitation):
    survey = survey_for(request, invitation)
    try:
        response_services.response_submit(response=survey.response)
    except response_services.MissingAnswers as error:
        count = len(error.questions)
        messages.error(
            request,
            ngettext(
                "%(count)d required answer is still missing; it is listed below.",
                "%(count)d required answers are still missing; they are listed below.",
                count,
            )
            % {"count": count},
        )
        return redirect(survey.url("review"))
    messages.success(request, _("Thank you: your answers have been submitted."))
    return redirect(survey.url("done"))


@with_invitation
def done(request, invitation):
    survey = survey_for(request, invitation)
    if not survey.response.is_submitted:
        return redirect(survey.url("start"))
    copy = rules.answer_copy(survey.structure, survey.answers, survey.relevant, survey.text)
    return render(request, "surveys/done.html", {"survey": survey, "copy": copy})
