"""The public development key serves only this machine, and the session cookie is Secure
wherever the service is reached over https."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from scheduler import create_app
from scheduler.config import DEFAULTS
from tests.conftest import BASE_CONFIG, make_app

WITHOUT_KEY = {k: v for k, v in BASE_CONFIG.items() if k != "SECRET_KEY"}


@pytest.mark.parametrize("env_name", ["development", "staging", "test", "production"])
@pytest.mark.parametrize(
    "public_url", ["https://ajanvaraus.kunta.fi", "http://10.0.0.5:8000", "http://0.0.0.0:5000"]
)
def test_development_key_refuses_to_start_for_anything_but_loopback(
    tmp_path: Path, env_name: str, public_url: str
) -> None:
    with pytest.raises(RuntimeError, match="ETAAIKA_SECRET_KEY must be set"):
        create_app(
            {
                **WITHOUT_KEY,
                "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
                "ENV_NAME": env_name,
                "PUBLIC_URL": public_url,
            }
        )


def _dev_app(tmp_path: Path, public_url: str) -> Flask:
    app = create_app(
        {**WITHOUT_KEY, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "PUBLIC_URL": public_url}
    )
    assert app.config["SECRET_KEY"] == DEFAULTS["SECRET_KEY"]
    return app


@pytest.mark.parametrize("public_url", ["http://127.0.0.1:5000", "http://localhost:5000"])
def test_development_key_serves_loopback_and_refuses_other_machines(
    tmp_path: Path, public_url: str
) -> None:
    client = _dev_app(tmp_path, public_url).test_client()
    for address in ("127.0.0.1", "::1"):
        assert client.get("/healthz", environ_base={"REMOTE_ADDR": address}).status_code == 200
    for address in ("10.1.2.3", "192.0.2.7", "2001:db8::1"):
        refused = client.get("/staff/login", environ_base={"REMOTE_ADDR": address})
        assert refused.status_code == 403, address
        assert "Set-Cookie" not in refused.headers


def test_gunicorn_refuses_the_development_key_on_an_open_address(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn_conf.py"

    def load(bind: str, key: str | None) -> Any:
        monkeypatch.setenv("ETAAIKA_BIND", bind)
        if key is None:
            monkeypatch.delenv("ETAAIKA_SECRET_KEY", raising=False)
        else:
            monkeypatch.setenv("ETAAIKA_SECRET_KEY", key)
        spec = importlib.util.spec_from_file_location("gunicorn_conf_under_test", path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    with pytest.raises(RuntimeError, match="ETAAIKA_SECRET_KEY must be set"):
        load("0.0.0.0:8000", None).on_starting(None)
    with pytest.raises(RuntimeError, match="ETAAIKA_SECRET_KEY must be set"):
        load("127.0.0.1:8000,10.0.0.2:8000", DEFAULTS["SECRET_KEY"]).on_starting(None)
    load("127.0.0.1:8000", None).on_starting(None)
    load("0.0.0.0:8000", "a-real-secret-key-of-this-county").on_starting(None)


@pytest.mark.parametrize(
    ("public_url", "base_url", "secure"),
    [
        ("http://127.0.0.1:5000", "http://localhost", False),
        ("http://127.0.0.1:5000", "https://localhost", True),
        ("https://ajanvaraus.kunta.fi", "http://localhost", True),
    ],
)
def test_session_cookie_is_secure_over_https_or_with_an_https_address(
    tmp_path: Path, public_url: str, base_url: str, secure: bool
) -> None:
    app = make_app(tmp_path, f"sqlite:///{tmp_path / 'x.db'}", PUBLIC_URL=public_url)
    response = app.test_client().get("/staff/login?lang=sv", base_url=base_url)
    cookies = response.headers.getlist("Set-Cookie")
    session = [c for c in cookies if c.startswith("session=")]
    assert session, cookies
    for cookie in cookies:
        assert ("; Secure" in cookie) is secure, cookie
