"""OpenID Connect sign-in: one Authlib client registry with the named providers
``staff`` (the organisation's identity provider) and ``family`` (strong identification).

Each provider is configured by three values, and the same code serves Entra ID,
Keycloak, Suomi.fi-style brokers and any other standard provider, because everything
else comes from the provider's discovery document::

    ETAAIKA_STAFF_OIDC_URL            issuer URL, or its /.well-known/openid-configuration
    ETAAIKA_STAFF_OIDC_CLIENT_ID
    ETAAIKA_STAFF_OIDC_CLIENT_SECRET
    ETAAIKA_STAFF_OIDC_SCOPE          optional, default "openid profile email"
    ETAAIKA_STAFF_OIDC_TOKEN_AUTH     optional: client_secret_basic (default) or client_secret_post

and the same with ``FAMILY_``. The flow is the authorization code flow with PKCE
(S256), a random ``state`` bound to the browser session and a ``nonce`` checked in the
ID token, whose signature, issuer, audience and lifetime Authlib checks.

Usage from a view::

    return oidc.begin("staff", url_for("staff.oidc_callback", _external=True))
    ...
    identity = oidc.finish("staff")   # in the callback view
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app
from joserfc.errors import JoseError
from requests import RequestException
from werkzeug.wrappers import Response

from scheduler.kernel import Problem

PROVIDERS = ("staff", "family")
DEFAULT_SCOPE = {"staff": "openid profile email", "family": "openid profile"}
_EXTENSION = "etaaika_oidc"
WELL_KNOWN = "/.well-known/openid-configuration"


@dataclass(frozen=True)
class ProviderConfig:
    """How one named provider is reached."""

    name: str
    url: str
    client_id: str
    client_secret: str
    scope: str
    token_auth: str = "client_secret_basic"  # noqa: S105  (a method name)

    @property
    def metadata_url(self) -> str:
        """The discovery document's address, whether the issuer or the document was given."""
        if WELL_KNOWN in self.url:
            return self.url
        return self.url.rstrip("/") + WELL_KNOWN


@dataclass(frozen=True)
class Identity:
    """Who signed in: the verified claims of the ID token (and userinfo, where needed)."""

    provider: str
    issuer: str
    subject: str
    email: str | None
    name: str | None
    claims: dict[str, Any] = field(default_factory=dict)


def provider_config(app: Flask, name: str) -> ProviderConfig | None:
    """The configuration of provider ``name``, or None when it is not configured."""
    prefix = f"{name.upper()}_OIDC_"
    url = app.config.get(prefix + "URL")
    client_id = app.config.get(prefix + "CLIENT_ID")
    if not url or not client_id:
        return None
    return ProviderConfig(
        name=name,
        url=str(url),
        client_id=str(client_id),
        client_secret=str(app.config.get(prefix + "CLIENT_SECRET") or ""),
        scope=str(app.config.get(prefix + "SCOPE") or DEFAULT_SCOPE[name]),
        token_auth=str(app.config.get(prefix + "TOKEN_AUTH") or "client_secret_basic"),
    )


def init_app(app: Flask) -> OAuth:
    """Register every configured provider in this app's own Authlib registry."""
    registry = OAuth(app)
    for name in PROVIDERS:
        config = provider_config(app, name)
        if config is None:
            continue
        registry.register(
            name,
            client_id=config.client_id,
            client_secret=config.client_secret or None,
            server_metadata_url=config.metadata_url,
            client_kwargs={
                "scope": config.scope,
                "code_challenge_method": "S256",
                "token_endpoint_auth_method": config.token_auth,
                "timeout": 10,
            },
        )
    app.extensions[_EXTENSION] = registry
    return registry


def _registry() -> OAuth:
    # Built on first use when create_app did not call init_app: configuration is final by then.
    registry: OAuth | None = current_app.extensions.get(_EXTENSION)
    return registry if registry is not None else init_app(current_app._get_current_object())  # type: ignore[attr-defined]


def is_configured(name: str) -> bool:
    """Whether sign-in through provider ``name`` is available in this deployment."""
    return _registry().create_client(name) is not None


def _client(name: str) -> Any:
    client = _registry().create_client(name)
    if client is None:
        raise Problem(404, "sign_in_unavailable", "This sign-in method is not in use.")
    return client


def begin(name: str, redirect_uri: str, **params: Any) -> Response:
    """Redirect the browser to provider ``name`` (state, nonce and PKCE kept in the session).

    Extra ``params`` go to the authorization request as they are (``acr_values`` for a
    level of assurance, ``ui_locales``, ``prompt``, ``login_hint`` …).
    """
    client = _client(name)
    try:
        response: Response = client.authorize_redirect(redirect_uri, **params)
    except (RequestException, ValueError, KeyError) as exc:
        current_app.logger.warning("OpenID provider %s unreachable: %s", name, exc)
        raise Problem(
            503, "provider_unavailable", "The sign-in service cannot be reached. Try again soon."
        ) from exc
    return response


def finish(name: str) -> Identity:
    """Complete the sign-in in the callback view: check state, exchange the code (with the
    PKCE verifier) and verify the ID token. Raises ``Problem(401)`` when anything fails."""
    client = _client(name)
    try:
        token = client.authorize_access_token()
        claims: dict[str, Any] = dict(token.get("userinfo") or {})
        if not claims:
            raise OAuthError(description="the provider returned no ID token")
        if "email" not in claims or "name" not in claims:
            # Some providers put profile claims only in the userinfo response.
            extra = client.userinfo(token=token)
            if extra.get("sub") == claims.get("sub"):
                claims = {**extra, **claims}
    except (OAuthError, JoseError, RequestException, KeyError, ValueError) as exc:
        current_app.logger.info("OpenID sign-in through %s refused: %s", name, exc)
        raise Problem(
            401, "sign_in_failed", "Signing in did not succeed. Please try again."
        ) from exc
    return Identity(
        provider=name,
        issuer=str(claims["iss"]),
        subject=str(claims["sub"]),
        email=(str(claims["email"]).lower() if claims.get("email") else None),
        name=(str(claims["name"]) if claims.get("name") else None),
        claims=claims,
    )
