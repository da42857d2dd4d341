"""Who may see what. Every staff query goes through these helpers: objects of another
organisation are 404 (their existence is not revealed); objects of the organisation that
the user's role does not reach are 403. Refused attempts at client data are written to
the access log after the request's rollback."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask_babel import gettext as _
from sqlalchemy import Select, false, select

from scheduler import audit
from scheduler.booking import client_identifiers
from scheduler.extensions import db
from scheduler.kernel import Problem
from scheduler.models import Booking, Professional, Service, StaffRole, StaffUser, Unit
from scheduler.staff.blueprint import current_user
from scheduler.web.commit import after_rollback

F = TypeVar("F", bound=Callable[..., Any])


def not_found() -> Problem:
    return Problem(404, "not_found", _("Not found."))


def forbidden() -> Problem:
    return Problem(403, "forbidden", _("Your role does not allow this."))


def require_role(*roles: StaffRole) -> Callable[[F], F]:
    """Allow a view only to the given roles; others get 403."""
    allowed = {r.value for r in roles}

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if current_user().role not in allowed:
                raise forbidden()
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorate


ADMINS = (StaffRole.ORG_ADMIN, StaffRole.UNIT_ADMIN)


def professionals_query(user: StaffUser | None = None) -> Select[Professional]:
    """The professionals the user reaches: own (worker), the unit's, or the organisation's."""
    user = user or current_user()
    query = select(Professional).where(Professional.organisation_id == user.organisation_id)
    if user.role == StaffRole.UNIT_ADMIN:
        query = query.where(Professional.unit_id == user.unit_id)
    elif user.role == StaffRole.WORKER:
        if user.professional_id is None:
            return query.where(false())
        query = query.where(Professional.id == user.professional_id)
    return query.order_by(Professional.name, Professional.id)


def visible_professionals() -> list[Professional]:
    return list(db.session.scalars(professionals_query()))


def reachable_ids() -> set[int]:
    """The ids of the professionals the user reaches (see ``professionals_query``)."""
    return set(db.session.scalars(professionals_query().with_only_columns(Professional.id)))


def _reach(
    user: StaffUser, organisation_id: int, unit_id: int | None, professional_id: int | None
) -> None:
    """404 outside the organisation, 403 outside the user's unit or own work."""
    if organisation_id != user.organisation_id:
        raise not_found()
    if user.role == StaffRole.UNIT_ADMIN and unit_id != user.unit_id:
        raise forbidden()
    if user.role == StaffRole.WORKER and (
        professional_id is None or professional_id != user.professional_id
    ):
        raise forbidden()


def professional_or_404(professional_id: int) -> Professional:
    pro = db.session.get(Professional, professional_id)
    if pro is None:
        raise not_found()
    _reach(current_user(), pro.organisation_id, pro.unit_id, pro.id)
    return pro


def booking_or_404(booking_id: int, action: str) -> Booking:
    """A booking the user may see. A refused attempt is logged as ``action`` "denied"."""
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        raise not_found()
    try:
        _reach(
            current_user(),
            booking.organisation_id,
            booking.professional.unit_id,
            booking.professional_id,
        )
    except Problem:
        org_id, target = booking.organisation_id, f"booking:{booking.id}"
        identifiers = client_identifiers(booking)

        def log_denied() -> None:
            audit.record(org_id, action, target, identifiers, "denied")

        after_rollback(log_denied)
        raise
    return booking


def service_or_404(service_id: int) -> Service:
    """A service the user administers (workers administer none)."""
    service = db.session.get(Service, service_id)
    if service is None:
        raise not_found()
    user = current_user()
    if service.organisation_id != user.organisation_id:
        raise not_found()
    if not user.is_admin or (not user.is_org_admin and service.unit_id != user.unit_id):
        raise forbidden()
    return service


def unit_or_404(unit_id: int) -> Unit:
    unit = db.session.get(Unit, unit_id)
    user = current_user()
    if unit is None or unit.organisation_id != user.organisation_id:
        raise not_found()
    if not user.is_org_admin and unit.id != user.unit_id:
        raise forbidden()
    return unit


def staff_user_or_404(user_id: int) -> StaffUser:
    other = db.session.get(StaffUser, user_id)
    user = current_user()
    if other is None or other.organisation_id != user.organisation_id:
        raise not_found()
    if not user.is_admin:
        raise forbidden()
    if not user.is_org_admin and other.unit_id != user.unit_id:
        raise forbidden()
    return other


def units_query(user: StaffUser | None = None) -> Select[Unit]:
    user = user or current_user()
    query = select(Unit).where(Unit.organisation_id == user.organisation_id)
    if not user.is_org_admin:
        query = query.where(Unit.id == user.unit_id)
    return query.order_by(Unit.id)


def services_query(user: StaffUser | None = None) -> Select[Service]:
    user = user or current_user()
    query = select(Service).where(Service.organisation_id == user.organisation_id)
    if not user.is_org_admin:
        query = query.where(Service.unit_id == user.unit_id)
    return query.order_by(Service.id)


def unit_services() -> list[Service]:
    """The services of the user's unit (the organisation's, for its administrator)."""
    return list(db.session.scalars(services_query()))
