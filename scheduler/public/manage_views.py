"""The family's secret manage link: see the booking, cancel it, or move it to another time."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import partial

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext, ngettext

from scheduler import audit
from scheduler import booking as ops
from scheduler.availability import Ask, candidates, free_times
from scheduler.booking import attendance, colleagues, guests, meetings, series_family
from scheduler.extensions import configured_limit, limiter
from scheduler.kernel import Problem, as_utc, now_utc
from scheduler.models import Booking, BookingStatus, Professional
from scheduler.public.blueprint import bp, public_limit
from scheduler.public.calendar_file import calendar_response
from scheduler.public.forms import CancelForm
from scheduler.public.texts import attempt, problem_text
from scheduler.public.week import build_week, parse_choice
from scheduler.web.input import parse_instant


def load_managed(token: str) -> Booking:
    """The booking behind a manage link (404 wrong link, 410 meeting over)."""
    booking = ops.booking_by_manage_token(token)
    g.org = booking.organisation
    g.actor, g.actor_role = "client:manage-link", "client"
    return booking


def manage_link(token: str) -> str:
    """The manage link as the family should save it (the service's public address)."""
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}{url_for('public.manage', token=token)}"


def _show(template: str, booking: Booking, token: str, **extra: object) -> ResponseReturnValue:
    """Render a page that shows the family's own details; each showing is logged."""
    audit.record(
        booking.organisation_id,
        "booking.read",
        f"booking:{booking.id}",
        ops.client_identifiers(booking),
    )
    confirmed = booking.status == BookingStatus.CONFIRMED
    join = meetings.family_join_link(booking) if confirmed else None
    return render_template(
        template,
        booking=booking,
        service=booking.service,
        token=token,
        manage_link=manage_link(token),
        join_link=join,
        **extra,
    )


@bp.get("/manage/<token>/booked")
def booked(token: str) -> ResponseReturnValue:
    """The confirmation page right after booking: the time, the .ics and the manage link."""
    return _show("public/confirmed.html", load_managed(token), token)


@bp.get("/manage/<token>")
@limiter.limit(configured_limit("RATELIMIT_PAGES"))
def manage(token: str) -> ResponseReturnValue:
    booking = load_managed(token)
    can_rejoin = (
        booking.status == BookingStatus.CONFIRMED
        and booking.client_left_at is not None
        and as_utc(booking.start_at) > now_utc()
    )
    series = series_family.meetings_of(booking)
    later = any(m.state == "upcoming" and m.start_at > booking.start_at for m in series)
    return _show(
        "public/manage.html",
        booking,
        token,
        taking_part=guests.taking_part_for_family(booking),
        can_rejoin=can_rejoin,
        series=series,
        later_in_series=later and booking.status == BookingStatus.CONFIRMED,
        keeps_meeting=attendance.leaving_keeps_meeting(booking),
    )


@bp.get("/manage/<token>/calendar.ics")
def calendar(token: str) -> ResponseReturnValue:
    """The booking as an iCalendar file for the family's own calendar."""
    booking = load_managed(token)
    confirmed = booking.status == BookingStatus.CONFIRMED
    join = meetings.family_join_link(booking) if confirmed else None
    return calendar_response(booking, manage_link(token), join)


@bp.route("/manage/<token>/cancel", methods=["GET", "POST"])
@limiter.limit(public_limit, methods=["POST"])
def cancel(token: str) -> ResponseReturnValue:
    """Cancelling asks once more; the POST cancels. ``scope=following`` cancels this
    meeting and the later ones of its series: the page lists every date first."""
    booking = load_managed(token)
    scope = request.values.get("scope", "this")
    if scope not in series_family.SCOPES or (scope == "following" and not booking.series_id):
        raise Problem(400, "bad_request", problem_text("bad_request", ""))
    cancels = scope == "following" or not attendance.leaving_keeps_meeting(booking)
    if cancels and not booking.service.family_cancels and booking.status == BookingStatus.CONFIRMED:
        # Not cancelled online for this service: the manage page says whom to call.
        flash(problem_text("cancel_by_phone", ""), "error")
        return redirect(url_for("public.manage", token=token), 303)
    if scope == "following" and booking.status == BookingStatus.CONFIRMED:
        return _cancel_following(booking, token)
    if booking.status != BookingStatus.CONFIRMED:
        if request.method == "POST":
            # The same cancel sent twice (a double submit): the first one did it.
            if booking.status == BookingStatus.CANCELLED and booking.cancelled_by == "client":
                flash(gettext("Your appointment is cancelled."), "success")
            else:
                flash(problem_text("not_changeable", ""), "error")
            return redirect(url_for("public.manage", token=token), 303)
        # Already cancelled (or closed): nothing to ask, and no button that cannot work.
        return render_template(
            "public/cancel.html", booking=booking, service=booking.service, token=token, form=None
        )
    if booking.client_left_at is not None:
        flash(gettext("You have said that you will not take part."), "info")
        return redirect(url_for("public.manage", token=token), 303)
    form = CancelForm()
    if request.method == "POST" and form.validate():
        try:
            cancelled = attendance.client_leaves(booking, (form.reason.data or "").strip() or None)
        except Problem as exc:
            if exc.status >= 500:
                raise
            if booking.status == BookingStatus.CANCELLED and booking.cancelled_by == "client":
                # The same cancel sent twice (a double submit): the first one did it.
                flash(gettext("Your appointment is cancelled."), "success")
            else:
                flash(problem_text(exc.code, exc.message), "error")
        else:
            flash(
                gettext("Your appointment is cancelled.")
                if cancelled
                else gettext("You will not take part. The meeting is held with the other parent."),
                "success",
            )
        return redirect(url_for("public.manage", token=token), 303)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "public/cancel.html",
        booking=booking,
        service=booking.service,
        token=token,
        form=form,
        keeps_meeting=attendance.leaving_keeps_meeting(booking),
    ), status


@bp.post("/manage/<token>/rejoin")
@limiter.limit(public_limit)
def rejoin(token: str) -> ResponseReturnValue:
    """A client who said they will not take part takes part after all (while the meeting
    is ahead); the worker is told."""
    booking = load_managed(token)
    if attempt(lambda: attendance.client_rejoins(booking)) is not None:
        flash(gettext("Thank you. You will take part."), "success")
    return redirect(url_for("public.manage", token=token), 303)


def _cancel_following(booking: Booking, token: str) -> ResponseReturnValue:
    form = CancelForm()
    if request.method == "POST" and form.validate():
        reason = (form.reason.data or "").strip() or None
        done = attempt(lambda: series_family.cancel_following(booking, reason))
        if done is not None:
            flash(
                ngettext(
                    "%(num)d appointment was cancelled.",
                    "%(num)d appointments were cancelled.",
                    len(done.value),
                ),
                "success",
            )
        return redirect(url_for("public.manage", token=token), 303)
    return render_template(
        "public/cancel.html",
        booking=booking,
        service=booking.service,
        token=token,
        form=form,
        scope="following",
        cancelling=series_family.to_cancel(booking, "following"),
        zone=booking.organisation.zone,
    ), (422 if request.method == "POST" else 200)


@bp.get("/manage/<token>/move")
@limiter.limit(configured_limit("RATELIMIT_PAGES"))
def move(token: str) -> ResponseReturnValue:
    """The same week view as the service page, for choosing the new time: only the times
    a move can take (the colleagues added to the meeting free then), nothing said of why."""
    booking = load_managed(token)
    if booking.client_left_at is not None:
        flash(problem_text("not_changeable", ""), "error")
        return redirect(url_for("public.manage", token=token), 303)
    service = booking.service
    everyone = candidates.team(service)
    choice = parse_choice(_move_args(booking, everyone), service, everyone)
    week = build_week(service, choice, now_utc(), keep=partial(colleagues.movable_slots, booking))

    def week_url(monday: date, **override: object) -> str:
        values: dict[str, object] = {"mode": None, "worker": choice.worker or "any"}
        values.update(override, week=monday.isoformat())
        if values["worker"] is None:
            values["worker"] = "any"
        return url_for("public.move", token=token, **choice.args(**values)) + "#free-times"

    return render_template(
        "public/move.html",
        booking=booking,
        service=service,
        token=token,
        choice=choice,
        week=week,
        workers=everyone,
        week_url=week_url,
        hold_url=url_for("public.move_to", token=token),
    )


def _move_args(booking: Booking, team: list[Professional]) -> dict[str, str]:
    """By default the new time is looked for with the same worker (while they offer the
    service; else with any worker)."""
    args = request.args.to_dict()
    if booking.professional_id in {p.id for p in team}:
        args.setdefault("worker", str(booking.professional_id))
    args["mode"] = booking.meeting_mode
    return args


@bp.post("/manage/<token>/move")
@limiter.limit(public_limit)
def move_to(token: str) -> ResponseReturnValue:
    """A chosen new time is shown first, with the old one, and moves only when confirmed."""
    booking = load_managed(token)
    service = booking.service
    choice = parse_choice(request.form, service, candidates.team(service))
    worker_asked = choice.worker or choice.unknown_worker or "any"
    back = url_for("public.move", token=token, **choice.args(mode=None, worker=worker_asked))
    if choice.unknown:  # never "any worker" in its place: the week view says so
        return redirect(back, 303)
    start = parse_instant(request.form.get("start"))
    if start is None:  # the page's buttons send only good times: the form was tampered with
        raise Problem(400, "bad_request", problem_text("bad_request", ""))
    worker = choice.worker or _free_worker(booking, start)
    if request.form.get("confirm") != "yes" or booking.client_left_at is not None:
        if booking.status != BookingStatus.CONFIRMED or booking.client_left_at is not None:
            flash(problem_text("not_changeable", ""), "error")
            return redirect(url_for("public.manage", token=token), 303)
        new_worker = next((p for p in candidates.candidates(service) if p.id == worker), None)
        return render_template(
            "public/move_confirm.html",
            booking=booking,
            service=service,
            token=token,
            start=start,
            end=start + (booking.end_at - booking.start_at),
            worker=worker,
            new_worker=new_worker or booking.professional,
            back_url=back,
        )
    try:
        ops.reschedule(booking, start, worker)
    except Problem as exc:
        if exc.status >= 500:
            raise
        flash(problem_text(exc.code, exc.message), "error")
        return redirect(back, 303)
    flash(gettext("Your appointment was moved."), "success")
    return redirect(url_for("public.manage", token=token), 303)


def _free_worker(booking: Booking, start: datetime) -> int | None:
    """For "any worker": the booking's own worker when free then, else the first free one
    that a move can go to (not a colleague added to the meeting)."""
    found = free_times(
        Ask(booking.service_id, start, start + timedelta(microseconds=1), now=now_utc())
    )
    for slot in colleagues.movable_slots(booking, found.slots() if found is not None else []):
        if slot.start == start:
            ids = slot.worker_ids
            return booking.professional_id if booking.professional_id in ids else ids[0]
    return None
