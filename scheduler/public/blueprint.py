"""The public blueprint and what every family page shares: the organisation in the header,
the language switch, and the rate limit of the public POST endpoints."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

import flask_babel
from babel.dates import format_date
from flask import Blueprint, current_app, g, request
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from scheduler.booking import asked_details
from scheduler.extensions import db
from scheduler.kernel import HELSINKI, Problem, local_date
from scheduler.models import Organisation
from scheduler.public.contact import unit_contact
from scheduler.public.texts import MEETING_MODES, language_name, problem_text
from scheduler.web.i18n import (
    PAGE_LANGUAGES_KEY,
    current_language,
    format_time_range,
    localized,
)

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


def family_page_languages() -> list[str] | None:
    """The page languages of a family page: those its organisation offers families (the
    organisation named in the address, else the default one); None elsewhere."""
    if request.blueprint != bp.name:
        return None
    slug = (request.view_args or {}).get("org_slug") or default_org_slug()
    try:
        offered = db.session.scalar(select(Organisation.languages).where(Organisation.slug == slug))
    except SQLAlchemyError:
        return None  # an error page must render even when the database is the error
    languages: list[str] = current_app.config["LANGUAGES"]
    return [code for code in languages if code in (offered or languages)] or None


@bp.record_once
def _narrow_page_languages(state: Any) -> None:
    state.app.extensions[PAGE_LANGUAGES_KEY] = family_page_languages


def language_links() -> list[dict[str, Any]]:
    """The language switch: this same page in each language (the choice is remembered)."""
    links = []
    for code in asked_details.offered_languages(header_organisation()):
        args = request.args.to_dict()
        args["lang"] = code
        links.append(
            {
                "code": code,
                "name": LANGUAGE_NAMES.get(code, code),
                # Quoted: the path as sent, not decoded (a NUL or "?" in it stays text).
                "href": f"{quote(request.path)}?{urlencode(args)}",
                "current": code == g.get("lang"),
            }
        )
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
    org: Organisation | None = g.org
    return org


def weekday_name(day: date | datetime, zone: ZoneInfo = HELSINKI) -> str:
    """The day's name in the page's language, capitalised for a heading: "Maanantai"."""
    if isinstance(day, datetime):
        day = local_date(day, zone)
    name = format_date(day, "cccc", locale=current_language())  # stand-alone form
    return name[:1].upper() + name[1:]


def time_range(start: datetime, end: datetime, zone: ZoneInfo = HELSINKI) -> str:
    """ "klo 9.00–10.00", "kl. 9.00–10.00", "9:00–10:00" (see ``format_time_range``)."""
    return format_time_range(start, end, current_language(), zone)


def intake_answer_text(question: dict[str, Any], value: Any) -> str:
    """An intake answer as the family gave it: the option's label, yes or no, or the text."""
    if question.get("kind") == "yesno" or isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    for option in question.get("options", []):
        if option.get("value") == value:
            return localized(option.get("label"))
    return str(value)


def by_title(workers: list[Any]) -> list[tuple[str, list[Any]]]:
    """Workers grouped under their title, in the order met: the worker drop-down shows
    each title once as a group label, so that an option is only a name and fits a phone."""
    groups: dict[str, list[Any]] = {}
    for pro in workers:
        groups.setdefault(localized(pro.title) if pro.title else "", []).append(pro)
    return list(groups.items())


@bp.before_app_request
def forget_previous_request() -> None:
    """One app context can serve several requests (the test client, CLI commands), and ``g``
    lives as long as it: the previous request's language and organisation must not leak."""
    flask_babel.refresh()
    g.pop("org", None)


@bp.app_context_processor
def layout_values() -> dict[str, Any]:
    """Values base.html and error.html need on every page of the service, public or not."""
    return {
        "language_links": language_links,
        "header_organisation": header_organisation,
        "problem_text": problem_text,
    }


@bp.context_processor
def page_helpers() -> dict[str, Any]:
    lang = current_language()
    return {
        "meeting_mode_name": lambda mode: str(MEETING_MODES.get(mode, mode)),
        "language_label": lambda code: language_name(code, lang),
        "intake_answer_text": intake_answer_text,
        "time_range": time_range,
        "unit_contact": unit_contact,
        "by_title": by_title,
    }


@bp.app_template_filter("fweekday")
def fweekday(day: date | datetime, zone: ZoneInfo = HELSINKI) -> str:
    return weekday_name(day, zone)


@bp.app_template_filter("fweekday_short")
def fweekday_short(day: date) -> str:
    """The day's short name in the page's language: "ma", "mån", "Mon"."""
    return format_date(day, "ccc", locale=current_language())


@bp.app_template_filter("local_day")
def local_day(instant: datetime, zone: ZoneInfo = HELSINKI) -> date:
    return local_date(instant, zone)
