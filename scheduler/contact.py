"""Client contact details: phone numbers validated and normalised at booking time."""

from __future__ import annotations

import phonenumbers

from scheduler.errors import Problem


def normalise_phone(raw: str | None, field: str = "phone") -> str | None:
    """A phone number in E.164 form (+358401234567); Finnish numbers may be written locally."""
    if raw is None or not raw.strip():
        return None
    try:
        number = phonenumbers.parse(raw, "FI")
    except phonenumbers.NumberParseException as exc:
        raise Problem(422, "invalid_phone", "The phone number is not valid.", {field: str(exc)}) from exc
    if not phonenumbers.is_valid_number(number):
        raise Problem(422, "invalid_phone", "The phone number is not valid.",
                      {field: "not a valid phone number"})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_mobile(e164: str) -> bool:
    """Whether an E.164 number can take SMS (mobile or could-be-mobile)."""
    kind = phonenumbers.number_type(phonenumbers.parse(e164))
    return kind in (phonenumbers.PhoneNumberType.MOBILE,
                    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
