"""Fixtures of the scale tests: real gunicorn instances and workers on a shared PostgreSQL
database and Redis, started from the environment the way production starts them."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import text

import notifications  # noqa: F401  (registers the outbox model before the schema is built)
import video  # noqa: F401  (registers the video models before the schema is built)
from scheduler.extensions import db
from tests.scale.processes import SECRET_KEY, Process, base_env
from tests.services import REDIS_URL, need_redis


@pytest.fixture
def redis_url() -> str:
    need_redis()
    return REDIS_URL


@pytest.fixture
def scale_env(pg_app: Flask, postgres_database: str, redis_url: str) -> dict[str, str]:
    """The production environment of this test's processes: its own rate-limit keys in the
    shared Redis, and room ids no other test run on this machine uses at the same time
    (Redis pub/sub channels are one namespace for the whole server)."""
    pg_app.config["SECRET_KEY"] = SECRET_KEY  # links made here are opened over there
    db.session.execute(
        text(f"ALTER SEQUENCE video_rooms_id_seq RESTART WITH {secrets.randbelow(10**9) + 10**6}")
    )
    db.session.commit()
    return base_env(
        postgres_database,
        redis_url,
        ETAAIKA_RATELIMIT_KEY_PREFIX=f"etaaika-scale-{secrets.token_hex(6)}",
        ETAAIKA_RATELIMIT_PUBLIC="100000 per minute",
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
