"""The models, one module per idea; importing this package registers them all."""

from scheduler.models.audit import AccessLogEntry
from scheduler.models.availability import Absence, ExtraOpening, WeeklyRule
from scheduler.models.booking import ACTIVE_STATUSES, Booking, BookingStatus
from scheduler.models.calendar import CalendarFeed, ExternalBusy, FeedToken
from scheduler.models.closure import Closure
from scheduler.models.figures import Feedback, FeedbackInvite, FigureScope, FigureSnapshot
from scheduler.models.organisation import Organisation, Unit
from scheduler.models.service import MEETING_MODES, Professional, Service, service_professionals
from scheduler.models.staff import StaffRole, StaffUser
from scheduler.models.team import ServicePool, service_pool_members

__all__ = [
    "ACTIVE_STATUSES",
    "MEETING_MODES",
    "Absence",
    "AccessLogEntry",
    "Booking",
    "BookingStatus",
    "CalendarFeed",
    "Closure",
    "ExternalBusy",
    "ExtraOpening",
    "FeedToken",
    "Feedback",
    "FeedbackInvite",
    "FigureScope",
    "FigureSnapshot",
    "Organisation",
    "Professional",
    "Service",
    "ServicePool",
    "StaffRole",
    "StaffUser",
    "Unit",
    "WeeklyRule",
    "service_pool_members",
    "service_professionals",
]
