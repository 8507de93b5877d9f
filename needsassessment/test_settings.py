"""Test-only tweaks on top of the real settings."""

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests render templates without running collectstatic first.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING = {"version": 1, "disable_existing_loggers": False}
# Nothing is collected for tests; whitenoise serves through the finders.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
# Snapshots in memory only; tests that keep them on disk give a folder.
TNA_SNAPSHOT_DIR = ""
