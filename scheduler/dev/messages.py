"""Every message the service has written to the outbox, as its channel is (or was)
given it: recipient, channel, subject, text, the iMIP part and the links in it. With the
development tools on, e-mails and SMS go nowhere but here and the log."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from flask import render_template
from flask.typing import ResponseReturnValue
from jinja2 import TemplateError
from sqlalchemy import select

from notifications import OutboxMessage, preview
from scheduler.dev.blueprint import bp
from scheduler.extensions import db

SHOWN = 200
LINK = re.compile(r"https?://[^\s<>\"')]+")


@dataclass(frozen=True)
class ShownMessage:
    id: int
    channel: str
    recipient: str
    template: str
    language: str
    status: str
    created_at: datetime
    due_at: datetime
    sent_at: datetime | None
    subject: str | None
    text: str
    calendar: str | None
    links: list[str]
    error: str | None


def shown(row: OutboxMessage) -> ShownMessage:
    """One outbox row as the page shows it; a row that cannot be rendered says why."""
    subject = calendar = error = None
    text = ""
    try:
        outgoing = preview(row)
    except (TemplateError, LookupError, ValueError, TypeError) as exc:
        error = f"{exc.__class__.__name__}: {exc}"
    else:
        subject, text = outgoing.subject, outgoing.text
        if outgoing.calendar:
            calendar = outgoing.calendar.decode("utf-8", "replace")
    return ShownMessage(
        id=row.id,
        channel=row.channel,
        recipient=row.recipient,
        template=row.template,
        language=row.language,
        status=row.status,
        created_at=row.created_at,
        due_at=row.due_at,
        sent_at=row.sent_at,
        subject=subject,
        text=text,
        calendar=calendar,
        links=list(dict.fromkeys(LINK.findall(text))),
        error=error,
    )


@bp.get("/messages")
def messages() -> ResponseReturnValue:
    """The newest messages first."""
    rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(SHOWN))
    return render_template("dev/messages.html", messages=[shown(row) for row in rows])
