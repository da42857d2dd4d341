"""A participant's own secret link (the other parent, an interpreter, a guest): see the
appointment, say whether they take part, join the video meeting, save the calendar file.

The page shows the appointment and the participant's own name only: never the first
client's details nor anyone else's. Each showing is logged under the participant.
"""

from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from scheduler.booking import attendance, meetings, participants
from scheduler.extensions import configured_limit, limiter
from scheduler.kernel import Problem
from scheduler.models import Attendance, BookingParticipant, BookingStatus
from scheduler.public.blueprint import bp, public_limit
from scheduler.public.calendar_file import calendar_response
from scheduler.public.forms import AttendForm
from scheduler.public.texts import attempt, problem_text


def load_participant(token: str) -> BookingParticipant:
    """The participant behind a link (404 wrong or withdrawn link, 410 meeting over)."""
    participant = participants.participant_by_token(token)
    g.org = participant.booking.organisation
    g.actor, g.actor_role = "client:participant-link", "client"
    return participant


def attend_link(token: str) -> str:
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}{url_for('public.attend', token=token)}"


def _join_link(participant: BookingParticipant) -> str | None:
    booking = participant.booking
    if (
        booking.status != BookingStatus.CONFIRMED
        or participant.attendance == Attendance.DECLINED
        or participant.video_participant_id is None
    ):
        return None
    return meetings.participant_join_link(booking, participant.video_participant_id)


@bp.route("/attend/<token>", methods=["GET", "POST"])
@limiter.limit(configured_limit("RATELIMIT_PAGES"), methods=["GET"])
@limiter.limit(public_limit, methods=["POST"])
def attend(token: str) -> ResponseReturnValue:
    """The participant's page; the POST records their answer (``attending``: yes or no)."""
    participant = load_participant(token)
    if request.method == "POST":
        form = AttendForm()
        if not form.validate():
            raise Problem(400, "bad_request", problem_text("bad_request", ""))
        answer = form.attending.data
        if attempt(lambda: attendance.answer(participant, attending=answer == "yes")):
            flash(
                gettext("Thank you. You will take part.")
                if answer == "yes"
                else gettext("Thank you. We have noted that you will not take part."),
                "success",
            )
        return redirect(url_for("public.attend", token=token), 303)
    participants.viewed(participant)
    booking = participant.booking
    return render_template(
        "public/attend.html",
        participant=participant,
        booking=booking,
        service=booking.service,
        token=token,
        attend_link=attend_link(token),
        join_link=_join_link(participant),
    )


@bp.get("/attend/<token>/calendar.ics")
def attend_calendar(token: str) -> ResponseReturnValue:
    """The appointment as an iCalendar file for the participant's own calendar."""
    participant = load_participant(token)
    return calendar_response(participant.booking, attend_link(token), _join_link(participant))
