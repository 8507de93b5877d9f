"""Two app servers (gunicorn on two loopback ports) on one PostgreSQL and one
Redis, with a Celery worker: an answer saved through one shows in the other's
dashboard at once, and a background workbook job runs to completion.

Runs with the PostgreSQL pass of the suite (DATABASE_URL=postgres://…), in a
database of its own on the same server, and Redis at REDIS_TEST_URL
(default redis://127.0.0.1:6379); skipped when either is missing."""

import os
import socket
import urllib.parse

import psycopg
import pytest

from benchmark.servers import two_servers

pytestmark = pytest.mark.servers

DATABASE = "tna_two_servers"
REDIS = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379")


def _reachable(url, default_port):
    parts = urllib.parse.urlparse(url)
    try:
        socket.create_connection((parts.hostname, parts.port or default_port), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.fixture
def database_url():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("runs with the PostgreSQL pass (DATABASE_URL=postgres://…)")
    if not _reachable(REDIS, 6379):
        pytest.skip(f"no Redis at {REDIS}")
    parts = urllib.parse.urlparse(url)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {DATABASE}")
    yield urllib.parse.urlunparse(parts._replace(path=f"/{DATABASE}"))
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def test_an_answer_saved_on_one_server_shows_on_the_other_and_a_job_completes(
    database_url, tmp_path
):
    result = two_servers(
        tmp_path, database_url=database_url, redis_url=f"{REDIS}/14", broker_url=f"{REDIS}/15"
    )

    assert result["submitted_before"] == 6
    assert result["submitted_after"] == 7  # no stale dashboard from the shared cache
    assert result["job_files"] == ["tna-two.xlsx"]
