"""The Celery tasks: a background job (common.jobs), and the daily follow-ups
of course participants (manage.py send_followups) for the scheduler."""

from celery import shared_task
from django.core.management import call_command

from common import jobs


@shared_task(name="common.run_job")
def run_job(job_id):
    jobs.job_run(job_id)


@shared_task(name="surveys.send_followups")
def send_followups():
    call_command("send_followups")
