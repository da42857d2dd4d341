"""The family pages speak Finnish, Swedish and English completely."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PUBLIC = ROOT / "translations" / "public"


def catalogue(lang: str) -> dict[str, str]:
    with (PUBLIC / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return {  # a plural text by its singular msgid, as extraction names it
            m.id if isinstance(m.id, str) else m.id[0]: m.string
            if isinstance(m.string, str)
            else " ".join(m.string)
            for m in read_po(po)
            if m.id and not m.fuzzy
        }


def source_msgids() -> set[str]:
    with (PUBLIC / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None}
    found = extract_from_dir(str(ROOT), method_map, options_map, keywords=keywords)
    return {
        message if isinstance(message, str) else message[0]
        for _file, _line, message, _comments, _context in found
    }


def test_every_text_of_the_family_pages_is_in_the_catalogues() -> None:
    missing = source_msgids() - set(catalogue("fi"))
    assert missing == set(), "run pybabel extract/update for translations/public"


def test_finnish_and_swedish_translate_every_text() -> None:
    english = set(catalogue("en"))
    for lang in ("fi", "sv"):
        texts = catalogue(lang)
        assert set(texts) == english
        assert [msgid for msgid, text in texts.items() if not text.strip()] == [], lang
