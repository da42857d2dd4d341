"""Every catalogue area (translations/<area>/) covers every text its sources mark for
translation, in Finnish and Swedish as completely as in English. A new area is checked as
soon as it has a babel.cfg."""

from __future__ import annotations

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from tests.catalogues import TRANSLATIONS

ROOT = TRANSLATIONS.parent
AREAS = sorted(path.parent.name for path in TRANSLATIONS.glob("*/babel.cfg"))
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "lazy_gettext": None,
    "_l": None,
    "lazy_pgettext": ((1, "c"), 2),
    "_lp": ((1, "c"), 2),
}


def catalogue(area: str, lang: str) -> dict[str, object]:
    with (TRANSLATIONS / area / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return {
            m.id if isinstance(m.id, str) else m.id[0]: m.string
            for m in read_po(po)
            if m.id and not m.fuzzy
        }


def source_msgids(area: str) -> set[str]:
    with (TRANSLATIONS / area / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = extract_from_dir(str(ROOT), method_map, options_map, keywords=KEYWORDS)
    return {
        message if isinstance(message, str) else message[0]
        for _file, _line, message, _comments, _context in found
    }


def test_the_areas_are_found() -> None:
    assert {"public", "staff", "figures", "video"} <= set(AREAS)


@pytest.mark.parametrize("area", AREAS)
def test_every_marked_text_is_in_the_catalogues(area: str) -> None:
    wanted = source_msgids(area)
    assert wanted, f"no texts found for {area}: is babel.cfg right?"
    for lang in ("fi", "sv", "en"):
        missing = sorted(wanted - set(catalogue(area, lang)))
        assert missing == [], f"{area}/{lang}: run pybabel extract and update"


@pytest.mark.parametrize("area", AREAS)
@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_finnish_and_swedish_translate_every_text(area: str, lang: str) -> None:
    texts = catalogue(area, lang)
    untranslated = [
        msgid
        for msgid, text in texts.items()
        if not (all(text) if isinstance(text, tuple) else str(text).strip())
    ]
    assert untranslated == []
