"""E-mail over SMTP (STARTTLS, implicit TLS or plain on a trusted network, with AUTH).

One connection is opened on the first message of a batch and reused for the rest.
A message is multipart: plain text, HTML and, for confirmations, changes and
cancellations, an iMIP ``text/calendar`` part (also attached as ``invite.ics``).
"""

from __future__ import annotations

import hashlib
import smtplib
import socket
import ssl
from email.charset import QP, Charset
from email.header import Header
from email.message import Message
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import formataddr, formatdate, parseaddr

from notifications.channels.base import Channel, Outgoing, SendError
from notifications.config import SmtpSettings


def message_id(idempotency_key: str, sender: str) -> str:
    """A Message-ID that is the same for every attempt of one message, so that a
    repeat after a crash can be recognised (and dropped) by the receiving side."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "etaaika.invalid"
    return f"<{digest}@{domain}>"


# The classic policy, with the CRLF line ends that SMTP requires.
WIRE = compat32.clone(linesep="\r\n")


def _utf8(subtype: str, text: str) -> MIMEText:
    charset = Charset("utf-8")
    charset.body_encoding = QP  # readable in transit, unlike base64
    return MIMEText(text, subtype, charset)  # type: ignore[arg-type]  # a Charset is fine


def _address(value: str) -> str:
    name, address = parseaddr(value)
    return formataddr((name, address), charset="utf-8") if address else value


def build_email(message: Outgoing) -> Message:
    """The MIME message for ``message`` (an e-mail :class:`Outgoing`).

    Built with the classic ``email.mime`` classes: the structured-header API of
    ``EmailMessage`` costs several times as much per message at dispatch rates.
    """
    sender = message.sender or ""
    body = MIMEMultipart("alternative")
    body.attach(_utf8("plain", message.text))
    if message.html:
        body.attach(_utf8("html", message.html))
    email: Message = body
    if message.calendar and message.calendar_method:
        invite = _utf8("calendar", message.calendar.decode())
        invite.set_param("method", message.calendar_method)
        body.attach(invite)
        attachment = MIMEApplication(message.calendar, "ics")
        attachment.add_header("Content-Disposition", "attachment", filename="invite.ics")
        email = MIMEMultipart("mixed")
        email.attach(body)
        email.attach(attachment)
    email["From"] = _address(sender)
    email["To"] = message.recipient
    email["Subject"] = Header(message.subject or "", "utf-8").encode()
    email["Date"] = formatdate(usegmt=True)
    email["Message-ID"] = message_id(message.idempotency_key, sender)
    # RFC 3834: automatic replies (out-of-office) should not answer this.
    email["Auto-Submitted"] = "auto-generated"
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
            # Each SMTP command waits for its answer: without this, Nagle's algorithm and
            # delayed ACKs add tens of milliseconds to every message.
            if smtp.sock is not None:
                smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
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
                raise SendError(
                    f"SMTP server unreachable: {exc.__class__.__name__}: {exc}"
                ) from exc
        return self._smtp

    def send(self, message: Outgoing) -> None:
        data = build_email(message).as_bytes(policy=WIRE)
        envelope_from = parseaddr(message.sender or "")[1] or None
        for attempt in (1, 2):
            smtp = self._connection()
            try:
                smtp.sendmail(envelope_from or "", [message.recipient], data)
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
