"""The public blueprint and what every family page shares: the organisation in the header,
the language switch, and the rate limit of the public POST endpoints."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, current_app, g, request
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from scheduler.errors import Problem
from scheduler.extensions import db
from scheduler.models import Organisation

bp = Blueprint("public", __name__)

LANGUAGE_NAMES = {"fi": "Suomi", "sv": "Svenska", "en": "English"}


def public_limit() -> str:
    """The rate limit of the hold, booking and manage POSTs (config RATELIMIT_PUBLIC)."""
    return str(current_app.config["RATELIMIT_PUBLIC"])


def default_org_slug() -> str:
    return str(current_app.config.get("DEFAULT_ORGANISATION") or "tunturikyla")


def get_organisation(slug: str) -> Organisation:
    """The organisation by its slug, or a 404 page; remembered for the page header."""
    org = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
    if org is None:
        raise Problem(404, "organisation_not_found", "No such organisation.")
    g.org = org
    return org


def language_links() -> list[dict[str, Any]]:
    """The language switch: this same page in each language (the choice is remembered)."""
    links = []
    for code in current_app.config["LANGUAGES"]:
        args = request.args.to_dict()
        args["lang"] = code
        links.append({"code": code, "name": LANGUAGE_NAMES.get(code, code),
                      "href": f"{request.path}?{urlencode(args)}",
                      "current": code == g.get("lang")})
    return links


def header_organisation() -> Organisation | None:
    """The organisation named in the header: the page's own, else the default one."""
    if "org" not in g:
        try:
            g.org = db.session.scalar(
                select(Organisation).where(Organisation.slug == default_org_slug())
            )
        except SQLAlchemyError:
            # An error page must render even when the database is the error.
            g.org = None
    return g.org  # type: ignore[no-any-return]


@bp.app_context_processor
def layout_values() -> dict[str, Any]:
    """Values base.html needs on every page of the service, public or not."""
    return {"language_links": language_links, "header_organisation": header_organisation}
