"""Administration of services: every field of the model, texts in Finnish, Swedish and
English, intake questions, reminder rules and the identification rule."""

from __future__ import annotations

import re
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from scheduler.extensions import db
from scheduler.models import MEETING_MODES, Service
from scheduler.staff import texts
from scheduler.staff.access import (
    ADMINS,
    professionals_query,
    require_role,
    service_or_404,
    services_query,
    units_query,
)
from scheduler.staff.blueprint import bp, current_user
from scheduler.staff.formdata import LANGS, FormReader
from scheduler.web.input import parse_whole

CATEGORIES = ("family", "children", "advice", "adults", "disability", "other")
QUESTION_KINDS = ("text", "choice", "yesno")
QUESTION_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
REMINDER_ROWS = 4
EXTRA_QUESTIONS = 2
MAX_QUESTIONS = 20


def _parse_questions(form: FormReader) -> list[dict[str, Any]]:
    """Intake question rows; a row without an id is left out. Options are lines of
    ``value | Finnish | Swedish | English``."""
    count = max(0, min(parse_whole(form.data.get("question_count")) or 0, MAX_QUESTIONS))
    questions: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i in range(count):
        p = f"q-{i}-"
        qid = form.data.get(p + "id", "").strip()
        if not qid:
            continue
        if not QUESTION_ID.match(qid) or qid in seen:
            form.errors[p + "id"] = _("Use a unique short name of a–z, digits and _.")
        seen.add(qid)
        kind = form.one_of(p + "kind", QUESTION_KINDS, "text")
        question: dict[str, Any] = {
            "id": qid,
            "kind": kind,
            "required": form.flag(p + "required"),
            "label": form.texts(p + "label", 300),
        }
        if kind == "choice":
            options = []
            for line in form.data.get(p + "options", "").splitlines():
                parts = [part.strip() for part in line.split("|")]
                if not any(parts):
                    continue
                if len(parts) != 4 or not all(parts):
                    form.errors[p + "options"] = _(
                        "Write each option on its own line: value | Finnish | Swedish | English."
                    )
                    break
                options.append(
                    {"value": parts[0], "label": dict(zip(LANGS, parts[1:], strict=True))}
                )
            if not options and p + "options" not in form.errors:
                form.errors[p + "options"] = _("A choice needs at least one option.")
            question["options"] = options
        questions.append(question)
    return questions


def _parse_reminders(form: FormReader) -> list[dict[str, Any]] | None:
    """None (the organisation's default rule) or the service's own reminder rules."""
    if form.data.get("reminders") != "custom":
        return None
    rules = []
    for i in range(REMINDER_ROWS):
        hours = form.integer(f"r-{i}-hours", 1, 24 * 14, required=False)
        if hours is None:
            continue
        channel = form.one_of(f"r-{i}-channel", texts.CHANNELS)
        rules.append({"channel": channel, "before_min": hours * 60})
    return rules


def _read(form: FormReader, service: Service | None) -> dict[str, Any]:
    units = {u.id for u in db.session.scalars(units_query())}
    unit_ids = form.ids("unit_id", units)
    if not unit_ids:
        form.errors["unit_id"] = _("Choose a unit.")
    values: dict[str, Any] = {
        "unit_id": unit_ids[0] if unit_ids else None,
        "slug": form.slug("slug"),
        "category": form.one_of("category", CATEGORIES),
        "name": form.texts("name", 200),
        "description": form.texts("description", 2000),
        "audience": form.texts("audience", 300, required=False),
        "duration_min": form.integer("duration_min", 5, 480),
        "slot_interval_min": form.integer("slot_interval_min", 5, 240),
        "buffer_before_min": form.integer("buffer_before_min", 0, 240),
        "buffer_after_min": form.integer("buffer_after_min", 0, 240),
        "min_notice_min": form.integer("min_notice_min", 0, 60 * 24 * 60),
        "horizon_days": form.integer("horizon_days", 1, 366),
        "max_per_worker_per_day": form.integer("max_per_worker_per_day", 1, 50, required=False),
        "requires_strong_id": form.one_of("identification", ("anonymous", "strong")) == "strong",
        "meeting_modes": form.choices("meeting_modes", MEETING_MODES, at_least_one=True),
        "intake_questions": _parse_questions(form),
        "sensitive": form.flag("sensitive"),
        "reminder_rules": _parse_reminders(form),
        "staff_notices": form.flag("staff_notices"),
        "bookable": form.flag("bookable"),
        "open_on_holidays": form.flag("open_on_holidays"),
    }
    allowed = {p.id: p for p in db.session.scalars(professionals_query())}
    values["professionals"] = [allowed[i] for i in form.ids("professionals", set(allowed))]
    slug_taken = db.session.scalar(
        select(Service.id).where(
            Service.organisation_id == current_user().organisation_id,
            Service.slug == values["slug"],
            Service.id != (service.id if service else -1),
        )
    )
    if slug_taken:
        form.errors["slug"] = _("Another service has this short name.")
    return values


def service_values(service: Service | None) -> MultiDict[str, Any]:
    """The form's fields filled from a saved service (or the defaults of a new one)."""
    values: MultiDict[str, Any] = MultiDict()
    if service is None:
        values.update(
            {
                "category": "family",
                "duration_min": 45,
                "slot_interval_min": 15,
                "buffer_before_min": 0,
                "buffer_after_min": 0,
                "min_notice_min": 120,
                "horizon_days": 56,
                "identification": "anonymous",
                "staff_notices": "1",
                "bookable": "1",
                "reminders": "default",
                "meeting_modes": "video",
            }
        )
        return values
    for key in (
        "unit_id",
        "slug",
        "category",
        "duration_min",
        "slot_interval_min",
        "buffer_before_min",
        "buffer_after_min",
        "min_notice_min",
        "horizon_days",
        "max_per_worker_per_day",
    ):
        value = getattr(service, key)
        values[key] = "" if value is None else value
    for key in ("name", "description", "audience"):
        for lang, text in (getattr(service, key) or {}).items():
            values[f"{key}-{lang}"] = text
    values["identification"] = "strong" if service.requires_strong_id else "anonymous"
    values.setlist("meeting_modes", list(service.meeting_modes or []))
    for key in ("sensitive", "staff_notices", "bookable", "open_on_holidays"):
        if getattr(service, key):
            values[key] = "1"
    values.setlist("professionals", [p.id for p in service.professionals])
    values["reminders"] = "default" if service.reminder_rules is None else "custom"
    for i, rule in enumerate(service.reminder_rules or []):
        values[f"r-{i}-channel"] = rule.get("channel")
        values[f"r-{i}-hours"] = int(rule.get("before_min", 0)) // 60
    for i, q in enumerate(service.intake_questions or []):
        p = f"q-{i}-"
        values[p + "id"] = q.get("id", "")
        values[p + "kind"] = q.get("kind", "text")
        if q.get("required"):
            values[p + "required"] = "1"
        for lang, text in (q.get("label") or {}).items():
            values[f"{p}label-{lang}"] = text
        values[p + "options"] = "\n".join(
            " | ".join([o.get("value", "")] + [o.get("label", {}).get(lang, "") for lang in LANGS])
            for o in q.get("options", [])
        )
    values["question_count"] = len(service.intake_questions or [])
    return values


def _form_page(service: Service | None, form: FormReader) -> ResponseReturnValue:
    values = request.form if request.method == "POST" else service_values(service)
    count = max(0, min(parse_whole(str(values.get("question_count") or 0)) or 0, MAX_QUESTIONS))
    return render_template(
        "staff/admin_service.html",
        service=service,
        form=values,
        errors=form.errors,
        units=list(db.session.scalars(units_query())),
        pro_options=[(p.id, p.name) for p in db.session.scalars(professionals_query())],
        categories=CATEGORIES,
        kinds=QUESTION_KINDS,
        modes=MEETING_MODES,
        question_rows=min(count + EXTRA_QUESTIONS, MAX_QUESTIONS),
        reminder_rows=REMINDER_ROWS,
        texts=texts,
    ), (422 if form.errors else 200)


def _save(service: Service, values: dict[str, Any]) -> None:
    chosen = values.pop("professionals")
    for key, value in values.items():
        setattr(service, key, value)
    # Professionals this user does not administer stay as they were.
    visible = {p.id for p in db.session.scalars(professionals_query())}
    kept = [p for p in service.professionals if p.id not in visible]
    service.professionals = kept + chosen
    db.session.flush()


@bp.get("/admin/services")
@require_role(*ADMINS)
def admin_services() -> ResponseReturnValue:
    services = list(db.session.scalars(services_query()))
    return render_template("staff/admin_services.html", services=services)


@bp.route("/admin/services/new", methods=["GET", "POST"])
@require_role(*ADMINS)
def admin_service_new() -> ResponseReturnValue:
    form = FormReader(request.form)
    if request.method == "POST":
        values = _read(form, None)
        if not form.errors:
            service = Service(organisation_id=current_user().organisation_id)
            db.session.add(service)
            _save(service, values)
            flash(_("The service was added."))
            return redirect(url_for("staff.admin_service", service_id=service.id))
    return _form_page(None, form)


@bp.route("/admin/services/<id:service_id>", methods=["GET", "POST"])
@require_role(*ADMINS)
def admin_service(service_id: int) -> ResponseReturnValue:
    service = service_or_404(service_id)
    form = FormReader(request.form)
    if request.method == "POST":
        values = _read(form, service)
        if not form.errors:
            _save(service, values)
            flash(_("The service was saved."))
            return redirect(url_for("staff.admin_service", service_id=service.id))
    return _form_page(service, form)
