"""A worker books a time for a family (who phoned, or is in the room): from the agenda or
from the find-a-time page. The booking itself is ``scheduler.booking.book_for_family``;
without messages the family gets a printed note with the manage link as a QR code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import segno
from flask import flash, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from scheduler.availability import Ask, free_times
from scheduler.booking import ClientDetails, series
from scheduler.booking.contact import can_receive_sms, normalise_phone
from scheduler.booking.for_family import IDENTITY_CHECKS, FamilyBooking, book_for_family
from scheduler.booking.intake import validate_answers
from scheduler.booking.messages import manage_url
from scheduler.booking.taking import SecondClient
from scheduler.kernel import Problem, local_date, local_instant, now_utc
from scheduler.models import Professional, Service
from scheduler.staff import texts
from scheduler.staff.access import booking_or_404, professional_or_404, visible_professionals
from scheduler.staff.agenda import log_read
from scheduler.staff.blueprint import bp, current_user
from scheduler.staff.desk_forms import BookForm, book_form
from scheduler.staff.forms import one_of
from scheduler.web.input import parse_clock, parse_day, parse_id, parse_instant

MESSAGE_LANGUAGES = ("fi", "sv", "en")
NOTE_KEY = "family_note"


@dataclass(frozen=True)
class Choice:
    """What the page is booking: a worker, one of their services and a day."""

    pro: Professional | None
    services: list[Service]
    service: Service | None
    day: date


def _choice(args: Any) -> Choice:
    pros = visible_professionals()
    raw = args.get("professional", "")
    user = current_user()
    if raw:
        pro: Professional | None = professional_or_404(parse_id(raw) or 0)
    elif user.professional_id is not None:
        pro = professional_or_404(user.professional_id)
    else:
        pro = pros[0] if pros else None
    services = [
        s for s in (pro.services if pro else []) if s.organisation_id == user.organisation_id
    ]
    services.sort(key=lambda s: s.id)
    raw_service = args.get("service", "")
    service = next(
        (s for s in services if str(s.id) == raw_service), services[0] if services else None
    )
    zone = user.organisation.zone
    today = local_date(now_utc(), zone)
    chosen_day = parse_day(args.get("date")) if args.get("date") else today
    if chosen_day is None:
        raise Problem(422, "invalid_input", _("The date is not valid."), {"date": "iso"})
    day = chosen_day
    return Choice(pro, services, service, max(day, today))


def _free_starts(choice: Choice) -> list[datetime]:
    if choice.pro is None or choice.service is None:
        return []
    zone = choice.service.organisation.zone
    start = local_instant(choice.day, time(0), zone)
    end = local_instant(choice.day + timedelta(days=1), time(0), zone)
    # Read afresh: a worker may book a service that families cannot book online. The
    # worker is named (not the only one asked): a team service's other pools still count.
    found = free_times(
        Ask(choice.service.id, start, end, worker_id=choice.pro.id, now=now_utc(), fresh=True)
    )
    return [slot.start for slot in found.slots()] if found is not None else []


def _read_start(form: BookForm, choice: Choice, free: list[datetime]) -> datetime | None:
    raw = form.start.data or ""
    if raw == "other":
        clock = parse_clock(form.other_time.data)
        if clock is None:
            form.problems["other_time"] = _("Write a time such as 18.30.")
            return None
        return local_instant(choice.day, clock, current_user().organisation.zone)
    chosen = next((s for s in free if s.isoformat() == raw), None)
    if chosen is None:
        form.problems["start"] = _("Choose a time.")
    return chosen


def _read_client(form: BookForm, service: Service) -> ClientDetails | None:
    name = form.name.value
    email = form.email.value
    if email and "@" not in email:
        form.problems["email"] = _("Write the e-mail address in the form name@example.fi.")
    phone = None
    raw_phone = form.phone.value
    if raw_phone:
        try:
            phone = normalise_phone(raw_phone)
        except Problem:
            form.problems["phone"] = _("Write the phone number with its area code.")
    if form.send_messages.data and not (email or raw_phone):
        form.problems["email"] = _(
            "Give an e-mail address or a phone number, or choose the printed note."
        )
    elif form.send_messages.data and not email and phone and not can_receive_sms(phone):
        form.problems["phone"] = _(
            "Text messages cannot reach a landline: give a mobile number or an e-mail "
            "address, or choose the printed note."
        )
    answers: dict[str, Any] = {}
    for question in service.intake_questions or []:
        value = form[f"q_{question['id']}"].data or ""
        if value:
            answers[question["id"]] = value == "yes" if question.get("kind") == "yesno" else value
    try:
        answers = validate_answers(service.intake_questions or [], answers)
    except Problem as problem:
        for field in problem.fields:
            form.problems[f"q_{field}"] = _("Answer this question.")
    second = _read_second(form)
    if form.problems or name is None:
        return None
    return ClientDetails(
        name=name,
        email=email,
        phone=phone,
        language=form.language.data,
        intake_answers=answers,
        meeting_language=form.meeting_language.data or None,
        second_client=second,
    )


def _read_second(form: BookForm) -> SecondClient | None:
    """The other parent, when any of their fields is filled in (whether the service allows
    a second client, and that their contact details are not the first's, the operation
    checks)."""
    name, email = form.second_name.value, form.second_email.value
    raw_phone = form.second_phone.value
    if not (name or email or raw_phone):
        return None
    if name is None:
        form.problems["second_name"] = _("Write the name.")
    if email and "@" not in email:
        form.problems["second_email"] = _("Write the e-mail address in the form name@example.fi.")
    phone = None
    if raw_phone:
        try:
            phone = normalise_phone(raw_phone)
        except Problem:
            form.problems["second_phone"] = _("Write the phone number with its area code.")
    if not (email or raw_phone):
        form.problems["second_email"] = _("Give an e-mail address or a mobile number, or both.")
    language = form.second_language.data or "fi"
    return SecondClient(name=name or "", email=email, phone=phone, language=language)


@bp.route("/book", methods=["GET", "POST"])
def book_for_family_page() -> ResponseReturnValue:
    """Book a time of a worker the user reaches for a family, with or without messages."""
    choice = _choice(request.values)
    free = _free_starts(choice)
    service = choice.service
    form = book_form(service.intake_questions or [] if service else [], request.form)
    meetings: list[series.Meeting] | None = None
    if request.method == "POST" and choice.pro is not None and service is not None:
        checks = {"meeting_mode": [one_of(service.meeting_modes)]}
        if service.requires_strong_id:
            checks["identity_check"] = [one_of(IDENTITY_CHECKS)]
        form.check(checks)
        start = _read_start(form, choice, free)
        client = _read_client(form, service)
        if client is not None and start is not None and not form.problems:
            request_ = FamilyBooking(
                service=service,
                professional_id=choice.pro.id,
                start_at=start,
                meeting_mode=form.meeting_mode.data,
                client=client,
                send_messages=form.send_messages.data,
                identity_check=form.identity_check.data if service.requires_strong_id else None,
                outside_hours=form.start.data == "other" and form.outside_hours.data,
            )
            repeat = form.repeat.data
            if repeat != "none":
                done, meetings = _series(form, request_, int(repeat))
                if done is not None:
                    return done
            else:
                done = _single(form, request_)
                if done is not None:
                    return done
    values: MultiDict[str, str] = MultiDict(request.form)
    if request.method == "GET":  # a time chosen on the find-a-time page comes along
        values = MultiDict(
            {"send_messages": "1", "language": "fi", "start": request.args.get("start", "")}
        )
    return render_template(
        "staff/book.html",
        choice=choice,
        pros=visible_professionals(),
        free=free,
        zone=current_user().organisation.zone,
        form=values,
        errors=form.problems,
        texts=texts,
        identity_checks=IDENTITY_CHECKS,
        meetings=meetings,
    ), (422 if form.problems else 200)


def _single(form: BookForm, request_: FamilyBooking) -> ResponseReturnValue | None:
    try:
        booking, token = book_for_family(request_, current_user().id)
    except Problem as problem:
        if problem.status >= 500:
            raise
        form.problems[_problem_field(problem)] = problem_text(problem)
        return None
    if not request_.send_messages:
        session[NOTE_KEY] = {"booking": booking.id, "token": token}
        return redirect(url_for("staff.family_note", booking_id=booking.id))
    flash(_("The time was booked and the family will be told."))
    return redirect(url_for("staff.booking_detail", booking_id=booking.id))


def _series(
    form: BookForm, request_: FamilyBooking, every_weeks: int
) -> tuple[ResponseReturnValue | None, list[series.Meeting] | None]:
    """A series: first the preview of each meeting (free or not), then, confirmed, the
    bookings of the free ones."""
    count = form.count.data
    until = None
    if form.until.data:
        until = parse_day(form.until.data)
        if until is None:
            form.problems["until"] = _("The date is not valid.")
    if form.problems:
        return None, None
    try:
        starts = series.meeting_times(
            request_.start_at, request_.service.organisation.zone, every_weeks, count, until
        )
        replacements = _read_replacements(form, len(starts))
        if not form.series_confirmed.data or form.problems:
            return None, series.preview(request_, starts)
        booked, skipped = series.book_series(request_, starts, current_user().id, replacements)
    except Problem as problem:
        if problem.status >= 500:
            raise
        if problem.code == "replacement_taken":
            form.problems[f"alt_{problem.fields['meeting']}"] = _(
                "The time you picked was taken meanwhile. Pick another time or skip the meeting."
            )
            return None, series.preview(request_, starts)
        field = "until" if problem.code == "series_beyond_horizon" else _problem_field(problem)
        field = "count" if field == "start" else field
        form.problems[field] = problem_text(problem)
        return None, None
    flash(
        _(
            "%(booked)d meetings of the series were booked; %(skipped)d were skipped.",
            booked=len(booked),
            skipped=len(skipped),
        )
    )
    return redirect(url_for("staff.booking_detail", booking_id=booked[0].id)), None


def _problem_field(problem: Problem) -> str:
    """The form field a refusal is shown at: the other parent's for theirs."""
    if problem.code == "same_contact_as_first":
        fields = ("second_email", "second_phone")
        return next((f for f in fields if f in problem.fields), "second_email")
    if problem.code == "second_client_not_allowed":
        return "second_name"
    return "start"


def _read_replacements(form: BookForm, count: int) -> dict[int, datetime]:
    """The other time picked for each meeting that does not fit ("skip" or nothing: none)."""
    picked: dict[int, datetime] = {}
    for index in range(count):
        raw = form[f"alt_{index}"].data or "skip"
        if raw == "skip":
            continue
        start = parse_instant(raw)
        if start is None:
            form.problems[f"alt_{index}"] = _("Pick another time or skip the meeting.")
        else:
            picked[index] = start
    return picked


def problem_text(problem: Problem) -> str:
    """The staff page's words for why the booking operation refused."""
    return {
        "slot_taken": _(
            "The time is not free: it overlaps another booking, an absence or a closure, "
            "or lies outside the weekly hours."
        ),
        "colleague_busy": _("A colleague taking part has another meeting or is away at that time."),
        "in_past": _("That time has passed."),
        "too_far": _("That time is beyond the service's booking horizon."),
        "no_professional": _("The worker does not provide this service."),
        "team_incomplete": _("One of the service's worker groups has nobody who could take part."),
        "invalid_mode": _("The service is not met that way."),
        "identity_check_required": _("Record how you checked the client's identity."),
        "series_beyond_horizon": _("The series goes beyond the service's booking horizon."),
        "same_contact_as_first": _(
            "The other parent needs contact details of their own: these are the first client's."
        ),
        "second_client_not_allowed": _("This service is booked for one client only."),
        "invalid_repeat": _(
            "Give either the number of meetings (2 to 52) or the last day, not both."
        ),
    }.get(problem.code, problem.message)


@bp.get("/bookings/<id:booking_id>/note")
def family_note(booking_id: int) -> ResponseReturnValue:
    """The printable note for a family who gets no messages: the time, the video link's
    instructions and the manage link as a QR code. Shown once, right after booking: only
    the link's hash is kept."""
    booking = booking_or_404(booking_id, "booking.note")
    kept = session.pop(NOTE_KEY, None)
    if not isinstance(kept, dict) or kept.get("booking") != booking.id:
        flash(
            _(
                "The note can be printed only right after booking. "
                "Send the link by message instead."
            ),
            "error",
        )
        return redirect(url_for("staff.booking_detail", booking_id=booking.id))
    log_read(booking, "booking.note")
    link = manage_url(str(kept["token"]))
    qr = segno.make(link, error="m").svg_inline(scale=4, svgclass="qr", lineclass=None)
    qr = qr.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)
    # The note is the family's: in the language of its messages.
    note_lang = booking.language if booking.language in MESSAGE_LANGUAGES else g.lang
    with force_locale(note_lang):
        return render_template(
            "staff/family_note.html",
            booking=booking,
            zone=booking.organisation.zone,
            link=link,
            # segno's own SVG of a link made here: no outside text in it.
            qr=Markup(qr),  # noqa: S704  # nosec B704
            texts=texts,
            note_lang=note_lang,
        )
