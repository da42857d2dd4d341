"""Which real services the tests can reach, and what to do when one is missing.

Outside CI a test that needs a missing service is skipped with a reason naming it.
With ``ETAAIKA_REQUIRE_<NAME>=1`` (set by .ci/run) the same test fails instead.
"""

from __future__ import annotations

import os
import shutil
from functools import cache
from pathlib import Path

import pytest

PG_ADMIN_URL = os.environ.get(
    "ETAAIKA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("ETAAIKA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# shared/ lies beside the checkout; ETAAIKA_SHARED names it when the tests run from a copy.
SHARED = Path(
    os.environ.get("ETAAIKA_SHARED", Path(__file__).resolve().parent.parent.parent / "shared")
)
CHROMIUM = os.environ.get("ETAAIKA_CHROMIUM", "/usr/bin/chromium")


@cache
def postgres_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=2):
            return True
    except Exception:
        return False


@cache
def redis_available() -> bool:
    """Whether the Redis that ETAAIKA_TEST_REDIS_URL names (or the local default) answers."""
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:
        return False


def need(name: str, available: bool, what: str) -> None:
    """Skip (loudly) or, under ETAAIKA_REQUIRE_<NAME>=1, fail when ``what`` is missing."""
    if available:
        return
    message = f"{what} is not available"
    if os.environ.get(f"ETAAIKA_REQUIRE_{name.upper()}") == "1":
        pytest.fail(f"{message}, and ETAAIKA_REQUIRE_{name.upper()}=1 requires it")
    pytest.skip(f"SKIPPED: {message} (set ETAAIKA_REQUIRE_{name.upper()}=1 to make this fail)")


def need_postgres() -> None:
    need("postgres", postgres_available(), f"PostgreSQL at {PG_ADMIN_URL}")


def need_redis() -> None:
    need("redis", redis_available(), f"Redis at {REDIS_URL}")


def need_chromium() -> None:
    need("browser", Path(CHROMIUM).exists(), f"Chromium at {CHROMIUM} (Debian package chromium)")


def need_corpus() -> Path:
    corpus = SHARED / "corpus" / "ical"
    need("corpus", corpus.is_dir(), f"the iCalendar corpus at {corpus}")
    return corpus


def need_program(name: str, package: str) -> str:
    path = shutil.which(name) or (f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").exists() else "")
    need(name.replace("-", "_"), bool(path), f"{name} (Debian package {package})")
    return path
