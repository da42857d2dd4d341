"""Recovery in Chromium: the signalling socket drops in an established call and the page
reconnects by itself; a page that is opened again gets a new peer connection.

The family's page reaches the app through a TCP proxy of the test's own, which can cut
every connection at once (the peer sees a reset, as after a network change on a phone) and
refuse new ones for a while. WebRTC media goes directly between the browsers, as it does
when only the way to the server breaks.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from tests.video.browser import allow_devices, wait_frames
from tests.video.test_browser_controls import (
    OPEN_PCS,
    Call,
    call_app,
    connect,
    open_call_page,
    wait_growing,
    wait_still,
)

__all__ = ["call_app"]  # the module's app and booking, shared with the controls test

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Keeps every WebSocket the page opens, so the test can see the reconnection.
TRACK_SOCKETS = """(() => {
  const Native = window.WebSocket;
  window.__sockets = [];
  window.WebSocket = class extends Native {
    constructor(...args) { super(...args); window.__sockets.push(this); }
  };
})();"""


class CuttableProxy:
    """A loopback TCP proxy to ``target_port`` whose connections the test can cut."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.up = True
        self._lock = threading.Lock()
        self._open: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                self._reset(client)
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            with self._lock:
                self._open += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)

    @staticmethod
    def _reset(end: socket.socket) -> None:
        # Linger 0: the close sends a reset, not an orderly goodbye. The shutdown wakes the
        # thread that reads the socket, which would otherwise keep it open.
        with contextlib.suppress(OSError):
            end.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        with contextlib.suppress(OSError):
            end.shutdown(socket.SHUT_RDWR)
        end.close()

    def cut(self) -> None:
        """Reset every open connection and refuse new ones until ``restore``."""
        self.up = False
        with self._lock:
            ends, self._open = self._open, []
        for end in ends:
            self._reset(end)

    def restore(self) -> None:
        self.up = True

    def close(self) -> None:
        self.cut()
        self.listener.close()


@pytest.fixture(scope="module")
def proxied_call(browser: Any, call_app: Any) -> Iterator[tuple[Call, CuttableProxy]]:
    """A call whose family page goes through the proxy; the worker's does not."""
    _app, links = call_app
    port = int(links.family.split("/")[2].rsplit(":", 1)[1])
    proxy = CuttableProxy(port)
    family_url = links.family.replace(f":{port}/", f":{proxy.port}/", 1)
    family = open_call_page(browser, family_url, TRACK_SOCKETS)
    worker = open_call_page(browser, links.worker)
    try:
        yield connect(family, worker), proxy
    finally:
        family.context.close()
        worker.context.close()
        proxy.close()


def test_signalling_reconnects_by_itself_after_a_network_drop(
    proxied_call: tuple[Call, CuttableProxy],
) -> None:
    call, proxy = proxied_call
    family, worker = call.family, call.worker
    assert family.evaluate("() => window.__sockets.length") == 1

    proxy.cut()
    family.wait_for_selector("#conn-status:has-text('Yhdistetään uudelleen')")
    # Without a way to the server the page keeps trying: two more sockets at least.
    family.wait_for_function("() => window.__sockets.length >= 3", timeout=30000)
    tries = family.evaluate("() => window.__sockets.length")
    proxy.restore()

    family.wait_for_function(
        "() => window.__sockets.at(-1).readyState === WebSocket.OPEN", timeout=30000
    )
    # The notice is gone again.
    family.wait_for_function("() => document.querySelector('#conn-status').textContent === ''")
    assert family.evaluate("() => window.__sockets.length") > tries
    # The media never went through the server: it went on all along.
    wait_growing(worker, "frames")
    wait_growing(family, "frames")
    assert family.evaluate(f"() => {OPEN_PCS}.length") == 1

    # The new socket carries signalling: audio only renegotiates, and video stops both ways.
    family.locator("#audio-only-btn").click()
    family.wait_for_function(
        f"() => {OPEN_PCS}.every((pc) => pc.getTransceivers().every("
        "(t) => t.receiver.track.kind !== 'video' || t.currentDirection === 'inactive'))"
    )
    wait_still(worker, "frames")
    family.locator("#audio-only-btn").click()
    wait_growing(worker, "frames")
    wait_growing(family, "frames")


def test_a_change_made_while_the_socket_is_down_reaches_the_other_side_after_it(
    proxied_call: tuple[Call, CuttableProxy],
) -> None:
    call, proxy = proxied_call
    family, worker = call.family, call.worker
    proxy.cut()
    family.wait_for_selector("#conn-status:has-text('Yhdistetään uudelleen')")
    # Audio only needs a new offer; the socket is down, so it must wait for the next one.
    family.locator("#audio-only-btn").click()
    family.wait_for_selector("#audio-only-btn[aria-pressed='true']")
    proxy.restore()
    family.wait_for_function(
        f"() => {OPEN_PCS}.every((pc) => pc.signalingState === 'stable' && "
        "pc.getTransceivers().every("
        "(t) => t.receiver.track.kind !== 'video' || t.currentDirection === 'inactive'))",
        timeout=30000,
    )
    wait_still(worker, "frames")
    family.locator("#audio-only-btn").click()
    wait_growing(worker, "frames")


def test_a_page_opened_again_gets_a_new_peer_connection(
    proxied_call: tuple[Call, CuttableProxy],
) -> None:
    call, _proxy = proxied_call
    family, worker = call.family, call.worker
    old = worker.evaluate(f"() => window.__pcs.indexOf({OPEN_PCS}[0])")

    # The phone's browser dropped the tab; the family opens the link again.
    family.reload()
    allow_devices(family)
    family.click("#continue-btn")
    family.wait_for_selector("#stage-call:not([hidden])")  # still admitted: no waiting again
    wait_frames(family, call.worker_pid)
    worker.wait_for_function(
        f"(old) => window.__pcs[old].connectionState === 'closed' && {OPEN_PCS}.length === 1",
        arg=old,
    )
    # The worker's page made a new connection for the new page, and the tile shows it.
    wait_frames(worker, call.family_pid)
    assert worker.locator(f".tile[data-pid='{call.family_pid}']").count() == 1
