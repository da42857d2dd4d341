"""The staff API's administrator views: a bulk reassign (a sick day), and closures with
the bookings that fall on them. The roles and reach are the staff pages' own."""

from __future__ import annotations

from datetime import time

from flask import g, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from scheduler.api import staff_schemas as s
from scheduler.api.parsing import parse_body, parse_query
from scheduler.api.staff_blueprint import api_limit, bp, current_token
from scheduler.api.staff_views import read_limit, staff_booking
from scheduler.api.views import professional_out
from scheduler.availability import closures
from scheduler.booking import reassign
from scheduler.extensions import db, limiter
from scheduler.kernel import local_date, now_utc
from scheduler.models import Booking, Closure, Professional
from scheduler.staff.access import (
    ADMINS,
    forbidden,
    professional_or_404,
    professionals_query,
    require_role,
    unit_or_404,
)
from scheduler.staff.admin_closures import _closure_or_404
from scheduler.staff.agenda import log_read


def _proposal(proposal: reassign.Proposal) -> s.ProposalOut:
    pro = proposal.professional
    return s.ProposalOut(
        booking=staff_booking(proposal.booking),
        professional=professional_out(pro) if pro is not None else None,
        start_at=proposal.start,
    )


def _proposals(data: s.ReassignQuery) -> list[reassign.Proposal]:
    """The away worker's bookings of those days (each read logged) and where each could go."""
    pro = professional_or_404(data.professional_id)
    now = now_utc()
    bookings = reassign.bookings_of(pro, data.first, data.last or data.first, now)
    for booking in bookings:
        log_read(booking, "booking.read")
    return reassign.propose(bookings, pro.id, now)


@bp.get("/reassign")
@limiter.limit(read_limit)
@require_role(*ADMINS)
def reassign_preview() -> ResponseReturnValue:
    """For each booking of the worker on those days, a colleague and time that fit, or none."""
    proposals = _proposals(parse_query(s.ReassignQuery))
    body = s.ReassignPreviewOut(proposals=[_proposal(p) for p in proposals])
    return jsonify(body.model_dump(mode="json"))


@bp.post("/reassign")
@limiter.limit(api_limit)
@require_role(*ADMINS)
def reassign_confirm() -> ResponseReturnValue:
    """Make the proposed moves in one transaction; each family is told. What could not be
    moved is listed, with the family's number, for a phone call."""
    outcome = reassign.move_all(_proposals(parse_body(s.ReassignIn)))
    db.session.flush()
    body = s.ReassignOut(
        moved=[_proposal(p) for p in outcome.moved],
        not_moved=[_proposal(p) for p in outcome.not_moved],
    )
    return jsonify(body.model_dump(mode="json"))


def _closure_out(closure: Closure) -> s.ClosureOut:
    return s.ClosureOut(
        id=closure.id,
        unit_id=closure.unit_id,
        day=closure.day,
        start_time=_clock(closure.start_time),
        end_time=_clock(closure.end_time),
        reason=closure.reason or {},
        created_at=closure.created_at,
    )


def _closure_detail(closure: Closure) -> s.ClosureDetailOut:
    """The closure and the bookings on it that the caller reaches (each read logged)."""
    reached = set(db.session.scalars(professionals_query().with_only_columns(Professional.id)))
    bookings: list[Booking] = [
        b for b in closures.bookings_during(closure) if b.professional_id in reached
    ]
    for booking in bookings:
        log_read(booking, "closure.bookings_read")
    return s.ClosureDetailOut(
        closure=_closure_out(closure), bookings=[staff_booking(b) for b in bookings]
    )


@bp.get("/closures")
@limiter.limit(read_limit)
@require_role(*ADMINS)
def list_closures() -> ResponseReturnValue:
    """The coming closures of the organisation and (a unit administrator) their unit."""
    token = current_token()
    today = local_date(now_utc(), token.organisation.zone)
    query = select(Closure).where(
        Closure.organisation_id == token.organisation_id, Closure.day >= today
    )
    if not token.is_org_admin:
        query = query.where(Closure.unit_id.is_(None) | (Closure.unit_id == token.unit_id))
    found = db.session.scalars(query.order_by(Closure.day, Closure.id))
    return jsonify(s.ClosureList(closures=[_closure_out(c) for c in found]).model_dump(mode="json"))


@bp.post("/closures")
@limiter.limit(api_limit)
@require_role(*ADMINS)
def add_closure() -> ResponseReturnValue:
    """Close the organisation (an organisation administrator) or a unit for a day or part of
    one; the answer lists the bookings that fall on it, to move or cancel."""
    data = parse_body(s.ClosureIn)
    token = current_token()
    if data.unit_id is None and not token.is_org_admin:
        raise forbidden()
    unit = unit_or_404(data.unit_id) if data.unit_id is not None else None
    start = time.fromisoformat(data.start_time) if data.start_time else None
    end = time.fromisoformat(data.end_time) if data.end_time else None
    reason = {lang: text for lang, text in data.reason.model_dump().items() if text.strip()}
    closure = closures.add_closure(
        token.organisation, unit, data.day, start, end, reason, g.actor, now_utc()
    )
    return jsonify(_closure_detail(closure).model_dump(mode="json")), 201


@bp.get("/closures/<id:closure_id>")
@limiter.limit(read_limit)
@require_role(*ADMINS)
def read_closure(closure_id: int) -> ResponseReturnValue:
    return jsonify(_closure_detail(_closure_or_404(closure_id)).model_dump(mode="json"))


@bp.delete("/closures/<id:closure_id>")
@limiter.limit(api_limit)
@require_role(*ADMINS)
def remove_closure(closure_id: int) -> ResponseReturnValue:
    """Open the closed time again."""
    closures.remove_closure(_closure_or_404(closure_id, changing=True))
    return "", 204


def _clock(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value is not None else None
