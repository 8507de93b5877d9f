"""Production settings: the deployment check and the proxy header."""

import os
import secrets
import subprocess
import sys

import pytest

from tests.security.helpers import BASE_DIR

pytestmark = pytest.mark.django_db


def production_env(**extra):
    """The environment of a production server: none of the test run's
    DJANGO_* variables (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env |= {
        "DJANGO_SETTINGS_MODULE": "needsassessment.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "example.org",
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    }
    env.update(extra)
    return env


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_deployment_check_passes_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_behind_a_proxy_django_trusts_its_forwarded_proto_header():
    show = (
        "from django.conf import settings as s; "
        "print(s.SECURE_PROXY_SSL_HEADER, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.CSRF_TRUSTED_ORIGINS)"
    )
    env = production_env(
        DJANGO_BEHIND_PROXY="1", DJANGO_CSRF_TRUSTED_ORIGINS="https://tna.example.org"
    )

    result = manage("shell", "-c", show, env=env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        "('HTTP_X_FORWARDED_PROTO', 'https') True 31536000 True True ['https://tna.example.org']"
    )


def test_with_debug_off_the_console_mail_backend_is_refused():
    env = production_env()
    del env["DJANGO_EMAIL_BACKEND"]

    finished = manage("check", env=env)

    assert finished.returncode != 0
    assert "Set DJANGO_EMAIL_BACKEND" in finished.stderr
