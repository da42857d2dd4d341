"""Reading the availability editor's forms: weekly rules, absences and extra openings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from scheduler.availability.coverage import RuleValue
from scheduler.kernel import local_instant
from scheduler.web.i18n import format_date
from scheduler.web.input import day_in_range, parse_clock, parse_day, parse_ids, parse_whole

MAX_ROWS = 60


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


def parse_time(raw: str) -> time | None:
    """ "9", "9.15", "09:15" → time; None when empty or not a time."""
    return parse_clock(raw) if raw.strip() else None


def parse_date(raw: str) -> date | None:
    """ISO (2026-11-22, the date input) or Finnish (22.11.2026); None when not a date."""
    raw = raw.strip()
    if not raw:
        return None
    if "." not in raw:
        return parse_day(raw)
    parts = [parse_whole(p) for p in raw.split(".")]
    if len(parts) != 3 or None in parts:
        return None
    day, month, year = parts
    try:
        value = date(year, month, day)  # type: ignore[arg-type]
    except ValueError:
        return None
    return value if day_in_range(value) else None


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


def parse_rules(form: MultiDict[str, str], allowed_services: set[int]) -> ParsedRules:
    """The weekly rules of the form; a row with neither start nor end is left out."""
    count = max(0, min(parse_whole(form.get("rule_count")) or 0, MAX_ROWS))
    rows, rules, errors = [], [], {}
    for i in range(count):
        p = f"rule-{i}-"
        service_ids = parse_ids(form.getlist(p + "services"))
        row = RuleRow(
            weekday=form.get(p + "weekday", "0"),
            start=form.get(p + "start", "").strip(),
            end=form.get(p + "end", "").strip(),
            valid_from=form.get(p + "valid_from", "").strip(),
            valid_to=form.get(p + "valid_to", "").strip(),
            service_ids=service_ids or [],
        )
        rows.append(row)
        if not row.start and not row.end:
            continue
        start, end = parse_time(row.start), parse_time(row.end)
        weekday = parse_whole(row.weekday)
        weekday = -1 if weekday is None else weekday
        valid_from, valid_to = parse_date(row.valid_from), parse_date(row.valid_to)
        if not 0 <= weekday <= 6:
            errors[p + "weekday"] = _("Choose a weekday.")
        if start is None:
            errors[p + "start"] = _("Write a time such as 8.00.")
        if end is None:
            errors[p + "end"] = _("Write a time such as 16.00.")
        elif start is not None and not start < end:
            errors[p + "end"] = _("The end must be after the start.")
        if row.valid_from and valid_from is None:
            errors[p + "valid_from"] = _("Write a date such as 1.3.2026.")
        if row.valid_to and valid_to is None:
            errors[p + "valid_to"] = _("Write a date such as 1.3.2026.")
        elif valid_from and valid_to and valid_to < valid_from:
            errors[p + "valid_to"] = _("The last day must not be before the first day.")
        if service_ids is None or not set(service_ids) <= allowed_services:
            errors[p + "services"] = _("Choose among the worker's services.")
        if any(key.startswith(p) for key in errors):
            continue
        assert start is not None and end is not None
        rules.append(
            RuleValue(weekday, start, end, valid_from, valid_to, tuple(sorted(row.service_ids)))
        )
    return ParsedRules(rows, rules, errors)


@dataclass
class ParsedSpan:
    start: datetime | None
    end: datetime | None
    errors: dict[str, str]


def parse_span(form: MultiDict[str, str], zone: ZoneInfo, whole_days: bool) -> ParsedSpan:
    """A local span from date + time fields. For absences the times may be left out:
    the absence then covers whole days from the first to the last date."""
    errors: dict[str, str] = {}
    first = parse_date(form.get("start_date", ""))
    last = parse_date(form.get("end_date", "")) or first
    start_raw, end_raw = form.get("start_time", ""), form.get("end_time", "")
    start_t, end_t = parse_time(start_raw), parse_time(end_raw)
    if first is None:
        errors["start_date"] = _("Write a date such as 1.3.2026.")
    if form.get("end_date", "").strip() and parse_date(form.get("end_date", "")) is None:
        errors["end_date"] = _("Write a date such as 1.3.2026.")
    if start_raw.strip() and start_t is None:
        errors["start_time"] = _("Write a time such as 8.00.")
    if end_raw.strip() and end_t is None:
        errors["end_time"] = _("Write a time such as 16.00.")
    if not whole_days and start_t is None and "start_time" not in errors:
        errors["start_time"] = _("Write a time such as 8.00.")
    if not whole_days and end_t is None and "end_time" not in errors:
        errors["end_time"] = _("Write a time such as 16.00.")
    if errors or first is None or last is None:
        return ParsedSpan(None, None, errors)
    start = local_instant(first, start_t or time(0), zone)
    if end_t is None:
        end = local_instant(last + timedelta(days=1), time(0), zone)
    else:
        end = local_instant(last, end_t, zone)
    if not start < end:
        return ParsedSpan(None, None, {"end_time": _("The end must be after the start.")})
    return ParsedSpan(start, end, {})
