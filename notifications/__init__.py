"""Notifications: the outbox, the channels (e-mail, SMS, log) and the dispatcher.

The scheduler uses only the functions exported here and hands over plain values;
this package never imports the scheduler's models, views or operations: of ``scheduler``
it uses only ``scheduler.extensions`` (``db``) and ``scheduler.kernel`` (the shared basics).
Importing it registers the outbox model with the shared metadata.
"""

from notifications.channels import Outgoing
from notifications.contract import (
    FamilyNotice,
    FeedbackRequest,
    FeedStaleNotice,
    HandedOver,
    Invite,
    Message,
    MessageContext,
    StaffNotice,
    TakingPartNotice,
)
from notifications.dispatcher import DispatchReport, dispatch_due, preview, request_stop
from notifications.models import OutboxMessage, Status
from notifications.outbox import (
    FailedMessage,
    cancel_pending,
    enqueue,
    enqueue_many,
    failed_messages,
    purge_finished,
    retime_pending,
    retry_failed,
    sealed_secrets,
)
from notifications.rules import (
    DEFAULT_REMINDER_RULES,
    ReminderRule,
    parse_rules,
    plan_reminders,
    quiet_hours,
    sms_send_time,
)

__all__ = [
    "DEFAULT_REMINDER_RULES",
    "DispatchReport",
    "FailedMessage",
    "FamilyNotice",
    "FeedStaleNotice",
    "FeedbackRequest",
    "HandedOver",
    "Invite",
    "Message",
    "MessageContext",
    "OutboxMessage",
    "Outgoing",
    "ReminderRule",
    "StaffNotice",
    "Status",
    "TakingPartNotice",
    "cancel_pending",
    "dispatch_due",
    "enqueue",
    "enqueue_many",
    "failed_messages",
    "parse_rules",
    "plan_reminders",
    "preview",
    "purge_finished",
    "quiet_hours",
    "request_stop",
    "retime_pending",
    "retry_failed",
    "sealed_secrets",
    "sms_send_time",
]
