"""Driving the call page in Chromium."""

from __future__ import annotations

from typing import Any

FRAMES_WAIT_MS = 15000


def open_page(browser: Any, url: str, lang: str = "fi") -> Any:
    context = browser.new_context(
        permissions=["camera", "microphone"], locale=lang, viewport={"width": 412, "height": 860}
    )
    page = context.new_page()
    page.on("console", lambda message: print(f"[{url[-12:]}] {message.type}: {message.text}"))
    page.goto(url)
    return page


def allow_devices(page: Any) -> None:
    page.click("#allow-btn")
    # Functions, not expressions: the page's CSP forbids the eval that expressions need.
    page.wait_for_function(
        "() => { const v = document.querySelector('#self-preview');"
        " return v.srcObject && v.srcObject.getTracks().length === 2; }"
    )


def frames_from(page: Any, pid: int) -> int:
    """How many frames this page has decoded from participant ``pid`` (its tile's figure)."""
    return int(
        page.eval_on_selector(f".tile[data-pid='{pid}']", "t => t.dataset.framesDecoded || '0'")
    )


def wait_frames(page: Any, pid: int, more_than: int = 10, timeout_ms: int = FRAMES_WAIT_MS) -> None:
    page.wait_for_function(
        "([pid, n]) => { const t = document.querySelector(`.tile[data-pid='${pid}']`);"
        " return t && Number(t.dataset.framesDecoded || 0) > n; }",
        arg=[pid, more_than],
        timeout=timeout_ms,
    )


def admit(worker: Any, pid: int) -> None:
    worker.click(f"#lobby-list li[data-pid='{pid}'] .admit-btn")
