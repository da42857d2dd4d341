"""The models, one module per idea; importing this package registers them all."""

from scheduler.models.api_token import ApiToken
from scheduler.models.audit import AccessLogEntry
from scheduler.models.availability import Absence, ExtraOpening, WeeklyRule
from scheduler.models.booking import ACTIVE_STATUSES, Booking, BookingStatus
from scheduler.models.calendar import CalendarFeed, ExternalBusy, FeedToken
from scheduler.models.closure import Closure
from scheduler.models.figures import Feedback, FeedbackInvite, FigureScope, FigureSnapshot
from scheduler.models.interpreter import Interpreter, InterpreterRequest
from scheduler.models.organisation import Organisation, Unit
from scheduler.models.participant import Attendance, BookingParticipant, ParticipantRole
from scheduler.models.service import (
    MEETING_MODES,
    NAME_RULES,
    Professional,
    Service,
    service_professionals,
)
from scheduler.models.staff import StaffRole, StaffUser
from scheduler.models.team import ServicePool, service_pool_members

__all__ = [
    "ACTIVE_STATUSES",
    "MEETING_MODES",
    "NAME_RULES",
    "Absence",
    "AccessLogEntry",
    "ApiToken",
    "Attendance",
    "Booking",
    "BookingParticipant",
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
    "Interpreter",
    "InterpreterRequest",
    "Organisation",
    "ParticipantRole",
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
