"""Finnish public holidays, from the ``holidays`` library, with their names in fi, sv and en.

Pure: no Flask, no database. An organisation names its region with the library's code
for a Finnish region; Åland ("01") has its own days (the Autonomy Day, 9 June) besides
the national ones. The library counts Midsummer Eve and Christmas Eve as holidays, as
Finnish workplaces do.
"""

from __future__ import annotations

import functools
from datetime import date

import holidays

ALAND = "01"
# The regions an administrator chooses from: mainland Finland, or Åland with its own days.
REGIONS = ("", ALAND)
# The library's language codes for the service's languages.
_LANGUAGES = {"fi": "fi", "sv": "sv_FI", "en": "en_US"}


@functools.cache
def _year(region: str, year: int, language: str) -> tuple[tuple[date, str], ...]:
    calendar = holidays.country_holidays(
        "FI", subdiv=region or None, years=year, language=_LANGUAGES.get(language, "fi")
    )
    return tuple(sorted(calendar.items()))


def named_holidays(region: str | None, year: int, language: str) -> list[tuple[date, str]]:
    """The public holidays of ``year`` in the region, in date order, named in ``language``."""
    if (region or "") not in REGIONS:
        raise ValueError(f"unknown holiday region {region!r}")
    return list(_year(region or "", year, language))


@functools.cache
def holiday_dates(region: str | None, first_year: int, last_year: int) -> tuple[date, ...]:
    """Every public holiday from ``first_year`` to ``last_year`` (inclusive), in date order."""
    return tuple(
        day
        for year in range(first_year, last_year + 1)
        for day, _name in named_holidays(region, year, "fi")
    )


def working_days_before(day: date, count: int, region: str | None) -> date:
    """The date ``count`` working days before ``day``: weekends and the region's public
    holidays are not working days (``day`` itself need not be one)."""
    found = day
    left = count
    while left > 0:
        found = date.fromordinal(found.toordinal() - 1)
        if found.weekday() >= 5:
            continue
        if found in holiday_dates(region, found.year, found.year):
            continue
        left -= 1
    return found
