import pytest
from django.core.exceptions import ImproperlyConfigured

from common.env import env_bool, env_int


@pytest.mark.parametrize("value", ["1", "true", "YES", " on "])
def test_env_bool_reads_the_words_for_on(monkeypatch, value):
    monkeypatch.setenv("TNA_FLAG", value)

    assert env_bool("TNA_FLAG", False) is True


@pytest.mark.parametrize("value", ["0", "false", "No", "off"])
def test_env_bool_reads_the_words_for_off(monkeypatch, value):
    monkeypatch.setenv("TNA_FLAG", value)

    assert env_bool("TNA_FLAG", True) is False


def test_env_bool_gives_the_default_when_unset_or_empty(monkeypatch):
    monkeypatch.delenv("TNA_FLAG", raising=False)
    assert env_bool("TNA_FLAG", True) is True
    monkeypatch.setenv("TNA_FLAG", "")
    assert env_bool("TNA_FLAG", False) is False


def test_env_bool_refuses_a_typo_instead_of_reading_it_as_off(monkeypatch):
    monkeypatch.setenv("DJANGO_DEBUG", "flase")

    with pytest.raises(ImproperlyConfigured) as caught:
        env_bool("DJANGO_DEBUG", True)

    assert "DJANGO_DEBUG='flase'" in str(caught.value)
    assert "false" in str(caught.value)


def test_env_int_names_the_variable_that_is_not_a_number(monkeypatch):
    monkeypatch.setenv("TNA_MIN_N", "five")

    with pytest.raises(ImproperlyConfigured, match="TNA_MIN_N='five' is not a whole number"):
        env_int("TNA_MIN_N", 5)


def test_the_settings_refuse_to_start_with_an_unreadable_debug_flag(tmp_path):
    import subprocess
    import sys

    from django.conf import settings

    finished = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env={"PATH": "/usr/bin:/bin", "DJANGO_DEBUG": "ture", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert finished.returncode != 0
    assert "DJANGO_DEBUG='ture' is neither on nor off" in finished.stderr
