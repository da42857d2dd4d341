"""The in-call controls in Chromium, pressed as a user presses them (keyboard or click),
with what each side then sees: mute, camera off and on, audio only, camera flip, screen
share, the connection-quality indicator, and the call page on a phone held either way.

One call serves the whole module. The pages are the app's own; an init script only keeps
a list of the page's peer connections (``window.__pcs``) so that the test can read their
senders and statistics, and describes the device each page stands for: the family's phone
has a front and a back camera, the worker's browser has one camera and no screen sharing.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from scheduler.extensions import db
from scheduler.schema import create_all
from tests.conftest import make_app
from tests.factories import Factories
from tests.video.browser import admit, allow_devices, wait_frames
from tests.video.helpers import links_for, live_server, video_booking
from video.models import Participant

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Keeps every RTCPeerConnection the page makes, so the test can read senders and stats.
TRACK_PEER_CONNECTIONS = """(() => {
  const Native = window.RTCPeerConnection;
  window.__pcs = [];
  window.RTCPeerConnection = class extends Native {
    constructor(...args) { super(...args); window.__pcs.push(this); }
  };
})();"""

# A phone: the fake camera is reported a second time, as the back camera.
TWO_CAMERAS = """(() => {
  const enumerate = MediaDevices.prototype.enumerateDevices;
  MediaDevices.prototype.enumerateDevices = async function () {
    const devices = await enumerate.call(this);
    const back = { deviceId: 'back', groupId: 'back', kind: 'videoinput', label: 'Back camera' };
    return [...devices, { ...back, toJSON() { return back; } }];
  };
})();"""

# A browser without screen sharing (as on phones).
NO_SCREEN_SHARE = "delete MediaDevices.prototype.getDisplayMedia;"

OPEN_PCS = "window.__pcs.filter((pc) => pc.connectionState !== 'closed')"

SENDERS = f"""() => {OPEN_PCS}.flatMap((pc) => pc.getTransceivers().map((t) => ({{
  kind: t.receiver.track.kind,
  direction: t.direction,
  current: t.currentDirection,
  track: t.sender.track && {{
    id: t.sender.track.id,
    enabled: t.sender.track.enabled,
    state: t.sender.track.readyState,
    surface: t.sender.track.getSettings().displaySurface || '',
  }},
}})))"""

RECEIVED = f"""async () => {{
  const out = {{ frames: 0, energy: 0 }};
  for (const pc of {OPEN_PCS}) {{
    (await pc.getStats()).forEach((r) => {{
      if (r.type !== 'inbound-rtp') return;
      if (r.kind === 'video') out.frames += r.framesDecoded || 0;
      else out.energy += r.totalAudioEnergy || 0;
    }});
  }}
  return out;
}}"""

# What the page's video senders encode now: the id of the track each frame comes from.
SOURCES = f"""async () => {{
  const sources = [];
  for (const pc of {OPEN_PCS}) {{
    (await pc.getStats()).forEach((r) => {{
      if (r.type === 'media-source' && r.kind === 'video') sources.push(r.trackIdentifier);
    }});
  }}
  return sources;
}}"""

SOURCES_ARE = f"async (ids) => JSON.stringify(await ({SOURCES})()) === JSON.stringify(ids)"

# The mean brightness (0–255) of what a remote tile's video shows right now.
BRIGHTNESS = """(pid) => {
  const video = document.querySelector(`.tile[data-pid='${pid}'] video`);
  const canvas = document.createElement('canvas');
  canvas.width = 64;
  canvas.height = 48;
  const g = canvas.getContext('2d');
  g.drawImage(video, 0, 0, 64, 48);
  const data = g.getImageData(0, 0, 64, 48).data;
  let sum = 0;
  for (let i = 0; i < data.length; i += 4) sum += data[i] + data[i + 1] + data[i + 2];
  return sum / (data.length / 4) / 3;
}"""


@dataclass
class Call:
    family: Any
    worker: Any
    family_pid: int
    worker_pid: int


def open_call_page(browser: Any, url: str, *scripts: str) -> Any:
    """A page of its own browser context, with the init scripts run before the app's."""
    context = browser.new_context(
        permissions=["camera", "microphone"], locale="fi", viewport={"width": 412, "height": 860}
    )
    context.set_default_timeout(15000)
    for script in (TRACK_PEER_CONNECTIONS, *scripts):
        context.add_init_script(script)
    page = context.new_page()
    page.goto(url)
    return page


def participant_id(kind: str) -> int:
    try:
        pid = db.session.scalar(select(Participant.id).where(Participant.kind == kind))
        assert pid is not None
        return pid
    finally:
        db.session.rollback()  # on SQLite every transaction holds the write lock


def connect(family: Any, worker: Any) -> Call:
    """The family waits, the worker admits them, frames flow both ways."""
    allow_devices(family)
    family.click("#continue-btn")
    family.wait_for_selector("#stage-waiting:not([hidden])")
    allow_devices(worker)
    worker.click("#continue-btn")
    call = Call(family, worker, participant_id("family"), participant_id("worker"))
    worker.wait_for_selector(f"#lobby-list li[data-pid='{call.family_pid}']")
    admit(worker, call.family_pid)
    wait_frames(family, call.worker_pid)
    wait_frames(worker, call.family_pid)
    return call


@pytest.fixture(scope="module")
def call_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The app on a live server with one video booking; yields (app, links)."""
    tmp: Path = tmp_path_factory.mktemp("video")
    app = make_app(tmp, f"sqlite:///{tmp / 'video.db'}")
    with app.app_context():
        with db.engine.begin() as connection:
            create_all(connection)
        booking = video_booking(Factories())
        with live_server(app):
            yield app, links_for(booking)
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def call(browser: Any, call_app: Any) -> Iterator[Call]:
    _app, links = call_app
    family = open_call_page(browser, links.family, TWO_CAMERAS)
    worker = open_call_page(browser, links.worker, NO_SCREEN_SHARE)
    try:
        yield connect(family, worker)
    finally:
        family.context.close()
        worker.context.close()


def senders(page: Any, kind: str) -> list[dict[str, Any]]:
    return [s for s in page.evaluate(SENDERS) if s["kind"] == kind]


def received(page: Any) -> dict[str, float]:
    return dict(page.evaluate(RECEIVED))


WAIT_S = 30.0  # generous: the tests wait for media to start or stop, then assert that it did
QUIET_S = 1.5  # longer than the fake microphone's pause between beeps


def growth(page: Any, key: str, seconds: float = QUIET_S) -> float:
    """How much ``key`` of what ``page`` receives grows over ``seconds``."""
    before = received(page)[key]
    time.sleep(seconds)
    return received(page)[key] - before


def wait_growing(page: Any, key: str, more_than: float = 0) -> float:
    """Wait until what ``page`` receives grows by more than ``more_than`` over a short
    span (media takes a moment to resume); the growth seen."""
    deadline = time.monotonic() + WAIT_S
    while (grown := growth(page, key, 0.5)) <= more_than:
        assert time.monotonic() < deadline, f"{key} does not grow (last: {grown})"
    return grown


def wait_still(page: Any, key: str, at_most: float = 0) -> None:
    """Wait until what ``page`` receives stops growing: it grows by at most ``at_most``
    over a span longer than any natural pause (whatever was on its way has arrived)."""
    deadline = time.monotonic() + WAIT_S
    while (grown := growth(page, key)) > at_most:
        assert time.monotonic() < deadline, f"{key} keeps growing (last: {grown})"


def assert_button(page: Any, selector: str, pressed: bool, label: str) -> None:
    button = page.locator(selector)
    assert button.get_attribute("aria-pressed") == str(pressed).lower()
    assert button.inner_text().strip() == label


# -- tests ----------------------------------------------------------------------------


def test_mute_silences_the_microphone_for_the_other_side(call: Call) -> None:
    family, worker = call.family, call.worker
    speaking = wait_growing(worker, "energy")  # the fake microphone beeps

    family.focus("#mute-btn")
    family.keyboard.press("Space")
    assert_button(family, "#mute-btn", True, "Mikrofoni päälle")
    assert [s["track"]["enabled"] for s in senders(family, "audio")] == [False]
    wait_still(worker, "energy", speaking / 100)  # silence (decoder noise at most)

    family.keyboard.press("Enter")
    assert_button(family, "#mute-btn", False, "Mikrofoni pois")
    assert [s["track"]["enabled"] for s in senders(family, "audio")] == [True]
    wait_growing(worker, "energy")


def test_camera_off_shows_the_other_side_no_picture_and_on_brings_it_back(call: Call) -> None:
    family, worker = call.family, call.worker
    assert worker.evaluate(BRIGHTNESS, call.family_pid) > 40

    family.locator("#camera-btn").click()
    assert_button(family, "#camera-btn", True, "Kamera päälle")
    assert [s["track"]["enabled"] for s in senders(family, "video")] == [False]
    # Chromium keeps sending frames of a disabled track, black ones: the worker sees black.
    worker.wait_for_function(f"() => ({BRIGHTNESS})({call.family_pid}) < 5")

    family.locator("#camera-btn").press("Enter")
    assert_button(family, "#camera-btn", False, "Kamera pois")
    assert [s["track"]["enabled"] for s in senders(family, "video")] == [True]
    wait_growing(worker, "frames", 10)
    worker.wait_for_function(f"() => ({BRIGHTNESS})({call.family_pid}) > 40")


def test_audio_only_stops_video_both_ways_and_says_so(call: Call) -> None:
    family, worker = call.family, call.worker
    family.locator("#audio-only-btn").press("Space")
    assert_button(family, "#audio-only-btn", True, "Kuva takaisin")
    assert family.locator("#audio-only-note").inner_text() == (
        "Vain ääni: kuva ei kulje kumpaankaan suuntaan."
    )
    assert [s["direction"] for s in senders(family, "video")] == ["inactive"]
    # Renegotiated: neither side sends video any more, so nothing new is decoded.
    family.wait_for_function(
        f"() => {OPEN_PCS}.every((pc) => pc.getTransceivers().every("
        "(t) => t.receiver.track.kind !== 'video' || t.currentDirection === 'inactive'))"
    )
    wait_still(worker, "frames")
    wait_still(family, "frames")
    wait_growing(worker, "energy")  # the voice still goes through

    family.locator("#audio-only-btn").click()
    assert_button(family, "#audio-only-btn", False, "Vain ääni")
    assert family.locator("#audio-only-note").is_hidden()
    assert [s["direction"] for s in senders(family, "video")] == ["sendrecv"]
    assert [s["track"]["enabled"] for s in senders(family, "video")] == [True]
    wait_growing(worker, "frames")
    wait_growing(family, "frames")


def test_camera_flip_is_offered_only_with_two_cameras_and_keeps_the_picture(
    call: Call,
) -> None:
    family, worker = call.family, call.worker
    assert worker.locator("#flip-btn").is_hidden()  # one camera
    flip = family.locator("#flip-btn")
    assert flip.is_visible()
    (before,) = senders(family, "video")

    # Flipped while the camera is off, the new camera stays off.
    family.locator("#camera-btn").click()
    flip.press("Enter")
    family.wait_for_function(
        f"(old) => {OPEN_PCS}.some((pc) => pc.getSenders().some("
        "(s) => s.track && s.track.kind === 'video' && s.track.id !== old))",
        arg=before["track"]["id"],
    )
    (after,) = senders(family, "video")
    assert after["track"]["state"] == "live"
    assert after["track"]["enabled"] is False
    assert_button(family, "#camera-btn", True, "Kamera päälle")

    family.locator("#camera-btn").click()
    assert [s["track"]["enabled"] for s in senders(family, "video")] == [True]
    worker.wait_for_function(f"() => ({BRIGHTNESS})({call.family_pid}) > 40")
    wait_growing(worker, "frames")


def test_screen_share_sends_the_screen_and_stops_back_to_the_camera(call: Call) -> None:
    family, worker = call.family, call.worker
    assert worker.locator("#share-btn").is_hidden()  # no getDisplayMedia in this browser
    share = family.locator("#share-btn")
    assert share.is_visible()
    (camera,) = senders(family, "video")

    share.click()
    family.wait_for_selector("#share-btn[aria-pressed='true']")
    assert_button(family, "#share-btn", True, "Lopeta jakaminen")
    (screen,) = senders(family, "video")
    assert screen["track"]["surface"] == "monitor"
    # The screen is what is encoded and sent now, and the worker keeps receiving it.
    family.wait_for_function(SOURCES_ARE, arg=[screen["track"]["id"]])
    wait_growing(worker, "frames")

    share.press("Enter")
    assert_button(family, "#share-btn", False, "Jaa näyttö")
    # The sender takes the camera back once replaceTrack() has settled.
    family.wait_for_function(
        f"(id) => ({SENDERS})().some((s) => s.kind === 'video' && s.track && s.track.id === id)",
        arg=camera["track"]["id"],
    )
    assert senders(family, "video")[0]["track"] == camera["track"]
    family.wait_for_function(SOURCES_ARE, arg=[camera["track"]["id"]])
    wait_growing(worker, "frames")


def test_connection_quality_is_shown_on_every_remote_tile(call: Call) -> None:
    for page, pid in ((call.family, call.worker_pid), (call.worker, call.family_pid)):
        tile = page.locator(f".tile[data-pid='{pid}']")
        page.wait_for_selector(f".tile[data-pid='{pid}'][data-quality='good']")
        assert tile.locator(".quality").inner_text() == "Hyvä yhteys"
        assert tile.locator(".quality").get_attribute("role") == "status"


@pytest.mark.parametrize(
    "viewport", [{"width": 360, "height": 740}, {"width": 740, "height": 360}], ids=str
)
def test_call_page_fits_a_phone_held_either_way(call: Call, viewport: dict[str, int]) -> None:
    page = call.family
    page.set_viewport_size(viewport)
    # As a user does: the call scrolled to the top of the screen.
    page.locator("#stage-call").evaluate("(stage) => stage.scrollIntoView({ block: 'start' })")
    page.wait_for_timeout(200)  # layout after the resize
    assert page.evaluate("() => document.documentElement.scrollWidth") <= viewport["width"]
    buttons = page.locator("#controls button:visible")
    assert buttons.count() >= 5
    for i in range(buttons.count()):
        box = buttons.nth(i).bounding_box()
        name = buttons.nth(i).inner_text()
        assert box["width"] >= 44 and box["height"] >= 44, name
        # Every control is on the screen at once, next to or below the picture.
        assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], name
        assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], name
    video = page.locator(f".tile[data-pid='{call.worker_pid}'] video").bounding_box()
    assert video["y"] >= 0 and video["height"] >= 120  # the other person is on the screen too
    assert video["y"] + video["height"] / 2 <= viewport["height"]
