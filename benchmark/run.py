"""The performance benchmark behind `manage.py benchmark`.

It builds a synthetic campaign (default 4,000 responses × 300 items, about
1.2 million answers) in a scratch database, then measures what a campaign of
that size costs us:

1. the analysis frame (analysis.selectors.answers_frame);
2. the gap tables the dashboard and breakdowns show (analysis.gaps);
3. the four dashboard charts rendered to PNG (analysis.charts);
4. the full workbook with the Answers sheet (analysis.results.workbook_data + analysis.workbook);

each beside a floor (the least work that gets the same answers out of the
database or into a spreadsheet) and a baseline (what one would otherwise
write: a plain-Python loop, pandas' to_excel). Then it puts respondents under
load: a gunicorn server on the loopback interface, simulated people saving
section pages, and a check that every answer they were told was saved is in
the database.

Seconds come from a plain run of each step and peak memory from a second,
separate run under tracemalloc, since tracing slows a step down. The
management command (benchmark/management/commands/benchmark.py) only parses
arguments, runs this in a subprocess pointed at the scratch database, and
prints."""

import gc
import json
import os
import platform
import secrets
import shutil
import tempfile
from pathlib import Path

import dj_database_url
import django
from django.conf import settings
from django.db import connection

from benchmark import dashboards, servers
from benchmark.load import LOOPBACK, load_invitations_create, rating_sections, survey_load
from benchmark.report import jsonable, targets
from benchmark.steps import OtherLoad, measure_steps, query_counts, timed
from benchmark.synthetic import say, synthetic_campaign_build
from surveys.models import (
    Answer,
    Campaign,
)

# Respondents at once in the second survey load, run on PostgreSQL only.
POSTGRESQL_CONCURRENCY = 50


def run(*, responses, items, concurrency, load_seconds, scratch):
    """Everything, in this process, on the database Django is connected to
    (a scratch database: see scratch_environment). Returns the report (a
    JSON-ready dict)."""
    if Campaign.objects.exists():
        raise RuntimeError(
            "the database already holds campaigns: the benchmark needs an empty scratch database"
        )
    say(f"building {responses:,} responses × {items} items")
    campaign, build_seconds = timed(
        lambda: synthetic_campaign_build(responses=responses, items=items)
    )
    answers = Answer.objects.filter(response__invitation__campaign=campaign).count()
    say(f"built {answers:,} answers in {build_seconds:.1f} s")
    with OtherLoad() as steps_load:
        steps = measure_steps(campaign, scratch)
    gc.collect()

    floor = next(ref for ref in steps[0].references if ref.kind == "floor")
    with OtherLoad() as dashboards_load:
        dashboard = dashboards.measure_dashboards(campaign, floor.seconds)

    _, token = load_invitations_create(campaign, 1, prefix="Query-count agency")[0]
    sections = rating_sections(campaign)
    queries = query_counts(campaign, token, sections[0])
    with OtherLoad() as survey_other_load:
        load = survey_load(campaign, scratch, concurrency=concurrency, seconds=load_seconds)
    busy, busy_other_load = None, None
    if connection.vendor == "postgresql":
        # The second load target: more people at once on PostgreSQL.
        with OtherLoad() as busy_other_load:
            busy = survey_load(
                campaign,
                scratch,
                concurrency=POSTGRESQL_CONCURRENCY,
                seconds=load_seconds,
                prefix="Busy load agency",
            )

    others = dashboards.copy_rounds(campaign, 4)
    say("measuring five rounds compared")
    dashboard["rounds_compared_5"] = dashboards.rounds_compared(campaign, others)
    dashboard["two_servers"] = _two_servers(scratch)

    report = {
        "sizes": {
            "responses": responses,
            "items": items,
            "answers": answers,
            "database": connection.vendor
            + (f" {connection.Database.sqlite_version}" if connection.vendor == "sqlite" else ""),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "django": django.get_version(),
            "build_seconds": build_seconds,
        },
        "other_processes_cpu_share": {
            "steps": steps_load.share,
            "dashboards": dashboards_load.share,
            "survey_load": survey_other_load.share,
            **({"busy_survey_load": busy_other_load.share} if busy_other_load else {}),
        },
        "steps": {step.name: step for step in steps},
        **dashboard,
        "load": load,
        **({"load_busy": busy} if busy else {}),
        "queries": queries,
        "targets": targets(steps, load, dashboard, busy),
        "notes": [
            "Seconds come from a plain run of each step; peak MB from a separate run of the "
            "same step under tracemalloc, which slows it down.",
            "The full workbook runs from a cold cache (cache.clear()), as after an answer "
            "changes; its parts are workbook_data and write_workbook.",
            "The pandas to_excel baseline writes the same tables and is compared with "
            "write_workbook alone.",
            "Load: each simulated respondent thinks 0.5–1.5 s between actions; a save's POST "
            "and the GET of its redirect are timed apart. The server runs with DEBUG off "
            "behind a simulated TLS proxy (X-Forwarded-Proto: https).",
        ],
    }
    return jsonable(report)


REDIS_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379")
TWO_SERVERS_DATABASE = "tna_benchmark_two_servers"


def _two_servers(scratch):
    """The two-server scenario (benchmark.servers) on a database of its own
    beside the benchmark's PostgreSQL one, with Redis; skipped on SQLite."""
    if connection.vendor != "postgresql":
        return {"skipped": "needs PostgreSQL (--database-url) and Redis"}
    import psycopg
    import redis

    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as error:
        return {"skipped": f"no Redis at {REDIS_URL}: {error}"}
    url = settings.DATABASES["default"]
    base = f"postgres://{url['USER']}@{url['HOST'] or '127.0.0.1'}:{url['PORT'] or 5432}"
    with psycopg.connect(f"{base}/{url['NAME']}", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {TWO_SERVERS_DATABASE} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {TWO_SERVERS_DATABASE}")
    say("two servers on PostgreSQL and Redis")
    folder = Path(scratch) / "two-servers"
    folder.mkdir(exist_ok=True)
    try:
        return servers.two_servers(
            folder,
            database_url=f"{base}/{TWO_SERVERS_DATABASE}",
            redis_url=f"{REDIS_URL}/14",
            broker_url=f"{REDIS_URL}/15",
        )
    except RuntimeError as error:
        return {"failed": str(error)}
    finally:
        with psycopg.connect(f"{base}/{url['NAME']}", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {TWO_SERVERS_DATABASE} WITH (FORCE)")


def write_json(report, path):
    Path(path).write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")


def scratch_directory():
    return Path(tempfile.mkdtemp(prefix="tna-benchmark-"))


def sqlite_url(scratch):
    return f"sqlite:///{Path(scratch) / 'benchmark.sqlite3'}"


def is_development_database(database_url):
    """Whether the URL names the database this process's settings use."""
    wanted = dj_database_url.parse(database_url)
    current = settings.DATABASES["default"]
    return all(
        str(wanted.get(key) or "") == str(current.get(key) or "")
        for key in ("ENGINE", "NAME", "HOST", "PORT")
    )


def scratch_environment(database_url, scratch):
    """The environment of every process of the benchmark: the scratch
    database, production settings (DEBUG off) and, for loopback HTTP, the
    proxy setting under which X-Forwarded-Proto says the request came over TLS."""
    env = os.environ.copy()
    env.update(
        DATABASE_URL=database_url,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS=LOOPBACK,
        DJANGO_BEHIND_PROXY="1",
        # Debug is off, so the console backend is refused; nothing is mailed.
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        DJANGO_LOG_LEVEL=env.get("DJANGO_LOG_LEVEL", "WARNING"),
        PYTHONUNBUFFERED="1",
    )
    # Snapshot files (analysis.snapshot) go with the scratch database.
    env["TNA_SNAPSHOT_DIR"] = str(Path(scratch) / "snapshots")
    return env


def needs_collectstatic():
    """With DEBUG off, a manifest storage serves only collected static files."""
    backend = settings.STORAGES["staticfiles"]["BACKEND"]
    return settings.STATIC_ROOT is not None and "Manifest" in backend


def remove_scratch(scratch):
    shutil.rmtree(scratch, ignore_errors=True)
