"""The interface's catalogues: one per UN language besides English, complete,
with every placeholder kept, and compiled .mo files that match them (they
ship in the repository, so that running the platform needs no gettext)."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "locale"
CATALOGUES = ["ar", "es", "fr", "ru", "zh_Hans"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")


def entries(catalogue):
    return {
        (entry.msgctxt, entry.msgid, entry.msgid_plural): (
            entry.msgstr,
            tuple(sorted(entry.msgstr_plural.items())),
        )
        for entry in catalogue
        if not entry.obsolete
    }


@pytest.mark.parametrize("code", CATALOGUES)
def test_each_catalogue_is_complete_and_its_mo_file_is_current(code):
    po = polib.pofile(str(LOCALE / code / "LC_MESSAGES" / "django.po"))
    mo = polib.mofile(str(LOCALE / code / "LC_MESSAGES" / "django.mo"))

    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert not untranslated, f"{code}: {len(untranslated)} untranslated, e.g. {untranslated[:3]}"
    assert not fuzzy, f"{code}: {len(fuzzy)} fuzzy, e.g. {fuzzy[:3]}"
    assert len(po) > 300
    compiled = entries(mo)
    compiled.pop((None, "", None), None)  # the header
    assert compiled == entries(po), (
        f"locale/{code}/LC_MESSAGES/django.mo is out of date: run python manage.py compilemessages"
    )


@pytest.mark.parametrize("code", CATALOGUES)
def test_every_placeholder_survives_translation(code):
    po = polib.pofile(str(LOCALE / code / "LC_MESSAGES" / "django.po"))
    wrong = []
    for entry in po.translated_entries():
        expected = sorted(PLACEHOLDER.findall(entry.msgid))
        translations = list(entry.msgstr_plural.values()) or [entry.msgstr]
        for text in translations:
            found = sorted(PLACEHOLDER.findall(text))
            # A plural form for exactly one may leave the count out.
            if found != expected and sorted(set(found) | {"%(count)d"}) != sorted(set(expected)):
                wrong.append((entry.msgid, text))
    assert not wrong, wrong[:5]


def test_the_catalogues_hold_every_string_marked_in_the_code(tmp_path):
    """makemessages on a copy of the tree finds nothing the catalogues lack."""
    if not shutil.which("xgettext"):
        pytest.skip("gettext's xgettext is not installed")
    root = Path(settings.BASE_DIR)
    copy = tmp_path / "tree"
    copy.mkdir()
    for part in ("manage.py", "needsassessment", "surveys", "analysis", "common", "locale"):
        source = root / part
        if source.is_dir():
            shutil.copytree(source, copy / part, ignore=shutil.ignore_patterns("*.pyc"))
        else:
            shutil.copy(source, copy / part)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr", "--no-obsolete", "--no-location"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "needsassessment.settings"},
    )
    extracted = polib.pofile(str(copy / "locale" / "fr" / "LC_MESSAGES" / "django.po"))
    missing = [entry.msgid for entry in extracted.untranslated_entries()]
    assert not missing, f"{len(missing)} strings not in the catalogues, e.g. {missing[:5]}"


@pytest.mark.parametrize(
    ("code", "expected"),
    [("fr", "Enregistrer"), ("es", "Guardar"), ("ar", "حفظ"), ("ru", "Сохранить"),
     ("zh-hans", "保存")],
)  # fmt: skip
def test_the_interface_speaks_each_language(code, expected):
    with translation.override(code):
        assert translation.gettext("Save") == expected
