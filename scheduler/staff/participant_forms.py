"""The forms of interpreters and of the others taking part in a booking (read like
``scheduler/staff/forms.py``: ``check()`` fills ``problems`` by input name)."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from wtforms import Field, Form
from wtforms.validators import ValidationError

from scheduler.booking.contact import mobile_phone
from scheduler.booking.interpreters import INTERPRETER_LANGUAGES
from scheduler.kernel import Problem
from scheduler.staff.forms import LANGS, Choice, Choices, Flag, IdsField, StaffForm, Text

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _email(form: Form, field: Field) -> None:
    if field.data and not EMAIL.match(field.data):
        raise ValidationError(_("Write the e-mail address in the form name@example.fi."))


def _phone(form: Form, field: Field) -> None:
    try:
        field.e164 = mobile_phone(field.data) if field.data else None
    except Problem as exc:
        raise ValidationError(_("Write a mobile number, for example 040 123 4567.")) from exc


class ContactForm(StaffForm):
    """A name with an e-mail address, a mobile number or both."""

    name = Text(200, is_required=True)
    email = Text(255, validators=[_email])
    phone = Text(32, validators=[_phone])

    def check(self, extra: Any = None) -> bool:
        super().check(extra)
        if not self.email.data and not self.phone.data and "email" not in self.problems:
            self.problems["email"] = _("Give an e-mail address or a mobile number, or both.")
        return not self.problems

    @property
    def mobile(self) -> str | None:
        return getattr(self.phone, "e164", None)


class InterpreterForm(ContactForm):
    languages = Choices(INTERPRETER_LANGUAGES, at_least_one=True)
    active = Flag()


class GuestForm(ContactForm):
    """Someone from outside (a school nurse) or an interpreter by contact details."""

    language = Choice(LANGS, default="fi")


class InterpreterChoiceForm(StaffForm):
    """An interpreter of the organisation's list (``interpreter_id``)."""

    interpreter_id = IdsField()


class ColleagueForm(StaffForm):
    professional_id = IdsField()
    outside_hours = Flag()
