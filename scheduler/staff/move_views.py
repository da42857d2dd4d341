"""Staff move a booking to another time or worker (seeing the free times as the family
does, then confirming), and move a whole sick day of a worker to colleagues."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from scheduler.availability import Ask, candidates, free_times
from scheduler.booking import colleagues, reassign
from scheduler.booking.changes import reschedule
from scheduler.booking.taking import StaffTerms, slot_taken
from scheduler.extensions import db
from scheduler.kernel import Problem, local_date, local_instant, now_utc
from scheduler.models import Booking, Professional
from scheduler.staff import texts
from scheduler.staff.access import (
    ADMINS,
    booking_or_404,
    professional_or_404,
    require_role,
    visible_professionals,
)
from scheduler.staff.agenda import log_read
from scheduler.staff.blueprint import bp, current_user
from scheduler.staff.book_views import problem_text
from scheduler.web.input import parse_day, parse_id


def _day(raw: str | None, default: date) -> date:
    if not raw:
        return default
    day = parse_day(raw)
    if day is None:
        raise Problem(422, "invalid_input", _("The date is not valid."), {"date": "iso"})
    return day


def _options(booking: Booking, day: date) -> colleagues.Fitting:
    """The free times of the service's workers on ``day``, as a family would see them,
    less those the meeting's added colleagues rule out (``colleagues.fitting_moves``)."""
    service = booking.service
    zone = booking.organisation.zone
    pros = candidates.candidates(service)
    start = local_instant(day, time(0), zone)
    end = local_instant(day + timedelta(days=1), time(0), zone)
    by_id = {pro.id: pro for pro in pros}
    answer = free_times(
        Ask(service.id, start, end, among=list(by_id), now=now_utc(), online_only=False)
    )
    found = answer.slots() if answer is not None else []
    free = [(slot.start, by_id[pid]) for slot in found for pid in slot.worker_ids]
    return colleagues.fitting_moves(booking, free)


def _key(choice: colleagues.Choice) -> str:
    """How the form names a choice: its start and the worker."""
    return f"{choice[0].isoformat()}|{choice[1].id}"


@bp.route("/bookings/<id:booking_id>/move", methods=["GET", "POST"])
def booking_move(booking_id: int) -> ResponseReturnValue:
    """Choose a new time and worker, confirm, and the family is told with the new link."""
    booking = booking_or_404(booking_id, "booking.move")
    zone = booking.organisation.zone
    today = local_date(now_utc(), zone)
    day = max(_day(request.values.get("date"), local_date(booking.start_at, zone)), today)
    fitting = _options(booking, day)
    options = fitting.choices
    error = None
    status = 422
    chosen: tuple[datetime, Professional] | None = None
    if request.method == "POST":
        raw = request.form.get("choice", "")
        chosen = next((c for c in options if _key(c) == raw), None)
        if chosen is None and raw in {_key(c) for c in fitting.colleague_busy}:
            # Free, but a colleague taking part is not: the reason the move would get.
            error, status = problem_text(colleagues.colleague_busy()), 409
        elif chosen is None and "|" in raw:
            # A time that is not (or no longer) free: taken, closed, or outside the hours.
            error, status = problem_text(slot_taken()), 409
        elif chosen is None:
            error = _("Choose a free time.")
        elif request.form.get("confirmed") == "1":
            try:
                reschedule(booking, chosen[0], chosen[1].id, terms=StaffTerms())
            except Problem as problem:
                if problem.status >= 500:
                    raise
                error, status = problem_text(problem), problem.status  # 409: taken meanwhile
            else:
                flash(_("The booking was moved and the family will be told."))
                return redirect(url_for("staff.booking_detail", booking_id=booking.id))
    log_read(booking, "booking.read")
    confirming = request.method == "POST" and chosen is not None and error is None
    return render_template(
        "staff/move.html",
        booking=booking,
        zone=zone,
        day=day,
        options=options,
        colleague_busy=bool(fitting.colleague_busy),
        chosen=chosen,
        confirming=confirming,
        error=error,
        texts=texts,
    ), (status if error else 200)


def _reassign_args() -> tuple[Professional | None, date, date]:
    raw = request.values.get("professional", "")
    pro = professional_or_404(parse_id(raw) or 0) if raw else None
    today = local_date(now_utc(), current_user().organisation.zone)
    first = _day(request.values.get("first"), today)
    last = _day(request.values.get("last"), first)
    if last < first or (last - first).days > 31:
        raise Problem(
            422, "invalid_range", _("Choose a range of at most a month, the first day first.")
        )
    return pro, first, last


@bp.route("/reassign", methods=["GET", "POST"])
@require_role(*ADMINS)
def reassign_day() -> ResponseReturnValue:
    """A worker is away: the preview proposes a colleague and time for each booking;
    confirming moves them all in one transaction and lists what could not be moved."""
    pro, first, last = _reassign_args()
    now = now_utc()
    pros = visible_professionals()
    proposals: list[reassign.Proposal] = []
    outcome = None
    if pro is not None:
        bookings = reassign.bookings_of(pro, first, last, now)
        for booking in bookings:
            log_read(booking, "booking.read")
        proposals = reassign.propose(bookings, pro.id, now)
        if request.method == "POST" and request.form.get("confirmed") == "1":
            outcome = reassign.move_all(proposals)
            db.session.flush()
    return render_template(
        "staff/reassign.html",
        pro=pro,
        pros=pros,
        first=first,
        last=last,
        proposals=proposals,
        outcome=outcome,
        zone=current_user().organisation.zone,
        texts=texts,
    )
