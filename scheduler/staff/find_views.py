"""Find a time: the staff page over the unit's workers (``availability.unit_search``)."""

from __future__ import annotations

from datetime import timedelta

from flask import g, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from scheduler.availability.unit_search import PARTS, SPANS, Found, find_times
from scheduler.kernel import Problem, local_date, now_utc
from scheduler.staff import texts
from scheduler.staff.access import reachable_ids, unit_services
from scheduler.staff.blueprint import bp, current_user
from scheduler.staff.desk_forms import FindForm
from scheduler.staff.forms import one_of
from scheduler.web.input import parse_day


@bp.get("/find")
def find_a_time() -> ResponseReturnValue:
    """The search form and, once asked, the free times in one list."""
    services = unit_services()
    form = FindForm(request.args)
    zone = current_user().organisation.zone
    today = local_date(now_utc(), zone)
    results: list[Found] | None = None
    day = today
    if request.args:
        form.check({"part": [one_of(PARTS)]})
        raw_day = form.date.data or ""
        chosen_day = parse_day(raw_day) if raw_day else today
        if chosen_day is None:
            form.problems["date"] = _("The date is not valid.")
        else:
            day = chosen_day
        raw_service = form.service.data or ""
        chosen = [s for s in services if not raw_service or str(s.id) == raw_service]
        if raw_service and not chosen:
            form.problems["service"] = _("Choose among the options.")
        if not form.problems:
            results = find_times(
                chosen,
                max(day, today),
                form.part.data,
                form.language.data,
                form.mode.data,
                now_utc(),
                reachable_ids(),
                SPANS[form.span.data],
            )
    if form.problems:
        raise Problem(422, "invalid_input", next(iter(form.problems.values())), form.problems)
    return render_template(
        "staff/find.html",
        services=services,
        results=results,
        day=max(day, today),
        last_day=max(day, today) + timedelta(days=SPANS[form.span.data] - 1),
        form=request.args,
        parts=PARTS,
        zone=zone,
        texts=texts,
        lang=g.lang,
    )
