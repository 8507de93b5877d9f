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
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
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
        kind=kind,
        params=params,
        requested_by=user,
        language=translation.get_language() or "",
        heartbeat_at=timezone.now(),
    )
    _enqueue(job)
    return job


def job_retry(*, job: Job) -> Job:
    """Run a failed or stalled job again, from the start; a job that is still
    moving, or one retried a moment ago by another click, is left as it is."""
    retried = (
        Job.objects.filter(pk=job.pk)
        .filter(Q(status=Job.Status.FAILED) | _stalled())
        .update(
            status=Job.Status.QUEUED, progress=0, step="", error="", heartbeat_at=timezone.now()
        )
    )
    job.refresh_from_db()
    if retried:
        _enqueue(job)
    return job


def _stalled():
    cutoff = timezone.now() - timedelta(seconds=settings.JOB_STALLED_SECONDS)
    unfinished = Q(status__in=[Job.Status.QUEUED, Job.Status.RUNNING])
    return unfinished & (Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at=None, created_at__lt=cutoff))


def _enqueue(job):
    if settings.CELERY_TASK_ALWAYS_EAGER:
        job_run(job.pk)  # no broker: in this request
        job.refresh_from_db()
        return
    # The worker must find the job: send it once the row is committed.
    transaction.on_commit(lambda: _send(job.pk))


def _send(job_id):
    from common.tasks import run_job

    try:
        run_job.delay(job_id)
    except Exception as error:  # the broker is down: the job says so, and may be retried
        log.exception("job %s could not be queued", job_id)
        reason = _("the job queue could not be reached (%(error)s)") % {"error": error}
        Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
            status=Job.Status.FAILED, error=reason, finished_at=timezone.now()
        )


class Superseded(Exception):
    """The job was taken over (tried again after it stalled) while this run
    was still going: this run stops and writes nothing more."""


def job_save_result(job: Job) -> None:
    """Save what the job did so far (job.result) while it runs; raises
    Superseded when another run has taken the job over."""
    if not _mine(job).update(result=job.result, heartbeat_at=timezone.now()):
        raise Superseded


def _mine(job):
    """The job's row while this run (its attempt) still has it."""
    return Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, attempts=job.attempts)


def job_run(job_id: int) -> None:
    """Do the job (in the worker, or in the request without a broker). A job
    is claimed in one UPDATE, so that two workers given the same job (a
    message delivered twice, a retry) never run it at once; a stalled run is
    claimed anew, and the run it replaced stops at its next step."""
    now = timezone.now()
    claimed = (
        Job.objects.filter(pk=job_id)
        .filter(Q(status=Job.Status.QUEUED) | _stalled())
        .update(
            status=Job.Status.RUNNING, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1
        )
    )
    if not claimed:
        return  # running elsewhere, done already, or failed and not retried
    job = Job.objects.select_related("requested_by").get(pk=job_id)
    mine = _mine(job)

    def progress(percent, step=""):
        job.progress, job.step = max(0, min(100, int(percent))), str(step)[:200]
        if not mine.update(progress=job.progress, step=job.step, heartbeat_at=timezone.now()):
            raise Superseded

    try:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            filename, data = import_string(KINDS[job.kind])(job, progress)
        job.file.save(f"job-{job.pk}-{filename}", ContentFile(data), save=False)
    except Superseded:
        log.warning("job %s (%s) attempt %d stopped: taken over", job.pk, job.kind, job.attempts)
        return
    except Exception as error:  # any failure is the job's, said on its page
        log.exception("job %s (%s) failed", job.pk, job.kind)
        mine.update(
            status=Job.Status.FAILED,
            finished_at=timezone.now(),
            error=str(error) or error.__class__.__name__,
        )
        return
    done = mine.update(
        file=job.file.name,
        filename=filename,
        progress=100,
        status=Job.Status.DONE,
        finished_at=timezone.now(),
    )
    if not done:  # taken over at the last moment: the new run makes its own file
        job.file.delete(save=False)
        return
    log.info("job %s (%s) done: %s, %d bytes", job.pk, job.kind, filename, len(data))
