"""The offline workbook's longer texts, in the active language: its
instructions sheet and its dates (surveys/offline/build.py writes them)."""

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from common import languages as interface_languages
from surveys.offline.binding import MULTIPLE_SEPARATOR


def long_date(value):
    """A date as the workbook and the upload's messages write it, in the
    active language: "01 March 2025" in English."""
    # Translators: how the workbook and upload messages write a date, as a Django date
    # format: d day (01), j day (1), F month, E month as after a day (Russian), Y year;
    # e.g. "j E Y" or "Y年n月j日". DATE_FORMAT gives your language's usual long date.
    return formats.date_format(value, pgettext("long date", "d F Y"))


def at_most_characters(length):
    return ngettext("At most %(count)s character.", "At most %(count)s characters.", length) % {
        "count": length
    }


def _about(invitation, questionnaire, language):
    campaign, agency = invitation.campaign, invitation.agency
    names = ", ".join(interface_languages.native_name(name) for name in questionnaire.languages)
    # Translators: %(agency)s is an agency's name, %(country)s its country's.
    where = _("%(agency)s, %(country)s") % {"agency": agency.name, "country": agency.country.name}
    # Translators: %(title)s is a questionnaire's title, %(version)s its version number.
    version = _("%(title)s (version %(version)s)") % {
        "title": questionnaire.title,
        "version": questionnaire.version,
    }
    # Translators: %(language)s is this workbook's language, %(languages)s all of them.
    available = _("%(language)s. Available: %(languages)s.") % {
        "language": interface_languages.native_name(language),
        "languages": names,
    }
    return [
        (campaign.name, ""),
        ("", ""),
        (_("Agency"), where),
        (_("Assessment"), f"{campaign.name} ({campaign.code})"),
        (_("Deadline"), long_date(campaign.closes_on)),
        (_("Questionnaire"), version),
        (_("Language"), available),
        ("", ""),
    ]


def _how_to_fill_it_in(required):
    marked = _(
        # Translators: %(required)s is the word that marks required questions in column E.
        "Type or choose each answer in the yellow cells of column D. Other cells are locked. "
        "Questions marked “%(required)s” must be answered before the questionnaire can be "
        "submitted."
    ) % {"required": required}
    several = _(
        # Translators: %(separator)s is ";"; the example answers may be in your language.
        "Lists: choose from the drop-down. Several answers: type them separated by "
        "“%(separator)s”, e.g. “English; French”. Dates: year-month-day, e.g. 2025-03-31. "
        "Formulas are not accepted: type the value."
    ) % {"separator": MULTIPLE_SEPARATOR}
    return [
        ("1", _("Each section of the questionnaire is a sheet (tabs at the bottom).")),
        ("2", marked),
        ("3", several),
        (
            "4",
            _(
                "Some questions apply only given other answers (“Answer only if …” in column C). "
                "Answers to questions that do not apply are not saved."
            ),
        ),
        (
            "5",
            _(
                "Answers already given online are filled in. A cell you leave empty does not "
                "remove an answer saved online; to remove an answer, clear it online."
            ),
        ),
        (
            "6",
            _(
                "Do not rename, add or remove sheets, rows or columns: the upload finds each "
                "answer by its place."
            ),
        ),
    ]


def _how_to_upload_it(megabytes):
    upload = _(
        # Translators: %(link)s is the name of the link “Fill in offline” on the questionnaire's
        # pages; %(megabytes)s the largest file accepted.
        "Open the link of your invitation and choose “%(link)s”, then upload this file "
        "(at most %(megabytes)s MB); or send it to the coordinator of the assessment."
    ) % {"link": _("Fill in offline"), "megabytes": megabytes}
    return [
        ("1", upload),
        (
            "2",
            _(
                "Valid answers are saved at once; every problem is listed by sheet and cell. "
                "Correct them and upload again as often as needed."
            ),
        ),
        ("3", _("Then review and submit the questionnaire online.")),
    ]


def instructions(invitation, questionnaire, language, *, required, megabytes):
    """The instructions sheet's rows (A, B), and the row headings set in bold."""
    fill, send, languages = _("How to fill it in"), _("How to upload it"), _("Languages")
    rows = [
        *_about(invitation, questionnaire, language),
        (fill, ""),
        *_how_to_fill_it_in(required),
        ("", ""),
        (send, ""),
        *_how_to_upload_it(megabytes),
        ("", ""),
        (
            languages,
            _(
                "To get this workbook in another language, choose the language on the "
                "questionnaire's first page and download it again. Answers may be given in either "
                "language's labels."
            ),
        ),
    ]
    return rows, {fill, send, languages}
