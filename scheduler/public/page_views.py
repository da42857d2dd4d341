"""The accessibility statement and the privacy notice, linked from every page."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from scheduler.booking.retention import retention_days
from scheduler.public.blueprint import bp
from scheduler.web.i18n import current_language

DOCUMENT_LANGUAGES = ("fi", "sv", "en")


def _language() -> str:
    lang = current_language()
    return lang if lang in DOCUMENT_LANGUAGES else "fi"


@bp.get("/accessibility")
def accessibility() -> ResponseReturnValue:
    """Saavutettavuusseloste / tillgänglighetsutlåtande (Act 306/2019)."""
    return render_template("public/accessibility.html", doc_lang=_language())


@bp.get("/privacy")
def privacy() -> ResponseReturnValue:
    """The privacy notice of the booking service (GDPR articles 13 and 14)."""
    days = retention_days()
    return render_template(
        "public/privacy.html",
        doc_lang=_language(),
        retention_days=days,
        retention_years=days // 365 if days % 365 == 0 else None,
    )
