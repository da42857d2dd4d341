"""Free times: the one entry point every caller asks.

``free_times(Ask(service_id, start, end, ...))`` answers "the free starts of this service,
for any worker, a named one, those who speak a language, or those among given ids, in this
range": the families' JSON API and week view, the staff preview, the access figures (T3)
and the re-check when a time is taken all ask here. The candidates are chosen in
``candidates``; the answer says which of the asked-for workers are withheld (a stale
calendar feed), so that a caller can tell the family rather than fall back to others.

Two ways to the same answer:

* cached (the default): the candidates' schedule versions are read in one query, and the
  free starts come from the process's cache (``cache``) wherever they are unchanged. A
  ``limit`` bounds the answer: chunks of the range are computed only until it is reached.
* ``fresh``: everything read from the database now, within the session's transaction,
  past every cache: the re-check under a professional's lock (which may leave one
  booking out, the one being moved) and the editor's preview (which may put unsaved weekly
  hours in place of the saved ones).

What a new rule of free times needs (holidays and closures, workers who must be free
together) belongs in the loading and the pure computation behind this function, not in a
new entry point.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta

from scheduler.availability import cache, compute, loading
from scheduler.availability.candidates import Chosen, prepare
from scheduler.availability.chunks import chunk_of
from scheduler.availability.loading import ServiceRules
from scheduler.availability.team import Pools, covers
from scheduler.kernel import local_date, local_instant, now_utc
from scheduler.observability.metrics import timed_slot_search

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Ask:
    """What free times are asked for."""

    service_id: int
    start: datetime | None = None  # starts in [start, end)
    end: datetime | None = None
    # Or the organisation's local dates, first to last (inclusive): by default today and 13
    # days on. (The zone is read with the service, so a caller need not read it first.)
    days: tuple[date | None, date | None] | None = None
    after: datetime | None = None  # only starts later than this
    worker_id: int | None = None  # a named worker
    language: str | None = None  # workers who speak it
    among: Sequence[int] | None = None  # only these workers
    limit: int | None = None  # at most this many starts (the first ones)
    now: datetime | None = None  # the moment of asking (notice and horizon count from it)
    fresh: bool = False
    # False: also a service families cannot book online (the worker's side books those).
    online_only: bool = True
    # Read outside the session's transaction (PostgreSQL): for a request that only
    # searches, it spares two round trips (BEGIN and COMMIT). Not for a caller whose own
    # uncommitted changes must count.
    detached: bool = False
    exclude_booking_id: int | None = None  # fresh: a booking that does not block its time
    # fresh: weekly hours in place of the saved ones, per worker (the editor's preview).
    weekly_rules: Mapping[int, Sequence[compute.WeeklyRule]] | None = field(default=None)
    # A team service: False asks each worker's own free starts, pools aside (the re-check
    # of one worker's time under their lock).
    pooled: bool = True


@dataclass(frozen=True)
class FreeTimes:
    """The answer: the free starts in order, who is free at each, and about the candidates."""

    rules: ServiceRules
    start: datetime
    end: datetime
    days: tuple[date, date]  # the local dates of the range, first and last
    candidates: tuple[int, ...]  # the workers whose times were looked at
    withheld: tuple[int, ...]  # asked-for workers whose times are withheld now
    page: cache.Page
    # A team service's pools (each its candidates): a start is free when every pool has a
    # free member, and each start names the free members of all pools.
    pools: Pools = ()

    @property
    def cut(self) -> bool:
        """Whether the answer stopped at its limit (more starts may follow)."""
        return self.page.cut

    def starts_us(self) -> list[int]:
        """The starts as epoch microseconds."""
        return self.page.starts()

    def pieces(self) -> list[str]:
        """Each start's JSON object ``{"end_at", "professional_ids", "start_at"}``."""
        return self.page.pieces()

    def slots(self) -> list[compute.Slot]:
        """The starts as ``Slot`` values."""
        duration = timedelta(minutes=self.rules.params.duration_min)
        found = []
        for start_us, ids in zip(self.page.starts(), self.page.worker_ids(), strict=True):
            start = _EPOCH + timedelta(microseconds=start_us)
            found.append(compute.Slot(start, start + duration, ids))
        return found

    def last_start(self) -> datetime:
        """The last start given (there is at least one)."""
        return _EPOCH + timedelta(microseconds=self.page.starts()[-1])

    def has(self, start: datetime) -> bool:
        """Whether ``start`` is one of the free starts."""
        return compute.to_us(start) in self.page.starts()


@timed_slot_search
def free_times(ask: Ask) -> FreeTimes | None:
    """The free times asked for, or None when there is no such service."""
    now = ask.now or now_utc()
    chosen = prepare(
        ask.service_id,
        ask.worker_id,
        ask.language,
        ask.among,
        ask.detached and not ask.fresh,
        ask.pooled,
    )
    if chosen is None:
        return None
    zone = chosen.rules.zone
    if ask.days is not None:
        first = ask.days[0] or local_date(now, zone)
        last = ask.days[1] or first + timedelta(days=13)
        start = local_instant(first, time(0), zone)
        end = local_instant(last + timedelta(days=1), time(0), zone)
    elif ask.start is not None and ask.end is not None:
        start, end = ask.start, ask.end
        first, last = local_date(start, zone), local_date(end - timedelta(microseconds=1), zone)
    else:
        raise ValueError("free times are asked for a range: start and end, or days")
    if ask.after is not None:
        start = max(start, ask.after + timedelta(microseconds=1))
    if ask.fresh:
        page = _fresh(chosen, ask, start, end, now)
    elif (ask.online_only and not chosen.rules.bookable) or not chosen.versions:
        page = cache.Page([], False)
    else:
        page = cache.answer(
            chosen.rules,
            chosen.versions,
            start,
            end,
            now,
            loading.loader(chosen.rules, ask.detached),
            ask.limit,
            chosen.pools,
        )
    return FreeTimes(
        chosen.rules,
        start,
        end,
        (first, last),
        tuple(chosen.versions),
        chosen.withheld,
        page,
        chosen.pools,
    )


def _fresh(chosen: Chosen, ask: Ask, start: datetime, end: datetime, now: datetime) -> cache.Page:
    rules = chosen.rules
    schedules, _valid = loading.load_worker_schedules(
        rules,
        list(chosen.versions),
        start,
        end,
        now,
        ask.exclude_booking_id,
        {pid: versions[0] for pid, versions in chosen.versions.items()},
    )
    if ask.weekly_rules is not None:
        edited = ask.weekly_rules
        schedules = [
            replace(s, rules=tuple(edited[s.worker_id])) if s.worker_id in edited else s
            for s in schedules
        ]
    found = compute.free_slots(rules.params, schedules, rules.zone, now, start, end)
    if chosen.pools:
        found = [slot for slot in found if covers(chosen.pools, slot.worker_ids)]
    if ask.limit is not None and len(found) > ask.limit:
        return cache.Page([(chunk_of(found[: ask.limit], rules.params), 0, ask.limit)], True)
    return cache.Page([(chunk_of(found, rules.params), 0, len(found))], False)
