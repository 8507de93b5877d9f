"""Two app servers on one PostgreSQL and one Redis, as README ("Several
servers") runs them: gunicorn twice on loopback ports, a Celery worker, a
shared cache and broker. An answer saved and submitted through one server
must show in the other's dashboard at once (its cache in Redis is keyed by
the campaign's data stamp), and a background workbook job started on one
must come back as a file through the other.

Used by tests/servers/test_two_servers.py and by the benchmark
(`two_servers`)."""

import json
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.parse
import zipfile
from io import BytesIO
from pathlib import Path

import lxml.html
from django.conf import settings

from benchmark.load import LOOPBACK, Server, _opener, proxy_headers

CAMPAIGN = "TWO"
PASSWORD = "two-servers-" + "x" * 8
JOB_SECONDS = 180.0


def prepare():
    """Run in the servers' database (manage.py shell): the shipped
    questionnaire, a campaign of six submitted Kenyan agencies, one more
    whose response lacks one required answer, and a coordinator. Prints
    the seventh agency's token, as JSON."""
    import random

    from surveys.campaigns import services as campaign_services
    from surveys.demo import factories
    from surveys.demo.answers import plausible_answers
    from surveys.questionnaires import selectors, services
    from surveys.questionnaires.xlsform import read_xlsform

    path = Path(settings.BASE_DIR) / "fixtures" / "tna_questionnaire.xlsx"
    questionnaire, _ = services.questionnaire_import(
        definition=read_xlsform(path.read_bytes(), path.name), publish=True
    )
    campaign = factories.campaign_open(questionnaire, CAMPAIGN, "Two servers")
    structure = selectors.questionnaire_structure(questionnaire)
    rng = random.Random(7)
    for number in range(7):
        agency = factories.agency_create(f"Unit {number}", "KE", "police")
        invitation, token = campaign_services.invitation_create(campaign=campaign, agency=agency)
        answers = plausible_answers(structure, structure.sections, agency, rng)
        last = number == 6
        if last:
            del answers["years_in_post"]
        factories.response_with_answers(invitation, answers, submitted=not last)
    factories.user_create("coordinator", "coordinator", password=PASSWORD)
    print(json.dumps({"token": token}))


def _manage(arguments, env, scratch):
    result = subprocess.run(
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *arguments],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode:
        raise RuntimeError(f"manage.py {arguments[0]} failed:\n{result.stderr[-3000:]}")
    return result.stdout


class _Client:
    """One browser's cookies against either server (sessions live in the
    shared database, so one login serves both)."""

    def __init__(self):
        self.opener = _opener()

    def call(self, server, path, data=None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(
            server.base_url + path, data=body, headers=proxy_headers(server.port)
        )
        with self.opener.open(request, timeout=60) as reply:
            return reply.status, reply.headers, reply.read()


def _csrf(html):
    return lxml.html.fromstring(html).xpath("//input[@name='csrfmiddlewaretoken']/@value")[0]


def _respondents(html):
    match = re.search(rb"<strong>(\d+)</strong> submitted response", html)
    if not match:
        raise RuntimeError("the dashboard shows no count of submitted responses")
    return int(match.group(1))


def environment(database_url, redis_url, broker_url, scratch):
    from benchmark.run import scratch_environment  # run imports this module

    env = scratch_environment(database_url, scratch)
    env.update(
        REDIS_URL=redis_url,
        CELERY_BROKER_URL=broker_url,
        DJANGO_MEDIA_ROOT=str(Path(scratch) / "media"),
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),  # one key for both servers
    )
    return env


def two_servers(scratch, *, database_url, redis_url, broker_url):
    """Run the scenario; returns what it measured. Raises RuntimeError when a
    server does not do what the other promised."""
    import redis

    for url in (redis_url, broker_url):
        redis.Redis.from_url(url).flushdb()
    env = environment(database_url, redis_url, broker_url, scratch)
    _manage(["migrate", "--noinput", "--verbosity", "0"], env, scratch)
    if "Manifest" in settings.STORAGES["staticfiles"]["BACKEND"]:
        _manage(["collectstatic", "--noinput", "--verbosity", "0"], env, scratch)
    prepared = _manage(
        ["shell", "-c", "from benchmark.servers import prepare; prepare()"], env, scratch
    )
    token = json.loads(prepared.strip().splitlines()[-1])["token"]
    folders = [Path(scratch) / name for name in ("a", "b")]
    for folder in folders:
        folder.mkdir(exist_ok=True)
    worker_log = (Path(scratch) / "worker.log").open("wb")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "needsassessment", "worker", "--pool", "solo",
         "--loglevel", "INFO"],
        cwd=settings.BASE_DIR, env=env, stdout=worker_log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        with Server(folders[0], env) as first, Server(folders[1], env) as second:
            return _scenario(first, second, token)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        worker_log.close()


def _scenario(first, second, token):
    coordinator, respondent = _Client(), _Client()
    _, _, page = coordinator.call(second, "/accounts/login/")
    coordinator.call(
        second,
        "/accounts/login/",
        {"username": "coordinator", "password": PASSWORD, "csrfmiddlewaretoken": _csrf(page)},
    )
    dashboard = f"/campaigns/{CAMPAIGN}/dashboard/"
    status, _, page = coordinator.call(second, dashboard)
    before = _respondents(page)  # and the second server's cache is warm

    # The seventh agency gives its last answer and submits, through the first server.
    _, _, page = respondent.call(first, f"/r/{token}/section/profile/")
    document = lxml.html.fromstring(page)
    form = {
        "csrfmiddlewaretoken": _csrf(page),
        "version": document.xpath("//form//input[@name='version']/@value")[0],
        "autosave_fields": "years_in_post",
        "years_in_post": "4",
    }
    _, _, saved = respondent.call(first, f"/r/{token}/section/profile/autosave/", form)
    if json.loads(saved)["errors"]:
        raise RuntimeError(f"the answer was not saved: {saved!r}")
    status, headers, _ = respondent.call(
        first, f"/r/{token}/submit/", {"csrfmiddlewaretoken": form["csrfmiddlewaretoken"]}
    )
    if status != 302 or not headers["Location"].endswith("/done/"):
        raise RuntimeError(f"the response was not submitted ({status} {headers['Location']})")
    started = time.perf_counter()
    _, _, page = coordinator.call(second, dashboard)
    after, dashboard_seconds = _respondents(page), time.perf_counter() - started

    # A background job started on the second server, fetched from the first.
    started = time.perf_counter()
    status, headers, _ = coordinator.call(
        second, "/jobs/new/workbooks/", {"campaign": CAMPAIGN, "csrfmiddlewaretoken": _csrf(page)}
    )
    job_page = urllib.parse.urlparse(headers["Location"]).path
    deadline = time.monotonic() + JOB_SECONDS
    while b"Download" not in coordinator.call(first, job_page)[2]:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the job at {job_page} did not finish in {JOB_SECONDS:.0f} s")
        time.sleep(0.5)
    job_seconds = time.perf_counter() - started
    _, _, data = coordinator.call(first, job_page + "file")
    names = zipfile.ZipFile(BytesIO(data)).namelist()
    return {
        "servers": [first.base_url, second.base_url],
        "submitted_before": before,
        "submitted_after": after,
        "seen_on_other_server": after == before + 1,
        "dashboard_after_save_seconds": dashboard_seconds,
        "job_seconds": job_seconds,
        "job_files": names,
        "pid": os.getpid(),
    }


__all__ = ["LOOPBACK", "prepare", "two_servers"]
