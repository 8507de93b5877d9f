"""The Celery application: `celery -A needsassessment worker` runs the
background jobs, `celery -A needsassessment beat` the daily follow-ups.
Settings come from Django's, those named CELERY_*."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "needsassessment.settings")

app = Celery("needsassessment")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["common"])
