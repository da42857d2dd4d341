"""Administration of services: every field of the model, texts in Finnish, Swedish and
English, intake questions, reminder rules, the identification rule and the pools of a
team service (``scheduler.staff.admin_pools``)."""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from scheduler.booking.interpreters import INTERPRETER_LANGUAGES, language_label
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
from scheduler.staff.admin_pools import (
    pool_values,
    pools_shown,
    read_pools,
    rows_to_show,
    save_pools,
)
from scheduler.staff.blueprint import bp, current_user
from scheduler.staff.forms import (
    CATEGORIES,
    LANGS,
    MAX_POOLS,
    MAX_QUESTIONS,
    QUESTION_KINDS,
    REMINDER_ROWS,
    QuestionForm,
    ServiceForm,
    among_ids,
    texts_of,
)
from scheduler.web.input import parse_whole

EXTRA_QUESTIONS = 2


def _questions(form: ServiceForm) -> list[dict[str, Any]]:
    """Intake question rows; a row without an id is left out. Options are lines of
    ``value | Finnish | Swedish | English``."""
    questions: list[dict[str, Any]] = []
    seen: set[str] = set()
    for entry in form.q.entries:
        row: QuestionForm = entry.form
        qid = row.id.data
        if not qid:
            continue
        if qid in seen:
            form.problems[row.id.name] = _("Use a unique short name of a–z, digits and _.")
        seen.add(qid)
        question: dict[str, Any] = {
            "id": qid,
            "kind": row.kind.data,
            "required": row.required.data,
            "label": texts_of(row.label),
        }
        if row.kind.data == "choice":
            question["options"] = _options(form, row)
        questions.append(question)
    return questions


def _options(form: ServiceForm, row: QuestionForm) -> list[dict[str, Any]]:
    options: list[dict[str, Any]] = []
    for line in (row.options.data or "").splitlines():
        parts = [part.strip() for part in line.split("|")]
        if not any(parts):
            continue
        if len(parts) != 4 or not all(parts):
            form.problems[row.options.name] = _(
                "Write each option on its own line: value | Finnish | Swedish | English."
            )
            return options
        options.append({"value": parts[0], "label": dict(zip(LANGS, parts[1:], strict=True))})
    if not options:
        form.problems[row.options.name] = _("A choice needs at least one option.")
    return options


def _reminders(form: ServiceForm) -> list[dict[str, Any]] | None:
    """None (the organisation's default rule) or the service's own reminder rules."""
    if form.reminders.data != "custom":
        return None
    return [
        {"channel": entry.form.channel.data, "before_min": entry.form.hours.data * 60}
        for entry in form.r.entries
        if entry.form.hours.data is not None
    ]


def _read(form: ServiceForm, service: Service | None) -> dict[str, Any]:
    units = {u.id for u in db.session.scalars(units_query())}
    allowed = {p.id: p for p in db.session.scalars(professionals_query())}
    if form.reminders.data != "custom":
        del form.r  # rules that are not used are not checked
    form.check(
        {
            "unit_id": [among_ids(units, missing=_("Choose a unit."))],
            "professionals": [among_ids(set(allowed))],
        }
    )
    pools = read_pools(form, request.form, set(allowed))
    values: dict[str, Any] = {
        "unit_id": form.unit_id.ids[0] if form.unit_id.ids else None,
        "slug": form.slug.data or "",
        "category": form.category.data,
        "name": texts_of(form.name),
        "description": texts_of(form.description),
        "audience": texts_of(form.audience),
        "duration_min": form.duration_min.data,
        "slot_interval_min": form.slot_interval_min.data,
        "buffer_before_min": form.buffer_before_min.data,
        "buffer_after_min": form.buffer_after_min.data,
        "min_notice_min": form.min_notice_min.data,
        "horizon_days": form.horizon_days.data,
        "max_per_worker_per_day": form.max_per_worker_per_day.data,
        "requires_strong_id": form.identification.data == "strong",
        "name_rule": form.name_rule.data,
        "meeting_modes": [mode for mode in form.meeting_modes.data or [] if mode],
        "intake_questions": _questions(form),
        "sensitive": form.sensitive.data,
        "reminder_rules": _reminders(form) if "r" in form else None,
        "staff_notices": form.staff_notices.data,
        "bookable": form.bookable.data,
        "open_on_holidays": form.open_on_holidays.data,
        "interpreter_languages": [c for c in form.interpreter_languages.data or [] if c] or None,
        "participant_names_shown": form.participant_names_shown.data,
        "allows_second_client": form.allows_second_client.data,
        "client_leaving_cancels": form.client_leaving_cancels.data,
        "family_cancels": form.family_cancels.data,
        "professionals": [allowed[i] for i in form.professionals.ids if i in allowed],
        "team": [(pool.name, [allowed[i] for i in pool.member_ids]) for pool in pools]
        if form.team.data
        else None,
    }
    slug_taken = db.session.scalar(
        select(Service.id).where(
            Service.organisation_id == current_user().organisation_id,
            Service.slug == values["slug"],
            Service.id != (service.id if service else -1),
        )
    )
    if slug_taken:
        form.problems["slug"] = _("Another service has this short name.")
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
                "name_rule": "required",
                "staff_notices": "1",
                "bookable": "1",
                "reminders": "default",
                "meeting_modes": "video",
                "participant_names_shown": "1",
                "family_cancels": "1",
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
    values["name_rule"] = service.name_rule
    values.setlist("meeting_modes", list(service.meeting_modes or []))
    values.setlist("interpreter_languages", list(service.interpreter_languages or []))
    for key in (
        "sensitive",
        "staff_notices",
        "bookable",
        "open_on_holidays",
        "participant_names_shown",
        "allows_second_client",
        "client_leaving_cancels",
        "family_cancels",
    ):
        if getattr(service, key):
            values[key] = "1"
    values.setlist("professionals", [p.id for p in service.professionals])
    if service.pools:
        values["team"] = "1"
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


def _form_page(
    service: Service | None, form: ServiceForm, more_pools: bool = False
) -> ResponseReturnValue:
    if request.method == "POST":
        values, pools = pools_shown(form, request.form)
    else:
        values = service_values(service)
        pools = pool_values(service, values) if service is not None else 0
    count = max(0, min(parse_whole(str(values.get("question_count") or 0)) or 0, MAX_QUESTIONS))
    return render_template(
        "staff/admin_service.html",
        service=service,
        form=values,
        errors=form.problems,
        units=list(db.session.scalars(units_query())),
        pro_options=[(p.id, p.name) for p in db.session.scalars(professionals_query())],
        categories=CATEGORIES,
        kinds=QUESTION_KINDS,
        modes=MEETING_MODES,
        interpreter_languages=[
            (code, language_label(code, g.lang)) for code in INTERPRETER_LANGUAGES
        ],
        question_rows=min(count + EXTRA_QUESTIONS, MAX_QUESTIONS),
        reminder_rows=REMINDER_ROWS,
        pool_rows=rows_to_show(pools, more_pools),
        max_pools=MAX_POOLS,
        texts=texts,
    ), (422 if form.problems else 200)


def _save(service: Service, values: dict[str, Any]) -> None:
    chosen = values.pop("professionals")
    pools = values.pop("team")
    for key, value in values.items():
        setattr(service, key, value)
    # Professionals this user does not administer stay as they were.
    visible = {p.id for p in db.session.scalars(professionals_query())}
    kept = [p for p in service.professionals if p.id not in visible]
    members = [p for _name, pool in pools or [] for p in pool]
    everyone = kept + chosen
    service.professionals = everyone + [p for p in dict.fromkeys(members) if p not in everyone]
    save_pools(service, pools, visible)
    db.session.flush()


@bp.get("/admin/services")
@require_role(*ADMINS)
def admin_services() -> ResponseReturnValue:
    services = list(db.session.scalars(services_query()))
    return render_template("staff/admin_services.html", services=services)


@bp.route("/admin/services/new", methods=["GET", "POST"])
@require_role(*ADMINS)
def admin_service_new() -> ResponseReturnValue:
    form = ServiceForm(request.form)
    if request.form.get("action") == "more_pools":
        return _form_page(None, form, more_pools=True)
    if request.method == "POST":
        values = _read(form, None)
        if not form.problems:
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
    form = ServiceForm(request.form)
    if request.form.get("action") == "more_pools":
        return _form_page(service, form, more_pools=True)
    if request.method == "POST":
        values = _read(form, service)
        if not form.problems:
            _save(service, values)
            flash(_("The service was saved."))
            return redirect(url_for("staff.admin_service", service_id=service.id))
    return _form_page(service, form)
