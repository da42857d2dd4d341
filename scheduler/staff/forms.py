"""The administration forms, read through WTForms.

Each form is read from ``request.form`` and checked by ``check()``; ``problems`` then maps
the input name of each field that is not right (``name-sv``, ``q-0-id``) to one message for
the page, in the staff's language. The pages render their inputs themselves
(``templates/staff/_forms.html``), so the field names here are the names of those inputs:
a text in three languages is ``<name>-fi``, ``-sv``, ``-en``; a row of a list is
``<list>-<n>-<field>``. Choices that depend on the viewer (units, workers, services) are
checked by the view with ``extra`` validators (``among_ids``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    Field,
    FieldList,
    Form,
    FormField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import StopValidation, ValidationError

from scheduler.availability.holidays import REGIONS
from scheduler.booking.interpreters import INTERPRETER_LANGUAGES
from scheduler.models import MEETING_MODES, NAME_RULES
from scheduler.staff import texts
from scheduler.web.input import parse_ids, parse_whole

LANGS = ("fi", "sv", "en")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
QUESTION_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
CATEGORIES = ("family", "children", "advice", "adults", "disability", "other")
QUESTION_KINDS = ("text", "choice", "yesno")
STALE_POLICIES = ("withhold", "warn")
REMINDER_ROWS = 4
MAX_QUESTIONS = 20
MAX_POOLS = 4

Validator = Callable[[Form, Field], None]


def strip(value: Any) -> Any:
    """A filter: text without the spaces around it."""
    return value.strip() if isinstance(value, str) else value


# -- validators, with the staff pages' own words ----------------------------------------------


def required() -> Validator:
    def check(form: Form, field: Field) -> None:
        if not field.data and field.data != 0:
            raise StopValidation(_("This is required."))

    return check


def optional() -> Validator:
    """An empty field is left alone (and the rest of its checks are skipped)."""

    def check(form: Form, field: Field) -> None:
        if not field.data and field.data != 0:
            field.errors = []
            raise StopValidation()

    return check


def at_most(length: int) -> Validator:
    def check(form: Form, field: Field) -> None:
        if field.data and len(field.data) > length:
            raise ValidationError(_("At most %(n)d characters.", n=length))

    return check


def number_from(low: int, high: int) -> Validator:
    def check(form: Form, field: Field) -> None:
        if field.data is not None and not low <= field.data <= high:
            raise ValidationError(_("Write a number from %(low)d to %(high)d.", low=low, high=high))

    return check


def one_of(allowed: Collection[str]) -> Validator:
    def check(form: Form, field: Field) -> None:
        if field.data not in allowed:
            raise ValidationError(_("Choose among the options."))

    return check


def among(allowed: Collection[str], at_least_one: bool = False) -> Validator:
    """Several choices, each one of ``allowed`` (and at least one, if so asked)."""

    def check(form: Form, field: Field) -> None:
        chosen = [v for v in field.data or [] if v]
        if any(v not in allowed for v in chosen):
            raise ValidationError(_("Choose among the options."))
        if at_least_one and not chosen:
            raise ValidationError(_("Choose at least one."))

    return check


def among_ids(allowed: Collection[int], missing: str | None = None) -> Validator:
    """Ids (as given in an ``IdsField``) each one of ``allowed``; ``missing`` is the
    message when none is chosen and one must be."""

    def check(form: Form, field: Field) -> None:
        if field.unreadable or not set(field.ids) <= set(allowed):
            raise ValidationError(_("Choose among the options."))
        if missing and not field.ids:
            raise ValidationError(missing)

    return check


def matches(pattern: re.Pattern[str], message: Callable[[], str]) -> Validator:
    def check(form: Form, field: Field) -> None:
        if field.data and not pattern.match(field.data):
            raise ValidationError(message())

    return check


# -- fields -----------------------------------------------------------------------------------


class Text(StringField):
    """A line of text, stripped; ``value`` is None when it is empty."""

    def __init__(self, max_len: int, is_required: bool = False, **kw: Any) -> None:
        checks = [required() if is_required else optional(), at_most(max_len)]
        super().__init__(filters=[strip], validators=checks + kw.pop("validators", []), **kw)

    @property
    def value(self) -> str | None:
        return str(self.data) if self.data else None


class Number(StringField):
    """A whole number in a range; ``data`` is the int, or None when empty or not a number."""

    def __init__(self, low: int, high: int, is_required: bool = True, **kw: Any) -> None:
        checks = [required() if is_required else optional(), number_from(low, high)]
        super().__init__(validators=checks, **kw)
        self.typed: str = ""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.typed = str(valuelist[0]).strip() if valuelist else ""
        self.data = parse_whole(self.typed) if self.typed else None
        if self.typed and self.data is None:
            raise ValueError(_("Write a whole number."))

    def pre_validate(self, form: Form) -> None:
        if self.process_errors:  # not a number: that is the one message
            raise StopValidation()


class Choice(SelectField):
    """One of a fixed set of values (checked by ``one_of``)."""

    def __init__(self, allowed: Collection[str], default: str | None = None, **kw: Any) -> None:
        super().__init__(validate_choice=False, default=default, validators=[one_of(allowed)], **kw)


class Choices(SelectMultipleField):
    def __init__(self, allowed: Collection[str], at_least_one: bool = False, **kw: Any) -> None:
        super().__init__(validate_choice=False, validators=[among(allowed, at_least_one)], **kw)


class IdsField(SelectMultipleField):
    """Ids chosen from a list the view knows (checked by ``among_ids`` given to ``check``)."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(validate_choice=False, **kw)

    @property
    def ids(self) -> list[int]:
        return parse_ids([str(v) for v in self.data or []]) or []

    @property
    def unreadable(self) -> bool:
        """Something was chosen that is not an id at all."""
        return parse_ids([str(v) for v in self.data or []]) is None


class Flag(BooleanField):
    """A check box whose value is "1"."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = bool(valuelist) and valuelist[0] == "1"


def lang_texts(max_len: int, is_required: bool = True) -> FormField:
    """A text in Finnish, Swedish and English (inputs ``<name>-fi``, ``-sv``, ``-en``)."""

    class Texts(Form):
        fi = Text(max_len, is_required)
        sv = Text(max_len, is_required)
        en = Text(max_len, is_required)

    return FormField(Texts, separator="-")


def texts_of(field: FormField) -> dict[str, str]:
    """The languages given in a ``lang_texts`` field."""
    return {lang: field.form[lang].data for lang in LANGS if field.form[lang].data}


# -- the forms --------------------------------------------------------------------------------


class StaffForm(Form):
    """A form of the staff pages; ``check()`` fills ``problems``."""

    def __init__(self, formdata: Any = None, **kw: Any) -> None:
        super().__init__(_named_inputs_only(formdata), **kw)
        self.problems: dict[str, str] = {}

    def check(self, extra: Mapping[str, Iterable[Validator]] | None = None) -> bool:
        """Validate; ``problems`` names each field that is not right. True when all are."""
        self.validate({name: list(checks) for name, checks in (extra or {}).items()})
        self.problems.update(_first_errors(self))
        return not self.problems


def _named_inputs_only(formdata: Any) -> Any:
    """The form data without inputs whose names no form of ours has: every field name here
    is ASCII. A row number such as "²" (``q-²-id``) passes ``str.isdigit`` inside WTForms'
    ``FieldList`` and then fails ``int()``; dropped here, it is simply not a row."""
    if formdata is None or all(key.isascii() for key in formdata):
        return formdata
    return MultiDict([(key, value) for key, value in formdata.items(multi=True) if key.isascii()])


def _first_errors(form: Form) -> dict[str, str]:
    found: dict[str, str] = {}
    for field in form:
        if isinstance(field, FormField):
            found.update(_first_errors(field.form))
        elif isinstance(field, FieldList):
            for entry in field.entries:
                found.update(_first_errors(entry.form))
        elif field.errors:
            found[field.name] = str(field.errors[0])
    return found


class OrganisationForm(StaffForm):
    name = lang_texts(200)
    timezone = Text(64, is_required=True)
    languages = Choices(texts.LANGUAGES, at_least_one=True)
    email_from = Text(255)
    quiet_start = Number(0, 23)
    quiet_end = Number(0, 23)
    stale_policy = Choice(STALE_POLICIES)
    holiday_region = Choice(REGIONS, default="")
    name_sensitive = Flag()


class UnitForm(StaffForm):
    name = lang_texts(200)
    phone = Text(40)
    phone_hours = lang_texts(100, is_required=False)
    open_on_holidays = Flag()


class QuestionForm(Form):
    """One intake question (``q-<n>-…``); a row without an id is an empty row."""

    id = Text(
        200,
        validators=[
            matches(QUESTION_ID, lambda: _("Use a unique short name of a–z, digits and _."))
        ],
    )
    kind = Choice(QUESTION_KINDS, default="text")
    required = Flag()
    label = lang_texts(300)
    options = TextAreaField()

    def validate(self, extra_validators: Any = None) -> bool:
        if not self.id.data:
            return True
        return super().validate(extra_validators)


class ReminderForm(Form):
    """One reminder rule (``r-<n>-…``); a row without hours is an empty row."""

    hours = Number(1, 24 * 14, is_required=False)
    channel = Choice(texts.CHANNELS)

    def validate(self, extra_validators: Any = None) -> bool:
        if self.hours.data is None and not self.hours.typed:
            return True
        return super().validate(extra_validators)


class PoolForm(Form):
    """One pool of a team service (``pool-<n>-…``): what its workers are, in three
    languages, and its members, of whom one takes part; ``remove`` takes the row out."""

    name = lang_texts(200, is_required=False)
    members = IdsField()
    remove = Flag()


class ServiceForm(StaffForm):
    unit_id = IdsField()
    slug = Text(
        64,
        is_required=True,
        validators=[matches(SLUG, lambda: _("Use lower-case letters a–z, digits and hyphens."))],
    )
    category = Choice(CATEGORIES)
    name = lang_texts(200)
    description = lang_texts(2000)
    audience = lang_texts(300, is_required=False)
    duration_min = Number(5, 480)
    slot_interval_min = Number(5, 240)
    buffer_before_min = Number(0, 240)
    buffer_after_min = Number(0, 240)
    min_notice_min = Number(0, 60 * 24 * 60)
    horizon_days = Number(1, 366)
    max_per_worker_per_day = Number(1, 50, is_required=False)
    identification = Choice(("anonymous", "strong"))
    name_rule = Choice(NAME_RULES, default="required")
    meeting_modes = Choices(MEETING_MODES, at_least_one=True)
    q = FieldList(FormField(QuestionForm, separator="-"), max_entries=MAX_QUESTIONS)
    sensitive = Flag()
    reminders = StringField()
    r = FieldList(FormField(ReminderForm, separator="-"), max_entries=REMINDER_ROWS)
    staff_notices = Flag()
    bookable = Flag()
    open_on_holidays = Flag()
    interpreter_languages = Choices(INTERPRETER_LANGUAGES)
    participant_names_shown = Flag()
    allows_second_client = Flag()
    family_cancels = Flag()
    client_leaving_cancels = Flag()
    professionals = IdsField()
    team = Flag()  # several workers together: one from each pool
    pool = FieldList(FormField(PoolForm, separator="-"), max_entries=MAX_POOLS)


class WorkerForm(StaffForm):
    unit_id = IdsField()
    name = Text(200, is_required=True)
    title = lang_texts(200)
    languages = Choices(texts.LANGUAGES, at_least_one=True)
    email = Text(255)
    active = Flag()
    services = IdsField()


class AccountForm(StaffForm):
    role = SelectField(validate_choice=False, default="worker")
    unit_id = IdsField()
    professional_id = IdsField()
    email = Text(255, is_required=True)
    name = Text(200, is_required=True)
    active = Flag()
