"""The one interface every channel implements."""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Self


@dataclass(frozen=True)
class Outgoing:
    """One rendered message, ready for a channel."""

    recipient: str
    text: str
    idempotency_key: str
    # E-mail only:
    sender: str | None = None
    subject: str | None = None
    html: str | None = None
    calendar: bytes | None = None
    calendar_method: str | None = None


class SendError(Exception):
    """Sending failed. ``permanent`` failures (a refused address) are not retried."""

    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Channel:
    """A way to deliver messages. Used as a context manager around one batch, so that
    a channel can keep one connection open for all the batch's messages."""

    name = "channel"

    def send(self, message: Outgoing) -> None:
        """Deliver ``message`` or raise :class:`SendError`."""
        raise NotImplementedError

    def close(self) -> None:
        """Release connections; idempotent."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
