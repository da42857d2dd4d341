"""The availability editor: weekly hours, absences and extra openings of one worker, with
a preview of the free times they give over the next weeks (fetched live by
static/staff/hours.js, or shown on submit without JavaScript).

A change that would leave future bookings outside the hours (or under an absence) is
refused until the user confirms it; the bookings then stay, listed for the user to move
or cancel.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from scheduler.availability import schedule
from scheduler.availability.coverage import RuleValue
from scheduler.availability.preview import PreviewDay, preview
from scheduler.extensions import db
from scheduler.kernel import Problem
from scheduler.models import (
    Absence,
    Booking,
    ExtraOpening,
    Professional,
    Service,
)
from scheduler.staff import texts
from scheduler.staff.access import not_found, professional_or_404, visible_professionals
from scheduler.staff.blueprint import bp, current_user
from scheduler.staff.hours_forms import (
    ConfirmForm,
    ParsedRules,
    ParsedSpan,
    RuleRow,
    parse_rules,
    parse_span,
    rows_from_rules,
)
from scheduler.web.input import parse_id

EXTRA_ROWS = 2
# The editor's collapsible parts; the one named by ?part= (or with errors) is open.
PARTS = ("weekly", "preview", "absences", "openings")


def _preview(pro: Professional, rules: list[RuleValue]) -> list[PreviewDay]:
    return preview(pro, rules, int(current_app.config.get("STAFF_PREVIEW_WEEKS", 2)))


def _editor(
    pro: Professional,
    parsed: ParsedRules | None = None,
    show_preview: bool = True,
    status: int = 200,
    extra_rows: int = EXTRA_ROWS,
    part: str | None = None,
    **values: Any,
) -> ResponseReturnValue:
    rules = parsed.rules if parsed else schedule.saved_rules(pro)
    rows = parsed.rows if parsed else rows_from_rules(rules)
    rows = rows + [RuleRow() for _ in range(extra_rows)]
    return render_template(
        "staff/hours.html",
        pro=pro,
        pros=visible_professionals(),
        rows=rows,
        errors=parsed.errors if parsed else {},
        preview_days=_preview(pro, rules) if show_preview else None,
        services={s.id: s for s in pro.services},
        absences=schedule.coming_absences(pro),
        openings=schedule.coming_openings(pro),
        zone=pro.organisation.zone,
        texts=texts,
        open_part=part,
        **values,
    ), status


def _back(pro: Professional, part: str) -> ResponseReturnValue:
    """Back to the editor with ``part`` open and its notice, flashed as ``here-…``, in view
    (the browser scrolls to the anchor; staff.js moves the focus there)."""
    return redirect(url_for("staff.hours", professional_id=pro.id, part=part) + f"#{part}-notices")


def _confirm(pro: Professional, bookings: list[Booking], action: str) -> ResponseReturnValue:
    """Ask before a change that leaves bookings outside the hours (409 until confirmed)."""
    fields = [
        (k, v)
        for k, vs in request.form.lists()
        for v in vs
        if k not in ("csrf_token", "confirm_orphans")
    ]
    return render_template(
        "staff/confirm_orphans.html",
        pro=pro,
        bookings=bookings,
        action=action,
        fields=fields,
        zone=pro.organisation.zone,
        services={s.id: s for s in _all_services(bookings)},
    ), 409


def _all_services(bookings: list[Booking]) -> list[Service]:
    return [b.service for b in bookings]


def _confirmed() -> bool:
    return bool(ConfirmForm(request.form).confirm_orphans.data)


@bp.get("/availability")
def hours_home() -> ResponseReturnValue:
    user = current_user()
    chosen = request.args.get("professional", "")
    if chosen:
        pro = professional_or_404(parse_id(chosen) or 0)
        return redirect(url_for("staff.hours", professional_id=pro.id))
    if user.professional_id is not None:
        return redirect(url_for("staff.hours", professional_id=user.professional_id))
    pros = visible_professionals()
    if not pros:
        raise Problem(404, "no_workers", _("There are no workers to edit."))
    return redirect(url_for("staff.hours", professional_id=pros[0].id))


@bp.get("/availability/<id:professional_id>")
def hours(professional_id: int) -> ResponseReturnValue:
    """The editor with the saved hours and their preview; ``?part=`` opens one part."""
    part = request.args.get("part")
    return _editor(professional_or_404(professional_id), part=part if part in PARTS else None)


@bp.post("/availability/<id:professional_id>/preview")
def hours_preview(professional_id: int) -> ResponseReturnValue:
    """The preview of unsaved weekly hours, as an HTML fragment for the live preview."""
    pro = professional_or_404(professional_id)
    parsed = parse_rules(request.form, {s.id for s in pro.services})
    return render_template(
        "staff/_preview.html",
        pro=pro,
        preview_days=_preview(pro, parsed.rules),
        services={s.id: s for s in pro.services},
        zone=pro.organisation.zone,
        has_errors=bool(parsed.errors),
    )


@bp.post("/availability/<id:professional_id>/rules")
def hours_save(professional_id: int) -> ResponseReturnValue:
    """Preview (without JavaScript), add rows, or save the weekly hours."""
    pro = professional_or_404(professional_id)
    parsed = parse_rules(request.form, {s.id for s in pro.services})
    action = parsed.action
    if parsed.errors:
        return _editor(pro, parsed, status=422, part="weekly")
    if action == "preview":
        return _editor(pro, parsed, previewed=True, part="preview")
    if action == "more_rows":
        return _editor(pro, parsed, extra_rows=EXTRA_ROWS + 3, part="weekly")
    outcome = schedule.replace_weekly_rules(pro, parsed.rules, parsed.confirmed)
    if not outcome.done:
        return _confirm(pro, outcome.orphans, url_for("staff.hours_save", professional_id=pro.id))
    orphans = outcome.orphans
    flash(_("The weekly hours were saved."), "here-info")
    if orphans:
        flash(
            _(
                "%(n)d bookings are now outside the hours. Move or cancel them in the agenda.",
                n=len(orphans),
            ),
            "here-error",
        )
    return _back(pro, "weekly")


def _span_form(pro: Professional, whole_days: bool) -> ParsedSpan | None:
    parsed = parse_span(request.form, pro.organisation.zone, whole_days)
    if parsed.errors or parsed.start is None or parsed.end is None:
        for message in dict.fromkeys(parsed.errors.values()):
            flash(message, "here-error")
        return None
    return parsed


@bp.post("/availability/<id:professional_id>/absences")
def absence_add(professional_id: int) -> ResponseReturnValue:
    """Add an absence (whole days when no times are given); a 422 with the editor and its
    messages for a span that cannot be read."""
    pro = professional_or_404(professional_id)
    span = _span_form(pro, whole_days=True)
    if span is None:
        return _editor(pro, status=422, part="absences")
    assert span.start is not None and span.end is not None
    reason = (span.form.reason.data or "")[:200] or None
    outcome = schedule.add_absence(
        pro, span.start, span.end, reason, span.form.confirm_orphans.data
    )
    if not outcome.done:
        return _confirm(pro, outcome.orphans, url_for("staff.absence_add", professional_id=pro.id))
    flash(_("The absence was added."), "here-info")
    return _back(pro, "absences")


@bp.post("/availability/<id:professional_id>/absences/<id:absence_id>/delete")
def absence_delete(professional_id: int, absence_id: int) -> ResponseReturnValue:
    pro = professional_or_404(professional_id)
    absence = db.session.get(Absence, absence_id)
    if absence is None or absence.professional_id != pro.id:
        raise not_found()
    schedule.remove_absence(absence)
    flash(_("The absence was removed."), "here-info")
    return _back(pro, "absences")


@bp.post("/availability/<id:professional_id>/openings")
def opening_add(professional_id: int) -> ResponseReturnValue:
    """Add an extra opening on one date, for all or some of the worker's services."""
    pro = professional_or_404(professional_id)
    span = _span_form(pro, whole_days=False)
    if span is None:
        return _editor(pro, status=422, part="openings")
    assert span.start is not None and span.end is not None
    services = span.form.services
    if services.unreadable or not set(services.ids) <= {s.id for s in pro.services}:
        flash(_("Choose among the worker's services."), "here-error")
        return _editor(pro, status=422, part="openings")
    schedule.add_opening(pro, span.start, span.end, services.ids)
    flash(_("The extra opening was added."), "here-info")
    return _back(pro, "openings")


@bp.post("/availability/<id:professional_id>/openings/<id:opening_id>/delete")
def opening_delete(professional_id: int, opening_id: int) -> ResponseReturnValue:
    pro = professional_or_404(professional_id)
    opening = db.session.get(ExtraOpening, opening_id)
    if opening is None or opening.professional_id != pro.id:
        raise not_found()
    outcome = schedule.remove_opening(pro, opening, _confirmed())
    if not outcome.done:
        return _confirm(
            pro,
            outcome.orphans,
            url_for("staff.opening_delete", professional_id=pro.id, opening_id=opening.id),
        )
    flash(_("The extra opening was removed."), "here-info")
    return _back(pro, "openings")
