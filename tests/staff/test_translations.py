"""The staff pages exist in Finnish and Swedish as completely as in English."""

from __future__ import annotations

import pytest
from babel.messages.pofile import read_po
from flask.testing import FlaskClient

from tests.catalogues import STAFF, compile_staff_catalogues
from tests.factories import Factories
from tests.staff.conftest import Staff


def _ids(path: str) -> set[object]:
    with (STAFF / path).open("rb") as handle:
        return {m.id for m in read_po(handle) if m.id}


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_every_staff_text_is_translated(lang: str) -> None:
    template = _ids("messages.pot")
    with (STAFF / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalogue = read_po(handle)
    missing = [
        m.id
        for m in catalogue
        if m.id and (m.fuzzy or not (all(m.string) if isinstance(m.string, tuple) else m.string))
    ]
    assert missing == []
    assert template <= {m.id for m in catalogue if m.id}


def test_staff_pages_speak_finnish_and_swedish(
    client: FlaskClient, make: Factories, staff: Staff, sign_in
) -> None:
    compile_staff_catalogues()
    pro = make.professional(make.service())
    sign_in(staff.user("unit_admin", professional=pro))
    finnish = client.get(f"/staff/availability/{pro.id}?lang=fi").get_data(as_text=True)
    assert "Viikkoajat" in finnish and "Lisää poissaolo" in finnish
    swedish = client.get(f"/staff/availability/{pro.id}?lang=sv").get_data(as_text=True)
    assert "Veckotider" in swedish and "Lägg till frånvaro" in swedish
