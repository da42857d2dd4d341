"""Phone numbers are checked and normalised at booking time."""

from __future__ import annotations

import pytest

from scheduler.booking.contact import can_receive_sms, normalise_phone
from scheduler.kernel import Problem


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("040 123 4567", "+358401234567"),
        ("0401234567", "+358401234567"),
        ("+358 50 123 4567", "+358501234567"),
        ("+46 70 123 45 67", "+46701234567"),
        ("09 123 4567", "+35891234567"),
    ],
)
def test_numbers_are_stored_in_e164(raw: str, e164: str) -> None:
    assert normalise_phone(raw) == e164


@pytest.mark.parametrize("raw", ["123", "not a number", "040 12"])
def test_impossible_numbers_are_refused_with_a_field_error(raw: str) -> None:
    with pytest.raises(Problem) as caught:
        normalise_phone(raw)
    assert caught.value.status == 422 and caught.value.fields == {"phone": "invalid"}


def test_empty_number_is_none() -> None:
    assert normalise_phone("  ") is None and normalise_phone(None) is None


def test_only_mobile_numbers_receive_sms() -> None:
    assert can_receive_sms("+358401234567")
    assert not can_receive_sms("+35891234567")
