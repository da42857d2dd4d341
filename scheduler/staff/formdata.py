"""Reading admin forms: each reader returns the cleaned value and notes a message per field."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from scheduler.web.input import parse_ids, parse_whole

LANGS = ("fi", "sv", "en")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class FormReader:
    """Wraps ``request.form``; ``errors`` maps a field name to a message for the page."""

    def __init__(self, data: MultiDict[str, str]) -> None:
        self.data = data
        self.errors: dict[str, str] = {}

    def text(self, name: str, max_len: int, required: bool = False) -> str | None:
        value = self.data.get(name, "").strip()
        if not value:
            if required:
                self.errors[name] = _("This is required.")
            return None
        if len(value) > max_len:
            self.errors[name] = _("At most %(n)d characters.", n=max_len)
        return value

    def slug(self, name: str) -> str:
        value = self.text(name, 64, required=True) or ""
        if value and not SLUG.match(value):
            self.errors[name] = _("Use lower-case letters a–z, digits and hyphens.")
        return value

    def integer(self, name: str, low: int, high: int, required: bool = True) -> int | None:
        raw = self.data.get(name, "").strip()
        if not raw:
            if required:
                self.errors[name] = _("This is required.")
            return None
        value = parse_whole(raw)
        if value is None:
            self.errors[name] = _("Write a whole number.")
            return None
        if not low <= value <= high:
            self.errors[name] = _("Write a number from %(low)d to %(high)d.", low=low, high=high)
        return value

    def flag(self, name: str) -> bool:
        return self.data.get(name) == "1"

    def texts(self, prefix: str, max_len: int, required: bool = True) -> dict[str, str]:
        """A text in Finnish, Swedish and English (``prefix-fi`` …); all three or none."""
        values = {}
        for lang in LANGS:
            value = self.text(f"{prefix}-{lang}", max_len, required=required)
            if value:
                values[lang] = value
        return values

    def choices(self, name: str, allowed: Any, at_least_one: bool = False) -> list[str]:
        chosen = [v for v in self.data.getlist(name) if v]
        if any(v not in allowed for v in chosen):
            self.errors[name] = _("Choose among the options.")
        elif at_least_one and not chosen:
            self.errors[name] = _("Choose at least one.")
        return [v for v in chosen if v in allowed]

    def ids(self, name: str, allowed: set[int]) -> list[int]:
        chosen = parse_ids(self.data.getlist(name))
        if chosen is None or not set(chosen) <= allowed:
            self.errors[name] = _("Choose among the options.")
        return [i for i in chosen or [] if i in allowed]

    def one_of(self, name: str, allowed: Any, default: str | None = None) -> str:
        value = self.data.get(name, default or "")
        if value not in allowed:
            self.errors[name] = _("Choose among the options.")
        return value
