"""Compiling the gettext catalogues for the tests (the Makefile does the same on install)."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"
PUBLIC = TRANSLATIONS / "public"
STAFF = TRANSLATIONS / "staff"
FIGURES = TRANSLATIONS / "figures"
VIDEO = TRANSLATIONS / "video"


def compile_catalogues(area: Path) -> None:
    """Write messages.mo next to every messages.po of ``area`` that is newer than it."""
    for po_path in area.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalogue = read_po(po_file)
        with mo_path.open("wb") as mo_file:
            write_mo(mo_file, catalogue)


compile_public_catalogues = partial(compile_catalogues, PUBLIC)
compile_staff_catalogues = partial(compile_catalogues, STAFF)
compile_figures_catalogues = partial(compile_catalogues, FIGURES)
compile_video_catalogues = partial(compile_catalogues, VIDEO)


def compile_all_catalogues() -> None:
    """Every area's catalogues (translations/<area>/)."""
    for babel_cfg in TRANSLATIONS.glob("*/babel.cfg"):
        compile_catalogues(babel_cfg.parent)
