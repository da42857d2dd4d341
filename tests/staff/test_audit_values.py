"""What an access-log row says: who (or the system), from where, the keyed client
reference and the default result."""

from __future__ import annotations

import hashlib
import hmac

from flask import Flask, g
from sqlalchemy import select

from scheduler import audit
from scheduler.extensions import db
from scheduler.models import AccessLogEntry
from tests.factories import Factories


def test_a_client_is_referred_to_by_a_keyed_hash_of_the_normalised_identifier(
    app: Flask,
) -> None:
    expected = hmac.new(
        app.config["SECRET_KEY"].encode(), b"maija@example.org", hashlib.sha256
    ).hexdigest()
    assert audit.client_ref("maija@example.org") == expected
    assert audit.client_ref("  Maija@Example.ORG ") == expected
    assert audit.client_ref("pekka@example.org") != expected
    assert audit.client_ref(None) is None
    assert audit.client_ref("") is None


def test_outside_a_request_the_actor_is_the_system(app: Flask) -> None:
    assert audit.current_actor() == ("system", "system", "system")


def test_in_a_request_the_actor_role_and_address_are_the_requests(app: Flask) -> None:
    with app.test_request_context(environ_base={"REMOTE_ADDR": "192.0.2.7"}):
        assert audit.current_actor() == ("anonymous", "public", "192.0.2.7")
        g.actor, g.actor_role = "staff:3", "worker"
        assert audit.current_actor() == ("staff:3", "worker", "192.0.2.7")
        del g.actor, g.actor_role  # g lives in the app context, which the test keeps
    with app.test_request_context(environ_base={"REMOTE_ADDR": None}):
        assert audit.current_actor() == ("anonymous", "public", "unknown")


def test_a_row_records_ok_unless_told_otherwise(app: Flask, make: Factories) -> None:
    org_id = make.organisation().id
    audit.record(org_id, "booking.read", "booking:1", ["maija@example.org"])
    audit.record(org_id, "booking.read", "booking:2", [None, "pekka@example.org"], "denied")
    db.session.commit()

    rows = db.session.execute(
        select(AccessLogEntry.result, AccessLogEntry.client_ref, AccessLogEntry.actor)
        .where(AccessLogEntry.organisation_id == org_id)
        .order_by(AccessLogEntry.seq)
    ).all()

    assert rows == [
        ("ok", audit.client_ref("maija@example.org"), "system"),
        ("denied", audit.client_ref("pekka@example.org"), "system"),
    ]
