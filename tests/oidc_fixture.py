"""A real OpenID Connect provider for the tests: the npm package ``oidc-provider``
(tests/oidc/provider.mjs), started once per test session on a free loopback port.

Use it from a conftest::

    from tests.oidc_fixture import oidc_provider  # noqa: F401  (the fixture)

and configure the app under test with ``provider.app_config("staff")`` (or "family").
``provider.sign_in(authorize_url, "anna@example.org")`` plays the person at the
provider's sign-in page and returns the URL the provider sends the browser back to.

Without node, or without the npm package (and no npm to install it), tests that use
the fixture are skipped with the reason named, or fail under ETAAIKA_REQUIRE_OIDC=1.
"""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import requests

from tests.services import need

PROVIDER_DIR = Path(__file__).resolve().parent / "oidc"
CLIENTS = {
    "staff": ("etaaika-staff", "staff-client-secret-for-tests"),
    "family": ("etaaika-family", "family-client-secret-for-tests"),
}
# A registered redirect address is required; any loopback address is accepted as well.
REDIRECT_URIS = ["http://localhost/staff/auth/callback"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ensure_package() -> None:
    node = shutil.which("node")
    need("node", node is not None, "node (Debian package nodejs) for the OpenID provider")
    if (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        return
    npm = shutil.which("npm")
    need("oidc", npm is not None, "npm, to install the oidc-provider package")
    result = subprocess.run(
        [str(npm), "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=PROVIDER_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    need(
        "oidc",
        result.returncode == 0,
        f"the npm package oidc-provider (npm ci failed: {result.stderr.strip()[-300:]})",
    )


@dataclass
class OidcProvider:
    """A running provider: its issuer URL and the clients registered for the test apps."""

    issuer: str

    def app_config(self, name: str) -> dict[str, Any]:
        """The app configuration that points provider ``name`` ("staff" or "family") here."""
        client_id, secret = CLIENTS[name]
        prefix = f"{name.upper()}_OIDC_"
        return {
            prefix + "URL": self.issuer,
            prefix + "CLIENT_ID": client_id,
            prefix + "CLIENT_SECRET": secret,
        }

    def sign_in(self, authorize_url: str, login: str) -> str:
        """Sign in as ``login`` at the provider; the URL it redirects back to (code, state)."""
        browser = requests.Session()
        url = authorize_url
        response = browser.get(url, allow_redirects=False, timeout=10)
        for _ in range(20):
            if response.is_redirect:
                url = urljoin(url, response.headers["Location"])
                if not url.startswith(self.issuer):
                    return url
                response = browser.get(url, allow_redirects=False, timeout=10)
                continue
            form = re.search(r'<form[^>]*action="([^"]+)"', response.text)
            if response.status_code != 200 or form is None:
                raise AssertionError(
                    f"the provider answered {response.status_code}: {response.text[:500]}"
                )
            url = urljoin(url, form.group(1))
            response = browser.post(
                url,
                data={"prompt": "login", "login": login, "password": "any"},
                allow_redirects=False,
                timeout=10,
            )
        raise AssertionError("the provider never redirected back")


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[OidcProvider]:
    """Start tests/oidc/provider.mjs for the test session and yield its issuer URL."""
    _ensure_package()
    port = _free_port()
    clients = [
        {
            "client_id": client_id,
            "client_secret": secret,
            "redirect_uris": REDIRECT_URIS,
            "grant_types": ["authorization_code"],
            "response_types": ["code"],
        }
        for client_id, secret in CLIENTS.values()
    ]
    env = {**os.environ, "PORT": str(port), "OIDC_CLIENTS": json.dumps(clients)}
    errors = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115  (closed in the finally below)
    process = subprocess.Popen(
        ["node", "provider.mjs"],
        cwd=PROVIDER_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=errors,
        text=True,
    )
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], 30)
        line = process.stdout.readline() if ready else ""
        if not line.startswith("ready "):
            process.kill()
            process.wait(timeout=5)
            errors.seek(0)
            raise AssertionError(
                f"the OpenID provider did not start: {line}{errors.read()[-1000:]}"
            )
        yield OidcProvider(issuer=line.split()[1])
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        if process.stdout is not None:
            process.stdout.close()
        errors.close()
