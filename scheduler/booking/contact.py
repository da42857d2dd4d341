"""Contact details given at booking time: phone numbers are checked and stored in
E.164 form (+358401234567), so that SMS reach them and staff see one format."""

from __future__ import annotations

import phonenumbers
from phonenumbers import PhoneNumberType

from scheduler.kernel import Problem

DEFAULT_REGION = "FI"
_SMS_TYPES = {
    PhoneNumberType.MOBILE,
    PhoneNumberType.FIXED_LINE_OR_MOBILE,
    PhoneNumberType.PERSONAL_NUMBER,
}


def normalise_phone(raw: str | None, region: str = DEFAULT_REGION) -> str | None:
    """The number in E.164 form; None for an empty field.

    Finnish numbers may be written the local way (040 123 4567); others need their
    country code. Raises a 422 :class:`Problem` for a number that cannot be valid.
    """
    if raw is None or not raw.strip():
        return None
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise invalid_phone() from exc
    if not phonenumbers.is_valid_number(number):
        raise invalid_phone()
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mobile_phone(raw: str | None, region: str = DEFAULT_REGION) -> str | None:
    """A number text messages can reach, in E.164 form; None for an empty field. Raises a
    422 :class:`Problem` for an invalid number and for a landline (09 123 4567)."""
    number = normalise_phone(raw, region)
    if number is not None and not can_receive_sms(number):
        raise Problem(
            422,
            "not_mobile",
            "Give a mobile number: text messages cannot reach a landline.",
            {"phone": "not_mobile"},
        )
    return number


def invalid_phone() -> Problem:
    return Problem(
        422,
        "invalid_phone",
        "Check the phone number. A number outside Finland needs its country code (+46…).",
        {"phone": "invalid"},
    )


def can_receive_sms(e164: str) -> bool:
    """Whether a (normalised) number can take text messages: mobiles, not landlines."""
    try:
        number = phonenumbers.parse(e164, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(number) in _SMS_TYPES
