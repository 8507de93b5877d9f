"""Background jobs: started by a coordinator, a page that shows how far they
are, then the file; a failure said plainly, with a button to try again."""

import io
import zipfile
from datetime import timedelta

import openpyxl
import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from common import jobs
from common.models import Job
from surveys.models import UserRole
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def start(client, kind, *codes):
    return client.post(reverse("common:job_new", args=[kind]), {"campaign": list(codes)})


def test_a_coordinator_gets_every_rounds_workbook_in_one_zip(client, coordinator, seeded_round):
    client.force_login(coordinator)

    response = start(client, "workbooks", "R1")

    job = Job.objects.get()
    assert response["Location"] == reverse("common:job", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Download tna-workbooks.zip" in page and 'http-equiv="refresh"' not in page
    download = client.get(reverse("common:job_file", args=[job.pk]))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    assert archive.namelist() == ["tna-r1.xlsx"]
    workbook = openpyxl.load_workbook(io.BytesIO(archive.read("tna-r1.xlsx")), read_only=True)
    assert "Answers" in workbook.sheetnames
    assert (job.status, job.progress, job.requested_by) == ("done", 100, coordinator)


def test_every_states_country_report_comes_in_one_zip(client, coordinator, seeded_round):
    client.force_login(coordinator)

    start(client, "country_reports", "R1")

    job = Job.objects.get()
    with job.file.open("rb") as handle:
        names = zipfile.ZipFile(handle).namelist()
    assert names == ["country-report-r1-BR.docx", "country-report-r1-KE.docx"]


def test_a_failed_job_says_why_and_can_be_tried_again(
    client, coordinator, seeded_round, monkeypatch
):
    monkeypatch.setitem(jobs.KINDS, "workbooks", "tests.common.test_jobs.broken")
    client.force_login(coordinator)

    page = client.get(start(client, "workbooks", "R1")["Location"]).content.decode()

    assert "The job failed: the disk is full" in page and "Try again" in page
    monkeypatch.setitem(jobs.KINDS, "workbooks", "analysis.jobs.round_workbooks")
    job = Job.objects.get()
    client.post(reverse("common:job_retry", args=[job.pk]))
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == ("done", 2, "")


def broken(job, progress):
    progress(40, "R1")
    raise OSError("the disk is full")


@pytest.fixture
def sent(settings, monkeypatch):
    """A broker: the jobs sent to the workers, which none runs."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    sent = []
    monkeypatch.setattr("common.tasks.run_job.delay", sent.append)
    return sent


def test_with_a_broker_the_job_waits_for_a_worker(
    client, coordinator, seeded_round, sent, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        location = start(client, "workbooks", "R1")["Location"]

    job = Job.objects.get()
    assert sent == [job.pk] and job.status == "queued"
    page = client.get(location).content.decode()
    assert "Waiting for a worker to start it" in page
    assert '<meta http-equiv="refresh" content="2">' in page
    jobs.job_run(job.pk)  # what the worker does
    assert "Download tna-workbooks.zip" in client.get(location).content.decode()


def test_only_coordinators_start_jobs_and_see_others_jobs(client, coordinator, seeded_round):
    client.force_login(coordinator)
    start(client, "workbooks", "R1")
    job = Job.objects.get()

    client.force_login(make_user("trainer", "trainer"))

    assert start(client, "workbooks", "R1").status_code == 403
    assert client.get(reverse("common:job", args=[job.pk])).status_code == 404
    assert client.get(reverse("common:job_file", args=[job.pk])).status_code == 404


def test_an_unknown_campaign_or_kind_starts_nothing(client, coordinator, seeded_round):
    client.force_login(coordinator)

    response = start(client, "workbooks", "NOPE")

    assert response["Location"] == reverse("surveys:campaigns")
    page = client.get(response["Location"]).content.decode()
    assert "No such campaign (any more): NOPE." in page
    assert start(client, "reports", "R1").status_code == 404
    assert not Job.objects.exists()


def test_a_campaign_gone_since_the_page_was_loaded_is_left_out_and_said(
    client, coordinator, seeded_round
):
    client.force_login(coordinator)

    page = client.get(start(client, "workbooks", "GONE", "R1")["Location"]).content.decode()

    assert Job.objects.get().params == {"campaigns": ["R1"]}
    assert "No such campaign (any more): GONE." in page
    assert "Download tna-workbooks.zip" in page


def test_someone_no_longer_a_coordinator_no_longer_sees_their_jobs(
    client, coordinator, seeded_round
):
    client.force_login(coordinator)
    start(client, "workbooks", "R1")
    job = Job.objects.get()

    UserRole.objects.filter(user=coordinator).update(role="trainer")

    assert client.get(reverse("common:job", args=[job.pk])).status_code == 404
    assert client.get(reverse("common:job_file", args=[job.pk])).status_code == 404
    assert client.post(reverse("common:job_retry", args=[job.pk])).status_code == 404


def stalled_job(user, status, minutes, attempts=1):
    heartbeat = timezone.now() - timedelta(minutes=minutes)
    return Job.objects.create(
        kind="workbooks",
        params={"campaigns": ["R1"]},
        requested_by=user,
        status=status,
        attempts=attempts,
        step="R1",
        created_at=heartbeat,
        heartbeat_at=heartbeat,
    )


def test_a_job_whose_worker_was_killed_says_so_and_can_be_tried_again(
    client, coordinator, seeded_round
):
    job = stalled_job(coordinator, Job.Status.RUNNING, minutes=12)
    client.force_login(coordinator)

    page = client.get(reverse("common:job", args=[job.pk])).content.decode()

    assert "This job has not moved for 12 minutes, at R1: it may have been stopped." in page
    assert "Try again" in page and '<meta http-equiv="refresh" content="30">' in page
    client.post(reverse("common:job_retry", args=[job.pk]))
    job.refresh_from_db()
    assert (job.status, job.attempts, job.filename) == ("done", 2, "tna-workbooks.zip")


def test_a_job_no_worker_took_says_the_queue_may_be_down(client, coordinator, seeded_round):
    job = stalled_job(coordinator, Job.Status.QUEUED, minutes=11, attempts=0)
    client.force_login(coordinator)

    page = client.get(reverse("common:job", args=[job.pk])).content.decode()

    assert "No worker has started this job in 11 minutes: the workers may all be busy" in page


def test_a_job_stopped_before_its_first_step_says_so_plainly(client, coordinator, seeded_round):
    job = stalled_job(coordinator, Job.Status.RUNNING, minutes=1)
    Job.objects.filter(pk=job.pk).update(step="")
    client.force_login(coordinator)
    client.cookies["django_language"] = "ru"

    with override_settings(JOB_STALLED_SECONDS=30):
        page = client.get(reverse("common:job", args=[job.pk])).content.decode()

    assert "Эта задача не продвигается уже 1 минуту: возможно, она была остановлена." in page


def test_a_job_still_moving_is_neither_retried_nor_run_twice(
    client, coordinator, seeded_round, monkeypatch
):
    ran = []
    monkeypatch.setitem(jobs.KINDS, "workbooks", "tests.common.test_jobs.recording")
    monkeypatch.setattr("tests.common.test_jobs.RAN", ran)
    job = stalled_job(coordinator, Job.Status.RUNNING, minutes=1)
    client.force_login(coordinator)

    page = client.get(reverse("common:job", args=[job.pk])).content.decode()
    client.post(reverse("common:job_retry", args=[job.pk]))
    jobs.job_run(job.pk)  # the same message delivered to a second worker

    assert ran == []
    assert "Working on R1" in page and 'http-equiv="refresh"' in page
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("running", 1)


RAN = []


def recording(job, progress):
    RAN.append(job.pk)
    return "x.txt", b"x"


def test_a_run_taken_over_after_it_stalled_stops_and_writes_nothing(
    coordinator, seeded_round, monkeypatch
):
    monkeypatch.setitem(jobs.KINDS, "workbooks", "tests.common.test_jobs.taken_over")
    job = stalled_job(coordinator, Job.Status.QUEUED, minutes=0, attempts=0)

    jobs.job_run(job.pk)

    job.refresh_from_db()
    assert (job.status, job.attempts, job.step, job.file.name) == ("running", 2, "R1", "")


def taken_over(job, progress):
    # Another worker claims the job as stalled while this run is quiet.
    Job.objects.filter(pk=job.pk).update(attempts=job.attempts + 1)
    progress(50, "R2")
    raise AssertionError("progress() should have stopped this run")


def test_a_job_retried_twice_at_once_is_queued_once(
    client, coordinator, seeded_round, sent, django_capture_on_commit_callbacks
):
    job = stalled_job(coordinator, Job.Status.FAILED, minutes=1)
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("common:job_retry", args=[job.pk]))
        client.post(reverse("common:job_retry", args=[job.pk]))  # a double click

    assert sent == [job.pk]


def test_a_job_the_queue_could_not_take_fails_with_the_reason(
    client, coordinator, seeded_round, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False

    def unreachable(job_id):
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr("common.tasks.run_job.delay", unreachable)
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        location = start(client, "workbooks", "R1")["Location"]

    page = client.get(location).content.decode()
    assert "The job failed: the job queue could not be reached (Error 111" in page
    assert "Try again" in page


def test_a_file_that_could_not_be_stored_fails_the_job(
    client, coordinator, seeded_round, monkeypatch
):
    storage = Job._meta.get_field("file").storage

    def full(name, content, max_length=None):
        raise OSError("No space left on device")

    monkeypatch.setattr(storage, "save", full)
    client.force_login(coordinator)

    page = client.get(start(client, "workbooks", "R1")["Location"]).content.decode()

    assert "The job failed: No space left on device" in page
    assert Job.objects.get().status == "failed"


def test_the_daily_followups_task_runs_the_command(monkeypatch):
    from common import tasks

    called = []
    monkeypatch.setattr(tasks, "call_command", lambda name: called.append(name))

    tasks.send_followups()

    assert called == ["send_followups"]
