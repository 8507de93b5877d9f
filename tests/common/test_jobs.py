"""Background jobs: started by a coordinator, a page that shows how far they
are, then the file; a failure said plainly, with a button to try again."""

import io
import zipfile

import openpyxl
import pytest
from django.urls import reverse

from common import jobs
from common.models import Job
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


def test_with_a_broker_the_job_waits_for_a_worker(
    client, coordinator, seeded_round, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    sent = []
    monkeypatch.setattr("common.tasks.run_job.delay", sent.append)
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

    assert start(client, "workbooks", "NOPE").status_code == 404
    assert start(client, "reports", "R1").status_code == 404
    assert not Job.objects.exists()


def test_the_daily_followups_task_runs_the_command(monkeypatch):
    from common import tasks

    called = []
    monkeypatch.setattr(tasks, "call_command", lambda name: called.append(name))

    tasks.send_followups()

    assert called == ["send_followups"]
