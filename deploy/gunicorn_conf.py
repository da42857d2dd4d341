"""gunicorn settings for production: ``gunicorn -c deploy/gunicorn_conf.py wsgi:app``.

| variable | meaning | default |
|---|---|---|
| ETAAIKA_BIND | address(es) to listen on, comma-separated | ``127.0.0.1:8000`` |
| ETAAIKA_WEB_WORKERS | web processes | number of CPUs |
| ETAAIKA_WEB_THREADS | threads per process (each open video socket holds one) | 32 |
| ETAAIKA_GRACEFUL_TIMEOUT | seconds a process gets to finish its requests on stop | 30 |
| ETAAIKA_ACCESS_LOG | ``-`` (stderr) or a file for gunicorn's JSON access log | off |
| ETAAIKA_LOG_JSON | gunicorn's own messages as JSON too | false |
| ETAAIKA_SHARED_SOCKET | one listening socket for all processes (always so on Unix) | false |
| PROMETHEUS_MULTIPROC_DIR | where the processes share their metrics | a fresh temporary folder |

The worker class is ``gthread``: a request is served by a thread, so a WebSocket (video
signalling) occupies one thread for the length of a call and never blocks the others.
The application writes its own JSON line per request (``ETAAIKA_LOG_REQUESTS``, on with
``ETAAIKA_LOG_JSON``); gunicorn's access log is there for those who want it instead.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from datetime import UTC, datetime
from typing import Any

from gunicorn.glogging import Logger


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


bind = [part.strip() for part in os.environ.get("ETAAIKA_BIND", "127.0.0.1:8000").split(",")]
worker_class = "gthread"
workers = _int("ETAAIKA_WEB_WORKERS", os.cpu_count() or 1)
threads = _int("ETAAIKA_WEB_THREADS", 32)
# gthread's own heartbeat keeps a process with long requests (sockets) alive; this is for
# a process that stopped answering altogether.
timeout = 60
graceful_timeout = _int("ETAAIKA_GRACEFUL_TIMEOUT", 30)
keepalive = 5  # seconds an idle keep-alive connection of the reverse proxy stays open
# On TCP each process listens on a socket of its own (SO_REUSEPORT) and the kernel shares
# new connections out among them. On one shared socket, whichever process wakes first takes
# a burst of connections, and keep-alive connections then stay with it: one process may
# serve nearly all the traffic while the other idles. A Unix socket is always shared (a
# socket of its own per process would replace the others' at the same path).
reuse_port = not _flag("ETAAIKA_SHARED_SOCKET") and not any(
    address.startswith(("unix:", "fd://")) for address in bind
)
# The app reads X-Forwarded-* through ProxyFix (ETAAIKA_PROXY_FIX_HOPS), not gunicorn:
# gunicorn acts on no forwarded header from anyone. (With no header to act on, "trusted
# from everywhere" trusts nothing, and spares gunicorn parsing the peer's address for
# every request.)
secure_scheme_headers: dict[str, str] = {}
forwarder_headers = ""  # none
forwarded_allow_ips = "*"
proc_name = "etaaika-web"
# Each process tells the master it is alive by touching a file, on every turn of its loop:
# on a memory file system that is not a disk write (gunicorn's advice for containers,
# where /tmp is often an overlay on disk). gunicorn makes the file with mkstemp (a fresh
# name, mode 0600) and unlinks it at once.
_SHM = "/dev/shm"  # noqa: S108
worker_tmp_dir = _SHM if os.path.isdir(_SHM) else None
# Several instances may run on one host; gunicorn's control socket has one fixed path.
control_socket_disable = True

_access = os.environ.get("ETAAIKA_ACCESS_LOG", "").strip()
accesslog = _access if _access and _access.lower() not in ("off", "none", "0") else None
errorlog = "-"
loglevel = os.environ.get("ETAAIKA_LOG_LEVEL", "info").lower()

# Counters and histograms of all processes of this host meet in one folder (prometheus_client
# multiprocess mode). It must be set before the app (and so prometheus_client) is imported.
_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(
    prefix="etaaika-metrics-"
)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir


_SECRET_SEGMENT = re.compile(r"(?=[A-Za-z0-9_.~-]*[0-9])[A-Za-z0-9_.~-]{24,}")


def redact(path: str) -> str:
    """Leave long random path segments (tokens, link secrets, tickets) out of the log."""
    return "/".join(
        "[secret]" if _SECRET_SEGMENT.fullmatch(part) else part for part in path.split("/")
    )


class JsonAccessLogger(Logger):
    """gunicorn's access log as one JSON object per line, written only with ETAAIKA_ACCESS_LOG.

    gunicorn counts any logging configuration as an access log, and ETAAIKA_LOG_JSON sets
    one (for its own messages, with no handler for ``gunicorn.access``): every request's
    line was then put together and dropped, a tenth of the CPU of a probe.
    """

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        self._writes_access_log = bool(cfg.accesslog)

    @property
    def access_log_enabled(self) -> bool:
        return bool(getattr(self, "_writes_access_log", False))

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not self.access_log_enabled:
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        headers = dict((name.lower(), value) for name, value in resp.headers)
        entry = {
            "time": datetime.now(UTC).isoformat(),
            "logger": "gunicorn.access",
            "request_id": headers.get("x-request-id"),
            "method": environ.get("REQUEST_METHOD"),
            "path": redact(environ.get("PATH_INFO") or ""),
            "status": int(status),
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 2),
            "remote_addr": environ.get("REMOTE_ADDR"),
            "user_agent": environ.get("HTTP_USER_AGENT"),
        }
        self.access_log.info(json.dumps(entry, ensure_ascii=False))


logger_class = JsonAccessLogger

if _flag("ETAAIKA_LOG_JSON"):
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "scheduler.web.logging_setup.JsonFormatter"}},
        "handlers": {
            "error": {"class": "logging.StreamHandler", "formatter": "json"},
        },
        "root": {"level": loglevel.upper(), "handlers": ["error"]},
        "loggers": {
            "gunicorn.error": {
                "level": loglevel.upper(),
                "handlers": ["error"],
                "propagate": False,
            },
        },
    }


def _loopback_bind(address: str) -> bool:
    from scheduler.config import is_loopback_host

    if address.startswith(("unix:", "fd://")):
        return False  # served through a proxy, to anyone
    return is_loopback_host(address.rsplit(":", 1)[0] if ":" in address else address)


def on_starting(server: Any) -> None:
    """Refuse the public development key on any but a loopback address; then start with an
    empty metrics folder: values of an earlier run must not add up."""
    from scheduler.config import DEFAULTS

    key = os.environ.get("ETAAIKA_SECRET_KEY", "")
    if key in ("", DEFAULTS["SECRET_KEY"]) and not all(_loopback_bind(a) for a in bind):
        raise RuntimeError(
            "ETAAIKA_SECRET_KEY must be set: the development key is public, so the service "
            f"listens with it only on loopback, not on {', '.join(bind)}."
        )
    for entry in os.scandir(_metrics_dir):
        if entry.is_file():
            os.unlink(entry.path)
        else:
            shutil.rmtree(entry.path, ignore_errors=True)


def child_exit(server: Any, worker: Any) -> None:
    """A process has ended: its live gauges (open sockets) no longer count."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
