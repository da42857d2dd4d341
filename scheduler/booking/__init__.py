"""Booking operations: hold → confirm, cancel, reschedule, outcomes, and expiring holds;
messages to the family, the meeting behind a booking, intake answers and contact details.

Every operation works on the session and flushes, never commits (the request commits once);
its side effects go into the same transaction (outbox rows, access-log rows).
"""

from scheduler.booking.changes import (
    booking_by_manage_token,
    cancel,
    client_identifiers,
    lock,
    mark_outcome,
    reschedule,
    staff_may_cancel,
)
from scheduler.booking.holds import (
    booking_by_hold_token,
    confirm,
    expire_holds,
    hold,
    release_hold,
)
from scheduler.booking.taking import ClientDetails, SecondClient, StaffTerms, slot_taken

__all__ = [
    "ClientDetails",
    "SecondClient",
    "StaffTerms",
    "booking_by_hold_token",
    "booking_by_manage_token",
    "cancel",
    "client_identifiers",
    "confirm",
    "expire_holds",
    "hold",
    "lock",
    "mark_outcome",
    "release_hold",
    "reschedule",
    "slot_taken",
    "staff_may_cancel",
]
