"""Long work as background jobs: several rounds' workbooks, every State's
country report, invitations and reminders in bulk. With a broker
(CELERY_BROKER_URL) a Celery worker runs them and the page shows their
progress; without one they run in the request that starts them, so the
demo needs nothing more. Either way the person gets a page that says how
far the job is, then the file, or why it failed with a button to try
again.

A kind of job is a function `(job, progress) -> (filename, bytes)` named in
KINDS; `progress(percent, step)` records how far it is."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy

from common.models import Job

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

log = logging.getLogger(__name__)

KINDS = {
    "workbooks": "analysis.jobs.round_workbooks",
    "country_reports": "analysis.jobs.country_reports",
    "invitations": "surveys.campaigns.jobs.invitations",
    "reminders": "surveys.campaigns.jobs.reminders",
}

# The kinds a person may start from the jobs page; invitations and reminders
# start from their campaign's page.
STARTABLE = ("workbooks", "country_reports")

TITLES = {
    "workbooks": gettext_lazy("Workbooks of every round"),
    "country_reports": gettext_lazy("Every State's country report"),
    "invitations": gettext_lazy("Invitations"),
    "reminders": gettext_lazy("Reminders"),
}


# Kinds whose page says more than "done": a function (job) -> dict for it.
SUMMARIES = {
    "invitations": "surveys.campaigns.jobs.summary",
    "reminders": "surveys.campaigns.jobs.summary",
}


def job_summary(job: Job) -> dict | None:
    return import_string(SUMMARIES[job.kind])(job) if job.kind in SUMMARIES else None


def job_start(*, kind: str, params: dict, user: AbstractBaseUser) -> Job:
    """Queue a job of `kind` for `user`, in the language they are reading."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of job {kind!r}")
    job = Job.objects.create(
        kind=kind, params=params, requested_by=user, language=translation.get_language() or ""
    )
    _enqueue(job)
    return job


def job_retry(*, job: Job) -> Job:
    """Run a failed job again, from the start."""
    if job.status != Job.Status.FAILED:
        return job
    job.status, job.progress, job.step, job.error = Job.Status.QUEUED, 0, "", ""
    job.save(update_fields=["status", "progress", "step", "error"])
    _enqueue(job)
    return job


def _enqueue(job):
    if settings.CELERY_TASK_ALWAYS_EAGER:
        job_run(job.pk)  # no broker: in this request
        job.refresh_from_db()
        return
    from common.tasks import run_job

    # The worker must find the job: send it once the row is committed.
    transaction.on_commit(lambda: run_job.delay(job.pk))


def job_run(job_id: int) -> None:
    """Do the job (in the worker, or in the request without a broker)."""
    job = Job.objects.select_related("requested_by").get(pk=job_id)
    if job.status not in (Job.Status.QUEUED, Job.Status.RUNNING):
        return  # done already (a redelivered message), or failed and not retried
    job.status, job.started_at, job.attempts = Job.Status.RUNNING, timezone.now(), job.attempts + 1
    job.save(update_fields=["status", "started_at", "attempts"])

    def progress(percent, step=""):
        job.progress, job.step = max(0, min(100, int(percent))), str(step)[:200]
        job.save(update_fields=["progress", "step"])

    try:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            filename, data = import_string(KINDS[job.kind])(job, progress)
    except Exception as error:  # any failure is the job's, said on its page
        log.exception("job %s (%s) failed", job.pk, job.kind)
        job.status, job.finished_at = Job.Status.FAILED, timezone.now()
        job.error = str(error) or error.__class__.__name__
        job.save(update_fields=["status", "finished_at", "error"])
        return
    job.file.save(f"job-{job.pk}-{filename}", ContentFile(data), save=False)
    job.filename, job.progress, job.status = filename, 100, Job.Status.DONE
    job.finished_at = timezone.now()
    job.save(update_fields=["file", "filename", "progress", "status", "finished_at"])
    log.info("job %s (%s) done: %s, %d bytes", job.pk, job.kind, filename, len(data))
