"""A call forced through coturn (iceTransportPolicy relay) with short-lived HMAC credentials."""

from __future__ import annotations

import secrets
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from scheduler.extensions import db
from tests.factories import Factories
from tests.services import need_program
from tests.video.browser import admit, allow_devices, open_page, wait_frames
from tests.video.helpers import links_for, live_server, video_booking
from tests.video.processes import free_port
from video.models import Participant

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def coturn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """coturn on loopback with the use-auth-secret scheme and a fresh secret."""
    program = need_program("turnserver", "coturn")
    folder = tmp_path_factory.mktemp("coturn")
    port, relay_low = free_port(), 49160 + secrets.randbelow(10000)
    secret = secrets.token_hex(16)
    config = Path(folder / "turnserver.conf")
    config.write_text(
        "\n".join(
            [
                "listening-ip=127.0.0.1",
                f"listening-port={port}",
                "relay-ip=127.0.0.1",
                f"min-port={relay_low}",
                f"max-port={relay_low + 200}",
                "use-auth-secret",
                f"static-auth-secret={secret}",
                "realm=etaaika.test",
                "no-tls",
                "no-dtls",
                "no-cli",
                "no-multicast-peers",
                "allow-loopback-peers",
                "fingerprint",
                f"pidfile={folder / 'turn.pid'}",
                f"log-file={folder / 'turn.log'}",
                "simple-log",
                "verbose",
                f"userdb={folder / 'turndb'}",
            ]
        )
        + "\n"
    )
    process = subprocess.Popen(
        [program, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 10
        while True:  # coturn answers on TCP as well; that is when it is ready
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("coturn did not start") from None
                time.sleep(0.1)
        yield {
            "urls": [f"turn:127.0.0.1:{port}?transport=udp"],
            "secret": secret,
            "log": folder / "turn.log",
        }
    finally:
        process.terminate()
        process.wait(10)


def _pid(kind: str) -> int:
    try:
        return db.session.scalar(select(Participant.id).where(Participant.kind == kind))  # type: ignore[return-value]
    finally:
        db.session.rollback()


def test_call_is_relayed_through_coturn(
    browser: Any, coturn: dict[str, Any], app: Flask, make: Factories
) -> None:
    app.config.update(
        TURN_URLS=coturn["urls"], TURN_SECRET=coturn["secret"], VIDEO_FORCE_RELAY=True
    )
    booking = video_booking(make)
    with live_server(app):
        links = links_for(booking)
        family = open_page(browser, links.family)
        allow_devices(family)
        family.click("#continue-btn")
        worker = open_page(browser, links.worker)
        allow_devices(worker)
        worker.click("#continue-btn")
        family_pid, worker_pid = _pid("family"), _pid("worker")
        admit(worker, family_pid)
        wait_frames(family, worker_pid)
        wait_frames(worker, family_pid)
        for page, other in ((family, worker_pid), (worker, family_pid)):
            kind = page.eval_on_selector(
                f".tile[data-pid='{other}']", "t => t.dataset.candidateType"
            )
            assert kind == "relay"
        for page in (family, worker):
            page.context.close()
    # coturn itself saw the credentials of this call accepted and relayed its media.
    log = coturn["log"].read_text()
    assert "ALLOCATE processed, success" in log, log[-2000:]
