"""The booking form of a held time, and giving the time back."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from scheduler import booking as ops
from scheduler.booking import hold_time as holds
from scheduler.booking.asked_details import (
    chosen_meeting_language,
    first_meeting_language,
    meeting_languages,
    offered_languages,
)
from scheduler.booking.intake import validate_answers
from scheduler.extensions import limiter
from scheduler.kernel import Problem
from scheduler.models import Booking
from scheduler.public import identification
from scheduler.public.blueprint import bp, public_limit
from scheduler.public.forms import (
    BOOKING_LANGUAGES,
    QUESTION_PREFIX,
    BookingForm,
    booking_form,
)
from scheduler.public.texts import problem_text
from scheduler.web.i18n import current_language


def load_hold(token: str) -> Booking:
    """The held booking behind a hold token (404 unknown, 410 ran out)."""
    booking = ops.booking_by_hold_token(token)
    g.org = booking.organisation
    g.actor, g.actor_role = "client:booking-form", "client"
    return booking


def service_url(booking: Booking) -> str:
    return url_for(
        "public.service_page", org_slug=booking.organisation.slug, service_slug=booking.service.slug
    )


def _confirm(token: str, booking: Booking, form: BookingForm) -> ResponseReturnValue | None:
    """Confirm the booking; None when the answers need another look (errors put on the form)."""
    service = booking.service
    try:
        answers = validate_answers(service.intake_questions, form.intake_answers(service))
        client = ops.ClientDetails(
            name=form.given_name(),
            email=(form.email.data or "").strip() or None,
            phone=form.contact_phone(),
            language=form.language.data,
            meeting_language=_meeting_language(form, booking),
            intake_answers=answers,
            identity_subject=booking.identity_subject,
            identity_name=booking.identity_name,
            interpreter_language=form.interpreter(),
            # Given only where the service asks (the operation refuses it elsewhere).
            second_client=form.second_client(form.language.data),
        )
        _confirmed, manage_token = ops.confirm(token, client)
    except Problem as exc:
        if exc.code == "same_contact_as_first":
            # The other parent's own details are needed: these are the first parent's.
            for key in exc.fields:
                field = getattr(form, key)
                field.errors = [*field.errors, problem_text(exc.code, exc.message)]
            return None
        if exc.code != "invalid_input":
            raise
        for key in exc.fields:
            if key.startswith("client."):
                field = getattr(form, key.removeprefix("client."), None)
            else:
                field = getattr(form, QUESTION_PREFIX + key.removeprefix("intake_answers."), None)
            if field is not None:
                field.errors = [*field.errors, gettext("Check this answer.")]
        return None
    return redirect(url_for("public.booked", token=manage_token), 303)


def _meeting_language(form: BookingForm, booking: Booking) -> str:
    field = getattr(form, "meeting_language", None)
    chosen = field.data if field is not None else None
    return chosen_meeting_language(booking, chosen, current_language())


@bp.route("/book/<token>", methods=["GET", "POST"])
@limiter.limit(public_limit, methods=["POST"])
def book(token: str) -> ResponseReturnValue:
    """The form: contact details, language, the service's questions and consent."""
    booking = load_hold(token)
    service = booking.service
    if service.requires_strong_id and not booking.identity_subject:
        return render_template(
            "public/identify.html",
            booking=booking,
            service=service,
            token=token,
            back_url=service_url(booking),
            identification_available=identification.available,
        )
    lang = current_language()
    offered = offered_languages(booking.organisation)
    chosen = lang if lang in offered else offered[0]
    defaults = {"language": chosen, "second_language": chosen}
    if booking.identity_name:
        defaults["name"] = booking.identity_name
    spoken = meeting_languages(booking)
    defaults["meeting_language"] = first_meeting_language(booking, lang)
    form = booking_form(
        service, lang, booking.meeting_mode == "phone", data=defaults, spoken=spoken
    )
    # Messages are sent only in the languages the organisation offers families.
    form.language.choices = [c for c in BOOKING_LANGUAGES if c.value in offered]
    form.second_language.choices = form.language.choices
    status = 200
    if request.method == "POST":
        if "extend" in request.form:
            holds.extend_hold(booking)
            flash(gettext("You have more time to fill in the form."), "info")
        elif form.validate():
            done = _confirm(token, booking, form)
            if done is not None:
                return done
            status = 422
        else:
            status = 422
    return render_template(
        "public/book.html",
        booking=booking,
        service=service,
        form=form,
        token=token,
        can_extend=holds.can_extend(booking),
        back_url=service_url(booking),
        spoken=spoken,
    ), status


@bp.post("/book/<token>/release")
@limiter.limit(public_limit)
def release(token: str) -> ResponseReturnValue:
    """Give the held time back and return to the week view to choose another."""
    try:
        booking = load_hold(token)
    except Problem as exc:
        if exc.status not in (404, 410):
            raise
        flash(problem_text(exc.code, exc.message), "error")
        return redirect(url_for("public.home"), 303)
    back = service_url(booking)
    ops.release_hold(token)
    return redirect(back, 303)
