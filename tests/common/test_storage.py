"""Uploaded files on shared storage: with a bucket configured, an offline
workbook and a background job's file go to S3 (moto stands in for it) and
come back through the views that check access."""

import io
import zipfile

import boto3
import pytest
from django.urls import reverse
from moto import mock_aws

from common.models import Job
from surveys.offline import services as offline_services

pytestmark = pytest.mark.django_db

BUCKET = "tna-files"


@pytest.fixture
def s3(settings, monkeypatch):
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {"bucket_name": BUCKET, "default_acl": None, "file_overwrite": False},
            },
        }
        yield client


def keys(client):
    return [item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_a_jobs_file_is_kept_in_the_bucket_and_downloaded_from_it(
    client, coordinator, seeded_round, s3
):
    client.force_login(coordinator)

    client.post(reverse("common:job_new", args=["workbooks"]), {"campaign": ["R1"]})

    job = Job.objects.get()
    assert keys(s3) == [job.file.name] and job.file.name.startswith("jobs/job-")
    download = client.get(reverse("common:job_file", args=[job.pk]))
    assert zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).namelist() == [
        "tna-r1.xlsx"
    ]


def test_an_offline_upload_is_kept_in_the_bucket(seeded_round, s3):
    invitation = seeded_round.invitations.get(agency__name="Silent unit")

    upload = offline_services.offline_upload_receive(
        invitation=invitation, data=b"not a workbook", filename="ours.xlsx"
    )

    assert upload.pk and keys(s3) == [upload.file.name]
    assert s3.get_object(Bucket=BUCKET, Key=upload.file.name)["Body"].read() == b"not a workbook"
