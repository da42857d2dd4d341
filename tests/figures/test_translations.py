"""The figure pages, the feedback form and its message exist in Finnish and Swedish as
completely as in English."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.catalogues import FIGURES

NOTIFICATIONS = Path(__file__).resolve().parents[2] / "templates" / "notifications"


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_every_figures_text_is_translated(lang: str) -> None:
    with (FIGURES / "messages.pot").open("rb") as handle:
        template = {m.id for m in read_po(handle) if m.id}
    with (FIGURES / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    missing = [
        m.id
        for m in catalogue
        if m.id and (m.fuzzy or not (all(m.string) if isinstance(m.string, tuple) else m.string))
    ]
    assert missing == []
    assert template <= {m.id for m in catalogue if m.id}


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_feedback_message_exists_in_every_part(lang: str) -> None:
    parts = ("subject.txt", "txt", "html", "sms.txt")
    for part in parts:
        assert (NOTIFICATIONS / lang / f"feedback.{part}").read_text().strip()
