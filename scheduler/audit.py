"""Writing the access log: one row for every read or change of client data.

Rows are written in the request's own transaction (so a rolled-back change leaves
no row claiming it happened) and chained per organisation: each row's hash covers
its content and the previous row's hash, so an edited or removed row breaks the chain.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator

from flask import current_app, g, has_request_context, request
from sqlalchemy import select, text

from scheduler.extensions import db
from scheduler.models import AccessLogEntry
from scheduler.timeutil import now_utc

GENESIS = "0" * 64


def client_ref(identifier: str | None) -> str | None:
    """The keyed hash that stands for a client (by e-mail, phone or verified identity)."""
    if not identifier:
        return None
    key = current_app.config["SECRET_KEY"].encode()
    normal = identifier.strip().lower()
    return hmac.new(key, normal.encode(), hashlib.sha256).hexdigest()


def entry_hash(entry: AccessLogEntry) -> str:
    """The chained hash of one row."""
    body = json.dumps(
        [
            entry.organisation_id,
            entry.seq,
            entry.at.isoformat(),
            entry.actor,
            entry.role,
            entry.action,
            entry.target,
            entry.client_ref,
            entry.source,
            entry.result,
            entry.prev_hash,
        ],
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode()).hexdigest()


def current_actor() -> tuple[str, str, str]:
    """(actor, role, source) of the running request, or of the system outside one."""
    if not has_request_context():
        return "system", "system", "system"
    actor = getattr(g, "actor", None) or "anonymous"
    role = getattr(g, "actor_role", None) or "public"
    return actor, role, request.remote_addr or "unknown"


def record(
    organisation_id: int,
    action: str,
    target: str,
    client_identifiers: Iterable[str | None] = (),
    result: str = "ok",
) -> AccessLogEntry:
    """Append one row to the organisation's chain; flushes, never commits."""
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        # Serialise writers of one chain until their transaction ends.
        session.execute(
            text("SELECT pg_advisory_xact_lock(774411, :org)"), {"org": organisation_id}
        )
    last = session.execute(
        select(AccessLogEntry.seq, AccessLogEntry.hash)
        .where(AccessLogEntry.organisation_id == organisation_id)
        .order_by(AccessLogEntry.seq.desc())
        .limit(1)
    ).first()
    actor, role, source = current_actor()
    refs = [r for r in (client_ref(i) for i in client_identifiers) if r]
    entry = AccessLogEntry(
        organisation_id=organisation_id,
        seq=(last.seq + 1) if last else 1,
        at=now_utc(),
        actor=actor,
        role=role,
        action=action,
        target=target,
        client_ref=refs[0] if refs else None,
        source=source,
        result=result,
        prev_hash=last.hash if last else GENESIS,
    )
    entry.hash = entry_hash(entry)
    session.add(entry)
    session.flush()
    return entry


def verify_chain(organisation_id: int) -> Iterator[str]:
    """Yield a description of every break in the organisation's chain (none when intact)."""
    prev = GENESIS
    expected_seq = 1
    rows = db.session.scalars(
        select(AccessLogEntry)
        .where(AccessLogEntry.organisation_id == organisation_id)
        .order_by(AccessLogEntry.seq)
    )
    for entry in rows:
        if entry.seq != expected_seq:
            yield f"row {expected_seq} is missing (next is {entry.seq})"
        if entry.prev_hash != prev:
            yield f"row {entry.seq} does not follow the row before it"
        if entry_hash(entry) != entry.hash:
            yield f"row {entry.seq} has been altered"
        prev = entry.hash
        expected_seq = entry.seq + 1
