"""A booked follow-up series with a known manage link for each meeting, for the tests of
the family's side of a series."""

from __future__ import annotations

from sqlalchemy import select

from scheduler.booking import ClientDetails, series
from scheduler.booking.for_family import FamilyBooking
from scheduler.extensions import db
from scheduler.kernel import HELSINKI
from scheduler.models import Booking
from scheduler.tokens import token_hash
from tests.factories import Factories
from tests.staff.conftest import Staff, at_local


def token_of(booking: Booking) -> str:
    """The manage link's secret the tests give each meeting."""
    return f"series-meeting-{booking.id}-manage-token-for-tests"


def book_a_series(
    make: Factories, staff: Staff, count: int = 4, language: str = "fi"
) -> list[Booking]:
    """A weekly series of ``count`` meetings at 10.00 from three days on, booked by a
    worker with messages; committed, each meeting with its manage link ``token_of``."""
    service = make.service(horizon_days=120)
    pro = make.professional(service, email="worker@example.org")
    user = staff.user("worker", professional=pro)
    request = FamilyBooking(
        service=service,
        professional_id=pro.id,
        start_at=at_local(3, 10),
        meeting_mode="video",
        client=ClientDetails(
            name="Maija Meikäläinen",
            email="maija@example.org",
            phone="+358401234567",
            language=language,
            intake_answers={},
        ),
    )
    starts = series.meeting_times(request.start_at, HELSINKI, 1, count, None)
    booked, skipped = series.book_series(request, starts, user.id)
    assert not skipped
    for booking in booked:
        booking.manage_token_hash = token_hash(token_of(booking))
    db.session.commit()
    return list(
        db.session.scalars(
            select(Booking).where(Booking.series_id.is_not(None)).order_by(Booking.start_at)
        )
    )
