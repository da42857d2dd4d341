"""How a family reaches a unit by phone when something cannot be done online: the
number and when it answers, set per unit by the administrator."""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers

from scheduler.models import Unit
from scheduler.web.i18n import localized


@dataclass(frozen=True)
class UnitContact:
    unit_name: str
    phone: str  # as people write it: "016 1234567"
    tel: str  # the link: "tel:+358-16-1234567"
    hours: str  # "ma–pe klo 9–15", or "" when not given


def unit_contact(unit: Unit | None) -> UnitContact | None:
    """The unit's phone contact in the page's language, or None when it has no number."""
    if unit is None or not unit.phone:
        return None
    try:
        number = phonenumbers.parse(unit.phone, "FI")
    except phonenumbers.NumberParseException:
        return None
    national = number.country_code == 358
    shown = phonenumbers.format_number(
        number,
        phonenumbers.PhoneNumberFormat.NATIONAL
        if national
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL,
    )
    return UnitContact(
        unit_name=localized(unit.name),
        phone=shown,
        tel=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.RFC3966),
        hours=localized(unit.phone_hours) if unit.phone_hours else "",
    )
