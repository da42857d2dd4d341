"""Every field the access log's hash covers, and the chain's order, insertions and
deletions: each change to a stored row is found by ``verify_chain``, on SQLite (rows
chained by Python) and on PostgreSQL (rows chained by the database)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, select, update

from scheduler import audit
from scheduler.extensions import db
from scheduler.models import AccessLogEntry
from tests.factories import Factories

ROWS = 4


def _log(make: Factories) -> tuple[int, int]:
    """An organisation with a chain of ROWS rows (and another organisation)."""
    org_id = make.organisation().id
    other_id = make.organisation().id
    for n in range(1, ROWS + 1):
        audit.record(
            org_id,
            "booking.view",
            f"booking:{n}",
            [f"perhe{n}@example.org"],
            result="ok" if n % 2 else "denied",
        )
    db.session.commit()
    assert list(audit.verify_chain(org_id)) == []
    entries = _entries(org_id)
    assert [e.seq for e in entries] == list(range(1, ROWS + 1))
    assert all(e.client_ref for e in entries)
    return org_id, other_id


def _entries(org_id: int) -> list[AccessLogEntry]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(AccessLogEntry)
            .where(AccessLogEntry.organisation_id == org_id)
            .order_by(AccessLogEntry.seq)
        )
    )


def _set(org_id: int, place: int, **values: Any) -> None:
    db.session.execute(
        update(AccessLogEntry)
        .where(AccessLogEntry.organisation_id == org_id, AccessLogEntry.seq == place)
        .values(**values)
    )
    db.session.commit()


def _altered(entry: AccessLogEntry, field: str, other_org: int) -> Any:
    value = getattr(entry, field)
    if field == "organisation_id":
        return other_org
    if field == "seq":
        return value + 100
    if field == "at":
        return value + timedelta(seconds=1)
    if field in {"client_ref", "prev_hash", "hash"}:
        return ("0" if value[0] != "0" else "1") + value[1:]
    return value + "x"


HASHED = [
    "organisation_id",
    "seq",
    "at",
    "actor",
    "role",
    "action",
    "target",
    "client_ref",
    "source",
    "result",
    "prev_hash",
    "hash",
]


@pytest.mark.parametrize("field", HASHED)
def test_changing_any_hashed_field_of_a_row_breaks_the_chain(
    any_app: Flask, make: Factories, field: str
) -> None:
    org_id, other_id = _log(make)
    middle = _entries(org_id)[1]

    _set(org_id, middle.seq, **{field: _altered(middle, field, other_id)})

    assert list(audit.verify_chain(org_id)) != []


def test_a_client_ref_removed_from_a_row_breaks_the_chain(any_app: Flask, make: Factories) -> None:
    org_id, _other = _log(make)

    _set(org_id, 3, client_ref=None)

    assert list(audit.verify_chain(org_id)) == ["row 3 has been altered"]


def test_two_rows_swapped_break_the_chain(any_app: Flask, make: Factories) -> None:
    org_id, _other = _log(make)
    # Swap the places of rows 2 and 3 (through a free place: the places are unique).
    _set(org_id, 2, seq=1000)
    _set(org_id, 3, seq=2)
    _set(org_id, 1000, seq=3)

    problems = list(audit.verify_chain(org_id))

    assert "row 2 does not follow the row before it" in problems
    assert "row 2 has been altered" in problems


def test_a_row_deleted_from_the_middle_breaks_the_chain(any_app: Flask, make: Factories) -> None:
    org_id, _other = _log(make)
    db.session.execute(
        delete(AccessLogEntry).where(
            AccessLogEntry.organisation_id == org_id, AccessLogEntry.seq == 2
        )
    )
    db.session.commit()

    problems = list(audit.verify_chain(org_id))

    assert "row 2 is missing (next is 3)" in problems
    assert "row 3 does not follow the row before it" in problems


def test_a_row_deleted_and_the_places_closed_up_breaks_the_chain(
    any_app: Flask, make: Factories
) -> None:
    org_id, _other = _log(make)
    db.session.execute(
        delete(AccessLogEntry).where(
            AccessLogEntry.organisation_id == org_id, AccessLogEntry.seq == 2
        )
    )
    for seq in range(3, ROWS + 1):
        _set(org_id, seq, seq=seq - 1)

    assert "row 2 does not follow the row before it" in list(audit.verify_chain(org_id))


def test_a_row_inserted_into_the_chain_breaks_it(any_app: Flask, make: Factories) -> None:
    org_id, _other = _log(make)
    entries = _entries(org_id)
    # A forged row between 2 and 3 that hashes correctly after row 2: the rows after it
    # are moved up one place, but row 3 still names row 2's hash as the one before it.
    for seq in range(ROWS, 2, -1):
        _set(org_id, seq, seq=seq + 1)
    forged = {
        "organisation_id": org_id,
        "seq": 3,
        "at": entries[1].at + timedelta(seconds=1),
        "actor": "forger",
        "role": "admin",
        "action": "booking.view",
        "target": "booking:99",
        "client_ref": None,
        "source": "10.0.0.1",
        "result": "ok",
        "prev_hash": entries[1].hash,
    }
    db.session.add(AccessLogEntry(**forged, hash=audit._chain_hash(**forged)))
    db.session.commit()

    problems = list(audit.verify_chain(org_id))

    # The forged row itself hashes correctly; what gives it away is the row after it.
    assert not [p for p in problems if p.startswith("row 3 ")]
    assert "row 4 does not follow the row before it" in problems
