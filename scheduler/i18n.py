"""Language choice and Finnish, Swedish and English formats of dates and times."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, request
from flask_babel import get_locale

from scheduler.extensions import babel
from scheduler.timeutil import HELSINKI, as_utc

LANG_COOKIE = "lang"


def select_locale() -> str:
    """?lang=, then the remembered choice, then the browser's wish, then Finnish."""
    languages: list[str] = current_app.config["LANGUAGES"]
    chosen = request.args.get("lang") or request.cookies.get(LANG_COOKIE)
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or languages[0]


def current_language() -> str:
    return str(get_locale() or "fi")


def format_date(value: date | datetime, lang: str | None = None, zone: ZoneInfo = HELSINKI) -> str:
    """d.M.yyyy in Finnish and Swedish (Swedish in Finland writes 22.11.2026), same in English."""
    if isinstance(value, datetime):
        value = as_utc(value).astimezone(zone).date()
    return f"{value.day}.{value.month}.{value.year}"


def format_time(value: datetime, lang: str | None = None, zone: ZoneInfo = HELSINKI) -> str:
    """ "klo 9.15" in Finnish, "kl. 9.15" in Swedish, "9:15" in English."""
    lang = lang or current_language()
    local = as_utc(value).astimezone(zone)
    if lang == "sv":
        return f"kl. {local.hour}.{local.minute:02d}"
    if lang == "en":
        return f"{local.hour}:{local.minute:02d}"
    return f"klo {local.hour}.{local.minute:02d}"


def format_datetime(value: datetime, lang: str | None = None, zone: ZoneInfo = HELSINKI) -> str:
    return f"{format_date(value, lang, zone)} {format_time(value, lang, zone)}"


def localized(texts: dict[str, str] | None, lang: str | None = None) -> str:
    """Pick a text in the wanted language, falling back to Finnish, then any."""
    if not texts:
        return ""
    lang = lang or current_language()
    return texts.get(lang) or texts.get("fi") or next(iter(texts.values()), "")


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters["fdate"] = format_date
    app.jinja_env.filters["ftime"] = format_time
    app.jinja_env.filters["fdatetime"] = format_datetime
    app.jinja_env.filters["loc"] = localized

    @app.after_request
    def remember_language(response):  # type: ignore[no-untyped-def]
        chosen = request.args.get("lang")
        if chosen in app.config["LANGUAGES"] and request.cookies.get(LANG_COOKIE) != chosen:
            response.set_cookie(
                LANG_COOKIE,
                chosen,
                max_age=365 * 24 * 3600,
                samesite="Lax",
                httponly=True,
                secure=request.is_secure,
            )
        return response

    @app.before_request
    def set_language() -> None:
        g.lang = select_locale()
