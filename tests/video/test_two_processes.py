"""One room served by two web processes: the family on A, the worker on B, sharing
PostgreSQL and the Redis signalling hub; aiortc peers call each other through both."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from flask import Flask

from scheduler.booking import meetings
from scheduler.extensions import db
from tests.factories import Factories
from tests.services import REDIS_URL, need_redis
from tests.video.helpers import SignalClient, aiortc_call, path_of, ticket_of, video_booking
from tests.video.processes import gunicorn

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]


def test_family_on_one_process_meets_worker_on_another(pg_app: Flask, make: Factories) -> None:
    need_redis()
    booking = video_booking(make)
    family_link = meetings.family_join_link(booking)
    worker_link = meetings.worker_join_link(booking)
    db.session.commit()
    env: dict[str, Any] = {
        "ETAAIKA_DATABASE_URL": pg_app.config["SQLALCHEMY_DATABASE_URI"],
        "ETAAIKA_REDIS_URL": REDIS_URL,
        "ETAAIKA_VIDEO_HUB_PREFIX": f"etaaika:test:{uuid.uuid4().hex}:",
        "ETAAIKA_SECRET_KEY": pg_app.config["SECRET_KEY"],
        "ETAAIKA_RATELIMIT_ENABLED": "false",
    }
    with gunicorn(env) as (a, _), gunicorn(env) as (b, _):
        family = SignalClient(a, ticket_of(a, a + path_of(family_link)))  # type: ignore[arg-type]
        family_pid = family.expect("welcome")["you"]["pid"]
        worker = SignalClient(b, ticket_of(b, b + path_of(worker_link)))  # type: ignore[arg-type]
        worker_pid = worker.expect("welcome")["you"]["pid"]
        worker.expect(
            "lobby", waiting=[{"pid": family_pid, "name": "Liisa Virtanen", "kind": "family"}]
        )
        family.expect("host-present", present=True)
        worker.send({"type": "admit", "pid": family_pid})
        assert "iceServers" in family.expect("admitted")
        worker.expect("peer-joined", pid=family_pid)
        frames_worker, frames_family = asyncio.run(
            aiortc_call(worker, family, worker_pid, family_pid)
        )
        assert frames_worker > 5 and frames_family > 5
        worker.send({"type": "end"})
        family.expect("ended")
