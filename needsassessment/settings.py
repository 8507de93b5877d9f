"""Settings for the training-needs assessment platform.

One module, values from the environment. With nothing set it runs for
development on SQLite, so a fresh checkout just works; production sets
DJANGO_DEBUG=0, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and DATABASE_URL, and
DJANGO_BEHIND_PROXY=1 behind a TLS-terminating proxy (README, "Production").
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from common.downloads import DEFAULT_UPLOAD_BYTES
from common.env import env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent


DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY when DJANGO_DEBUG is off.")
    SECRET_KEY = "development-only-secret-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])

INSTALLED_APPS = [
    # django.contrib.admin, with a site that only coordinators may use.
    "needsassessment.apps.AssessmentAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "axes",
    "csp",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "common",
    "surveys",
    "analysis",
    "benchmark",
]

MIDDLEWARE = [
    "common.middleware.no_store_by_default",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: the one chosen on the site (cookie), else the browser's
    # Accept-Language. URLs carry no language prefix. Respondent pages then
    # switch to the response's language (surveys.respond.views).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "common.middleware.api_request_log",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "needsassessment.urls"

# The read-only API (/api/, analysis.api): JSON only, a token per user
# (created and revoked in the admin), the same roles as the pages, and a
# request budget per token (API_THROTTLE_RATE, e.g. "1000/hour").
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_THROTTLE_CLASSES": ["analysis.api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"token": os.environ.get("API_THROTTLE_RATE", "1000/hour")},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Training needs assessment API",
    "DESCRIPTION": (
        "Read-only results of the assessment rounds: campaigns, response rates, gap tables "
        "with the dashboard's filters, shares, the training plan and State profiles. "
        "Authenticate with 'Authorization: Token <key>'; keys are issued by a coordinator "
        "in the admin. Suppressed cells are null."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/",
}

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "needsassessment" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "needsassessment.wsgi.application"

# A worker keeps its database connection between requests (for a minute
# unused, checked before reuse): opening one per request cost PostgreSQL a
# new backend process each time, a third of the throughput under load
# (benchmark, 50 respondents). 0 opens one per request again.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# SQLite lets one writer at a time. WAL keeps readers going while it writes,
# and IMMEDIATE takes the write lock when a transaction begins, so concurrent
# saves queue on the busy timeout instead of failing half-way with "database
# is locked" when a read lock cannot be upgraded.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        transaction_mode="IMMEDIATE",
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# AxesStandaloneBackend first: it refuses a locked-out login before any
# password is checked, on /accounts/login/ and /admin/login/ alike.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "needsassessment.throttle.UserNameThrottle",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# An expired form on a questionnaire page keeps what was typed.
CSRF_FAILURE_VIEW = "surveys.respond.views.csrf_failure"
# The six UN languages, each named in itself (the language switch shows these).
LANGUAGES = [
    ("ar", "العربية"),
    ("zh-hans", "中文"),
    ("en", "English"),
    ("fr", "Français"),
    ("ru", "Русский"),
    ("es", "Español"),
]
# Catalogues in the repository root, with their compiled .mo files, so that
# nothing needs gettext to run (tests check that they are current).
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
# Uploaded files (offline workbooks, background jobs' files) on shared
# storage when several servers run: an S3-compatible bucket through
# django-storages, with the usual AWS_* variables (credentials as boto3
# reads them). Local disk (MEDIA_ROOT) otherwise.
AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "default_acl": None,  # private: files are served through views that check access
            "file_overwrite": False,
        },
    }

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "surveys:campaigns"
LOGOUT_REDIRECT_URL = "login"

# Groups with fewer respondents show their count only, never a mean.
TNA_MIN_N = env_int("TNA_MIN_N", 5)
# How many campaigns' answers each process keeps in memory (analysis.snapshot).
TNA_SNAPSHOT_CAMPAIGNS = env_int("TNA_SNAPSHOT_CAMPAIGNS", 3)
# Where they are also kept as Parquet files, for a new process to start from
# ("" for memory only). The files hold every agency's answers.
TNA_SNAPSHOT_DIR = os.environ.get("TNA_SNAPSHOT_DIR", str(BASE_DIR / "var" / "snapshots"))

# One cache for every server: Django's Redis cache when REDIS_URL is set
# (redis://host:6379/0), this process's memory otherwise. Every cached result
# is keyed by its campaign's data stamp (analysis.results), so no server ever
# serves another's stale copy.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "tna"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "tna",
        }
    }

# Background jobs (common.jobs) on Celery when CELERY_BROKER_URL is set
# (redis://host:6379/1); without a broker they run in the request.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_ACKS_LATE = True  # a worker that dies mid-job leaves it to another
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A queued or running job that has not moved for this long is stalled: its
# page says so and offers to try again (common.jobs). Each job marks every
# step it takes, seconds apart; a quiet job is one whose worker, or request,
# was killed.
JOB_STALLED_SECONDS = int(os.environ.get("TNA_JOB_STALLED_SECONDS", "600"))
# Redis hands an unacknowledged job to another worker after this long; the
# job's own claim (common.jobs.job_run) stops a second copy from running
# while the first still marks its steps.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 4 * 3600}
CELERY_BEAT_SCHEDULE = {
    "send-followups": {
        "task": "surveys.send_followups",
        "schedule": crontab(hour=6, minute=0),
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Bounds on what one request may carry. A questionnaire section has up to ~60
# questions, each with a hidden input or two; the admin's bulk actions post a
# checkbox per row. Anything far beyond that is not a person filling a form,
# and gets the plain 400 page (needsassessment/templates/400.html).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
DATA_UPLOAD_MAX_NUMBER_FILES = 10
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # 2.5 MB of form fields, files excluded
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # larger files go to a temporary file
# XLSForm uploads: a real questionnaire workbook is well under a megabyte.
# Whole request bodies are bounded by the proxy (client_max_body_size).
# XLSForms, course catalogues and ratings files; filled offline questionnaires
# (common.downloads.upload_limit reads both).
XLSFORM_MAX_UPLOAD_BYTES = env_int("XLSFORM_MAX_UPLOAD_BYTES", DEFAULT_UPLOAD_BYTES)
OFFLINE_MAX_UPLOAD_BYTES = env_int("OFFLINE_MAX_UPLOAD_BYTES", DEFAULT_UPLOAD_BYTES)
# Refused offline workbooks kept per invitation (the same file once), and
# uploads an invitation link may make in an hour.
OFFLINE_REFUSED_KEPT = env_int("OFFLINE_REFUSED_KEPT", 5)
OFFLINE_UPLOADS_PER_HOUR = env_int("OFFLINE_UPLOADS_PER_HOUR", 10)

# The training plan's cost estimate: US dollars per participant and day of
# training (travel, venue, trainers), times each course's days and participants.
TNA_COST_PER_PARTICIPANT_DAY = env_int("TNA_COST_PER_PARTICIPANT_DAY", 250)
# The plan does not count an agency trained on a course in the registry within
# this many months, or scheduled for it within the next 12.
TNA_REGISTRY_MONTHS = env_int("TNA_REGISTRY_MONTHS", 24)
# A course's participants are asked again when it ends (answerable for
# TNA_POST_COURSE_DAYS) and from TNA_FOLLOWUP_AFTER_DAYS to
# TNA_FOLLOWUP_UNTIL_DAYS after it (three to six months); their names and
# addresses are erased TNA_PARTICIPANT_RETENTION_DAYS after that closes.
TNA_POST_COURSE_DAYS = env_int("TNA_POST_COURSE_DAYS", 30)
TNA_FOLLOWUP_AFTER_DAYS = env_int("TNA_FOLLOWUP_AFTER_DAYS", 91)
TNA_FOLLOWUP_UNTIL_DAYS = env_int("TNA_FOLLOWUP_UNTIL_DAYS", 183)
TNA_PARTICIPANT_RETENTION_DAYS = env_int("TNA_PARTICIPANT_RETENTION_DAYS", 90)
# The address links in e-mails sent from the command line (send_followups)
# start with (pages use the address they were asked at); required in
# production, where a default would send links to nowhere.
TNA_SITE_URL = os.environ.get("TNA_SITE_URL", "http://127.0.0.1:8000" if DEBUG else "")

# Security headers. SecurityMiddleware also sends X-Content-Type-Options:
# nosniff and Cross-Origin-Opener-Policy: same-origin (Django's defaults,
# set here so that nobody turns them off by accident).
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# Behind a proxy that terminates TLS, the proxy must set X-Forwarded-Proto
# (and overwrite any the client sent); only then may Django believe it.
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

if not DEBUG:
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Content-Security-Policy (django-csp): our pages load scripts, styles and
# images only from this site, have no inline script or style, and may not be
# framed. Chart images and Bootstrap's icons use data: URLs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# Login throttling (django-axes): five wrong passwords for one username from
# one address lock that pair out for an hour. Locking by the pair, not the
# username alone, keeps a stranger from locking a coordinator out everywhere.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(hours=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_RESET_ON_SUCCESS = True
# Whatever the address (needsassessment/throttle.py): 20 failures in an hour
# refuse the user name for 15 minutes after the latest.
TNA_LOGIN_USER_FAILURES = env_int("TNA_LOGIN_USER_FAILURES", 20)
TNA_LOGIN_USER_COOLOFF = datetime.timedelta(minutes=env_int("TNA_LOGIN_USER_COOLOFF_MINUTES", 15))
# No start-up banner on every management command; failures are still logged.
AXES_VERBOSE = False


def client_ip_address(request):
    """The client's address for django-axes. Behind our proxy every request
    comes from the proxy, so the address is the last one the proxy appended
    to X-Forwarded-For (earlier entries are whatever the client sent)."""
    from django.conf import settings

    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR")


AXES_CLIENT_IP_CALLABLE = client_ip_address

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)
CONSOLE_EMAIL = "django.core.mail.backends.console.EmailBackend"
if not DEBUG and EMAIL_BACKEND == CONSOLE_EMAIL:
    # The console backend prints every invitation, link and all, into the
    # server's log. Production sends mail (README, "Production").
    raise ImproperlyConfigured(
        "Set DJANGO_EMAIL_BACKEND (and EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, "
        "EMAIL_HOST_PASSWORD, EMAIL_USE_TLS, DEFAULT_FROM_EMAIL) when DJANGO_DEBUG is off: "
        "the console backend would print invitation links into the log."
    )
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# A mail server that stops answering fails that one e-mail, said on the
# job's page, well before the job would count as stalled.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 60)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "webmaster@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Invitation links are secrets: no log line carries one.
    "filters": {"redact_links": {"()": "common.logs.RedactLinks"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_links"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    # Django's own loggers (requests, runserver's access lines) write through
    # the same filtered handler, not through the defaults that print paths as
    # they are.
    "loggers": {
        "django": {"handlers": [], "propagate": True},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
