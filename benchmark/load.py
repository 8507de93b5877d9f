"""Respondents under load: a gunicorn server on the loopback interface,
simulated people saving section pages, and a check that every answer they
were told was saved is in the database."""

import gc
import http.cookiejar
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html
import numpy as np
from django.conf import settings
from django.db import connection
from django.urls import reverse

from analysis import gaps
from benchmark.synthetic import SEED, ProgressBar
from surveys.campaigns import services as campaign_services
from surveys.models import (
    Agency,
    Answer,
    Country,
    Question,
)

# The simulated respondents: people, not a load generator.
THINK_SECONDS = (0.5, 1.5)


SWITCH_SECTION = 0.25  # chance that, after a save, a person opens another section


MAX_ACTIONS = 200  # per respondent, whatever --load-seconds allows


REQUEST_TIMEOUT = 15.0


SERVER_START_SECONDS = 60.0


# As README.md ("Production") runs it: three sync workers.
GUNICORN = ["--workers", "3"]


LOOPBACK = "127.0.0.1"


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn on the loopback interface, stopped on leaving the block
    (also on an error or Ctrl-C)."""

    def __init__(self, scratch, env=None):
        self.port = free_port()
        self.base_url = f"http://{LOOPBACK}:{self.port}"
        self.log_path = Path(scratch) / "gunicorn.log"
        self.env = env or os.environ.copy()
        self.process = None
        self.command = [
            sys.executable,
            "-m",
            "gunicorn",
            "needsassessment.wsgi",
            "-b",
            f"{LOOPBACK}:{self.port}",
            *GUNICORN,
            "--graceful-timeout",
            "5",
        ]

    def __enter__(self):
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            self.command,
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def _wait_until_ready(self):
        deadline = time.monotonic() + SERVER_START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited at start:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.request("/"), timeout=2) as reply:
                    if reply.status == 200:
                        return
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer in {SERVER_START_SECONDS:.0f} s")

    def request(self, path, data=None):
        return urllib.request.Request(
            self.base_url + path, data=data, headers=proxy_headers(self.port)
        )

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if not self.log.closed:
            self.log.close()

    def log_tail(self, lines=20):
        self.log.flush()
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])


def proxy_headers(port):
    """What the TLS-terminating proxy in front of production adds: with
    DJANGO_BEHIND_PROXY=1 Django then treats the request as HTTPS, so the
    production settings (HTTPS redirect, secure cookies, CSRF origin check)
    stay on while the benchmark talks plain HTTP on the loopback interface."""
    return {"X-Forwarded-Proto": "https", "Origin": f"https://{LOOPBACK}:{port}"}


class _HandBack(urllib.request.HTTPErrorProcessor):
    """Every response comes back as it is, redirects included, so that a
    save's POST and the GET of its redirect are timed apart."""

    def http_response(self, request, response):
        return response

    https_response = http_response


def _opener():
    # The session and CSRF cookies are Secure, as in production; the
    # "proxy" hop is plain HTTP on the loopback interface, so allow it.
    policy = http.cookiejar.DefaultCookiePolicy(secure_protocols=("https", "wss", "http"))
    jar = http.cookiejar.CookieJar(policy)
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _HandBack())


@dataclass
class Page:
    csrf: str
    version: str
    rating_fields: list


def parse_section_page(html):
    document = lxml.html.fromstring(html)
    csrf = document.xpath("//input[@name='csrfmiddlewaretoken']/@value")
    version = document.xpath("//form//input[@name='version']/@value")
    fields = sorted(set(document.xpath("//input[@type='radio' and @value='5']/@name")))
    if not csrf or not version:
        raise ValueError("the section page has no CSRF token or version")
    return Page(csrf[0], version[0], fields)


@dataclass
class Session:
    """What one simulated respondent did and was told."""

    invitation_id: int
    save_ms: list = field(default_factory=list)
    get_ms: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    sent: dict = field(default_factory=dict)  # question code → last value the server accepted
    saves: int = 0


class Respondent:
    """One person at a browser: opens a section, rates its competencies,
    saves, reads the page again, now and then moves to another section."""

    def __init__(self, server, token, invitation_id, sections, seed, deadline):
        self.server, self.token, self.sections = server, token, sections
        self.rng = np.random.default_rng(seed)
        self.deadline = deadline
        self.opener = _opener()
        self.session = Session(invitation_id)

    def run(self):
        try:
            section = self._pick_section()
            page = self._get(section)
            actions, saved_here = 0, False
            while page is not None and actions < MAX_ACTIONS and self._think():
                actions += 1
                # A person rates a page before moving on to another.
                if saved_here and self.rng.random() < SWITCH_SECTION:
                    section = self._pick_section()
                    page, saved_here = self._get(section), False
                else:
                    page, saved_here = self._save(section, page), True
        except Exception as error:  # a thread must report, never die silently
            self.session.errors.append(f"{type(error).__name__}: {error}")
        return self.session

    def _pick_section(self):
        return self.sections[int(self.rng.integers(len(self.sections)))]

    def _think(self):
        pause = float(self.rng.uniform(*THINK_SECONDS))
        if time.monotonic() + pause > self.deadline:
            return False
        time.sleep(pause)
        return True

    def _url(self, section):
        return reverse("surveys:section", args=[self.token, section])

    def _open(self, path, data=None):
        request = self.server.request(path, data)
        started = time.perf_counter()
        with self.opener.open(request, timeout=REQUEST_TIMEOUT) as reply:
            body = reply.read()
            status, location = reply.status, reply.headers.get("Location")
        return status, location, body, (time.perf_counter() - started) * 1000

    def _get(self, section=None, path=None):
        status, _, body, ms = self._open(path or self._url(section))
        self.session.get_ms.append(ms)
        if status != 200:
            self.session.errors.append(f"GET {status}")
            return None
        return parse_section_page(body)

    def _save(self, section, page):
        values = {name: str(self.rng.integers(1, 6)) for name in page.rating_fields}
        form = {"csrfmiddlewaretoken": page.csrf, "version": page.version, "action": "save"}
        data = urllib.parse.urlencode(form | values).encode()
        status, location, _, ms = self._open(self._url(section), data)
        self.session.save_ms.append(ms)
        if status != 302 or not location:
            self.session.errors.append(f"save POST {status}")
            return None
        self.session.saves += 1
        self.session.sent.update(values)
        path = urllib.parse.urlsplit(location).path
        return self._get(path=path)


def load_invitations_create(campaign, count, prefix="Load-test agency", seed=SEED + 1):
    """`count` draft invitations for simulated respondents: [(invitation, token)]."""
    rng = np.random.default_rng(seed)
    countries = list(Country.objects.values_list("pk", flat=True).order_by("code"))
    kinds = list(Agency.Kind.values)
    created = []
    for number in range(count):
        agency = Agency.objects.create(
            name=f"{prefix} {number:03d}",
            country_id=countries[int(rng.integers(len(countries)))],
            kind=kinds[number % len(kinds)],
        )
        created.append(campaign_services.invitation_create(campaign=campaign, agency=agency))
    return created


def rating_sections(campaign):
    return list(
        Question.objects.filter(questionnaire=campaign.questionnaire, dimension__in=gaps.RATED)
        .order_by("section__position")
        .values_list("section__code", flat=True)
        .distinct()
    )


def _percentiles(values):
    if not values:
        return {"count": 0, "p50": None, "p95": None, "max": None}
    array = np.asarray(values)
    return {
        "count": len(values),
        "p50": float(np.percentile(array, 50)),
        "p95": float(np.percentile(array, 95)),
        "max": float(array.max()),
    }


def answers_check(sessions):
    """Per respondent, the last value the server accepted for each question
    against what the database holds."""
    answers = Answer.objects.filter(
        response__invitation_id__in=[session.invitation_id for session in sessions]
    ).values_list("response__invitation_id", "question__code", "value")
    stored = {(invitation_id, code): value for invitation_id, code, value in answers}
    sent = found = mismatched = 0
    for session in sessions:
        for code, value in session.sent.items():
            sent += 1
            held = stored.get((session.invitation_id, code))
            if held is not None:
                found += 1
            if held != value:
                mismatched += 1
    return {"sent": sent, "stored": found, "mismatches": mismatched, "lost": mismatched}


def survey_load(campaign, scratch, *, concurrency, seconds, prefix="Load-test agency"):
    """Simulated respondents against gunicorn; latencies and the lost-answer
    check. Each run needs agencies of its own: another `prefix`."""
    invitations = load_invitations_create(campaign, concurrency, prefix=prefix)
    sections = rating_sections(campaign)
    connection.close()  # the server's workers, not this process, use the database now
    # The simulated people share this process with what the benchmark has
    # built (300,000 objects the collector tracks at 4,000 responses): frozen,
    # a collection their threads trigger does not walk them all while every
    # request in flight waits. A browser has no such heap.
    gc.collect()
    gc.freeze()
    try:
        return _survey_load(scratch, invitations, sections, concurrency, seconds)
    finally:
        gc.unfreeze()


def _survey_load(scratch, invitations, sections, concurrency, seconds):
    with Server(scratch) as server:
        _warm_up(server)
        deadline = time.monotonic() + seconds
        respondents = [
            Respondent(server, token, invitation.pk, sections, SEED + 100 + number, deadline)
            for number, (invitation, token) in enumerate(invitations)
        ]
        sessions = []
        threads = [
            threading.Thread(target=lambda r=r: sessions.append(r.run()), daemon=True)
            for r in respondents
        ]
        bar = ProgressBar(f"survey load ({concurrency} people)", seconds)
        started = time.monotonic()
        for thread in threads:
            thread.start()
        while any(thread.is_alive() for thread in threads):
            bar.update(min(seconds, time.monotonic() - started))
            time.sleep(0.25)
            if time.monotonic() > deadline + 2 * REQUEST_TIMEOUT + 5:
                break
        elapsed = time.monotonic() - started
        bar.close()
        server_log = server.log_tail(40)
    save_ms = [ms for s in sessions for ms in s.save_ms]
    get_ms = [ms for s in sessions for ms in s.get_ms]
    errors = [error for s in sessions for error in s.errors]
    return {
        "respondents": concurrency,
        "seconds": elapsed,
        "server": " ".join(["gunicorn", "needsassessment.wsgi", *GUNICORN]),
        "think_seconds": list(THINK_SECONDS),
        "save_post_ms": _percentiles(save_ms),
        "section_get_ms": _percentiles(get_ms),
        "requests": len(save_ms) + len(get_ms),
        "requests_per_second": (len(save_ms) + len(get_ms)) / elapsed if elapsed else 0.0,
        "errors": len(errors),
        "error_samples": errors[:10],
        "unfinished_respondents": concurrency - len(sessions),
        "answers": answers_check(sessions),
        "server_log_tail": server_log if errors else "",
    }


def _warm_up(server, requests=24):
    """Let every worker import the project before the clock starts."""

    def get(_):
        try:
            with urllib.request.urlopen(server.request("/"), timeout=REQUEST_TIMEOUT) as reply:
                reply.read()
        except OSError:
            pass

    threads = [threading.Thread(target=get, args=(n,)) for n in range(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
