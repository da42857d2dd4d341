"""The figure pages, the feedback form and its message exist in Finnish and Swedish as
completely as in English."""

from __future__ import annotations

import pytest
from babel.messages.pofile import read_po
from flask import Flask

from notifications.contract import FeedbackRequest, template_variables
from notifications.rendering import render_email, render_sms
from tests.catalogues import FIGURES


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


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_feedback_message_is_written_in_every_language(app: Flask, lang: str) -> None:
    context = FeedbackRequest(
        organisation_name="Rovaniemi",
        email_from=None,
        service_name="Perheneuvola",
        sms_service="Perheneuvola",
        date="24.11.2026",
        meeting_mode="video",
    )
    variables = template_variables(context, {"feedback_url": "https://x.test/f/abc"})
    own, english = (
        render_email("feedback", lang, variables),
        render_email("feedback", "en", variables),
    )
    for part in ("subject", "text", "html"):
        assert getattr(own, part).strip() and getattr(own, part) != getattr(english, part), part
    assert render_sms("feedback", lang, variables) != render_sms("feedback", "en", variables)
