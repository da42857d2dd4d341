"""Fetching a calendar feed over HTTP: conditional, bounded in time and in size, and only
from addresses the server may reach (see ``address_guard``).

No Flask, no database: the caller hands in the URL, the validators of the last good
fetch and the limits, and gets a :class:`FetchResult` back. Nothing here raises for
a network or server problem; the result carries an error code instead. No part of an
answer's body ever goes into the result's ``error_detail`` (it is stored and shown).

Each hop resolves its host once, checks every address it resolves to, and connects to
that very address (the Host header and the TLS server name stay the feed's host name),
so a name cannot resolve to a public address for the check and to an internal one for
the connection. Redirects are followed by hand, at most ``MAX_REDIRECTS``, each checked
the same way.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from scheduler.ical.address_guard import AddressPolicy, AddressRefused, IPAddress, resolve

USER_AGENT = "Etaaika-calendar-sync/1 (+RFC 5545)"
MAX_REDIRECTS = 5
_CHUNK = 64 * 1024
_REDIRECTS = (301, 302, 303, 307, 308)


@dataclass(frozen=True)
class FetchResult:
    """The outcome of one fetch. ``body`` is None for 304 and for errors."""

    status: int | None = None
    body: bytes | None = None
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None  # a key of scheduler.ical.texts
    error_detail: str = ""

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def normalise_url(url: str) -> str:
    """``webcal://`` (what Outlook and Google hand out) is plain HTTPS."""
    url = url.strip()
    if url.lower().startswith("webcal://"):
        return "https://" + url[len("webcal://") :]
    return url


def fetch_feed(
    url: str,
    etag: str | None = None,
    last_modified: str | None = None,
    timeout: float = 15.0,
    max_bytes: int = 10 * 1024 * 1024,
    policy: AddressPolicy | None = None,
) -> FetchResult:
    """GET ``url`` with If-None-Match / If-Modified-Since.

    ``timeout`` bounds the whole fetch (connecting, waiting and reading), not only each
    read, so a server that trickles bytes cannot hold the job. The body is streamed and
    the download stops as soon as it passes ``max_bytes`` (counted after decompression).
    ``policy`` says which internal addresses may be connected to (none by default).
    """
    policy = policy or AddressPolicy()
    url = normalise_url(url)
    headers = {"User-Agent": USER_AGENT, "Accept": "text/calendar, */*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = time.monotonic() + timeout
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                # Not the address itself: after a redirect it is the server's own text.
                return FetchResult(error="bad_url", error_detail=f"scheme {parts.scheme[:20]!r}")
            port = parts.port or (443 if parts.scheme == "https" else 80)
            address = resolve(parts.hostname, port, policy)
            with (
                _pinned_session(address) as session,
                session.get(
                    url,
                    headers=headers,
                    timeout=(min(timeout, 10.0), timeout),
                    stream=True,
                    allow_redirects=False,
                ) as response,
            ):
                location = response.headers.get("Location")
                if response.status_code in _REDIRECTS and location:
                    url = urljoin(url, location.strip())
                    continue
                return _read(response, etag, last_modified, timeout, max_bytes, deadline)
        return FetchResult(error="too_many_redirects", error_detail=f">{MAX_REDIRECTS}")
    except AddressRefused as refused:
        return FetchResult(error="blocked_address", error_detail=str(refused)[:200])
    except requests.Timeout as error:
        return FetchResult(error="timeout", error_detail=str(error)[:200])
    except requests.exceptions.SSLError as error:
        return FetchResult(error="tls", error_detail=str(error)[:200])
    except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as error:
        return FetchResult(error="unreachable", error_detail=str(error)[:200])
    except urllib3.exceptions.ReadTimeoutError as error:
        return FetchResult(error="timeout", error_detail=str(error)[:200])
    except (urllib3.exceptions.HTTPError, OSError, UnicodeError, ValueError) as error:
        return FetchResult(error="unreachable", error_detail=str(error)[:200])
    except requests.RequestException as error:
        return FetchResult(error="unreachable", error_detail=str(error)[:200])


def _read(
    response: requests.Response,
    etag: str | None,
    last_modified: str | None,
    timeout: float,
    max_bytes: int,
    deadline: float,
) -> FetchResult:
    if response.status_code == 304:
        return FetchResult(
            status=304,
            etag=response.headers.get("ETag") or etag,
            last_modified=response.headers.get("Last-Modified") or last_modified,
        )
    if response.status_code != 200:
        return FetchResult(
            status=response.status_code,
            error=_status_error(response.status_code),
            error_detail=f"HTTP {response.status_code}",
        )
    declared = response.headers.get("Content-Length", "")
    # isascii: "²".isdigit() is true, and int() refuses it.
    if declared.isascii() and declared.isdigit() and int(declared) > max_bytes:
        return FetchResult(status=200, error="too_large", error_detail=declared[:20])
    chunks: list[bytes] = []
    size = 0
    while chunk := _read_some(response):
        size += len(chunk)
        if size > max_bytes:
            return FetchResult(status=200, error="too_large", error_detail=f">{max_bytes}")
        if time.monotonic() > deadline:
            return FetchResult(status=200, error="timeout", error_detail=f"{timeout}s")
        chunks.append(chunk)
    return FetchResult(
        status=200,
        body=b"".join(chunks),
        etag=response.headers.get("ETag"),
        last_modified=response.headers.get("Last-Modified"),
    )


def _pinned_session(address: IPAddress) -> requests.Session:
    """A session whose every connection goes to ``address``, whatever the URL's host
    resolves to by then; proxies and .netrc from the environment are not used."""
    session = requests.Session()
    session.trust_env = False
    adapter = _PinnedAdapter(str(address))
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def _connect_pinned(conn: HTTPConnection, address: str) -> socket.socket:
    """Open the socket of ``conn`` to the vetted ``address`` (not to ``conn.host``, which
    stays the name for the Host header and TLS), with urllib3's own error types."""
    try:
        sock = urllib3.util.connection.create_connection(
            (address, conn.port),
            conn.timeout,
            source_address=conn.source_address,
            socket_options=conn.socket_options,
        )
    except TimeoutError as error:
        raise urllib3.exceptions.ConnectTimeoutError(
            conn, f"Connection to {conn.host} timed out."
        ) from error
    except OSError as error:
        raise urllib3.exceptions.NewConnectionError(
            conn, f"Failed to establish a new connection: {error}"
        ) from error
    return sock


class _PinnedAdapter(HTTPAdapter):
    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        address = self.address

        class PinnedHTTPConnection(HTTPConnection):
            def _new_conn(self) -> socket.socket:
                return _connect_pinned(self, address)

        class PinnedHTTPSConnection(HTTPSConnection):
            def _new_conn(self) -> socket.socket:
                return _connect_pinned(self, address)

        class PinnedHTTPPool(HTTPConnectionPool):
            ConnectionCls = PinnedHTTPConnection

        class PinnedHTTPSPool(HTTPSConnectionPool):
            ConnectionCls = PinnedHTTPSConnection

        self.poolmanager.pool_classes_by_scheme = {
            "http": PinnedHTTPPool,
            "https": PinnedHTTPSPool,
        }


def _read_some(response: requests.Response) -> bytes:
    """What has arrived, up to 64 KiB, without waiting to fill the buffer.

    ``iter_content`` waits until a whole chunk is in, so a server that sends a byte a
    second would never reach the deadline check; ``read1`` returns what there is.
    """
    data: bytes = response.raw.read1(_CHUNK, decode_content=True)
    return data


def _status_error(status: int) -> str:
    if status in (401, 403):
        return "forbidden"
    if status in (404, 410):
        return "not_found"
    if status >= 500:
        return "server_error"
    return "http_error"
