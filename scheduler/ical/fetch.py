"""Fetching a calendar feed over HTTP: conditional, bounded in time and in size.

No Flask, no database: the caller hands in the URL, the validators of the last good
fetch and the limits, and gets a :class:`FetchResult` back. Nothing here raises for
a network or server problem; the result carries an error code instead.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import requests
import urllib3

USER_AGENT = "Etaaika-calendar-sync/1 (+RFC 5545)"
_CHUNK = 64 * 1024


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
) -> FetchResult:
    """GET ``url`` with If-None-Match / If-Modified-Since.

    ``timeout`` bounds the whole fetch (connecting, waiting and reading), not only each
    read, so a server that trickles bytes cannot hold the job. The body is streamed and
    the download stops as soon as it passes ``max_bytes`` (counted after decompression).
    """
    url = normalise_url(url)
    if not url.lower().startswith(("http://", "https://")):
        return FetchResult(error="bad_url", error_detail=url[:100])
    headers = {"User-Agent": USER_AGENT, "Accept": "text/calendar, */*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = time.monotonic() + timeout
    try:
        with requests.get(
            url, headers=headers, timeout=(min(timeout, 10.0), timeout), stream=True
        ) as response:
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
            if declared.isdigit() and int(declared) > max_bytes:
                return FetchResult(status=200, error="too_large", error_detail=declared)
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
    except requests.Timeout as error:
        return FetchResult(error="timeout", error_detail=str(error)[:200])
    except requests.exceptions.SSLError as error:
        return FetchResult(error="tls", error_detail=str(error)[:200])
    except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as error:
        return FetchResult(error="unreachable", error_detail=str(error)[:200])
    except urllib3.exceptions.ReadTimeoutError as error:
        return FetchResult(error="timeout", error_detail=str(error)[:200])
    except (urllib3.exceptions.HTTPError, OSError) as error:
        return FetchResult(error="unreachable", error_detail=str(error)[:200])
    except requests.RequestException as error:
        return FetchResult(error="unreachable", error_detail=str(error)[:200])


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
