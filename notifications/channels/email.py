"""E-mail over SMTP (STARTTLS, implicit TLS or plain on a trusted network, with AUTH).

One connection is opened on the first message of a batch and reused for the rest.
A message is multipart: plain text, HTML and, for confirmations, changes and
cancellations, an iMIP ``text/calendar`` part (also attached as ``invite.ics``).
"""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, parseaddr

from notifications.channels.base import Channel, Outgoing, SendError
from notifications.config import SmtpSettings


def message_id(idempotency_key: str, sender: str) -> str:
    """A Message-ID that is the same for every attempt of one message, so that a
    repeat after a crash can be recognised (and dropped) by the receiving side."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "etaaika.invalid"
    return f"<{digest}@{domain}>"


def build_email(message: Outgoing) -> EmailMessage:
    """The MIME message for ``message`` (an e-mail :class:`Outgoing`)."""
    sender = message.sender or ""
    email = EmailMessage(policy=SMTP)
    email["From"] = sender
    email["To"] = message.recipient
    email["Subject"] = message.subject or ""
    email["Date"] = formatdate(usegmt=True)
    email["Message-ID"] = message_id(message.idempotency_key, sender)
    # RFC 3834: automatic replies (out-of-office) should not answer this.
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.text)
    if message.html:
        email.add_alternative(message.html, subtype="html")
    if message.calendar and message.calendar_method:
        email.add_alternative(
            message.calendar.decode(), subtype="calendar",
            params={"method": message.calendar_method},
        )
        email.add_attachment(
            message.calendar, maintype="application", subtype="ics", filename="invite.ics"
        )
    return email


def _refused(code: int, what: str) -> SendError:
    # 5xx: the server will never take it (bad address, refused sender); 4xx: try later.
    return SendError(f"{what} ({code})", permanent=500 <= code < 600)


class EmailChannel(Channel):
    name = "email"

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def _tls_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.settings.ca_file)

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        smtp: smtplib.SMTP
        if s.security == "ssl":
            smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=self._tls_context())
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        try:
            smtp.ehlo()
            if s.security == "starttls":
                smtp.starttls(context=self._tls_context())
                smtp.ehlo()
            if s.user:
                smtp.login(s.user, s.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            try:
                self._smtp = self._connect()
            except smtplib.SMTPAuthenticationError as exc:
                raise SendError(f"SMTP login refused ({exc.smtp_code})") from exc
            except (smtplib.SMTPException, OSError) as exc:
                raise SendError(f"SMTP server unreachable: {exc.__class__.__name__}: {exc}") from exc
        return self._smtp

    def send(self, message: Outgoing) -> None:
        email = build_email(message)
        envelope_from = parseaddr(message.sender or "")[1] or None
        for attempt in (1, 2):
            smtp = self._connection()
            try:
                smtp.send_message(email, from_addr=envelope_from, to_addrs=[message.recipient])
                return
            except smtplib.SMTPServerDisconnected as exc:
                # A reused connection may have been closed by the server while idle:
                # connect again once. The server answered nothing, so nothing was sent.
                self.close()
                if attempt == 2:
                    raise SendError("SMTP server closed the connection") from exc
            except smtplib.SMTPRecipientsRefused as exc:
                code = min((c for c, _ in exc.recipients.values()), default=550)
                raise _refused(code, "recipient refused") from exc
            except smtplib.SMTPSenderRefused as exc:
                raise _refused(exc.smtp_code, "sender refused") from exc
            except smtplib.SMTPDataError as exc:
                raise _refused(exc.smtp_code, "message refused") from exc
            except (smtplib.SMTPException, OSError) as exc:
                self.close()
                raise SendError(f"SMTP error: {exc.__class__.__name__}: {exc}") from exc

    def close(self) -> None:
        if self._smtp is not None:
            smtp, self._smtp = self._smtp, None
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()
