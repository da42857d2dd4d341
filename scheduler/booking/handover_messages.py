"""What moving many meetings away from a worker at once (a sick day, ``reassign.move_all``)
tells that worker: one "released" notice listing every meeting moved away from them, with
its time as they had it, its service and who took it over, instead of one notice per
meeting. The families and the workers who take the meetings over are told per meeting as
usual (``messages.booking_moved``). The notice is ``messages``' "released" staff notice
with the list added (``StaffNotice.handed_over``), the times listed as a series lists them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import notifications
from notifications import HandedOver, Message
from scheduler.booking import messages
from scheduler.booking.message_times import listed_time
from scheduler.kernel import as_utc
from scheduler.models import Booking, Professional
from scheduler.web.i18n import localized


@dataclass(frozen=True)
class Handover:
    """One move that took a meeting away from workers who are not told yet: the meeting
    (as moved), its time before the move, the workers it was taken from and those who
    took it over."""

    booking: Booking
    old_start: datetime
    released: tuple[Professional, ...]
    taken_by: tuple[Professional, ...]


def tell_released(handovers: Sequence[Handover]) -> None:
    """Queue one "released" notice to each worker the moves took meetings from, listing
    them in time order, in the worker's language and the organisation's time."""
    by_worker: dict[int, tuple[Professional, list[Handover]]] = {}
    for handover in sorted(handovers, key=lambda h: (as_utc(h.old_start), h.booking.id)):
        for pro in handover.released:
            by_worker.setdefault(pro.id, (pro, []))[1].append(handover)
    queued: list[Message] = []
    for pro, theirs in by_worker.values():
        queued += _notice(pro, theirs)
    notifications.enqueue_many(queued)


def _notice(pro: Professional, theirs: list[Handover]) -> list[Message]:
    """The worker's one notice (none where no service of theirs sends staff notices, or
    the worker has no address)."""
    told = [h for h in theirs if h.booking.service.staff_notices]
    if not told:
        return []
    first = told[0]
    notices = messages.staff_notices(first.booking, "released", first.old_start, pros=[pro])
    listed: list[Message] = []
    for notice in notices:
        context = notice.context
        if isinstance(context, notifications.StaffNotice):
            lines = tuple(_line(h, notice.language) for h in told)
            context = replace(context, handed_over=lines)
        listed.append(replace(notice, context=context, idempotency_key=_key(pro, told)))
    return listed


def _line(handover: Handover, lang: str) -> HandedOver:
    booking = handover.booking
    taken_by = handover.taken_by or (booking.professional,)
    return HandedOver(
        when=listed_time(handover.old_start, lang, booking.organisation.zone),
        service_name=localized(booking.service.name, lang),
        taken_by=", ".join(pro.name for pro in taken_by),
    )


def _key(pro: Professional, told: Sequence[Handover]) -> str:
    """The notice's key: the worker and exactly these versions of these meetings, so the
    same moves queued again are queued once."""
    moves = "|".join(sorted(f"{h.booking.uid}:s{h.booking.sequence}" for h in told))
    return f"staff:released:w{pro.id}:{hashlib.sha256(moves.encode()).hexdigest()[:32]}"
