"""JSON API views: parse, load (404), call one operation, shape the answer."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, current_app, g, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from scheduler import audit
from scheduler import booking as ops
from scheduler.api import schemas
from scheduler.api.openapi import openapi_document
from scheduler.api.parsing import parse_body, parse_query
from scheduler.availability import Ask, candidates, free_times
from scheduler.booking import asked_details, attendance, participants, series_family
from scheduler.booking.contact import mobile_phone
from scheduler.booking.intake import validate_answers
from scheduler.extensions import configured_limit, csrf, db, limiter
from scheduler.kernel import Problem
from scheduler.models import Booking, BookingParticipant, Organisation, Professional, Service

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # no cookies authenticate the API: secrets travel in the body or the path


@bp.before_request
def identify_actor() -> None:
    """Everyone on the public API acts as a family; the manage link is their only key."""
    g.actor = "client:manage-link" if request.path.startswith("/api/v1/manage/") else "client:api"
    g.actor_role = "client"


def utc_iso(value: datetime) -> str:
    """An instant as the API writes it: 2027-03-28T07:00:00Z."""
    if value.utcoffset():
        value = value.astimezone(UTC)
    return value.replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def public_limit() -> str:
    return str(current_app.config["RATELIMIT_PUBLIC"])


# Every API use of a service needs its organisation (zone, names): one query for both,
# built once (a query with loader options costs more to build than to run).
_SERVICE = (
    select(Service)
    .where(Service.id == bindparam("id"))
    .options(joinedload(Service.organisation, innerjoin=True))
)


def get_service(service_id: int) -> Service:
    service = db.session.scalar(_SERVICE, {"id": service_id})
    if service is None:
        raise Problem(404, "service_not_found", "No such service.")
    return service


def service_out(service: Service) -> schemas.ServiceOut:
    return schemas.ServiceOut(
        id=service.id,
        slug=service.slug,
        organisation=service.organisation.slug,
        unit_id=service.unit_id,
        category=service.category,
        name=service.name,
        description=service.description,
        audience=service.audience,
        duration_min=service.duration_min,
        meeting_modes=service.meeting_modes,  # type: ignore[arg-type]
        requires_strong_id=service.requires_strong_id,
        bookable=service.bookable,
        intake_questions=[
            schemas.IntakeQuestion.model_validate(q) for q in service.intake_questions
        ],
        interpreter_languages=service.interpreter_languages or [],
        name_rule=service.name_rule,  # type: ignore[arg-type]
    )


def professional_out(pro: Professional) -> schemas.ProfessionalOut:
    return schemas.ProfessionalOut(
        id=pro.id, name=pro.name, title=pro.title, languages=pro.languages
    )


def booking_out(booking: Booking) -> schemas.BookingOut:
    return schemas.BookingOut(
        id=booking.id,
        status=booking.status,  # type: ignore[arg-type]
        service_id=booking.service_id,
        professional=professional_out(booking.professional),
        start_at=booking.start_at,
        end_at=booking.end_at,
        meeting_mode=booking.meeting_mode,  # type: ignore[arg-type]
        language=booking.language,
    )


def booking_detail(booking: Booking) -> schemas.BookingDetailOut:
    return schemas.BookingDetailOut(
        **booking_out(booking).model_dump(),
        client_name=booking.client_name,
        client_email=booking.client_email,
        client_phone=booking.client_phone,
        meeting_language=booking.meeting_language,
        intake_answers=booking.intake_answers or {},
        cancelled_by=booking.cancelled_by,
        client_left=booking.client_left_at is not None,
    )


def participant_detail(participant: BookingParticipant) -> schemas.ParticipantDetailOut:
    """A participant's own view: their name and answer, the appointment, nobody's details."""
    return schemas.ParticipantDetailOut(
        role=participant.role.value,
        name=participant.name,
        attendance=participant.attendance.value,
        booking=booking_out(participant.booking),
    )


def _holder(token: str) -> Booking | BookingParticipant:
    """The first client's booking or a participant behind a secret link (404, 410)."""
    holder = attendance.holder_of(token)
    if isinstance(holder, BookingParticipant):
        g.actor = "client:participant-link"
    return holder


def _answer(holder: Booking | BookingParticipant) -> ResponseReturnValue:
    if isinstance(holder, BookingParticipant):
        return jsonify(participant_detail(holder).model_dump(mode="json"))
    return jsonify(managed_out(holder).model_dump(mode="json"))


def managed_out(booking: Booking) -> schemas.ManagedOut:
    """A booking by its manage token, with its series' meetings."""
    return schemas.ManagedOut(
        **booking_detail(booking).model_dump(),
        series=[
            schemas.SeriesMeetingOut(
                start_at=m.start_at,
                end_at=m.end_at,
                state=m.state,  # type: ignore[arg-type]
                this=m.this,
            )
            for m in series_family.meetings_of(booking)
        ],
    )


def manage_url(token: str) -> str:
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}/manage/{token}"


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    return jsonify(openapi_document())


@bp.get("/services")
def list_services() -> ResponseReturnValue:
    query = select(Service).where(Service.bookable.is_(True)).order_by(Service.id)
    org_slug = request.args.get("organisation")
    if org_slug:
        query = query.join(Organisation, Organisation.id == Service.organisation_id).where(
            Organisation.slug == org_slug
        )
    services = [service_out(s) for s in db.session.scalars(query)]
    return jsonify(schemas.ServiceList(services=services).model_dump(mode="json"))


@bp.get("/services/<id:service_id>")
def get_service_view(service_id: int) -> ResponseReturnValue:
    return jsonify(service_out(get_service(service_id)).model_dump(mode="json"))


@bp.get("/services/<id:service_id>/professionals")
def list_professionals(service_id: int) -> ResponseReturnValue:
    service = get_service(service_id)
    pros = [professional_out(p) for p in candidates.candidates(service)]
    return jsonify(schemas.ProfessionalList(professionals=pros).model_dump(mode="json"))


@bp.get("/services/<id:service_id>/slots")
@limiter.limit(configured_limit("RATELIMIT_PAGES"))
def list_slots(service_id: int) -> ResponseReturnValue:
    # The hot path of the service: one query of plain rows and cached JSON pieces instead
    # of ORM objects and a model per slot (scheduler/availability/free.py).
    query = parse_query(schemas.SlotQuery)
    found = free_times(
        Ask(
            service_id,
            days=(query.from_date, query.to_date),
            after=query.after,
            worker_id=query.professional_id,
            language=query.language,
            limit=query.limit,
            detached=True,
        )
    )
    if found is None:
        raise Problem(404, "service_not_found", "No such service.")
    first, last = found.days
    if last < first:
        raise Problem(422, "invalid_input", "'to' is before 'from'.", {"to": "before 'from'"})
    if (last - first).days > schemas.MAX_SEARCH_DAYS:
        raise Problem(
            422,
            "invalid_input",
            f"At most {schemas.MAX_SEARCH_DAYS} days at a time.",
            {"to": "too far from 'from'"},
        )
    if not found.candidates and not found.withheld:
        _check_asked(service_id, query.professional_id, query.language)
    pieces = found.pieces()
    next_after = "null"
    if found.cut:
        next_after = f'"{utc_iso(found.last_start())}"'
    # The shape of schemas.SlotList, keys sorted as jsonify writes them.
    body = (
        f'{{"from_date":"{first.isoformat()}","next_after":{next_after},'
        f'"service_id":{service_id},"slots":[{",".join(pieces)}],'
        f'"to_date":"{last.isoformat()}",'
        f'"withheld_professional_ids":[{",".join(str(pid) for pid in found.withheld)}]}}\n'
    )
    return current_app.response_class(body, mimetype="application/json")


def _check_asked(service_id: int, professional_id: int | None, language: str | None) -> None:
    """No times because nobody answers to what was asked: a 404 that says so, never an
    empty answer that looks like a full week (read only when the answer is empty)."""
    if professional_id is None and language is None:
        return
    team = candidates.team(get_service(service_id))
    if professional_id is not None and professional_id not in {p.id for p in team}:
        raise Problem(404, "no_professional", "No such worker offers this service.")
    if language is not None and language not in {c for p in team for c in p.languages or []}:
        raise Problem(404, "no_professional", "No worker of this service speaks this language.")


@bp.post("/holds")
@limiter.limit(public_limit)
def create_hold() -> ResponseReturnValue:
    data = parse_body(schemas.HoldIn)
    service = get_service(data.service_id)
    booking, token = ops.hold(
        service, data.start_at, data.professional_id, data.language, data.meeting_mode
    )
    body = schemas.HoldOut(
        hold_token=token,
        expires_at=booking.hold_expires_at,  # type: ignore[arg-type]
        booking=booking_out(booking),
    )
    return jsonify(body.model_dump(mode="json")), 201


@bp.delete("/holds/<token>")
@limiter.limit(public_limit)
def delete_hold(token: str) -> ResponseReturnValue:
    ops.release_hold(token)
    return "", 204


@bp.post("/bookings")
@limiter.limit(public_limit)
def create_booking() -> ResponseReturnValue:
    data = parse_body(schemas.ConfirmIn)
    held = ops.booking_by_hold_token(data.hold_token)
    # As the family's booking form asks them: the name per the service, the meeting's
    # language among the worker's.
    name = asked_details.family_name(held.service, data.client.name)
    language = asked_details.message_language(held.organisation, data.language)
    meeting_language = asked_details.chosen_meeting_language(held, data.meeting_language, language)
    answers = validate_answers(held.service.intake_questions, dict(data.intake_answers))
    client = ops.ClientDetails(
        name=name,
        email=data.client.email,
        phone=mobile_phone(data.client.phone),
        language=language,
        meeting_language=meeting_language,
        intake_answers=answers,
        interpreter_language=data.interpreter_language,
        second_client=second_client(data.second_client),
    )
    booking, token = ops.confirm(data.hold_token, client, held)
    body = schemas.ConfirmOut(
        manage_token=token, manage_url=manage_url(token), booking=booking_detail(booking)
    )
    return (
        jsonify(body.model_dump(mode="json")),
        201,
        {"Location": url_for("api.get_managed", token=token)},
    )


def second_client(data: schemas.SecondClientIn | None) -> ops.SecondClient | None:
    if data is None:
        return None
    return ops.SecondClient(
        name=data.name.strip(),
        email=data.email,
        phone=mobile_phone(data.phone),
        language=data.language,
    )


@bp.get("/manage/<token>")
@limiter.limit(public_limit)
def get_managed(token: str) -> ResponseReturnValue:
    """The booking by the first client's link, or the participant's own view by theirs;
    the access log names whose data was shown."""
    holder = _holder(token)
    if isinstance(holder, BookingParticipant):
        participants.viewed(holder)
    else:
        audit.record(
            holder.organisation_id,
            "booking.read",
            f"booking:{holder.id}",
            ops.client_identifiers(holder),
        )
    return _answer(holder)


@bp.post("/manage/<token>/cancel")
@limiter.limit(public_limit)
def cancel_managed(token: str) -> ResponseReturnValue:
    """Cancel through one's own link. A participant's cancel means they will not take
    part; the first client's, with another client still taking part, that only they
    leave. The meeting is cancelled when the service says one client leaving cancels it,
    or when no client is left. The first client's ``scope: following`` cancels this
    meeting and the later ones of its series, told in one notice."""
    data = parse_body(schemas.CancelIn)
    holder = _holder(token)
    if isinstance(holder, BookingParticipant):
        if data.scope == "following":
            raise Problem(
                422,
                "invalid_input",
                "Only the booking's own link cancels the later meetings of a series.",
                {"scope": "this only, with a participant's link"},
            )
        attendance.answer(holder, attending=False)
    elif data.scope == "following":
        series_family.cancel_following(holder, data.reason)
    else:
        attendance.client_leaves(holder, data.reason)
    return _answer(holder)


@bp.post("/manage/<token>/attendance")
@limiter.limit(public_limit)
def attendance_managed(token: str) -> ResponseReturnValue:
    """Say through one's own link whether one takes part: someone who said they will not
    may take part again while the meeting is ahead."""
    data = parse_body(schemas.AttendanceIn)
    holder = _holder(token)
    if isinstance(holder, BookingParticipant):
        attendance.answer(holder, attending=data.attending)
    elif data.attending:
        attendance.client_rejoins(holder)
    else:
        attendance.client_leaves(holder)
    return _answer(holder)


@bp.post("/manage/<token>/reschedule")
@limiter.limit(public_limit)
def reschedule_managed(token: str) -> ResponseReturnValue:
    data = parse_body(schemas.RescheduleIn)
    booking = ops.reschedule(
        ops.booking_by_manage_token(token), data.start_at, data.professional_id
    )
    return jsonify(managed_out(booking).model_dump(mode="json"))
