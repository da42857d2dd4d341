"""The nightly figures job: one row per (date, service) and per (date, unit), upserted.

``snapshot_figures(day)`` takes the day of the query and writes, for every organisation:

1. the access figures of ``day`` (T3, free and booked times), measured now, when ``day``
   is the organisation's local today. They describe the calendar as families see it at
   that moment and cannot be measured afterwards, so other days are left as they are;
2. the activity of the ``ACTIVITY_DAYS`` local dates before ``day``, each into its own
   row. The past week is counted again every night because workers may mark a meeting
   held or missed some days late; counting again gives the same rows, not new ones.

The scheduled form ``nightly_figures()`` takes no arguments: it runs every few minutes and
snapshots an organisation once per local day, soon after its midnight. Both are safe
to run again and twice at once: each row is written with one INSERT … ON CONFLICT DO
UPDATE on (day, scope, subject), so a second run overwrites it with the same values.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from scheduler.extensions import db
from scheduler.figures import access, activity
from scheduler.figures.feedback import purge_old_comments
from scheduler.kernel import local_date, local_instant, now_utc
from scheduler.models import FigureScope, FigureSnapshot, Organisation, Service

ACTIVITY_DAYS = 7
ACCESS_COLUMNS = ["measured_at", "t3_days", "free_times", "booked_times"]
ACTIVITY_COLUMNS = ["activity_at", *activity.COLUMNS]


@dataclass
class SnapshotReport:
    """What one run wrote: organisations, access rows and activity rows."""

    organisations: int = 0
    access_rows: int = 0
    activity_rows: int = 0
    days: list[date] = field(default_factory=list)


def _upsert(rows: list[dict[str, Any]], columns: list[str]) -> None:
    """Insert the rows, or update just ``columns`` of the rows already there."""
    if not rows:
        return
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(FigureSnapshot.__table__).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=["day", "scope", "subject_id"],
        set_={column: statement.excluded[column] for column in columns},
    )
    db.session.execute(statement)


def _key(
    organisation: Organisation, day: date, scope: FigureScope, unit_id: int, service_id: int | None
) -> dict[str, Any]:
    return {
        "organisation_id": organisation.id,
        "day": day,
        "scope": scope.value,
        "subject_id": service_id if scope is FigureScope.SERVICE else unit_id,
        "unit_id": unit_id,
        "service_id": service_id,
    }


def _services(organisation: Organisation) -> list[Service]:
    return list(
        db.session.scalars(
            select(Service).where(Service.organisation_id == organisation.id).order_by(Service.id)
        )
    )


def record_access(organisation: Organisation, day: date, query_at: datetime) -> int:
    """Measure and store the access figures of ``day`` at ``query_at``; returns rows."""
    services = _services(organisation)
    by_service, by_unit = access.measure(organisation, services, day, query_at)
    rows = []
    for service in services:
        figures = by_service[service.id]
        rows.append(
            {
                **_key(organisation, day, FigureScope.SERVICE, service.unit_id, service.id),
                "measured_at": query_at,
                **vars(figures),
            }
        )
    for unit_id, figures in sorted(by_unit.items()):
        rows.append(
            {
                **_key(organisation, day, FigureScope.UNIT, unit_id, None),
                "measured_at": query_at,
                **vars(figures),
            }
        )
    _upsert(rows, ACCESS_COLUMNS)
    return len(rows)


def record_activity(organisation: Organisation, day: date, now: datetime) -> int:
    """Count and store the activity of the local ``day``; returns rows."""
    services = _services(organisation)
    per_service = activity.organisation_activity(organisation, day)
    per_unit: defaultdict[int, activity.Activity] = defaultdict(activity.Activity)
    rows = []
    for service in services:
        counted = per_service.get(service.id, activity.Activity())
        per_unit[service.unit_id].add(counted)
        rows.append(
            {
                **_key(organisation, day, FigureScope.SERVICE, service.unit_id, service.id),
                "activity_at": now,
                **counted.values(),
            }
        )
    for unit in organisation.units:
        rows.append(
            {
                **_key(organisation, day, FigureScope.UNIT, unit.id, None),
                "activity_at": now,
                **per_unit[unit.id].values(),
            }
        )
    _upsert(rows, ACTIVITY_COLUMNS)
    return len(rows)


def snapshot_figures(
    day: date | None = None,
    *,
    now: datetime | None = None,
    organisation_ids: list[int] | None = None,
) -> SnapshotReport:
    """Store the figures of the day of the query ``day`` (default: each organisation's
    local today) and the activity of the week before it. Flushes, never commits."""
    now = now or now_utc()
    report = SnapshotReport()
    query = select(Organisation).order_by(Organisation.id)
    if organisation_ids is not None:
        query = query.where(Organisation.id.in_(organisation_ids))
    for organisation in db.session.scalars(query):
        today = local_date(now, organisation.zone)
        query_day = day or today
        report.organisations += 1
        if query_day == today:
            report.access_rows += record_access(organisation, query_day, now)
        for back in range(ACTIVITY_DAYS, 0, -1):
            past = query_day - timedelta(days=back)
            if past < today:  # a day still going on has no final figures
                report.activity_rows += record_activity(organisation, past, now)
                report.days.append(past)
    db.session.flush()
    return report


def nightly_figures() -> SnapshotReport:
    """Periodic job: snapshot each organisation whose figures of its local today are not
    yet measured. Also removes feedback comments past the retention period."""
    now = now_utc()
    due = []
    for organisation in db.session.scalars(select(Organisation).order_by(Organisation.id)):
        measured = db.session.scalar(
            select(FigureSnapshot.id)
            .where(
                FigureSnapshot.organisation_id == organisation.id,
                FigureSnapshot.day == local_date(now, organisation.zone),
                FigureSnapshot.measured_at.is_not(None),
            )
            .limit(1)
        )
        if measured is None:
            due.append(organisation.id)
    report = snapshot_figures(now=now, organisation_ids=due) if due else SnapshotReport()
    purge_old_comments(now)
    return report


@dataclass(frozen=True)
class Runs:
    """When an organisation's figures were last computed, and when they will be next:
    ``next_at`` is the next local midnight once today's figures are in, else ``None``
    (the job's next check, at most a quarter of an hour away while the jobs run)."""

    last_at: datetime | None
    next_at: datetime | None


def figure_runs(organisation: Organisation, now: datetime | None = None) -> Runs:
    """The last and next run of ``nightly_figures`` for ``organisation``."""
    now = now or now_utc()
    mine = FigureSnapshot.organisation_id == organisation.id
    measured = db.session.scalar(select(func.max(FigureSnapshot.measured_at)).where(mine))
    counted = db.session.scalar(select(func.max(FigureSnapshot.activity_at)).where(mine))
    known = [at for at in (measured, counted) if at is not None]
    today = local_date(now, organisation.zone)
    done_today = db.session.scalar(
        select(FigureSnapshot.id)
        .where(mine, FigureSnapshot.day == today, FigureSnapshot.measured_at.is_not(None))
        .limit(1)
    )
    next_at = (
        local_instant(today + timedelta(days=1), time(0), organisation.zone)
        if done_today is not None
        else None
    )
    return Runs(max(known) if known else None, next_at)
