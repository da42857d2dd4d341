"""Prometheus metrics: what the service counts, and how a scrape is answered.

Counters and histograms live in the process that counts them. Under gunicorn every worker
process writes its values to files in ``PROMETHEUS_MULTIPROC_DIR`` (set up by
``deploy/gunicorn_conf.py``) and a scrape of any process adds up all of them; without
that variable (``make run``, tests) the values are this process's own. Gauges that
describe shared state (the outbox backlog, the rooms in use) are read from the database
at scrape time, so every process gives the same answer.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, ParamSpec, TypeVar

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import func, or_, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, SessionTransaction, UOWTransaction

from scheduler.extensions import db

P = ParamSpec("P")
R = TypeVar("R")

CONTENT_TYPE = CONTENT_TYPE_LATEST

BOOKINGS = Counter(
    "etaaika_bookings",
    "Booking operations committed, by action (hold, confirm, cancel, reschedule, release).",
    ["action"],
)
BOOKING_ACTIONS = ("hold", "confirm", "create", "cancel", "reschedule", "release")
for _action in BOOKING_ACTIONS:  # every series exists from the start, at 0
    BOOKINGS.labels(_action)
SLOT_SEARCH = Histogram(
    "etaaika_slot_search_seconds",
    "Time to find the free times of one service over a range (availability.free_times).",
    buckets=(0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.5),
)
DATABASE_UNAVAILABLE = Counter(
    "etaaika_database_unavailable",
    "Requests answered with 503 because the database could not be reached.",
)
SIGNALLING_SOCKETS = Gauge(
    "etaaika_signalling_sockets",
    "Open video signalling sockets (a socket holds one web thread for the length of a call).",
    multiprocess_mode="livesum",
)


def timed_slot_search(search: Callable[P, R]) -> Callable[P, R]:
    """Observe how long each call of ``search`` takes in the slot-search histogram."""

    @functools.wraps(search)
    def timed(*args: P.args, **kwargs: P.kwargs) -> R:
        started = time.perf_counter()
        try:
            return search(*args, **kwargs)
        finally:
            SLOT_SEARCH.observe(time.perf_counter() - started)

    return timed


# -- bookings: counted when their transaction commits ---------------------------------------

_PENDING = "etaaika_booking_actions"


def _booking_actions(session: Session) -> Iterator[str]:
    """What the flush that is about to end did to bookings, as metric actions."""
    from sqlalchemy import inspect

    from scheduler.models import Booking, BookingStatus

    for obj in session.new:
        if isinstance(obj, Booking):
            yield "hold" if obj.status == BookingStatus.HELD else "create"
    for obj in session.dirty:
        if not isinstance(obj, Booking):
            continue
        state: Any = inspect(obj)
        status = state.attrs.status.history
        if status.added:
            new = status.added[0]
            if new == BookingStatus.CONFIRMED:
                yield "confirm"
            elif new == BookingStatus.CANCELLED:
                yield "cancel"
            elif new == BookingStatus.EXPIRED:
                yield "release"
        elif state.attrs.start_at.history.added:
            yield "reschedule"


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    session.info.setdefault(_PENDING, []).extend(_booking_actions(session))


def _after_commit(session: Session) -> None:
    for action in session.info.pop(_PENDING, ()):
        BOOKINGS.labels(action).inc()


def _after_rollback(session: Session, previous: SessionTransaction) -> None:
    # Only the end of the whole transaction forgets: a refused savepoint (another worker was
    # tried for the same time) flushed nothing about bookings that was not rolled back with it.
    if previous.parent is None:
        session.info.pop(_PENDING, None)


def count_booking_commits() -> None:
    """Count committed booking changes, wherever they come from (API, pages, staff, jobs).

    Bulk updates (the hold-expiry job) bypass the session's bookkeeping and are not counted.
    """
    from sqlalchemy import event

    for name, listener in (
        ("after_flush", _after_flush),
        ("after_commit", _after_commit),
        ("after_soft_rollback", _after_rollback),
    ):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)


# -- a scrape ----------------------------------------------------------------------------------


class SharedStateCollector:
    """Gauges read from the database at scrape time: the same in every process."""

    def collect(self) -> Iterable[Metric]:
        try:
            backlog, oldest, failed, rooms = self._read(datetime.now(UTC))
        except SQLAlchemyError:
            # The counters of the processes are worth most when the database is away.
            db.session.rollback()
            yield GaugeMetricFamily(
                "etaaika_database_up", "Whether the database answered this scrape.", value=0
            )
            return
        yield GaugeMetricFamily(
            "etaaika_database_up", "Whether the database answered this scrape.", value=1
        )
        yield GaugeMetricFamily(
            "etaaika_outbox_backlog",
            "Messages due and not yet sent (pending and due, or being sent).",
            value=backlog,
        )
        yield GaugeMetricFamily(
            "etaaika_outbox_oldest_due_seconds",
            "How long the oldest message of the backlog has been due.",
            value=oldest,
        )
        yield GaugeMetricFamily("etaaika_outbox_failed", "Messages given up on.", value=failed)
        yield GaugeMetricFamily(
            "etaaika_video_rooms_active",
            "Video rooms whose meeting time is now and that have not been ended.",
            value=rooms,
        )

    @staticmethod
    def _read(now: datetime) -> tuple[int, float, int, int]:
        """(backlog, age of its oldest message in seconds, failed messages, active rooms)."""
        import notifications
        import video

        outbox, status, room = notifications.OutboxMessage, notifications.Status, video.Room
        backlog, oldest = db.session.execute(
            select(func.count(), func.min(outbox.next_attempt_at)).where(
                or_(
                    (outbox.status == status.PENDING) & (outbox.next_attempt_at <= now),
                    outbox.status == status.SENDING,
                )
            )
        ).one()
        failed = db.session.scalar(
            select(func.count()).select_from(outbox).where(outbox.status == status.FAILED)
        )
        rooms = db.session.scalar(
            select(func.count())
            .select_from(room)
            .where(room.starts_at <= now, room.ends_at > now, room.ended_at.is_(None))
        )
        db.session.rollback()  # a read only: end the transaction at once
        age = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
        return int(backlog), age, int(failed or 0), int(rooms or 0)


def _process_registry() -> CollectorRegistry:
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=directory)
    return registry


def render_metrics() -> bytes:
    """The text exposition of every metric: the counted ones, then the shared gauges."""
    shared = CollectorRegistry()
    shared.register(SharedStateCollector())
    return bytes(generate_latest(_process_registry()) + generate_latest(shared))


def scrape_headers() -> dict[str, Any]:
    return {"Content-Type": CONTENT_TYPE, "Cache-Control": "no-store"}
