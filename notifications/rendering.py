"""Message texts: Jinja templates under ``templates/notifications/``, one per message and
part, whose words come from gettext (``translations/notifications``: fi, sv, en).

For each template name there are:

- ``<name>.subject.txt``, ``<name>.txt`` and ``<name>.html`` for e-mail,
- ``<name>.sms.txt`` for SMS (one line; it should fit in 160 characters).

Templates see the message context (plain values formatted for the language) and the
unsealed secrets (``manage_url``). A missing value is an error, never an empty gap.
Each language has a Jinja environment of its own with that language's catalogue, so that
the dispatcher renders outside any request.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel.support import Translations
from flask import Flask, current_app
from jinja2 import Environment, StrictUndefined, select_autoescape

log = logging.getLogger(__name__)

CATALOGUES = Path(__file__).resolve().parents[1] / "translations" / "notifications"
LANGUAGES = ("fi", "sv", "en")
FALLBACK_LANGUAGE = "fi"
SMS_LENGTH = 160  # one GSM-7 message


@dataclass(frozen=True)
class EmailContent:
    subject: str
    text: str
    html: str


def _environment(app: Flask, lang: str) -> Environment:
    environments: dict[str, Environment] = app.extensions.setdefault(
        "etaaika_notification_templates", {}
    )
    env = environments.get(lang)
    if env is None:
        env = Environment(
            loader=app.jinja_loader,
            autoescape=select_autoescape(["html"]),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            extensions=["jinja2.ext.i18n"],
        )
        translations = Translations.load(str(CATALOGUES), [lang])
        if lang != "en" and not isinstance(translations, Translations):
            log.warning(
                "no compiled catalogue for %s in %s: messages go out in English", lang, CATALOGUES
            )
        env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
        environments[lang] = env
    return env


def template_language(language: str) -> str:
    """The language the texts are written in: the wanted one, else Finnish."""
    return language if language in LANGUAGES else FALLBACK_LANGUAGE


def _render(name: str, language: str, variables: Mapping[str, Any], part: str) -> str:
    lang = template_language(language)
    env = _environment(current_app._get_current_object(), lang)  # type: ignore[attr-defined]
    return env.get_template(f"notifications/{name}.{part}").render(**variables, lang=lang)


def render_email(name: str, language: str, variables: Mapping[str, Any]) -> EmailContent:
    """Subject, plain text and HTML of an e-mail."""
    subject = " ".join(_render(name, language, variables, "subject.txt").split())
    return EmailContent(
        subject=subject,
        text=_render(name, language, variables, "txt").strip() + "\n",
        html=_render(name, language, variables, "html"),
    )


def render_sms(name: str, language: str, variables: Mapping[str, Any]) -> str:
    """The text of an SMS, on one line. When it would not fit in one SMS, the service
    name (``sms_service``) is left out: the time and the link matter more."""
    text = " ".join(_render(name, language, variables, "sms.txt").split())
    if len(text) > SMS_LENGTH and variables.get("sms_service"):
        shorter = " ".join(
            _render(name, language, {**variables, "sms_service": None}, "sms.txt").split()
        )
        text = min(text, shorter, key=len)
    return text
