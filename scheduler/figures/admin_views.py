"""The administrators' figure pages: an overview of every unit and service in reach over
a chosen period, the charts of one of them, and the CSV download.

Only administrators see them: an organisation administrator every unit, a unit
administrator their own. A unit or service of another organisation is 404, one of
another unit 403 (the staff pages' own loaders decide). The figures are anonymous
counts; the families' comments, which may name someone, are shown here only, and each
showing is written to the access log.
"""

from __future__ import annotations

from flask import Response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from scheduler import audit
from scheduler.extensions import db
from scheduler.figures.blueprint import figures_bp as bp
from scheduler.figures.export import csv_text
from scheduler.figures.periods import Period, parse_period, summarise
from scheduler.figures.report import Subject, number, snapshot_rows, subject_charts, subjects
from scheduler.figures.snapshot import figure_runs
from scheduler.kernel import local_date, now_utc
from scheduler.models import Feedback, StaffUser
from scheduler.staff.access import ADMINS, not_found, require_role, service_or_404, unit_or_404
from scheduler.staff.blueprint import current_user
from scheduler.web.input import parse_id

MAX_COMMENTS = 100


def _period(user: StaffUser) -> tuple[Period, dict[str, str]]:
    today = local_date(now_utc(), user.organisation.zone)
    period, problems = parse_period(request.args, today)
    texts = {
        "invalid_date": _("Give the date in the form 31.12.2025."),
        "end_before_start": _("The end of the period must not be before its start."),
        "too_long": _("Choose a period of at most one year."),
    }
    return period, {name: texts[code] for name, code in problems.items()}


def _chosen(user: StaffUser, everyone: list[Subject]) -> Subject | None:
    """The subject of ``?subject=unit-3`` or ``service-5`` (checked by the staff loaders),
    else the first one in reach."""
    raw = request.args.get("subject", "")
    if not raw:
        return everyone[0] if everyone else None
    scope, _sep, raw_id = raw.partition("-")
    ident = parse_id(raw_id)
    if scope not in ("unit", "service") or ident is None:
        raise not_found()
    if scope == "unit":
        unit_or_404(ident)
    else:
        service_or_404(ident)
    for subject in everyone:
        if subject.scope == scope and subject.id == ident:
            return subject
    raise not_found()


def _comments(user: StaffUser, subject: Subject, period: Period) -> list[Feedback]:
    column = Feedback.unit_id if subject.scope == "unit" else Feedback.service_id
    found = list(
        db.session.scalars(
            select(Feedback)
            .where(
                Feedback.organisation_id == user.organisation_id,
                column == subject.id,
                Feedback.received_on >= period.start,
                Feedback.received_on <= period.end,
                Feedback.comment.is_not(None),
            )
            .order_by(Feedback.received_on.desc(), Feedback.id.desc())
            .limit(MAX_COMMENTS)
        )
    )
    if found:
        # A comment may carry personal data, though no client can be told from it.
        audit.record(user.organisation_id, "feedback.comments.read", subject.key)
    return found


@bp.get("")
@require_role(*ADMINS)
def overview() -> ResponseReturnValue:
    """The figures of the chosen period: a table of every unit and service, the charts
    of the chosen one, its families' comments, and the CSV link."""
    user = current_user()
    period, errors = _period(user)
    everyone = subjects(user)
    chosen = _chosen(user, everyone)
    rows = snapshot_rows(user, period)
    totals = [
        (subject, summarise(rows.get((subject.scope, subject.id), []))) for subject in everyone
    ]
    blocks = (
        subject_charts(chosen, rows.get((chosen.scope, chosen.id), []), period) if chosen else []
    )
    comments = _comments(user, chosen, period) if chosen else []
    return render_template(
        "figures/admin.html",
        period=period,
        errors=errors,
        form=request.args,
        subjects=everyone,
        chosen=chosen,
        totals=totals,
        blocks=blocks,
        comments=comments,
        number=number,
        runs=figure_runs(user.organisation),
        zone=user.organisation.zone,
    ), (422 if errors else 200)


@bp.get("/figures.csv")
@require_role(*ADMINS)
def download() -> ResponseReturnValue:
    """Every unit and service in reach, one row per day of the period, as CSV. Only
    anonymous counts (no comments), so the download needs no access-log row."""
    user = current_user()
    period, errors = _period(user)
    if errors:
        return render_template(
            "figures/admin.html",
            period=period,
            errors=errors,
            form=request.args,
            subjects=[],
            chosen=None,
            totals=[],
            blocks=[],
            comments=[],
            number=number,
            runs=figure_runs(user.organisation),
            zone=user.organisation.zone,
        ), 422
    text = csv_text(subjects(user), snapshot_rows(user, period))
    name = f"figures-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    return Response(
        text, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
