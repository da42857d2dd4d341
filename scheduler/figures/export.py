"""The figures as CSV: one row per day and unit or service.

The column names are fixed English identifiers, so that the municipalities' own tools
can read files of any language; the names of units and services are in the page's
language. Empty cells are figures not measured (never zero). Only anonymous counts go
out: no feedback comments.
"""

from __future__ import annotations

import csv
import io

from scheduler.figures.activity import COUNTS
from scheduler.figures.report import Subject
from scheduler.kernel import spreadsheet_safe
from scheduler.models import FigureSnapshot

COLUMNS = [
    "date",
    "level",
    "unit_id",
    "unit",
    "service_id",
    "service",
    "t3_days",
    "free_times_28d",
    "booked_times_28d",
    "bookings",
    "cancelled_by_client",
    "cancelled_by_staff",
    "cancelled_by_system",
    "held",
    "no_shows",
    "unmarked",
    "video",
    "phone",
    "feedback_count",
    "feedback_average",
]
VALUES = ["t3_days", "free_times", "booked_times", *COUNTS]


def _cell(value: int | None) -> str:
    return "" if value is None else str(value)


def csv_text(everyone: list[Subject], rows: dict[tuple[str, int], list[FigureSnapshot]]) -> str:
    """The CSV file of the subjects' rows, by date, then in the order of ``everyone``."""
    order = {(s.scope, s.id): n for n, s in enumerate(everyone)}
    names = {(s.scope, s.id): s for s in everyone}
    flat = [row for key in order for row in rows.get(key, [])]
    flat.sort(key=lambda r: (r.day, order[(r.scope, r.subject_id)]))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in flat:
        subject = names[(row.scope, row.subject_id)]
        average = row.feedback_average
        writer.writerow(
            [
                row.day.isoformat(),
                row.scope,
                row.unit_id,
                spreadsheet_safe(subject.unit_name),
                row.service_id or "",
                spreadsheet_safe(subject.name) if row.scope == "service" else "",
                *[_cell(getattr(row, name)) for name in VALUES],
                "" if average is None else f"{average:.2f}",
            ]
        )
    return out.getvalue()
