"""The agenda: a worker's bookings by day or week, one booking's details, and what the
worker does with a booking (mark it held or missed, cancel it with a reason).

Every page that shows a client's data writes an access-log row per booking shown, in the
same transaction as the page's request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from scheduler import audit
from scheduler import booking as booking_ops
from scheduler.booking import interpreters, participants, series_family, team
from scheduler.booking.meetings import WorkerMeeting, worker_meeting
from scheduler.extensions import db
from scheduler.kernel import Problem, as_utc, day_bounds, local_date, now_utc
from scheduler.models import Booking, BookingStatus, ParticipantRole, Professional
from scheduler.staff import texts
from scheduler.staff.access import booking_or_404, professional_or_404, visible_professionals
from scheduler.staff.blueprint import bp, current_user
from scheduler.web.i18n import localized
from scheduler.web.input import parse_day, parse_id

SHOWN_STATUSES = (
    BookingStatus.CONFIRMED,
    BookingStatus.COMPLETED,
    BookingStatus.NO_SHOW,
    BookingStatus.CANCELLED,
)
OUTCOMES = {"held": BookingStatus.COMPLETED, "no_show": BookingStatus.NO_SHOW}


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str


def _join_link(booking: Booking) -> WorkerMeeting | None:
    if booking.status != BookingStatus.CONFIRMED or as_utc(booking.end_at) <= now_utc():
        return None
    return worker_meeting(booking)


def intake_answers(booking: Booking, lang: str) -> list[Answer]:
    """The family's answers, with the questions in the page's language."""
    questions = {q.get("id"): q for q in booking.service.intake_questions or []}
    shown = []
    for qid, value in (booking.intake_answers or {}).items():
        question = questions.get(qid)
        label = localized(question.get("label"), lang) if question else qid
        shown.append(Answer(label or qid, texts.answer_text(question, value, lang)))
    return shown


def log_read(booking: Booking, action: str) -> None:
    """An access-log row for showing this booking's client data (none once it was removed)."""
    if booking.personal_data_removed_at is None:
        audit.record(
            booking.organisation_id,
            action,
            f"booking:{booking.id}",
            booking_ops.client_identifiers(booking),
        )


def _parse_day(raw: str | None, today: date) -> date:
    if not raw:
        return today
    day = parse_day(raw)
    if day is None:
        raise Problem(422, "invalid_input", _("The date is not valid."), {"date": "iso"})
    return day


def _chosen_professional(pros: list[Professional]) -> Professional | None:
    raw = request.args.get("professional", "")
    if raw:
        return professional_or_404(parse_id(raw) or 0)
    user = current_user()
    if user.professional_id is not None:
        return professional_or_404(user.professional_id)
    return pros[0] if pros else None


@bp.get("/")
def home() -> ResponseReturnValue:
    return redirect(url_for("staff.agenda"))


@bp.get("/agenda")
def agenda() -> ResponseReturnValue:
    """The day (default) or week agenda of one professional the user can see."""
    user = current_user()
    zone = user.organisation.zone
    view = "week" if request.args.get("view") == "week" else "day"
    pros = visible_professionals()
    pro = _chosen_professional(pros)
    today = local_date(now_utc(), zone)
    day = _parse_day(request.args.get("date"), today)
    first = day - timedelta(days=day.weekday()) if view == "week" else day
    days = [first + timedelta(days=i) for i in range(7 if view == "week" else 1)]
    start, _unused = day_bounds(days[0], zone)
    _unused, end = day_bounds(days[-1], zone)
    bookings: list[Booking] = []
    if pro is not None:
        bookings = list(
            db.session.scalars(
                select(Booking)
                .where(
                    Booking.professional_id == pro.id,
                    Booking.start_at >= start,
                    Booking.start_at < end,
                    Booking.status.in_(SHOWN_STATUSES),
                )
                .order_by(Booking.start_at)
            )
        )
    leads = team.leads_of(bookings)
    for booking in bookings:
        log_read(leads.get(booking.id, booking), "agenda.read")
    by_day: dict[date, list[Booking]] = {d: [] for d in days}
    for booking in bookings:
        by_day.setdefault(local_date(booking.start_at, zone), []).append(booking)
    step = timedelta(days=7 if view == "week" else 1)
    return render_template(
        "staff/agenda.html",
        view=view,
        day=day,
        days=days,
        by_day=by_day,
        pro=pro,
        pros=pros,
        zone=zone,
        previous_day=first - step,
        next_day=first + step,
        today=today,
        join_links={b.id: _join_link(b) for b in bookings} if view == "day" else {},
        answers={b.id: intake_answers(leads.get(b.id, b), g.lang) for b in bookings},
        interpreter_needs=interpreters.needs(bookings, g.lang),
        leads=leads,
        texts=texts,
    )


def _may_mark_outcome(booking: Booking, outcome: str = "held") -> bool:
    """A meeting may be marked held from the start of its day, since a worker may call
    early; marked missed only once its booked time has begun."""
    if not (booking.status in OUTCOMES.values() or booking.status == BookingStatus.CONFIRMED):
        return False
    now = now_utc()
    if outcome == "held":
        zone = booking.organisation.zone
        return local_date(booking.start_at, zone) <= local_date(now, zone)
    return as_utc(booking.start_at) <= now


@bp.get("/bookings/<id:booking_id>")
def booking_detail(booking_id: int) -> ResponseReturnValue:
    """One booking with the client's contact, language and intake answers."""
    return render_booking(booking_or_404(booking_id, "booking.read"))


def render_booking(
    booking: Booking,
    status: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> ResponseReturnValue:
    """The booking page (``errors`` and ``values``: of the form adding the other parent).
    Logs a read of the first client's data and one of each participant's, under each. A
    team meeting's client and people are on its lead booking."""
    lead = team.lead_of(booking)
    log_read(lead, "booking.read")
    shown = participants.participants_of(lead)
    if booking.personal_data_removed_at is None:
        for participant in shown:
            audit.record(
                booking.organisation_id,
                "participant.read",
                participants.target(participant),
                participants.participant_identifiers(participant),
            )
    may_add = (
        lead.service.allows_second_client
        and booking_ops.staff_may_cancel(lead)
        and not any(p.role == ParticipantRole.CLIENT for p in shown)
    )
    return render_template(
        "staff/booking.html",
        booking=booking,
        client=lead,
        zone=booking.organisation.zone,
        answers=intake_answers(lead, g.lang),
        join_link=_join_link(booking),
        may_mark=_may_mark_outcome(booking),
        may_mark_missed=_may_mark_outcome(booking, "no_show"),
        may_cancel=booking_ops.staff_may_cancel(booking),
        back_date=local_date(booking.start_at, booking.organisation.zone).isoformat(),
        interpreter_need=interpreters.needs([booking], g.lang).get(booking.id),
        texts=texts,
        participants=shown,
        may_add_parent=may_add,
        series=series_family.meetings_of(lead),
        errors=errors or {},
        values=values or {"language": booking.language},
    ), status


@bp.post("/bookings/<id:booking_id>/outcome")
def booking_outcome(booking_id: int) -> ResponseReturnValue:
    """Mark a meeting that has begun as held or as missed (no-show)."""
    booking = booking_or_404(booking_id, "booking.outcome")
    outcome = request.form.get("outcome", "")
    back = url_for("staff.booking_detail", booking_id=booking.id)
    if outcome not in OUTCOMES:
        flash(_("Choose held or did not come."), "error")
        return redirect(back)
    booking_ops.lock(booking)
    if not _may_mark_outcome(booking, outcome):
        flash(
            _("A meeting can be marked held from the start of its day.")
            if outcome == "held"
            else _("Only a meeting that has begun can be marked."),
            "error",
        )
        return redirect(back)
    booking_ops.mark_outcome(booking, outcome, OUTCOMES[outcome])
    flash(_("Marked as held.") if outcome == "held" else _("Marked as did not come."))
    return redirect(back)


@bp.post("/bookings/<id:booking_id>/cancel")
def booking_cancel(booking_id: int) -> ResponseReturnValue:
    """Cancel a future booking with a reason; the family is told through the outbox."""
    booking = booking_or_404(booking_id, "booking.cancel")
    reason = request.form.get("reason", "").strip()
    if not 3 <= len(reason) <= 500:
        # Back to the page (which logs its own read) rather than an error page.
        flash(_("Write a reason of 3 to 500 characters."), "error")
        return redirect(url_for("staff.booking_detail", booking_id=booking.id))
    booking_ops.lock(booking)
    if not booking_ops.staff_may_cancel(booking):
        flash(_("Only a future booking can be cancelled."), "error")
        return redirect(url_for("staff.booking_detail", booking_id=booking.id))
    booking_ops.cancel(booking, by="staff", reason=reason)
    flash(_("The booking was cancelled and the family will be told."))
    day = local_date(booking.start_at, booking.organisation.zone)
    return redirect(
        url_for("staff.agenda", professional=booking.professional_id, date=day.isoformat())
    )
