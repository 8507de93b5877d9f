"""The interface's languages and the questionnaires'. A questionnaire names
its languages as XLSForm does, "French (fr)"; the interface speaks the six
UN languages by Django code ("fr", "zh-hans"). These functions go between."""

import re

from django.conf import settings

NATIVE_NAMES = dict(settings.LANGUAGES)
_CODE = re.compile(r"\(([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*)\)\s*$")


def xlsform_code(language: str) -> str:
    """ "French (fr)" → "fr"; "" when the name carries no code."""
    match = _CODE.search(language or "")
    return match.group(1).lower().replace("_", "-") if match else ""


def interface_code(language: str) -> str | None:
    """The interface language (a code of settings.LANGUAGES) for a
    questionnaire language, or None when the interface does not speak it.
    Chinese in any script or region is read in the simplified catalogue."""
    code = xlsform_code(language)
    if code.startswith("zh"):
        code = "zh-hans"
    for known in NATIVE_NAMES:
        if code == known or code.split("-")[0] == known:
            return known
    return None


def native_name(language: str) -> str:
    """A questionnaire language named in itself where the interface knows it
    ("Français"), else its XLSForm name without the code ("Portuguese")."""
    code = interface_code(language)
    if code:
        return NATIVE_NAMES[code]
    return re.sub(r"\s*\([^)]*\)\s*$", "", language or "") or language


def for_interface(languages: list[str], code: str) -> str | None:
    """The questionnaire language among `languages` that the interface
    language `code` (e.g. from Accept-Language) reads, or None."""
    for language in languages:
        if interface_code(language) == code:
            return language
    return None


def for_reader(languages: list[str], default: str) -> str:
    """The questionnaire language a reader of results gets its texts in
    (competency statements, domain names, choices): the interface's active
    language where the questionnaire has it, else its default."""
    from django.utils import translation

    return for_interface(languages, translation.get_language()) or default


def from_browser(request, languages: list[str]) -> str | None:
    """The questionnaire language the browser asks for: the language chosen
    on the site (its cookie), else the first of Accept-Language that the
    questionnaire has; None when nothing matches (no fallback to English)."""
    from django.utils.translation.trans_real import parse_accept_lang_header

    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    header = request.headers.get("Accept-Language", "")
    asked = ([cookie] if cookie else []) + [code for code, _ in parse_accept_lang_header(header)]
    for code in asked:
        wanted = interface_code(f"({code})")
        for language in languages:
            same_interface = wanted is not None and interface_code(language) == wanted
            if same_interface or xlsform_code(language).split("-")[0] == code.lower().split("-")[0]:
                return language
    return None
