"""Administration of the organisation's interpreters: name, languages and contact details.
Workers pick from this list when they add an interpreter to a booking."""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from scheduler import audit
from scheduler.booking.interpreters import INTERPRETER_LANGUAGES, language_label
from scheduler.extensions import db
from scheduler.kernel import now_utc
from scheduler.models import Interpreter
from scheduler.staff.access import ADMINS, not_found, require_role
from scheduler.staff.blueprint import bp, current_user
from scheduler.staff.participant_forms import InterpreterForm


def _interpreter_or_404(interpreter_id: int) -> Interpreter:
    interpreter = db.session.get(Interpreter, interpreter_id)
    if interpreter is None or interpreter.organisation_id != current_user().organisation_id:
        raise not_found()
    return interpreter


def _values(interpreter: Interpreter | None) -> MultiDict[str, Any]:
    values: MultiDict[str, Any] = MultiDict()
    if interpreter is None:
        values["active"] = "1"
        return values
    values["name"] = interpreter.name
    values["email"] = interpreter.email or ""
    values["phone"] = interpreter.phone or ""
    values.setlist("languages", list(interpreter.languages))
    if interpreter.active:
        values["active"] = "1"
    return values


def _page(interpreter: Interpreter | None, form: InterpreterForm) -> ResponseReturnValue:
    return render_template(
        "staff/admin_interpreter.html",
        interpreter=interpreter,
        form=request.form if request.method == "POST" else _values(interpreter),
        errors=form.problems,
        language_options=[(c, language_label(c, g.lang)) for c in INTERPRETER_LANGUAGES],
    ), (422 if form.problems else 200)


def _save(interpreter: Interpreter, form: InterpreterForm, action: str) -> None:
    interpreter.name = form.name.data
    interpreter.languages = [c for c in form.languages.data or [] if c]
    interpreter.email = (form.email.data or "").lower() or None
    interpreter.phone = form.mobile
    interpreter.active = form.active.data
    db.session.flush()
    audit.record(interpreter.organisation_id, action, f"interpreter:{interpreter.id}")


@bp.get("/admin/interpreters")
@require_role(*ADMINS)
def admin_interpreters() -> ResponseReturnValue:
    org_id = current_user().organisation_id
    interpreters = list(
        db.session.scalars(
            select(Interpreter)
            .where(Interpreter.organisation_id == org_id)
            .order_by(Interpreter.name, Interpreter.id)
        )
    )
    audit.record(org_id, "interpreter.list", "interpreters")
    return render_template(
        "staff/admin_interpreters.html",
        interpreters=interpreters,
        language_label=lambda code: language_label(code, g.lang),
    )


@bp.route("/admin/interpreters/new", methods=["GET", "POST"])
@require_role(*ADMINS)
def admin_interpreter_new() -> ResponseReturnValue:
    form = InterpreterForm(request.form)
    if request.method == "POST" and form.check():
        interpreter = Interpreter(
            organisation_id=current_user().organisation_id, created_at=now_utc()
        )
        db.session.add(interpreter)
        _save(interpreter, form, "interpreter.create")
        flash(_("The interpreter was added."))
        return redirect(url_for("staff.admin_interpreters"))
    return _page(None, form)


@bp.route("/admin/interpreters/<id:interpreter_id>", methods=["GET", "POST"])
@require_role(*ADMINS)
def admin_interpreter(interpreter_id: int) -> ResponseReturnValue:
    interpreter = _interpreter_or_404(interpreter_id)
    form = InterpreterForm(request.form)
    if request.method == "POST" and form.check():
        _save(interpreter, form, "interpreter.update")
        flash(_("The interpreter was saved."))
        return redirect(url_for("staff.admin_interpreters"))
    if request.method == "GET":
        audit.record(
            interpreter.organisation_id, "interpreter.read", f"interpreter:{interpreter.id}"
        )
    return _page(interpreter, form)
