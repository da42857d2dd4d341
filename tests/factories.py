"""Factories for test data: each returns a flushed model with sensible defaults."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from scheduler.extensions import db
from scheduler.models import (
    Absence,
    ExtraOpening,
    Organisation,
    Professional,
    Service,
    ServicePool,
    Unit,
    WeeklyRule,
)


class Factories:
    """``make.service()``, ``make.professional(service)`` … bound to the app's session."""

    def __init__(self) -> None:
        self._n = 0

    def _next(self) -> int:
        self._n += 1
        return self._n

    def organisation(self, **kw: Any) -> Organisation:
        n = self._next()
        org = Organisation(
            slug=kw.pop("slug", f"org{n}"),
            name=kw.pop(
                "name", {"fi": f"Kunta {n}", "sv": f"Kommun {n}", "en": f"Municipality {n}"}
            ),
            timezone=kw.pop("timezone", "Europe/Helsinki"),
            **kw,
        )
        db.session.add(org)
        db.session.flush()
        return org

    def unit(self, organisation: Organisation | None = None, **kw: Any) -> Unit:
        organisation = organisation or self.organisation()
        # Open on public holidays unless a test asks otherwise: tests of other things must
        # not depend on the day they run (tests/availability/test_holidays.py asks otherwise).
        unit = Unit(
            organisation=organisation,
            name=kw.pop("name", {"fi": "Perhekeskus"}),
            open_on_holidays=kw.pop("open_on_holidays", True),
            **kw,
        )
        db.session.add(unit)
        db.session.flush()
        return unit

    def service(self, unit: Unit | None = None, **kw: Any) -> Service:
        unit = unit or self.unit()
        n = self._next()
        service = Service(
            organisation_id=unit.organisation_id,
            unit=unit,
            slug=kw.pop("slug", f"service{n}"),
            name=kw.pop("name", {"fi": f"Palvelu {n}", "sv": f"Tjänst {n}", "en": f"Service {n}"}),
            duration_min=kw.pop("duration_min", 45),
            slot_interval_min=kw.pop("slot_interval_min", 15),
            min_notice_min=kw.pop("min_notice_min", 0),
            horizon_days=kw.pop("horizon_days", 56),
            **kw,
        )
        db.session.add(service)
        db.session.flush()
        return service

    def professional(
        self,
        service: Service | None = None,
        hours: tuple[time, time] | None = (time(8), time(16)),
        weekdays: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6),
        **kw: Any,
    ) -> Professional:
        """A professional of ``service``, open every day 8–16 local time unless told otherwise."""
        service = service or self.service()
        n = self._next()
        pro = Professional(
            organisation_id=service.organisation_id,
            unit_id=service.unit_id,
            name=kw.pop("name", f"Työntekijä {n}"),
            languages=kw.pop("languages", ["fi"]),
            **kw,
        )
        pro.services.append(service)
        db.session.add(pro)
        db.session.flush()
        if hours:
            for weekday in weekdays:
                db.session.add(
                    WeeklyRule(
                        professional_id=pro.id,
                        weekday=weekday,
                        start_time=hours[0],
                        end_time=hours[1],
                        service_ids=[],
                    )
                )
            db.session.flush()
        return pro

    def absence(self, pro: Professional, start: datetime, end: datetime) -> Absence:
        absence = Absence(professional_id=pro.id, start_at=start, end_at=end)
        db.session.add(absence)
        db.session.flush()
        return absence

    def opening(self, pro: Professional, start: datetime, length: timedelta) -> ExtraOpening:
        opening = ExtraOpening(
            professional_id=pro.id, start_at=start, end_at=start + length, service_ids=[]
        )
        db.session.add(opening)
        db.session.flush()
        return opening

    def pool(self, service: Service, members: list[Professional], **kw: Any) -> ServicePool:
        """One more pool of a team service, its members linked to the service too."""
        pool = ServicePool(
            service=service,
            position=kw.pop("position", len(service.pools)),
            name=kw.pop("name", {"fi": "Työntekijä", "sv": "Medarbetare", "en": "Worker"}),
            **kw,
        )
        pool.members = list(members)
        for pro in members:
            if service not in pro.services:
                pro.services.append(service)
        db.session.add(pool)
        db.session.flush()
        return pool
