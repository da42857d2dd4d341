"""Changes to a worker's standing schedule from the availability editor: replacing the
weekly hours, adding or removing absences and extra openings.

A change that would leave future bookings outside the hours (or under an absence) is
made only when the user confirmed it; the bookings then stay, for the user to move or
cancel. Each operation flushes, never commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select

from scheduler.availability.coverage import BookedTime, RuleValue, Span, uncovered
from scheduler.availability.versions import touching
from scheduler.extensions import db
from scheduler.kernel import now_utc
from scheduler.models import (
    ACTIVE_STATUSES,
    Absence,
    Booking,
    ExtraOpening,
    Professional,
    WeeklyRule,
)


@dataclass(frozen=True)
class Outcome:
    """What a change did: ``done`` unless it waits for the user to confirm it, and the
    future bookings it leaves (or would leave) outside the hours."""

    done: bool
    orphans: list[Booking] = field(default_factory=list)


def saved_rules(pro: Professional) -> list[RuleValue]:
    """The worker's weekly hours as saved, in the order the editor shows them."""
    rows = db.session.scalars(
        select(WeeklyRule)
        .where(WeeklyRule.professional_id == pro.id)
        .order_by(WeeklyRule.weekday, WeeklyRule.start_time)
    )
    return [
        RuleValue(
            r.weekday,
            r.start_time,
            r.end_time,
            r.valid_from,
            r.valid_to,
            tuple(r.service_ids or ()),
        )
        for r in rows
    ]


def coming_openings(pro: Professional) -> list[ExtraOpening]:
    """The worker's extra openings that have not ended yet."""
    return list(
        db.session.scalars(
            select(ExtraOpening)
            .where(ExtraOpening.professional_id == pro.id, ExtraOpening.end_at > now_utc())
            .order_by(ExtraOpening.start_at)
        )
    )


def coming_absences(pro: Professional) -> list[Absence]:
    """The worker's absences that have not ended yet."""
    return list(
        db.session.scalars(
            select(Absence)
            .where(Absence.professional_id == pro.id, Absence.end_at > now_utc())
            .order_by(Absence.start_at)
        )
    )


def orphaned(
    pro: Professional,
    rules: Sequence[RuleValue],
    openings: Sequence[Span],
    absences: Sequence[Span],
) -> list[Booking]:
    """Future active bookings of ``pro`` that the given hours would no longer cover."""
    bookings = list(
        db.session.scalars(
            select(Booking)
            .where(
                Booking.professional_id == pro.id,
                Booking.start_at > now_utc(),
                Booking.status.in_(ACTIVE_STATUSES),
            )
            .order_by(Booking.start_at)
        )
    )
    ids = set(
        uncovered(
            [BookedTime(b.id, b.service_id, b.start_at, b.end_at) for b in bookings],
            rules,
            openings,
            absences,
            pro.organisation.zone,
        )
    )
    return [b for b in bookings if b.id in ids]


def _opening_spans(rows: Sequence[ExtraOpening]) -> list[Span]:
    return [Span(o.start_at, o.end_at, tuple(o.service_ids or ())) for o in rows]


def _absence_spans(rows: Sequence[Absence]) -> list[Span]:
    return [Span(a.start_at, a.end_at) for a in rows]


def replace_weekly_rules(
    pro: Professional, rules: Sequence[RuleValue], confirmed: bool = False
) -> Outcome:
    """Replace the worker's weekly hours with ``rules``."""
    orphans = orphaned(
        pro,
        rules,
        _opening_spans(coming_openings(pro)),
        _absence_spans(coming_absences(pro)),
    )
    if orphans and not confirmed:
        return Outcome(False, orphans)
    db.session.execute(
        touching(delete(WeeklyRule).where(WeeklyRule.professional_id == pro.id), [pro.id])
    )
    for rule in rules:
        db.session.add(
            WeeklyRule(
                professional_id=pro.id,
                weekday=rule.weekday,
                start_time=rule.start,
                end_time=rule.end,
                valid_from=rule.valid_from,
                valid_to=rule.valid_to,
                service_ids=list(rule.service_ids),
            )
        )
    db.session.flush()
    return Outcome(True, orphans)


def add_absence(
    pro: Professional,
    start: datetime,
    end: datetime,
    reason: str | None = None,
    confirmed: bool = False,
) -> Outcome:
    """Add an absence from ``start`` to ``end``."""
    absences = [*_absence_spans(coming_absences(pro)), Span(start, end)]
    orphans = orphaned(pro, saved_rules(pro), _opening_spans(coming_openings(pro)), absences)
    if orphans and not confirmed:
        return Outcome(False, orphans)
    db.session.add(Absence(professional_id=pro.id, start_at=start, end_at=end, reason=reason))
    db.session.flush()
    return Outcome(True, orphans)


def remove_absence(absence: Absence) -> None:
    """Remove an absence (which frees time; it can orphan nothing)."""
    db.session.delete(absence)
    db.session.flush()


def add_opening(
    pro: Professional, start: datetime, end: datetime, service_ids: Sequence[int]
) -> None:
    """Add an extra opening for the given services (none: all the worker's services)."""
    db.session.add(
        ExtraOpening(
            professional_id=pro.id, start_at=start, end_at=end, service_ids=list(service_ids)
        )
    )
    db.session.flush()


def remove_opening(pro: Professional, opening: ExtraOpening, confirmed: bool = False) -> Outcome:
    """Remove an extra opening of the worker."""
    remaining = [o for o in coming_openings(pro) if o.id != opening.id]
    orphans = orphaned(
        pro, saved_rules(pro), _opening_spans(remaining), _absence_spans(coming_absences(pro))
    )
    if orphans and not confirmed:
        return Outcome(False, orphans)
    db.session.delete(opening)
    db.session.flush()
    return Outcome(True, orphans)
