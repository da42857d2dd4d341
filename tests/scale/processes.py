"""Real processes of a scaled-out deployment: gunicorn web instances and job workers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import requests

from tests.scale.proxy import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SECRET_KEY = "scale-test-secret-key"


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def base_env(database_url: str, redis_url: str | None, **extra: str) -> dict[str, str]:
    """The environment of a production process: everything from ETAAIKA_* variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ETAAIKA_")}
    env.update(
        ETAAIKA_ENV_NAME="production",
        ETAAIKA_SECRET_KEY=SECRET_KEY,
        ETAAIKA_DATABASE_URL=database_url,
        ETAAIKA_LOG_JSON="true",
        ETAAIKA_LOG_LEVEL="INFO",
        ETAAIKA_GRACEFUL_TIMEOUT="5",
    )
    if redis_url:
        env["ETAAIKA_REDIS_URL"] = redis_url
    env.update(extra)
    return env


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path
    base: str = ""
    stopped: bool = field(default=False)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self, timeout: float = 20) -> int:
        """SIGTERM, then wait; SIGKILL only if it does not end in time."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)
        self.stopped = True
        return int(self.popen.returncode)


def _spawn(name: str, argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def start_web(
    name: str, env: dict[str, str], tmp: Path, workers: int = 1, threads: int = 16
) -> Process:
    """``gunicorn -c deploy/gunicorn_conf.py wsgi:app`` on a free loopback port,
    returned once its /healthz answers."""
    port = free_port()
    metrics_dir = tmp / f"metrics-{name}"
    metrics_dir.mkdir(exist_ok=True)
    env = {
        **env,
        "ETAAIKA_BIND": f"127.0.0.1:{port}",
        "ETAAIKA_WEB_WORKERS": str(workers),
        "ETAAIKA_WEB_THREADS": str(threads),
        "ETAAIKA_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
    }
    log = tmp / f"{name}.log"
    popen = _spawn(
        name,
        [str(BIN / "gunicorn"), "-c", str(ROOT / "deploy" / "gunicorn_conf.py"), "wsgi:app"],
        env,
        log,
    )
    process = Process(name, popen, log, f"http://127.0.0.1:{port}")

    def up() -> bool:
        if popen.poll() is not None:
            raise AssertionError(f"{name} ended at start:\n{process.output()}")
        try:
            return requests.get(process.base + "/healthz", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    wait_for(up, 60, f"{name} to answer /healthz")
    return process


def start_worker(name: str, env: dict[str, str], tmp: Path) -> Process:
    """``flask --app wsgi worker``, returned once it runs its jobs."""
    log = tmp / f"{name}.log"
    popen = _spawn(name, [str(BIN / "flask"), "--app", "wsgi", "worker"], env, log)
    process = Process(name, popen, log)

    def running() -> bool:
        if popen.poll() is not None:
            raise AssertionError(f"{name} ended at start:\n{process.output()}")
        return "worker: running" in process.output()

    wait_for(running, 60, f"{name} to start its jobs")
    return process
