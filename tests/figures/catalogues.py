"""Compiling the figures' gettext catalogues for the tests (the Makefile does the same)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

FIGURES = Path(__file__).resolve().parents[2] / "translations" / "figures"


def compile_figures_catalogues() -> None:
    """Write messages.mo next to every figures messages.po that is newer than it."""
    for po_path in FIGURES.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalogue = read_po(po_file)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalogue)
