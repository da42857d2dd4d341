"""The forms of the worker's desk: booking for a family, closures and the find-a-time
search. Read with WTForms, as every staff form (see ``staff/forms.py``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from wtforms import SelectField, StringField

from scheduler.models import MEETING_MODES
from scheduler.staff import texts
from scheduler.staff.forms import (
    LANGS,
    Choice,
    Flag,
    Number,
    StaffForm,
    Text,
    lang_texts,
    strip,
)


class BookForm(StaffForm):
    """A worker books a time for a family (``staff/book_views.py``); the intake questions of
    the service are added as ``q_<id>`` fields by ``book_form``."""

    start = StringField()
    other_time = StringField(filters=[strip])
    name = Text(200, is_required=True)
    email = Text(255)
    phone = Text(32)
    send_messages = Flag()
    language = Choice(LANGS)
    meeting_language = Choice(("", *texts.LANGUAGES), default="")
    # The other parent, on a service that allows a second client (all empty: none).
    second_name = Text(200)
    second_email = Text(255)
    second_phone = Text(32)
    second_language = Choice(LANGS, default="fi")
    meeting_mode = SelectField(validate_choice=False)
    identity_check = SelectField(validate_choice=False)
    outside_hours = Flag()
    repeat = Choice(("none", "1", "2"), default="none")
    count = Number(2, 52, is_required=False)
    until = StringField(filters=[strip])
    series_confirmed = Flag()


SERIES_CHOICES = 52  # one ``alt_<index>`` per meeting of a series (at most 52)


def book_form(questions: Iterable[Mapping[str, Any]], formdata: Any) -> BookForm:
    """The booking form with one text field per intake question of the service, and for a
    series one choice per meeting that does not fit (``alt_<index>``: "skip" or the start
    of another time)."""
    fields = {f"q_{q['id']}": StringField(filters=[strip]) for q in questions}
    fields.update({f"alt_{i}": StringField(filters=[strip]) for i in range(SERIES_CHOICES)})
    form_class = type("ServiceBookForm", (BookForm,), fields)
    form: BookForm = form_class(formdata)
    return form


class ClosureForm(StaffForm):
    """A closure day or part of one (``staff/admin_closures.py``); the scope is checked by the
    view against the units the user administers."""

    scope = SelectField(validate_choice=False)
    day = StringField(filters=[strip])
    start_time = StringField(filters=[strip])
    end_time = StringField(filters=[strip])
    reason = lang_texts(200)


class FindForm(StaffForm):
    """The find-a-time search (``staff/find_views.py``), read from the query string."""

    date = StringField(filters=[strip])
    part = SelectField(validate_choice=False, default="any")  # checked against the view's parts
    language = Choice(("", *texts.LANGUAGES), default="")
    mode = Choice(("", *MEETING_MODES), default="")
    service = StringField(filters=[strip])
    span = Choice(("day", "week"), default="day")
