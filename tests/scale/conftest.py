"""Fixtures of the scale tests: real gunicorn instances and workers on a shared PostgreSQL
database and Redis, started from the environment the way production starts them."""

from __future__ import annotations

import os
import secrets
import subprocess
from collections.abc import Iterator

import psycopg
import pytest
from flask import Flask

import notifications  # noqa: F401  (registers the outbox model before the schema is built)
import video  # noqa: F401  (registers the video models before the schema is built)
from tests.scale.processes import BIN, ROOT, SECRET_KEY, Process, base_env
from tests.services import PG_ADMIN_URL, REDIS_URL, need_postgres, need_redis


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for the scale tests, built the way a deployment builds
    it: ``flask --app wsgi db upgrade`` (the other tests build theirs from the models)."""
    need_postgres()
    name = f"etaaika_scale_{os.getpid()}_{secrets.token_hex(3)}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        upgrade = subprocess.run(
            [str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"],
            cwd=ROOT,
            env=base_env(url, None),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert upgrade.returncode == 0, upgrade.stdout + upgrade.stderr
        yield url
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def redis_url() -> str:
    need_redis()
    return REDIS_URL


@pytest.fixture
def scale_env(pg_app: Flask, postgres_database: str, redis_url: str) -> dict[str, str]:
    """The production environment of this test's processes: its own rate-limit keys and its
    own signalling channels in the shared Redis (pub/sub channels are one namespace for the
    whole server, and other test runs on this machine use it at the same time)."""
    pg_app.config["SECRET_KEY"] = SECRET_KEY  # links made here are opened over there
    run = secrets.token_hex(6)
    return base_env(
        postgres_database,
        redis_url,
        ETAAIKA_RATELIMIT_KEY_PREFIX=f"etaaika-scale-{run}",
        ETAAIKA_VIDEO_HUB_PREFIX=f"etaaika-scale-{run}:video:room:",
        ETAAIKA_RATELIMIT_PUBLIC="100000 per minute",
        ETAAIKA_RATELIMIT_PAGES="100000 per minute",
        ETAAIKA_RATELIMIT_SIGN_IN="100000 per minute",
    )


@pytest.fixture
def processes() -> Iterator[list[Process]]:
    """Processes a test starts; each is stopped (SIGTERM) when the test ends."""
    started: list[Process] = []
    yield started
    for process in reversed(started):
        if not process.stopped:
            process.stop()


def logs_of(processes: list[Process]) -> str:
    return "\n".join(f"--- {p.name}\n{p.output()[-4000:]}" for p in processes)
