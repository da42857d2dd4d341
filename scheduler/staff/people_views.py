"""The people taking part in a booking, as the worker sees them: adding an interpreter
(from the organisation's list or by contact details), a colleague or a guest, and taking
them out again (after a question); and the list of open interpreter requests.

Every page that shows a participant's or the family's data writes access-log rows.
"""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from scheduler import audit
from scheduler.booking import client_identifiers, guests, interpreters, team
from scheduler.booking.participants import participant_identifiers, participants_of, target
from scheduler.extensions import db
from scheduler.kernel import Problem, as_utc, now_utc
from scheduler.models import (
    Booking,
    BookingParticipant,
    BookingStatus,
    Professional,
)
from scheduler.staff import texts
from scheduler.staff.access import booking_or_404, not_found, visible_professionals
from scheduler.staff.blueprint import bp, current_user
from scheduler.staff.participant_forms import (
    ColleagueForm,
    GuestForm,
    InterpreterChoiceForm,
)
from scheduler.web.commit import after_rollback

# The staff's words for what the operations refuse, by code.
PROBLEMS = {
    "not_changeable": _l("This booking is already cancelled or closed."),
    "already_started": _l("This meeting is already over."),
    "interpreter_not_found": _l("Choose an interpreter of the list."),
    "interpreter_exists": _l("The meeting already has an interpreter."),
    "colleague_not_found": _l("Choose a colleague of the list."),
    "colleague_exists": _l("This colleague already takes part."),
    "colleague_not_free": _l(
        "The colleague is not free at this time. Choose another colleague, or book outside "
        "the weekly hours if that is agreed."
    ),
    "colleague_booked": _l(
        "The colleague has another meeting at this time. Choose another colleague or another time."
    ),
    "room_full": _l("The video meeting already has as many people as it can take."),
    "already_removed": _l("This person was already removed."),
    "client_not_removable": _l("A client is not removed here."),
    "name_required": _l("Write the name."),
    "contact_required": _l("Give an e-mail address or a mobile number, or both."),
    "invalid_phone": _l("Write a mobile number, for example 040 123 4567."),
    "not_mobile": _l("Write a mobile number, for example 040 123 4567."),
}
ROLES = {
    "client": _l("Client"),
    "interpreter": _l("Interpreter"),
    "professional": _l("Colleague"),
    "guest": _l("Guest"),
}
ATTENDANCE = {
    "invited": _l("Invited"),
    "confirmed": _l("Takes part"),
    "declined": _l("Does not take part"),
}


def _may_change(booking: Booking) -> bool:
    return booking.status == BookingStatus.CONFIRMED and as_utc(booking.end_at) > now_utc()


def _colleagues(booking: Booking, taking_part: list[BookingParticipant]) -> list[Professional]:
    """Colleagues who could be added: not those of the meeting already."""
    added = {p.professional_id for p in taking_part}
    added.update(pro.id for pro in team.professionals_of(team.lead_of(booking)))
    return [
        pro
        for pro in db.session.scalars(
            select(Professional)
            .where(
                Professional.organisation_id == booking.organisation_id,
                Professional.active.is_(True),
                Professional.id != booking.professional_id,
            )
            .order_by(Professional.name, Professional.id)
        )
        if pro.id not in added
    ]


Row = tuple[int, str, str, list[str | None], str]


def _page(
    booking: Booking,
    problem: str | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    taking_part = participants_of(booking)
    rows: list[Row] = []
    if booking.personal_data_removed_at is None:
        rows.append(
            (
                booking.organisation_id,
                "participant.read",
                f"booking:{booking.id}",
                client_identifiers(booking),
                "ok",
            )
        )
    rows += [
        (
            booking.organisation_id,
            "participant.read",
            target(p),
            participant_identifiers(p),
            "ok",
        )
        for p in taking_part
    ]
    if status < 400:
        for row in rows:
            audit.record(*row)
    else:
        # A refused change is rolled back with the request: the page's reads are logged
        # after that, in a transaction of their own.

        def log_reads() -> None:
            for row in rows:
                audit.record(*row)

        after_rollback(log_reads)
    need = interpreters.needs([booking], g.lang).get(booking.id)
    listed = guests.listed_interpreters(booking.organisation_id)
    return render_template(
        "staff/people.html",
        booking=booking,
        zone=booking.organisation.zone,
        taking_part=taking_part,
        need=need,
        interpreters=listed,
        language_label=lambda code: interpreters.language_label(code, g.lang),
        colleagues=_colleagues(booking, taking_part),
        may_change=_may_change(booking),
        has_interpreter=any(p.role == "interpreter" for p in taking_part),
        roles=ROLES,
        attendance=ATTENDANCE,
        problem=problem,
        errors=errors or {},
        form=request.form,
        texts=texts,
    ), status


def _refused(
    booking: Booking, exc: Problem, errors: dict[str, str] | None = None
) -> ResponseReturnValue:
    """The page again with what was refused (4xx): nothing of the change stays."""
    if exc.status >= 500:
        raise exc
    booking_id, org_id, identifiers = (
        booking.id,
        booking.organisation_id,
        client_identifiers(booking),
    )
    db.session.rollback()
    after_rollback(
        lambda: audit.record(
            org_id, request_action(), f"booking:{booking_id}", identifiers, "denied"
        )
    )
    booking = _meeting(booking_id, "participant.read")
    message = PROBLEMS.get(exc.code, _("The change could not be made."))
    return _page(booking, str(message), errors, exc.status)


def request_action() -> str:
    return (
        "participant.remove"
        if request.endpoint == "staff.booking_remove_person"
        else "participant.add"
    )


def _meeting(booking_id: int, action: str) -> Booking:
    """The meeting behind a booking the user may see: a team member's own row of a team
    meeting (or a colleague's) leads to the meeting's lead row, which holds who takes part."""
    return team.lead_of(booking_or_404(booking_id, action))


@bp.get("/bookings/<id:booking_id>/people")
def booking_people(booking_id: int) -> ResponseReturnValue:
    """Who takes part in a booking, and the forms to add and remove people."""
    return _page(_meeting(booking_id, "participant.read"))


def _back(booking: Booking) -> ResponseReturnValue:
    return redirect(url_for("staff.booking_people", booking_id=booking.id), 303)


@bp.post("/bookings/<id:booking_id>/people/interpreter")
def booking_add_interpreter(booking_id: int) -> ResponseReturnValue:
    """Add an interpreter: one of the list, or someone given by contact details."""
    booking = _meeting(booking_id, "participant.add")
    choice = InterpreterChoiceForm(request.form)
    contact = GuestForm(request.form)
    try:
        if request.form.get("source") == "list":
            choice.check()
            if choice.problems or len(choice.interpreter_id.ids) != 1:
                return _refused(booking, Problem(422, "interpreter_not_found", ""))
            guests.add_interpreter(
                booking,
                current_user(),
                interpreter_id=choice.interpreter_id.ids[0],
                language=request.form.get("language", "fi"),
            )
        else:
            if not contact.check():
                return _refused(booking, Problem(422, "invalid_input", ""), contact.problems)
            guests.add_interpreter(
                booking,
                current_user(),
                name=contact.name.data,
                email=contact.email.data,
                phone=contact.mobile,
                language=contact.language.data,
            )
    except Problem as exc:
        return _refused(booking, exc)
    flash(_("The interpreter was added and will get an invitation."))
    return _back(booking)


@bp.post("/bookings/<id:booking_id>/people/colleague")
def booking_add_colleague(booking_id: int) -> ResponseReturnValue:
    """Add a colleague who is free at the time (or outside their weekly hours, if said)."""
    booking = _meeting(booking_id, "participant.add")
    form = ColleagueForm(request.form)
    form.check()
    if form.problems or len(form.professional_id.ids) != 1:
        return _refused(booking, Problem(422, "colleague_not_found", ""))
    try:
        guests.add_colleague(
            booking, current_user(), form.professional_id.ids[0], form.outside_hours.data
        )
    except Problem as exc:
        return _refused(booking, exc)
    flash(_("The colleague was added and will get an invitation."))
    return _back(booking)


@bp.post("/bookings/<id:booking_id>/people/guest")
def booking_add_guest(booking_id: int) -> ResponseReturnValue:
    """Add someone from outside the organisation by name and contact details."""
    booking = _meeting(booking_id, "participant.add")
    form = GuestForm(request.form)
    if not form.check():
        return _refused(booking, Problem(422, "invalid_input", ""), form.problems)
    try:
        guests.add_guest(
            booking,
            current_user(),
            name=form.name.data,
            email=form.email.data,
            phone=form.mobile,
            language=form.language.data,
        )
    except Problem as exc:
        return _refused(booking, exc)
    flash(_("The guest was added and will get an invitation."))
    return _back(booking)


def _participant_or_404(booking: Booking, participant_id: int) -> BookingParticipant:
    participant = db.session.get(BookingParticipant, participant_id)
    if participant is None or participant.booking_id != booking.id:
        raise not_found()
    return participant


@bp.route("/bookings/<id:booking_id>/people/<id:participant_id>/remove", methods=["GET", "POST"])
def booking_remove_person(booking_id: int, participant_id: int) -> ResponseReturnValue:
    """Ask first, then take the person out (they are told, their link stops working)."""
    booking = _meeting(booking_id, "participant.remove")
    participant = _participant_or_404(booking, participant_id)
    if request.method == "GET":
        audit.record(
            booking.organisation_id,
            "participant.read",
            target(participant),
            participant_identifiers(participant),
        )
        return render_template(
            "staff/people_remove.html", booking=booking, participant=participant, roles=ROLES
        )
    try:
        guests.remove(participant, current_user())
    except Problem as exc:
        return _refused(booking, exc)
    flash(_("The person was removed and will be told."))
    return _back(booking)


@bp.get("/interpreter-requests")
def interpreter_requests() -> ResponseReturnValue:
    """The open interpreter requests of the coming bookings the user can see."""
    pros = visible_professionals()
    requests = interpreters.open_requests(current_user().organisation_id, [p.id for p in pros])
    return render_template(
        "staff/interpreter_requests.html",
        requests=requests,
        late={r.id: interpreters.is_late(r) for r in requests},
        language_label=lambda code: interpreters.language_label(code, g.lang),
        zone=current_user().organisation.zone,
    )
