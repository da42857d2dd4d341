"""Language choice and Finnish, Swedish and English formats of dates and times."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, request
from flask_babel import get_locale

from scheduler.extensions import babel
from scheduler.kernel import HELSINKI, as_utc
from scheduler.web.session_cookie import cookies_secure

LANG_COOKIE = "lang"


def _lang_arg() -> str | None:
    # ``in`` first: ``MultiDict.get`` of a missing key raises and catches a KeyError, and
    # almost no request names a language.
    args = request.args
    if "lang" not in args:
        return None
    return args["lang"]


def _lang_cookie() -> str | None:
    cookies = request.cookies
    if LANG_COOKIE not in cookies:
        return None
    return cookies[LANG_COOKIE]


# A function that gives the page languages the current request may use, when they are
# fewer than the service's (the family pages: those the organisation offers families);
# None: all of them. The public blueprint sets it.
PAGE_LANGUAGES_KEY = "etaaika.page_languages"


def page_languages() -> list[str]:
    """The languages this request's pages may be in, the first the default."""
    languages: list[str] = current_app.config["LANGUAGES"]
    narrower = current_app.extensions.get(PAGE_LANGUAGES_KEY)
    offered = narrower() if narrower is not None else None
    return offered or languages


def select_locale() -> str:
    """?lang=, then the remembered choice, then the browser's wish, then the first
    language; only among the languages offered (``page_languages``)."""
    if "lang" in g:  # asked once per request (flask_babel also asks after a refresh)
        return str(g.lang)
    languages = page_languages()
    chosen = _lang_arg() or _lang_cookie()
    if chosen in languages:
        return chosen
    if "HTTP_ACCEPT_LANGUAGE" not in request.environ:
        return languages[0]  # what best_match answers when nothing is asked for
    return request.accept_languages.best_match(languages) or languages[0]


def current_language() -> str:
    return str(get_locale() or "fi")


def format_date(value: date | datetime, lang: str | None = None, zone: ZoneInfo = HELSINKI) -> str:
    """d.M.yyyy in Finnish and Swedish (Swedish in Finland writes 22.11.2026), same in English."""
    if isinstance(value, datetime):
        value = as_utc(value).astimezone(zone).date()
    return f"{value.day}.{value.month}.{value.year}"


# Formats, not phrases: the prefix of a time and the names of the two clock settings.
_TIME_PREFIX = {"fi": "klo ", "sv": "kl. ", "en": ""}
_CLOCK_NAMES = {  # (summer time, standard time)
    "fi": ("kesäaika", "talviaika"),
    "sv": ("sommartid", "normaltid"),
    "en": ("summer time", "standard time"),
}


def _format_lang(lang: str | None) -> str:
    lang = lang or current_language()
    return lang if lang in _TIME_PREFIX else "fi"


def _repeated_hour(local: datetime) -> bool:
    """Whether this wall-clock time comes twice that night (the clocks went back over it)."""
    return local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()


def _clock(local: datetime, lang: str) -> str:
    """ "9.15" ("9:15" in English); a time of the repeated hour says which of the two it is."""
    text = f"{local.hour}{':' if lang == 'en' else '.'}{local.minute:02d}"
    if _repeated_hour(local):
        summer, standard = _CLOCK_NAMES[lang]
        text += f" ({summer if local.dst() else standard})"
    return text


def format_time(value: datetime, lang: str | None = None, zone: ZoneInfo = HELSINKI) -> str:
    """ "klo 9.15" in Finnish, "kl. 9.15" in Swedish, "9:15" in English; in the hour that
    comes twice when the clocks go back, "klo 3.00 (kesäaika)" or "klo 3.00 (talviaika)"."""
    lang = _format_lang(lang)
    return _TIME_PREFIX[lang] + _clock(as_utc(value).astimezone(zone), lang)


def format_wall_time(value: time, lang: str | None = None) -> str:
    """A local wall-clock time of day (a closure's "from" or "until"), as ``format_time``."""
    lang = _format_lang(lang)
    return f"{_TIME_PREFIX[lang]}{value.hour}{':' if lang == 'en' else '.'}{value.minute:02d}"


def format_time_range(
    start: datetime, end: datetime, lang: str | None = None, zone: ZoneInfo = HELSINKI
) -> str:
    """ "klo 9.00–10.00". When the clocks change in between, the wall times alone would
    mislead ("klo 2.30–4.30" is one hour on 28.3.2027), so the true length follows:
    "klo 2.30–4.30, 60 min", "klo 3.00 (kesäaika)–3.00 (talviaika), 60 min"."""
    lang = _format_lang(lang)
    first, last = as_utc(start).astimezone(zone), as_utc(end).astimezone(zone)
    text = f"{_TIME_PREFIX[lang]}{_clock(first, lang)}–{_clock(last, lang)}"
    if first.utcoffset() != last.utcoffset():
        minutes = round((as_utc(end) - as_utc(start)).total_seconds() / 60)
        text += f", {minutes} min"
    return text


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
    app.jinja_env.filters["fwall"] = format_wall_time
    app.jinja_env.filters["ftimerange"] = format_time_range
    app.jinja_env.filters["fdatetime"] = format_datetime
    app.jinja_env.filters["loc"] = localized

    @app.after_request
    def remember_language(response):  # type: ignore[no-untyped-def]
        chosen = _lang_arg()
        if chosen == g.get("lang") and _lang_cookie() != chosen:
            response.set_cookie(
                LANG_COOKIE,
                chosen,
                max_age=365 * 24 * 3600,
                samesite="Lax",
                httponly=True,
                secure=cookies_secure(app),
            )
        return response

    @app.before_request
    def set_language() -> None:
        g.pop("lang", None)  # a test client's app context serves many requests
        g.lang = select_locale()
