"""The access log export (one client's log as CSV: the client's right under Act 703/2023)
and the messages the outbox gave up on."""

from __future__ import annotations

import csv
import io

from flask import Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import or_, select

import notifications
from scheduler import audit
from scheduler.booking import client_identifiers
from scheduler.booking.contact import normalise_phone
from scheduler.extensions import db
from scheduler.kernel import Problem, spreadsheet_safe
from scheduler.models import AccessLogEntry, Booking, BookingParticipant, StaffRole
from scheduler.staff import access_log_words as words
from scheduler.staff import texts
from scheduler.staff.access import not_found, require_role
from scheduler.staff.blueprint import bp, current_user

EXPORT_LANGUAGES = ("fi", "sv", "en")


def identifier_variants(raw: str) -> list[str]:
    """The ways one client identifier may have been written: as typed, and a phone number
    in the E.164 form that bookings store."""
    raw = raw.strip()
    variants = [raw]
    if "@" not in raw and any(c.isdigit() for c in raw):
        try:
            phone = normalise_phone(raw)
        except Problem:
            phone = None
        if phone:
            variants.append(phone)
    return variants


def client_refs(organisation_id: int, identifier: str) -> set[str]:
    """Every keyed reference under which the client's rows may be logged: the identifier
    itself and the other identifiers (identity, e-mail, phone) of the client's bookings."""
    variants = identifier_variants(identifier)
    lowered = [v.lower() for v in variants]
    identifiers: set[str] = set(variants)
    bookings = db.session.scalars(
        select(Booking).where(
            Booking.organisation_id == organisation_id,
            or_(
                Booking.identity_subject.in_(variants),
                Booking.client_email.in_(lowered + variants),
                Booking.client_phone.in_(variants),
            ),
        )
    )
    for booking in bookings:
        identifiers.update(i for i in client_identifiers(booking) if i)
    # The client may also have taken part in others' bookings (a second parent).
    joined = db.session.scalars(
        select(BookingParticipant)
        .join(Booking, Booking.id == BookingParticipant.booking_id)
        .where(
            Booking.organisation_id == organisation_id,
            or_(
                BookingParticipant.email.in_(lowered + variants),
                BookingParticipant.phone.in_(variants),
            ),
        )
    )
    for participant in joined:
        identifiers.update(i for i in (participant.email, participant.phone) if i)
    return {ref for ref in (audit.client_ref(i) for i in identifiers) if ref}


@bp.route("/admin/access-log", methods=["GET", "POST"])
@require_role(StaffRole.ORG_ADMIN)
def admin_access_log() -> ResponseReturnValue:
    """Choose a client by e-mail, phone or identity; download that client's log as CSV,
    in the client's language, or be told on the page that nothing was found."""
    if request.method == "GET":
        return render_template("staff/admin_access_log.html", languages=EXPORT_LANGUAGES)
    identifier = request.form.get("identifier", "").strip()
    if not 3 <= len(identifier) <= 255:
        flash(_("Write the client's e-mail address, phone number or identity."), "error")
        return redirect(url_for("staff.admin_access_log"))
    org = current_user().organisation
    refs = client_refs(org.id, identifier)
    rows = list(
        db.session.scalars(
            select(AccessLogEntry)
            .where(AccessLogEntry.organisation_id == org.id, AccessLogEntry.client_ref.in_(refs))
            .order_by(AccessLogEntry.seq)
        )
    )
    # The export itself is a read of the client's data, so it is logged too (after the
    # rows are read: the file shows the log as it was when asked for).
    audit.record(org.id, "access_log.export", "client", identifier_variants(identifier)[-1:])
    if not rows:
        return render_template(
            "staff/admin_access_log.html",
            languages=EXPORT_LANGUAGES,
            nothing_for=identifier,
            chosen=request.form.get("language", ""),
        )
    lang = _export_language(request.form.get("language", ""), org.id, identifier)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(words.headings(lang))
    for row in rows:
        cells = words.readable_row(
            lang,
            org.zone,
            row.at,
            row.actor,
            row.role,
            row.action,
            row.target,
            row.source,
            row.result,
        )
        writer.writerow([spreadsheet_safe(cell) for cell in cells])
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="access-log-{lang}.csv"'},
    )


def _export_language(chosen: str, organisation_id: int, identifier: str) -> str:
    """The language asked for, else the one the client chose at their latest booking."""
    if chosen in EXPORT_LANGUAGES:
        return chosen
    variants = identifier_variants(identifier)
    latest = db.session.scalar(
        select(Booking.language)
        .where(
            Booking.organisation_id == organisation_id,
            or_(
                Booking.identity_subject.in_(variants),
                Booking.client_email.in_([v.lower() for v in variants] + variants),
                Booking.client_phone.in_(variants),
            ),
        )
        .order_by(Booking.created_at.desc())
        .limit(1)
    )
    return latest if latest in EXPORT_LANGUAGES else "fi"


@bp.get("/admin/failed-messages")
@require_role(StaffRole.ORG_ADMIN)
def admin_failed_messages() -> ResponseReturnValue:
    """Messages that could not be delivered, so that staff can reach the family otherwise."""
    org_id = current_user().organisation_id
    failed = notifications.failed_messages(org_id)
    for message in failed:
        # The recipients are client data.
        audit.record(org_id, "outbox.failed.read", f"outbox:{message.id}", [message.recipient])
    return render_template("staff/admin_failed.html", failed=failed, texts=texts)


@bp.post("/admin/failed-messages/<id:message_id>/retry")
@require_role(StaffRole.ORG_ADMIN)
def admin_failed_retry(message_id: int) -> ResponseReturnValue:
    if not notifications.retry_failed(message_id, current_user().organisation_id):
        raise not_found()
    flash(_("The message will be sent again."))
    return redirect(url_for("staff.admin_failed_messages"))
