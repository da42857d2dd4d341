"""Real peers for the notification tests: an SMTP server (aiosmtpd, optionally with
STARTTLS or implicit TLS and AUTH) and an HTTP server standing in for an SMS gateway."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import json
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SMTPServer
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, and its key, written to ``directory``."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    peer: Any = None  # the client's (host, port): one per SMTP connection

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=policy.default)


def body(message: EmailMessage, kind: str) -> str:
    """The decoded text/plain or text/html body of a received e-mail."""
    part = message.get_body((kind,))
    assert part is not None, f"no text/{kind} part"
    return str(part.get_content())


@dataclass
class MailHandler:
    """Collects messages; can refuse recipients, pause before answering DATA, hold one
    message at the end of DATA until told to go on, or drop the connection there.

    A message counts as received only when the DATA exchange ends with the server's
    answer: one whose connection is lost before that (the sender killed, or the
    connection dropped on purpose) is kept in ``dropped`` instead, as a real server
    that never answered would not have taken it.
    """

    received: list[Received] = field(default_factory=list)
    dropped: list[Received] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)  # recipient -> SMTP answer
    delay: float = 0.0
    hold_at: int | None = None  # the n-th DATA (from 1) is held until ``release`` is set
    drop_at: set[int] = field(default_factory=set)  # the n-th DATA loses its connection
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    on_message: Callable[[Received], None] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    data_seen: int = 0

    async def handle_RCPT(
        self,
        server: SMTPServer,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTPServer, session: Session, envelope: Envelope) -> str:
        item = Received(
            str(envelope.mail_from),
            list(envelope.rcpt_tos),
            bytes(envelope.original_content or b""),
            session.peer,
        )
        with self.lock:
            self.data_seen += 1
            seen = self.data_seen
        try:
            if self.delay:
                await asyncio.sleep(self.delay)  # a slow server: a message stays in flight
            if seen == self.hold_at:
                self.holding.set()
                while not self.release.is_set():
                    await asyncio.sleep(0.01)
            if seen in self.drop_at:
                with self.lock:
                    self.dropped.append(item)
                if server.transport is not None:
                    server.transport.close()
                await asyncio.sleep(3600)  # cancelled when the connection is lost
        except asyncio.CancelledError:
            # The connection was lost before the answer: the message was not taken.
            with self.lock:
                if item not in self.dropped:
                    self.dropped.append(item)
            raise
        with self.lock:
            self.received.append(item)
        if self.on_message:
            self.on_message(item)
        return "250 Message accepted"

    def messages(self) -> list[EmailMessage]:
        with self.lock:
            return [r.message for r in self.received]


class PasswordCheck:
    def __init__(self, user: str, password: str) -> None:
        self.user, self.password = user.encode(), password.encode()

    def __call__(
        self,
        server: SMTPServer,
        session: Session,
        envelope: Envelope,
        mechanism: str,
        auth_data: Any,
    ) -> AuthResult:
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == self.user
            and auth_data.password == self.password
        )
        return AuthResult(success=ok, handled=False)


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: MailHandler
    controller: Controller

    def stop(self) -> None:
        self.controller.stop()


def start_smtp(
    tls: str = "none",
    cert: tuple[Path, Path] | None = None,
    auth: tuple[str, str] | None = None,
    handler: MailHandler | None = None,
    port: int | None = None,
) -> SmtpServer:
    """An SMTP server on loopback: ``tls`` is ``none``, ``starttls`` or ``ssl``."""
    handler = handler or MailHandler()
    port = port or free_port()
    kwargs: dict[str, Any] = {}
    context = None
    if tls != "none":
        assert cert is not None
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(cert[0]), str(cert[1]))
    if tls == "starttls":
        kwargs.update(tls_context=context, require_starttls=True)
    elif tls == "ssl":
        kwargs.update(ssl_context=context)
    if auth:
        kwargs.update(authenticator=PasswordCheck(*auth), auth_require_tls=tls != "none")
    controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    return SmtpServer("127.0.0.1", port, handler, controller)


@dataclass
class SmsRequest:
    headers: dict[str, str]
    body: dict[str, Any]


class SmsGateway:
    """An HTTP server that takes SMS as JSON POSTs and answers with queued statuses."""

    def __init__(self) -> None:
        self.requests: list[SmsRequest] = []
        self.statuses: list[int] = []  # answers for the next requests; then 200
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                gateway.requests.append(SmsRequest(dict(self.headers), body))
                status = gateway.statuses.pop(0) if gateway.statuses else 200
                payload = json.dumps({"status": "ok" if status == 200 else "error"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
