"""The staff API's input and output shapes (pydantic); the OpenAPI document is built from them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    EmailStr,
    Field,
    StrictBool,
    StrictInt,
    model_validator,
)

from scheduler.api.schemas import (
    BookingDetailOut,
    DateTime,
    FullDate,
    Id,
    Language,
    MeetingMode,
    ProfessionalOut,
    SecondClientIn,
    Strict,
)

IdentityCheck = Literal["id_card", "passport", "driving_licence", "residence_permit", "known"]
# The languages of a meeting, as the desk's booking form offers them (staff/texts.LANGUAGES).
MeetingLanguage = Literal["fi", "sv", "en", "se", "smn", "sms", "ru", "et", "ar", "so", "uk"]
Clock = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", examples=["12:00"])]
# How far a bulk reassign reaches, as on the staff page.
MAX_REASSIGN_DAYS = 31


def _text_only(value: object) -> object:
    """A date in a JSON body is a string (pydantic would read a number as a Unix time)."""
    if not isinstance(value, str):
        raise ValueError("write the date as YYYY-MM-DD")
    return value


# In JSON bodies, numbers, flags and dates only as the document gives them: no "1" for 1,
# no 1.0 or true for 1, no number for a date. (Query values are text, read as the public
# API reads them.)
BodyId = Annotated[StrictInt, Field(ge=1, le=2_147_483_647)]
BodyDate = Annotated[FullDate, BeforeValidator(_text_only)]


class StaffClientIn(Strict):
    name: Annotated[str, Field(min_length=1, max_length=200, pattern=r"\S")]
    email: EmailStr | None = None
    phone: Annotated[str, Field(max_length=32)] | None = None


class FamilyBookingIn(Strict):
    """A time a worker books for a family."""

    service_id: BodyId
    professional_id: BodyId
    start_at: DateTime
    meeting_mode: MeetingMode
    client: StaffClientIn
    language: Language = Field("fi", description="The language of the family's messages.")
    meeting_language: MeetingLanguage | None = Field(
        None,
        description="The language of the meeting (ISO 639), when not that of the messages: "
        "any language workers are found by, the Sámi languages included.",
    )
    intake_answers: dict[str, str | StrictBool] = {}
    send_messages: StrictBool = Field(
        True, description="False: no message goes out (the family gets a printed note)."
    )
    identity_check: IdentityCheck | None = Field(
        None, description="How the client's identity was checked in person (strong-id services)."
    )
    outside_hours: StrictBool = Field(
        False, description="Book outside the worker's weekly hours (never over another booking)."
    )
    second_client: SecondClientIn | None = Field(
        None,
        description="The other parent, on a service that allows a second client: they get "
        "their own invitation, reminders and link. Refused (422) on a service for one client "
        "and with the first client's e-mail address or phone number.",
    )

    @model_validator(mode="after")
    def some_contact(self) -> FamilyBookingIn:
        if self.send_messages and not (self.client.email or self.client.phone):
            raise ValueError("give an e-mail address or a phone number, or send no messages")
        return self


class Replacement(Strict):
    """Another time for a meeting of the series that does not fit: one of its ``choices``
    in the preview."""

    meeting: Annotated[StrictInt, Field(ge=0, le=51, description="The meeting's index")]
    start_at: DateTime


class SeriesIn(FamilyBookingIn):
    """A follow-up series: the first meeting's weekday and time, every week or every other
    week, ``count`` times or until ``until``. A meeting that does not fit is skipped unless
    ``replacements`` names another time for it (one that is no longer free: 409
    ``replacement_taken``, nothing booked)."""

    every_weeks: Annotated[StrictInt, Field(ge=1, le=2)]
    count: Annotated[StrictInt, Field(ge=2, le=52)] | None = None
    until: BodyDate | None = None
    replacements: Annotated[list[Replacement], Field(max_length=52)] = []

    @model_validator(mode="after")
    def count_or_until(self) -> SeriesIn:
        if (self.count is None) == (self.until is None):
            raise ValueError("give either count or until, not both")
        return self


class MoveIn(Strict):
    """A new time, another worker who provides the service, or both."""

    start_at: DateTime | None = None
    professional_id: BodyId | None = None

    @model_validator(mode="after")
    def something_changes(self) -> MoveIn:
        if self.start_at is None and self.professional_id is None:
            raise ValueError("give start_at, professional_id or both")
        return self


class StaffCancelIn(Strict):
    reason: Annotated[str, Field(min_length=3, max_length=500, pattern=r"\S")]


class ReassignQuery(Strict):
    """The away worker and the local days whose bookings move (the preview's query)."""

    professional_id: Id
    first: FullDate
    last: FullDate | None = None

    @model_validator(mode="after")
    def range_in_order(self) -> ReassignQuery:
        last = self.last or self.first
        if last < self.first or (last - self.first).days > MAX_REASSIGN_DAYS:
            raise ValueError(f"at most {MAX_REASSIGN_DAYS} days, the first day first")
        return self


class ReassignIn(ReassignQuery):
    """The same as a JSON body, to confirm."""

    professional_id: BodyId
    first: BodyDate
    last: BodyDate | None = None


class ClosureReason(Strict):
    fi: Annotated[str, Field(max_length=200)] = ""
    sv: Annotated[str, Field(max_length=200)] = ""
    en: Annotated[str, Field(max_length=200)] = ""


class ClosureIn(Strict):
    """A closed local day or part of one, of the organisation (no unit_id) or one unit."""

    unit_id: BodyId | None = None
    day: BodyDate
    start_time: Clock | None = None
    end_time: Clock | None = None
    reason: ClosureReason = ClosureReason()


class FindQuery(Strict):
    date: FullDate | None = None
    part: Literal["any", "morning", "afternoon", "evening"] = "any"
    span: Literal["day", "week"] = Field("day", description="The day, or the week from it.")
    language: Language | None = None
    mode: MeetingMode | None = None
    service_id: Id | None = None


class StaffBookingOut(BookingDetailOut):
    series_id: str | None
    outside_hours: bool
    identity_check: str | None
    booked_by_staff: bool


class FamilyBookedOut(BaseModel):
    """Shown once: only the manage link's hash is kept."""

    manage_token: str
    manage_url: str
    booking: StaffBookingOut


class FoundTime(BaseModel):
    start_at: AwareDatetime
    service_id: int
    professional: ProfessionalOut
    may_book: bool


class FoundList(BaseModel):
    from_date: date
    to_date: date
    times: list[FoundTime]


class SeriesMeeting(BaseModel):
    start_at: AwareDatetime
    free: bool
    # A meeting that does not fit: the worker's nearest free times, for ``replacements``.
    choices: list[AwareDatetime] = []


class SeriesPreviewOut(BaseModel):
    meetings: list[SeriesMeeting]


class SeriesBookedOut(BaseModel):
    series_id: str
    bookings: list[StaffBookingOut]
    skipped: list[AwareDatetime]


class ProposalOut(BaseModel):
    """One booking and the colleague and time proposed for it (none when nothing fits)."""

    booking: StaffBookingOut
    professional: ProfessionalOut | None
    start_at: AwareDatetime | None


class ReassignPreviewOut(BaseModel):
    proposals: list[ProposalOut]


class ReassignOut(BaseModel):
    moved: list[ProposalOut]
    not_moved: list[ProposalOut] = Field(description="To phone: the booking has the number.")


class ClosureOut(BaseModel):
    """Times are local wall-clock times of the organisation ("12:00"), as they are given."""

    id: int
    unit_id: int | None
    day: date
    start_time: Clock | None
    end_time: Clock | None
    reason: dict[str, str]
    created_at: datetime


class ClosureList(BaseModel):
    closures: list[ClosureOut]


class ClosureDetailOut(BaseModel):
    closure: ClosureOut
    bookings: list[StaffBookingOut] = Field(description="Active bookings on it, to move or cancel.")
