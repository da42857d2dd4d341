"""The worker adds the other parent to a booking, or takes a participant out.

The booking page lists the participants with their contact details (the worker may see
them; each showing is logged under the person whose data it is). The family never sees
another participant's details: those go only to the person themselves.
"""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from scheduler.booking import participants
from scheduler.kernel import Problem
from scheduler.models import ParticipantRole
from scheduler.staff.access import booking_or_404, not_found
from scheduler.staff.agenda import render_booking
from scheduler.staff.blueprint import bp, current_user
from scheduler.staff.forms import LANGS, Choice, StaffForm, Text
from scheduler.web.input import parse_id

_FIELDS = {"second_email": "email", "second_phone": "phone", "email": "email", "phone": "phone"}


class SecondParentForm(StaffForm):
    name = Text(200, is_required=True)
    email = Text(255)
    phone = Text(32)
    language = Choice(LANGS, default="fi")


def problem_text(problem: Problem) -> str:
    """The staff page's words for why adding a participant was refused."""
    return {
        "same_contact_as_first": _(
            "The other parent needs contact details of their own: these are the first client's."
        ),
        "second_client_not_allowed": _("This service is booked for one client only."),
        "second_client_exists": _("The booking already has a second client."),
        "contact_required": _("Give an e-mail address or a mobile number, or both."),
        "invalid_phone": _("The phone number is not valid."),
        "not_changeable": _("The booking is already cancelled or closed."),
        "already_started": _("The meeting has already started."),
        "room_full": _("The video meeting already has as many people as it can take."),
        "name_required": _("This is required."),
    }.get(problem.code, problem.message)


@bp.post("/bookings/<id:booking_id>/participants")
def participant_add(booking_id: int) -> ResponseReturnValue:
    """Add the other parent: they get their own invitation, reminders and link."""
    booking = booking_or_404(booking_id, "participant.add")
    form = SecondParentForm(request.form)
    values = {key: request.form.get(key, "") for key in ("name", "email", "phone", "language")}
    if not form.check():
        return render_booking(booking, 422, form.problems, values)
    try:
        participants.add_participant(
            booking,
            ParticipantRole.CLIENT,
            name=form.name.value or "",
            email=form.email.value,
            phone=form.phone.value,
            language=form.language.data or "fi",
            staff=current_user(),
        )
    except Problem as problem:
        if problem.status >= 500:
            raise
        field = next((_FIELDS[k] for k in problem.fields if k in _FIELDS), "form")
        return render_booking(booking, problem.status, {field: problem_text(problem)}, values)
    flash(_("The other parent was added and will get an invitation of their own."))
    return redirect(url_for("staff.booking_detail", booking_id=booking.id))


@bp.post("/bookings/<id:booking_id>/participants/<participant_id>/remove")
def participant_remove(booking_id: int, participant_id: str) -> ResponseReturnValue:
    """Take a participant out: their link stops working and they are told."""
    booking = booking_or_404(booking_id, "participant.remove")
    wanted = parse_id(participant_id)
    found = next((p for p in participants.participants_of(booking) if p.id == wanted), None)
    if found is None:
        raise not_found()
    participants.remove_participant(found, staff=current_user())
    flash(_("The participant was taken out and will be told."))
    return redirect(url_for("staff.booking_detail", booking_id=booking.id))
