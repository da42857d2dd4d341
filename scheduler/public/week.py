"""The week view of free times: Monday first, one week at a time, in the organisation's zone."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from scheduler.availability import Ask, Slot, free_times
from scheduler.kernel import local_date, local_instant
from scheduler.models import MEETING_MODES, Professional, Service
from scheduler.web.input import parse_day, parse_id


@dataclass(frozen=True)
class Choice:
    """What the family asked to see: a worker, a language, how to meet, which week."""

    worker: int | None
    speaks: str | None
    mode: str
    week: date | None
    # A worker or language asked for that no worker of the service answers to (a worker
    # who does not offer it, or no number at all), as given: said so on the page, and
    # never read as "any".
    unknown_worker: str | None = None
    unknown_speaks: str | None = None

    @property
    def unknown(self) -> bool:
        return bool(self.unknown_worker or self.unknown_speaks)

    def args(self, **override: object) -> dict[str, Any]:
        """The choice as query arguments (for links and redirects), empty ones left out."""
        values: dict[str, object] = {
            "worker": self.worker or self.unknown_worker,
            "speaks": self.speaks or self.unknown_speaks,
            "mode": self.mode,
            "week": self.week.isoformat() if self.week else None,
        }
        values.update(override)
        return {k: v for k, v in values.items() if v not in (None, "")}


@dataclass(frozen=True)
class Day:
    day: date
    slots: list[Slot]


@dataclass(frozen=True)
class Week:
    monday: date
    days: list[Day]
    previous: date | None  # None: this is the first week that can be booked
    next: date | None  # None: the booking horizon ends within this week
    next_free: Slot | None  # when this week has no free time, the first one after it
    # The asked-for worker, or every worker who speaks the asked-for language, has times
    # withheld now: the family is told so, and shown ``alternative`` (the nearest free time
    # of any worker) apart from the results, never in their place.
    withheld: bool = False
    alternative: Slot | None = None
    # Some of the workers who speak the asked-for language are withheld (the others' times
    # are shown): the family is told that some workers' times are not shown now.
    partly_withheld: bool = False
    today: date | None = None  # the organisation's date now: days before it are past

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def is_empty(self) -> bool:
        return not any(day.slots for day in self.days)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


# "any" and nothing ask for any worker; what else is given is kept at most this long.
ANY_WORKER = ("", "any")
MAX_ASKED = 20


def parse_choice(args: Mapping[str, str], service: Service, pros: Sequence[Professional]) -> Choice:
    """Read the filters from query or form values. A worker or language that no worker of
    ``pros`` answers to is kept as unknown (said so, never read as "any"); an unknown way of
    meeting or week falls back to the first way and this week."""
    raw_worker = (args.get("worker") or "").strip()
    worker = parse_id(raw_worker)
    unknown_worker = None
    if worker not in {p.id for p in pros}:
        worker = None
        if raw_worker not in ANY_WORKER:
            unknown_worker = raw_worker[:MAX_ASKED]
    speaks = (args.get("speaks") or "").strip() or None
    unknown_speaks = None
    if speaks not in {lang for p in pros for lang in (p.languages or [])}:
        unknown_speaks = speaks[:MAX_ASKED] if speaks else None
        speaks = None
    mode = args.get("mode") or ""
    if mode not in service.meeting_modes or mode not in MEETING_MODES:
        mode = service.meeting_modes[0]
    day = parse_day(args.get("week"))
    week = monday_of(day) if day else None
    return Choice(worker, speaks, mode, week, unknown_worker, unknown_speaks)


def week_range(monday: date, service: Service) -> tuple[datetime, datetime]:
    zone = service.organisation.zone
    return local_instant(monday, time(0), zone), local_instant(
        monday + timedelta(days=7), time(0), zone
    )


# Of the free times a search finds, those that may be offered (all when no filter).
Keep = Callable[[list[Slot]], list[Slot]]
# With a filter, the next free time after the week is the first kept of this many.
LOOKAHEAD = 100


def build_week(
    service: Service,
    choice: Choice,
    now: datetime,
    online: bool = True,
    keep: Keep | None = None,
) -> Week:
    """Free times of the workers the choice allows, in the wanted week (default: this week);
    none when the service cannot be booked online now (``online`` false). With ``keep``
    only the free times it keeps are offered (one call for the week), and the next free
    time or the nearest one is looked for among those it keeps too."""
    zone = service.organisation.zone
    today = local_date(now, zone)
    first = monday_of(today)
    last = monday_of(today + timedelta(days=service.horizon_days))
    monday = min(max(choice.week or first, first), last)
    start, end = week_range(monday, service)
    found: list[Slot] = []
    withheld = partly = False
    if online and not choice.unknown:
        found, withheld, partly = _free(service, choice, start, end, now)
        found = keep(found) if keep is not None and found else found
    if withheld:
        found = []
    by_day: dict[date, list[Slot]] = {monday + timedelta(days=i): [] for i in range(7)}
    for slot in found:
        by_day.setdefault(local_date(slot.start, zone), []).append(slot)
    next_free = alternative = None
    horizon_end = local_instant(last + timedelta(days=7), time(0), zone)
    if (withheld or choice.unknown) and online and service.bookable:
        anyone = Choice(None, None, choice.mode, None)
        alternative = _first(service, anyone, now, horizon_end, now, keep)
    elif not found and online and service.bookable and monday < last:
        next_free = _first(service, choice, end, horizon_end, now, keep)
    return Week(
        monday=monday,
        days=[Day(day, by_day[day]) for day in sorted(by_day)],
        previous=monday - timedelta(days=7) if monday > first else None,
        next=monday + timedelta(days=7) if monday < last else None,
        next_free=next_free,
        withheld=withheld,
        alternative=alternative,
        partly_withheld=partly and not withheld,
        today=today,
    )


def _first(
    service: Service,
    choice: Choice,
    start: datetime,
    end: datetime,
    now: datetime,
    keep: Keep | None,
) -> Slot | None:
    """The first free time the choice allows (of those ``keep`` keeps)."""
    found, *_withheld = _free(
        service, choice, start, end, now, limit=1 if keep is None else LOOKAHEAD
    )
    if keep is not None and found:
        found = keep(found)
    return found[0] if found else None


def _free(
    service: Service,
    choice: Choice,
    start: datetime,
    end: datetime,
    now: datetime,
    limit: int | None = None,
) -> tuple[list[Slot], bool, bool]:
    """The free times the choice allows; whether they are none because every asked-for
    worker's times are withheld now; and whether some of the workers who speak the
    asked-for language are withheld (the others' times are given)."""
    found = free_times(
        Ask(
            service.id,
            start,
            end,
            worker_id=choice.worker,
            language=choice.speaks,
            limit=limit,
            now=now,
        )
    )
    if found is None:
        return [], False, False
    asked = choice.worker is not None or choice.speaks is not None
    withheld = asked and bool(found.withheld) and not found.candidates
    partly = choice.speaks is not None and bool(found.withheld) and bool(found.candidates)
    return found.slots(), withheld, partly
