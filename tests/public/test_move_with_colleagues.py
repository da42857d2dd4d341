"""The family's page for moving a meeting that has colleagues added to it offers only the
times a move can take: every added colleague free then (their other meetings with the
buffers of both), and none of them as the new worker. Nothing tells the family why."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from flask.testing import FlaskClient

from scheduler.booking import guests
from scheduler.extensions import db
from scheduler.kernel import HELSINKI, as_utc, local_date
from scheduler.models import Booking, Professional
from scheduler.tokens import new_token, token_hash
from tests.factories import Factories
from tests.public.conftest import booking_of, slot_values
from tests.staff.conftest import Staff, at_local

START = at_local(4, 10)
COLLEAGUE = "Pekka Perheneuvoja"


@pytest.fixture
def staff(make: Factories) -> Staff:
    return Staff(make)


def _meeting(
    make: Factories, staff: Staff, colleague_offers_it: bool
) -> tuple[str, Booking, Professional]:
    """The family's 45-minute meeting at 10 with 15 minutes after it (it blocks
    10.00–11.00) with its worker, free all day, and its manage token; and a colleague who
    offers the service too, or only another one of the unit."""
    service = make.service(duration_min=45, slot_interval_min=15, buffer_after_min=15)
    pro = make.professional(service, name="Liisa Sosiaalityöntekijä")
    other = service if colleague_offers_it else make.service(unit=service.unit)
    colleague = make.professional(other, name=COLLEAGUE)
    token = new_token()
    booking = staff.booking(service, pro, START, manage_token_hash=token_hash(token))
    booking.block_end_at = booking.end_at + timedelta(minutes=15)
    db.session.commit()
    return token, booking, colleague


def _busy(staff: Staff, pro: Professional, start: datetime) -> None:
    """Another 45-minute meeting of ``pro`` at ``start``, 15 minutes blocked after it."""
    service = pro.services[0]
    other = staff.booking(service, pro, start)
    other.block_end_at = other.end_at + timedelta(minutes=15)
    db.session.commit()


def _add(staff: Staff, booking: Booking, colleague: Professional) -> Callable[[], None]:
    """Add the colleague to the meeting; a function that takes them out again."""
    user = staff.user("unit_admin", unit=booking.service.unit)
    person = guests.add_colleague(booking, user, colleague.id)
    db.session.commit()

    def take_out() -> None:
        guests.remove(person, user)
        db.session.commit()

    return take_out


def _offered(client: FlaskClient, token: str, worker: str) -> tuple[set[datetime], str]:
    """The starts the family's move week offers on the meeting's day, and the page."""
    week = local_date(START, HELSINKI).isoformat()
    page = client.get(f"/manage/{token}/move?week={week}&worker={worker}&lang=en")
    assert page.status_code == 200
    starts = {as_utc(datetime.fromisoformat(value)) for value in slot_values(page.text)}
    day = local_date(START, HELSINKI)
    return {s for s in starts if local_date(s, HELSINKI) == day}, page.text


def test_the_move_week_leaves_out_the_times_an_added_colleague_is_busy(
    client: FlaskClient, make: Factories, staff: Staff
) -> None:
    token, booking, colleague = _meeting(make, staff, colleague_offers_it=False)
    worker = str(booking.professional_id)
    _busy(staff, colleague, at_local(4, 14))  # the colleague's 14.00–15.00
    before, _page = _offered(client, token, worker)
    # 13.15 only by the meeting's own buffer, 14.45 only by the other meeting's.
    busy = {at_local(4, 13, 15) + timedelta(minutes=15 * n) for n in range(7)}
    assert busy | {at_local(4, 13), at_local(4, 15)} <= before

    take_out = _add(staff, booking, colleague)
    offered, page = _offered(client, token, worker)
    assert offered == before - busy
    assert {at_local(4, 13), at_local(4, 15), at_local(4, 9)} <= offered
    assert COLLEAGUE not in page and "busy" not in page.lower()

    # Taken out again: the week offers exactly what it did before.
    take_out()
    assert _offered(client, token, worker)[0] == before


def test_with_any_worker_an_added_colleague_is_not_offered_as_the_new_worker(
    client: FlaskClient, make: Factories, staff: Staff
) -> None:
    token, booking, colleague = _meeting(make, staff, colleague_offers_it=True)
    anna = make.professional(booking.service, name="Anna Psykologi")
    _busy(staff, booking.professional, at_local(4, 12))  # the worker's 12.00–13.00
    _busy(staff, anna, at_local(4, 11))  # Anna's 11.00–12.00
    only_colleague = {at_local(4, 11, 15), at_local(4, 11, 30), at_local(4, 11, 45)}
    before, _page = _offered(client, token, "any")
    assert only_colleague | {at_local(4, 12)} <= before

    _add(staff, booking, colleague)
    offered, page = _offered(client, token, "any")
    # 10.15–10.45 only the colleague was free: their time is taken for the meeting now.
    taken = {at_local(4, 10, 15), at_local(4, 10, 30), at_local(4, 10, 45)}
    assert taken <= before
    assert offered == before - only_colleague - taken
    assert "busy" not in page.lower()

    # A time that only the colleague could take is refused as before, nothing said of why.
    refused = client.post(
        f"/manage/{token}/move?lang=en",
        data={"start": at_local(4, 11, 30).isoformat(), "worker": "any", "confirm": "yes"},
    )
    assert refused.status_code == 303
    again = client.get(refused.headers["Location"])
    assert "This time was just booked by someone else." in again.text
    assert "busy" not in again.text.lower()
    assert as_utc(booking_of(token).start_at) == START

    # At 12.00 the worker is busy; the move goes to Anna, never to the colleague.
    moved = client.post(
        f"/manage/{token}/move",
        data={"start": at_local(4, 12).isoformat(), "worker": "any", "confirm": "yes"},
    )
    assert moved.status_code == 303 and moved.headers["Location"] == f"/manage/{token}"
    after = booking_of(token)
    assert (after.professional_id, as_utc(after.start_at)) == (anna.id, at_local(4, 12))


def test_a_time_not_offered_is_refused_as_taken_and_nothing_moves(
    client: FlaskClient, make: Factories, staff: Staff
) -> None:
    token, booking, colleague = _meeting(make, staff, colleague_offers_it=False)
    worker = booking.professional_id
    make.absence(colleague, at_local(4, 14), at_local(4, 15))
    _add(staff, booking, colleague)
    assert at_local(4, 14) not in _offered(client, token, str(worker))[0]

    # Sent anyway (a page left open): the same answer as before, and the meeting stays.
    refused = client.post(
        f"/manage/{token}/move?lang=en",
        data={"start": at_local(4, 14).isoformat(), "worker": str(worker), "confirm": "yes"},
    )
    assert refused.status_code == 303
    again = client.get(refused.headers["Location"])
    assert "This time was just booked by someone else." in again.text
    assert COLLEAGUE not in again.text
    db.session.expire_all()
    after = booking_of(token)
    assert (after.professional_id, as_utc(after.start_at)) == (worker, START)
    rows = [row for row in after.companions if row.professional_id == colleague.id]
    assert [as_utc(row.start_at) for row in rows] == [START]
