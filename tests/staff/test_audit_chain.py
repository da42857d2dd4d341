"""The access log's chain: rows are recorded during a request and take their place in the
organisation's chain when the transaction commits, so the chain's lock is held only for
the log's insert and the commit, never for the rest of the request."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from flask import Flask, g, make_response
from sqlalchemy import func, select, text

from scheduler import audit
from scheduler.extensions import db
from scheduler.models import AccessLogEntry, Organisation
from scheduler.web.commit import commit_request
from tests.factories import Factories


def chain(org_id: int) -> list[tuple[int, str]]:
    return [
        (e.seq, e.action)
        for e in db.session.scalars(
            select(AccessLogEntry)
            .where(AccessLogEntry.organisation_id == org_id)
            .order_by(AccessLogEntry.seq)
        )
    ]


def committed_rows(app: Flask) -> int:
    """Rows visible to another connection (that is: committed)."""
    with db.engine.connect() as other:
        return int(other.execute(select(func.count()).select_from(AccessLogEntry)).scalar_one())


@contextmanager
def own_session(app: Flask) -> Iterator[None]:
    """A session of its own, as another request (another worker) has."""
    with app.app_context():
        try:
            yield
        finally:
            db.session.remove()


def test_rows_take_their_places_at_commit_in_the_order_recorded(
    any_app: Flask, make: Factories
) -> None:
    one, two = make.organisation().id, make.organisation().id
    db.session.commit()
    audit.record(one, "booking.read", "booking:1", ["a@example.org"])
    audit.record(two, "booking.read", "booking:2")
    audit.record(one, "booking.cancel", "booking:1", ["a@example.org"])
    assert committed_rows(any_app) == 0
    db.session.commit()
    assert chain(one) == [(1, "booking.read"), (2, "booking.cancel")]
    assert chain(two) == [(1, "booking.read")]
    audit.record(one, "booking.read", "booking:1")
    db.session.commit()
    assert chain(one)[-1] == (3, "booking.read")
    assert list(audit.verify_chain(one)) == []
    assert list(audit.verify_chain(two)) == []
    result = any_app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output


def test_a_request_that_only_records_still_commits_its_rows(
    any_app: Flask, make: Factories
) -> None:
    org_id = make.organisation().id
    db.session.commit()
    with any_app.test_request_context("/staff", method="GET"):
        audit.record(org_id, "booking.read", "booking:1")
        assert db.session().in_transaction()
        commit_request(make_response("ok", 200))
    assert chain(org_id) == [(1, "booking.read")]


def test_reading_the_log_in_the_same_transaction_sees_what_was_recorded(
    any_app: Flask, make: Factories
) -> None:
    org = make.organisation()
    audit.record(org.id, "access_log.export", "client")
    count = select(func.count()).select_from(AccessLogEntry)
    assert db.session.scalar(count) == 1
    audit.record(org.id, "booking.read", "booking:1")
    assert chain(org.id) == [(1, "access_log.export"), (2, "booking.read")]
    db.session.commit()
    assert db.session.scalar(count) == 2
    assert list(audit.verify_chain(org.id)) == []


def test_a_text_query_or_a_join_of_the_log_in_the_same_transaction_sees_the_rows(
    any_app: Flask, make: Factories
) -> None:
    org = make.organisation()
    other = make.organisation()
    audit.record(org.id, "booking.read", "booking:1")
    assert db.session.scalar(text("SELECT count(*) FROM access_log")) == 1
    audit.record(other.id, "booking.read", "booking:2")
    joined = (
        select(func.count())
        .select_from(Organisation)
        .join(AccessLogEntry, AccessLogEntry.organisation_id == Organisation.id)
    )
    assert db.session.scalar(joined) == 2
    db.session.commit()
    assert committed_rows(any_app) == 2


def test_a_rollback_takes_the_recorded_rows_with_it(any_app: Flask, make: Factories) -> None:
    org = make.organisation()
    db.session.commit()
    audit.record(org.id, "booking.create", "booking:1")
    db.session.rollback()
    db.session.commit()
    assert chain(org.id) == []

    audit.record(org.id, "booking.read", "booking:1")
    refused = db.session.begin_nested()
    audit.record(org.id, "booking.create", "booking:2")
    refused.rollback()
    kept = db.session.begin_nested()
    audit.record(org.id, "booking.cancel", "booking:1")
    kept.commit()
    db.session.commit()
    assert chain(org.id) == [(1, "booking.read"), (2, "booking.cancel")]
    assert list(audit.verify_chain(org.id)) == []


def test_a_released_savepoint_keeps_its_rows_and_a_rolled_back_outer_one_drops_them(
    any_app: Flask, make: Factories
) -> None:
    org = make.organisation()
    db.session.commit()
    released = db.session.begin_nested()
    audit.record(org.id, "booking.read", "booking:1")
    released.commit()
    db.session.commit()
    assert chain(org.id) == [(1, "booking.read")]

    outer = db.session.begin_nested()
    inner = db.session.begin_nested()
    audit.record(org.id, "booking.create", "booking:2")
    inner.commit()
    outer.rollback()
    audit.record(org.id, "booking.cancel", "booking:1")
    db.session.commit()
    assert chain(org.id) == [(1, "booking.read"), (2, "booking.cancel")]
    assert list(audit.verify_chain(org.id)) == []


@pytest.mark.postgres
def test_the_chain_lock_waits_only_for_the_commit(pg_app: Flask, make: Factories) -> None:
    """Request A records first but commits last; request B commits in between. While A is
    still working B does not wait for A, and when A finally commits it appends after B."""
    org = make.organisation()
    db.session.commit()
    org_id = org.id
    url = pg_app.config["SQLALCHEMY_DATABASE_URI"].replace("+psycopg", "")

    with own_session(pg_app):
        audit.record(org_id, "booking.read", "booking:a")
        # A is still working: the chain's lock is free for anyone else.
        with psycopg.connect(url) as other:
            taken = other.execute("SELECT pg_try_advisory_xact_lock(774411, %s)", (org_id,))
            assert taken.fetchone() == (True,)
        with own_session(pg_app):
            audit.record(org_id, "booking.create", "booking:b")
            db.session.commit()
        db.session.commit()

    assert chain(org_id) == [(1, "booking.create"), (2, "booking.read")]
    assert list(audit.verify_chain(org_id)) == []


@pytest.mark.postgres
def test_a_writer_waiting_for_the_lock_appends_after_the_holder(
    pg_app: Flask, make: Factories
) -> None:
    """B asks for the lock while A holds it; once A commits, B must read the end A wrote."""
    org = make.organisation()
    db.session.commit()
    org_id = org.id
    url = pg_app.config["SQLALCHEMY_DATABASE_URI"].replace("+psycopg", "")
    failures: list[BaseException] = []

    def writer_b() -> None:
        try:
            with own_session(pg_app):
                audit.record(org_id, "booking.create", "booking:b")
                db.session.commit()
        except BaseException as exc:  # reported by the test below
            failures.append(exc)

    with own_session(pg_app):
        audit.record(org_id, "booking.read", "booking:a")
        audit.write_pending()  # A now holds the chain's lock, as it does during its commit
        b = threading.Thread(target=writer_b)
        b.start()
        with psycopg.connect(url, autocommit=True) as watcher:
            for _ in range(500):
                waiting = watcher.execute(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                ).fetchone()
                if waiting == (1,):
                    break
                time.sleep(0.01)
            else:
                pytest.fail("B never waited for the chain's lock")
        db.session.commit()
    b.join(timeout=30)

    assert not failures, failures
    assert chain(org_id) == [(1, "booking.read"), (2, "booking.create")]
    assert list(audit.verify_chain(org_id)) == []


@pytest.mark.postgres
def test_concurrent_writers_keep_the_chain_whole(pg_app: Flask, make: Factories) -> None:
    org = make.organisation()
    db.session.commit()
    org_id = org.id
    failures: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(5):
                with own_session(pg_app):
                    audit.record(org_id, "booking.read", f"booking:{n}-{i}")
                    audit.record(org_id, "booking.cancel", f"booking:{n}-{i}")
                    db.session.commit()
        except BaseException as exc:  # reported by the test below
            failures.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not failures, failures
    assert [seq for seq, _ in chain(org_id)] == list(range(1, 61))
    assert list(audit.verify_chain(org_id)) == []


@pytest.mark.postgres
def test_the_database_hashes_every_kind_of_text_as_the_verifier_does(
    pg_app: Flask, make: Factories
) -> None:
    """On PostgreSQL the hash is made by the database from JSON that Python wrote: quotes,
    backslashes, Finnish and Swedish letters, emoji and missing values all verify."""
    org = make.organisation()
    db.session.commit()
    org_id = org.id
    with pg_app.test_request_context("/", environ_base={"REMOTE_ADDR": "2001:db8::1"}):
        g.actor, g.actor_role = 'staff:Åsa "Ä" Öhman \\ 😀', "worker"
        audit.record(org_id, "booking.read", "booking:1 'ä'", ["pääkäyttäjä@example.org"])
        audit.record(org_id, "booking.cancel", "booking:\n2", [None, None])
        db.session.commit()
    rows = db.session.scalars(
        select(AccessLogEntry)
        .where(AccessLogEntry.organisation_id == org_id)
        .order_by(AccessLogEntry.seq)
    ).all()
    assert [(r.seq, r.actor, r.target) for r in rows] == [
        (1, 'staff:Åsa "Ä" Öhman \\ 😀', "booking:1 'ä'"),
        (2, 'staff:Åsa "Ä" Öhman \\ 😀', "booking:\n2"),
    ]
    assert rows[0].source == "2001:db8::1" and rows[1].client_ref is None
    assert rows[0].prev_hash == audit.GENESIS and rows[1].prev_hash == rows[0].hash
    assert [audit.entry_hash(r) for r in rows] == [r.hash for r in rows]
    assert list(audit.verify_chain(org_id)) == []
