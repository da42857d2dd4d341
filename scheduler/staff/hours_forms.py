"""The availability editor's forms, read with WTForms as every staff form (``staff/forms.py``):
the weekly hours (rows ``rule-<n>-…``), absences and extra openings."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from wtforms import Field, FieldList, Form, FormField, StringField
from wtforms.validators import StopValidation, ValidationError

from scheduler.availability.coverage import RuleValue
from scheduler.kernel import local_instant
from scheduler.staff.forms import Flag, IdsField, StaffForm, strip
from scheduler.web.i18n import format_date
from scheduler.web.input import parse_clock, parse_date, parse_whole

MAX_ROWS = 60
ACTIONS = ("save", "preview", "more_rows")


def _time_hint() -> str:
    return _("Write a time such as 8.00.")


def _end_hint() -> str:
    return _("Write a time such as 16.00.")


def _date_hint() -> str:
    return _("Write a date such as 1.3.2026.")


class Typed(StringField):
    """A text read into a value by ``reader``; ``data`` is the value (None when empty),
    ``typed`` the text as given. Text that cannot be read is the field's one error."""

    def __init__(self, reader: Callable[[str], Any], hint: Callable[[], str], **kw: Any) -> None:
        super().__init__(**kw)
        self.reader, self.hint = reader, hint
        self.typed = ""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.typed = str(valuelist[0]).strip() if valuelist else ""
        self.data = self.reader(self.typed) if self.typed else None
        if self.typed and self.data is None:
            raise ValueError(self.hint())

    def pre_validate(self, form: Form) -> None:
        if self.process_errors:
            raise StopValidation()


def clock(hint: Callable[[], str]) -> Typed:
    """A wall-clock time as Finns write it ("9", "9.15", "09:15")."""
    return Typed(parse_clock, hint)


def day() -> Typed:
    """A date, ISO (the date input) or Finnish (22.11.2026)."""
    return Typed(parse_date, _date_hint)


def _weekday(form: Form, field: Field) -> None:
    value = parse_whole(field.data)
    if value is None or not 0 <= value <= 6:
        raise ValidationError(_("Choose a weekday."))


class RuleRowForm(Form):
    """One row of the weekly hours; a row with neither start nor end is left out."""

    weekday = StringField(default="0", filters=[strip], validators=[_weekday])
    start = clock(_time_hint)
    end = clock(_end_hint)
    valid_from = day()
    valid_to = day()
    services = IdsField()

    @property
    def empty(self) -> bool:
        return not self.start.typed and not self.end.typed

    def validate(self, extra_validators: Any = None) -> bool:
        if self.empty:
            return True
        super().validate(extra_validators)
        start, end = self.start.data, self.end.data
        if start is None and not self.start.errors:
            self.start.errors = [_time_hint()]
        if end is None:
            if not self.end.errors:
                self.end.errors = [_end_hint()]
        elif start is not None and not start < end:
            self.end.errors = [_("The end must be after the start.")]
        first, last = self.valid_from.data, self.valid_to.data
        if first is not None and last is not None and last < first:
            self.valid_to.errors = [_("The last day must not be before the first day.")]
        return not any(f.errors for f in self)


class RulesForm(StaffForm):
    """The weekly hours form: its rows, and what to do with them."""

    rule = FieldList(FormField(RuleRowForm, separator="-"), max_entries=MAX_ROWS)
    action = StringField(default="save")  # anything else is "save", the form's main button
    confirm_orphans = Flag()


class ConfirmForm(StaffForm):
    """The answer to "bookings would be left outside the hours: go on?"."""

    confirm_orphans = Flag()


@dataclass
class RuleRow:
    """One row of the weekly hours form as typed, to show again with its errors."""

    weekday: str = "0"
    start: str = ""
    end: str = ""
    valid_from: str = ""
    valid_to: str = ""
    service_ids: list[int] = field(default_factory=list)

    @property
    def period(self) -> str:
        """The row's period of validity as "1.1.2027–31.5.2027" ("1.1.2027–" when open
        ended); empty when the row is always valid or its dates cannot be read."""
        first, last = parse_date(self.valid_from), parse_date(self.valid_to)
        if first is None and last is None:
            return ""
        return f"{format_date(first) if first else ''}–{format_date(last) if last else ''}"


@dataclass
class ParsedRules:
    rows: list[RuleRow]
    rules: list[RuleValue]
    errors: dict[str, str]
    action: str = "save"
    confirmed: bool = False


def rows_from_rules(rules: list[RuleValue]) -> list[RuleRow]:
    return [
        RuleRow(
            weekday=str(r.weekday),
            start=r.start.strftime("%H:%M"),
            end=r.end.strftime("%H:%M"),
            valid_from=r.valid_from.isoformat() if r.valid_from else "",
            valid_to=r.valid_to.isoformat() if r.valid_to else "",
            service_ids=list(r.service_ids),
        )
        for r in rules
    ]


def _services_among(allowed: Collection[int]) -> Callable[[Form, Field], None]:
    def check(form: Form, field: Field) -> None:
        if field.unreadable or not set(field.ids) <= set(allowed):
            raise ValidationError(_("Choose among the worker's services."))

    return check


def parse_rules(formdata: Any, allowed_services: set[int]) -> ParsedRules:
    """The weekly rules of the form; a row with neither start nor end is left out."""
    form = RulesForm(formdata)
    for entry in form.rule.entries:
        services = entry.form.services
        services.validators = [*services.validators, _services_among(allowed_services)]
    form.check()
    rows, rules = [], []
    for entry in form.rule.entries:
        row: RuleRowForm = entry.form
        rows.append(
            RuleRow(
                weekday=row.weekday.data or "0",
                start=row.start.typed,
                end=row.end.typed,
                valid_from=row.valid_from.typed,
                valid_to=row.valid_to.typed,
                service_ids=[] if row.services.unreadable else row.services.ids,
            )
        )
        start, end = row.start.data, row.end.data
        if row.empty or any(f.errors for f in row) or start is None or end is None:
            continue
        rules.append(
            RuleValue(
                int(row.weekday.data),
                start,
                end,
                row.valid_from.data,
                row.valid_to.data,
                tuple(sorted(row.services.ids)),
            )
        )
    action = form.action.data if form.action.data in ACTIONS else "save"
    return ParsedRules(rows, rules, form.problems, action, form.confirm_orphans.data)


class SpanForm(StaffForm):
    """An absence or an extra opening: dates and times, local; a reason or services."""

    start_date = day()
    end_date = day()
    start_time = clock(_time_hint)
    end_time = clock(_end_hint)
    reason = StringField(filters=[strip])
    services = IdsField()
    confirm_orphans = Flag()


@dataclass
class ParsedSpan:
    start: datetime | None
    end: datetime | None
    errors: dict[str, str]
    form: SpanForm


def parse_span(formdata: Any, zone: ZoneInfo, whole_days: bool) -> ParsedSpan:
    """A local span from date + time fields. For absences the times may be left out:
    the absence then covers whole days from the first to the last date."""
    form = SpanForm(formdata)
    form.check()
    errors = dict(form.problems)
    first = form.start_date.data
    last = form.end_date.data or first
    start_t: time | None = form.start_time.data
    end_t: time | None = form.end_time.data
    if first is None and "start_date" not in errors:
        errors["start_date"] = _date_hint()
    if not whole_days and start_t is None and "start_time" not in errors:
        errors["start_time"] = _time_hint()
    if not whole_days and end_t is None and "end_time" not in errors:
        errors["end_time"] = _end_hint()
    if errors or first is None or last is None:
        return ParsedSpan(None, None, errors, form)
    start = local_instant(first, start_t or time(0), zone)
    if end_t is None:
        end = local_instant(last + timedelta(days=1), time(0), zone)
    else:
        end = local_instant(last, end_t, zone)
    if not start < end:
        return ParsedSpan(None, None, {"end_time": _("The end must be after the start.")}, form)
    return ParsedSpan(start, end, {}, form)
