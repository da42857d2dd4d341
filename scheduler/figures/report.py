"""What the figure pages show: the subjects (units and services) an administrator
reaches, their snapshot rows over a period, and the charts of one subject."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from babel.dates import format_date
from babel.numbers import format_decimal
from flask_babel import gettext as _
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.figures import charts
from scheduler.figures.periods import Period, Step, Summary, steps, summarise
from scheduler.models import FigureSnapshot, StaffUser
from scheduler.staff.access import services_query, units_query
from scheduler.web.i18n import current_language, localized


@dataclass(frozen=True)
class Subject:
    """A unit or a service whose figures the user may see."""

    scope: str  # "unit" | "service"
    id: int
    unit_id: int
    name: str
    unit_name: str

    @property
    def key(self) -> str:
        return f"{self.scope}-{self.id}"

    @property
    def label(self) -> str:
        if self.scope == "unit":
            return self.name
        return f"{self.unit_name}: {self.name}"


def subjects(user: StaffUser) -> list[Subject]:
    """Each unit in the user's reach followed by its services."""
    services_of: defaultdict[int, list[Subject]] = defaultdict(list)
    units = list(db.session.scalars(units_query(user)))
    names = {unit.id: localized(unit.name) for unit in units}
    for service in db.session.scalars(services_query(user)):
        unit_name = names.get(service.unit_id, "")
        services_of[service.unit_id].append(
            Subject("service", service.id, service.unit_id, localized(service.name), unit_name)
        )
    found = []
    for unit in units:
        found.append(Subject("unit", unit.id, unit.id, names[unit.id], names[unit.id]))
        found.extend(services_of[unit.id])
    return found


def snapshot_rows(user: StaffUser, period: Period) -> dict[tuple[str, int], list[FigureSnapshot]]:
    """The snapshot rows of the period in the user's reach, by (scope, subject id)."""
    query = select(FigureSnapshot).where(
        FigureSnapshot.organisation_id == user.organisation_id,
        FigureSnapshot.day >= period.start,
        FigureSnapshot.day <= period.end,
    )
    if not user.is_org_admin:
        query = query.where(FigureSnapshot.unit_id == user.unit_id)
    found: defaultdict[tuple[str, int], list[FigureSnapshot]] = defaultdict(list)
    for row in db.session.scalars(query.order_by(FigureSnapshot.day)):
        found[(row.scope, row.subject_id)].append(row)
    return dict(found)


def number(value: float | None, digits: int = 1) -> str:
    """A figure in the page's language (decimal comma in Finnish and Swedish); – for none."""
    if value is None:
        return "–"
    pattern = "#,##0." + "#" * digits if digits else "#,##0"
    return str(format_decimal(value, format=pattern, locale=current_language()))


def step_labels(period: Period, parts: list[Step]) -> tuple[list[str], list[str]]:
    """Short labels for the chart's axis and full ones for the table."""
    lang = current_language()
    short, full = [], []
    for part in parts:
        if period.step == "day":
            short.append(f"{part.start.day}.{part.start.month}.")
            full.append(f"{_d(part.start)}")
        elif period.step == "week":
            week = part.start.isocalendar()[1]
            short.append(_("wk %(number)d", number=week))
            full.append(
                _(
                    "Week %(number)d: %(start)s–%(end)s",
                    number=week,
                    start=_d(part.start),
                    end=_d(part.end),
                )
            )
        else:
            short.append(str(format_date(part.start, "LLL", locale=lang)))
            full.append(str(format_date(part.start, "LLLL yyyy", locale=lang)))
    return short, full


def _d(day: date) -> str:
    return f"{day.day}.{day.month}.{day.year}"


@dataclass(frozen=True)
class Table:
    """A chart's data table: a row per step, a column per figure."""

    columns: list[str]
    rows: list[tuple[str, list[str]]]


@dataclass(frozen=True)
class ChartBlock:
    chart: charts.Chart
    table: Table


def _description(kind: str, period: Period, series: list[charts.Series]) -> str:
    values = [v for s in series for v in s.values if v is not None]
    step = {
        "day": _("one point per day"),
        "week": _("one point per week"),
        "month": _("one point per month"),
    }[period.step]
    shape = _("Line chart") if kind == "line" else _("Stacked bar chart")
    names = ", ".join(s.name for s in series)
    text = _(
        "%(shape)s of %(names)s from %(start)s to %(end)s, %(step)s.",
        shape=shape,
        names=names,
        start=_d(period.start),
        end=_d(period.end),
        step=step,
    )
    if values:
        text += " " + _(
            "Lowest value %(low)s, highest %(high)s.",
            low=number(min(values)),
            high=number(max(values)),
        )
    else:
        text += " " + _("There are no figures for this period yet.")
    return text + " " + _("The same figures are in the table after the chart.")


def subject_charts(
    subject: Subject, rows: list[FigureSnapshot], period: Period
) -> list[ChartBlock]:
    """The charts of one unit or service over the period, each with its table."""
    parts = steps(period)
    by_step: list[Summary] = [
        summarise([r for r in rows if part.start <= r.day <= part.end]) for part in parts
    ]
    short, full = step_labels(period, parts)
    blocks = []

    def table(columns: list[str], values: list[list[str]]) -> Table:
        return Table(columns, list(zip(full, values, strict=True)))

    def line(
        chart_id: str,
        title: str,
        series: list[charts.Series],
        y_top: float | None = None,
        extra: list[tuple[str, list[str]]] | None = None,
    ) -> None:
        chart = charts.line_chart(
            f"{subject.key}-{chart_id}",
            title,
            _description("line", period, series),
            short,
            series,
            number,
            y_top,
        )
        columns = [s.name for s in series] + [name for name, _values in extra or []]
        cells = [
            [number(s.values[i]) for s in series] + [vals[i] for _name, vals in extra or []]
            for i in range(len(parts))
        ]
        blocks.append(ChartBlock(chart, table(columns, cells)))

    def stacked(chart_id: str, title: str, series: list[charts.Series]) -> None:
        chart = charts.stacked_chart(
            f"{subject.key}-{chart_id}",
            title,
            _description("stacked", period, series),
            short,
            series,
            number,
        )
        cells = [[number(s.values[i], 0) for s in series] for i in range(len(parts))]
        blocks.append(ChartBlock(chart, table([s.name for s in series], cells)))

    line(
        "t3",
        _("Time to the third free appointment (T3), days"),
        [
            charts.Series(_("T3 in days"), [s.t3_days for s in by_step]),
        ],
        extra=[(_("Days without a third free time"), [str(s.t3_missing) for s in by_step])],
    )
    line(
        "capacity",
        _("Free and booked times in the next 28 days"),
        [
            charts.Series(_("Free times"), [s.free_times for s in by_step]),
            charts.Series(_("Booked times"), [s.booked_times for s in by_step]),
        ],
    )
    line(
        "bookings",
        _("Bookings made and cancelled"),
        [
            charts.Series(_("Bookings made"), [_f(s.bookings) for s in by_step]),
            charts.Series(_("Cancellations"), [_f(s.cancellations) for s in by_step]),
        ],
        extra=[
            (_("Cancelled by the family"), [number(s.cancelled_by_client, 0) for s in by_step]),
            (_("Cancelled by staff"), [number(s.cancelled_by_staff, 0) for s in by_step]),
            (_("Cancelled by the service"), [number(s.cancelled_by_system, 0) for s in by_step]),
        ],
    )
    stacked(
        "meetings",
        _("Meetings: held, did not come, not marked"),
        [
            charts.Series(_("Held"), [_f(s.held) for s in by_step]),
            charts.Series(_("Did not come"), [_f(s.no_shows) for s in by_step]),
            charts.Series(_("Not marked"), [_f(s.unmarked) for s in by_step]),
        ],
    )
    stacked(
        "modes",
        _("Meetings by video and by phone"),
        [
            charts.Series(_("Video"), [_f(s.video) for s in by_step]),
            charts.Series(_("Phone"), [_f(s.phone) for s in by_step]),
        ],
    )
    line(
        "feedback",
        _("Average feedback (1–5)"),
        [
            charts.Series(_("Average feedback"), [s.feedback_average for s in by_step]),
        ],
        y_top=5,
        extra=[(_("Answers"), [number(s.feedback_count, 0) for s in by_step])],
    )
    return blocks


def _f(value: int | None) -> float | None:
    return None if value is None else float(value)
