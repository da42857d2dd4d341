"""The JSON API's input and output shapes (pydantic); the OpenAPI document is built from them."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    model_validator,
)

from scheduler.web.input import day_in_range, instant_in_utc

Language = Literal["fi", "sv", "en"]
MeetingMode = Literal["video", "phone"]
NameRule = Literal["required", "nickname", "none"]
LocalizedText = dict[str, str]
Id = Annotated[int, Field(ge=1, le=2_147_483_647)]
_FULL_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _full_date(value: object) -> object:
    """Only RFC 3339 full dates (2027-03-28); no timestamps or other shapes."""
    if isinstance(value, str) and not _FULL_DATE.fullmatch(value):
        raise ValueError("write the date as YYYY-MM-DD")
    return value


def _day_in_range(value: date) -> date:
    if not day_in_range(value):
        raise ValueError("give a date between 1900-01-01 and 2999-12-31")
    return value


def _instant_in_range(value: datetime) -> datetime:
    instant = instant_in_utc(value)
    if instant is None:
        raise ValueError("give a time between the years 1900 and 2999")
    return instant


FullDate = Annotated[date, BeforeValidator(_full_date), AfterValidator(_day_in_range)]
# An instant a client sends: with its offset, within years 1900–2999, given back in UTC.
Instant = Annotated[AwareDatetime, AfterValidator(_instant_in_range)]
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")


def _date_time(value: object) -> object:
    """Only RFC 3339 date-times with an offset (2027-03-28T07:00:00Z); no timestamps."""
    if not isinstance(value, str) or not _DATE_TIME.fullmatch(value):
        raise ValueError("write the instant as YYYY-MM-DDTHH:MM:SSZ")
    return value


DateTime = Annotated[Instant, BeforeValidator(_date_time)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IntakeOption(BaseModel):
    value: str
    label: LocalizedText


class IntakeQuestion(BaseModel):
    id: str
    kind: Literal["text", "choice", "yesno"]
    required: bool
    label: LocalizedText
    options: list[IntakeOption] = []


class ProfessionalOut(BaseModel):
    id: int
    name: str
    title: LocalizedText
    languages: list[str]


class ServiceOut(BaseModel):
    id: int
    slug: str
    organisation: str
    unit_id: int
    category: str
    name: LocalizedText
    description: LocalizedText
    audience: LocalizedText
    duration_min: int
    meeting_modes: list[MeetingMode]
    requires_strong_id: bool
    bookable: bool
    intake_questions: list[IntakeQuestion]
    # The languages a family may ask an interpreter for (none: the service arranges none).
    interpreter_languages: list[str] = []
    # What the booking asks of the family's name (see ClientIn.name).
    name_rule: NameRule = "required"


class ServiceList(BaseModel):
    services: list[ServiceOut]


class ProfessionalList(BaseModel):
    professionals: list[ProfessionalOut]


class SlotOut(BaseModel):
    start_at: AwareDatetime
    end_at: AwareDatetime
    professional_ids: list[int]


class SlotList(BaseModel):
    service_id: int
    from_date: date
    to_date: date
    slots: list[SlotOut]
    # When the answer stopped at its limit: the last start given. Ask again with
    # ``after`` set to it for the starts that follow.
    next_after: AwareDatetime | None = None
    # Asked-for workers (the named one, or those who speak the language) whose times are
    # withheld now (a stale calendar feed): their times are left out, and said to be.
    withheld_professional_ids: list[int] = []


# A search may cover the whole booking horizon (26 weeks) in one request; its answer is
# bounded by ``limit`` instead.
MAX_SEARCH_DAYS = 190
DEFAULT_SLOT_LIMIT, MAX_SLOT_LIMIT = 200, 1000


class SlotQuery(Strict):
    from_date: FullDate | None = Field(None, alias="from")
    to_date: FullDate | None = Field(None, alias="to")
    professional_id: Id | None = None
    language: Annotated[str, Field(min_length=2, max_length=8, pattern="^[a-z]+$")] | None = None
    limit: Annotated[int, Field(ge=1, le=MAX_SLOT_LIMIT)] = DEFAULT_SLOT_LIMIT
    after: DateTime | None = None

    @model_validator(mode="after")
    def range_in_order(self) -> SlotQuery:
        if self.from_date and self.to_date:
            if self.to_date < self.from_date:
                raise ValueError("'to' is before 'from'")
            if (self.to_date - self.from_date).days > MAX_SEARCH_DAYS:
                raise ValueError(f"at most {MAX_SEARCH_DAYS} days at a time")
        return self


class HoldIn(Strict):
    service_id: Id
    start_at: Instant
    professional_id: Id | None = None
    language: Annotated[str, Field(min_length=2, max_length=8, pattern="^[a-z]+$")] | None = Field(
        None, description="Only workers who speak this language (ISO 639 code)."
    )
    meeting_mode: MeetingMode | None = None


class BookingOut(BaseModel):
    id: int
    status: Literal["held", "confirmed", "cancelled", "completed", "no_show", "expired"]
    service_id: int
    professional: ProfessionalOut
    start_at: AwareDatetime
    end_at: AwareDatetime
    meeting_mode: MeetingMode
    language: str


class HoldOut(BaseModel):
    hold_token: str
    expires_at: AwareDatetime
    booking: BookingOut


class ClientIn(Strict):
    name: Annotated[str, Field(max_length=200)] | None = Field(
        None,
        description='As the service\'s name_rule asks: required for "required", optional '
        '(a nickname is fine) for "nickname", left out for "none" (a name is refused).',
    )
    email: EmailStr | None = None
    phone: Annotated[str, Field(max_length=32)] | None = None

    @model_validator(mode="after")
    def some_contact(self) -> ClientIn:
        if not self.email and not self.phone:
            raise ValueError("give an e-mail address or a phone number")
        return self


class SecondClientIn(ClientIn):
    """The other parent, on a service that allows a second client: their own name and
    contact details (not the first client's), and the language of their messages. Their
    name is always asked: the worker and the first parent need to know who is coming."""

    name: Annotated[str, Field(min_length=1, max_length=200)]
    language: Language = "fi"

    @model_validator(mode="after")
    def named(self) -> SecondClientIn:
        if not self.name.strip():
            raise ValueError("the other parent's name is required")
        return self


class ConfirmIn(Strict):
    hold_token: Annotated[str, Field(min_length=10, max_length=100)]
    client: ClientIn
    language: Language = Field("fi", description="The language of the family's messages.")
    meeting_language: (
        Annotated[str, Field(min_length=2, max_length=8, pattern="^[a-z]+$")] | None
    ) = Field(
        None,
        description="The language of the meeting (ISO 639), apart from that of the messages: "
        "one of the languages the held time's worker speaks (the hold's "
        "booking.professional.languages). Left out: the language asked for when holding, "
        "else that of the messages when the worker speaks it, else the worker's first.",
    )
    intake_answers: dict[str, str | bool] = {}
    interpreter_language: (
        Annotated[str, Field(min_length=2, max_length=8, pattern="^[a-z]+$")] | None
    ) = Field(
        None,
        description="Ask for an interpreter of this language (one of the service's "
        "interpreter_languages; a service without them refuses the request).",
    )
    second_client: SecondClientIn | None = Field(
        None,
        description="The other parent, on a service that allows a second client: they get "
        "their own invitation, reminders and link. Refused (422) on a service for one client "
        "and with the first client's e-mail address or phone number.",
    )
    consent: Literal[True] = Field(description="Consent to the privacy notice; must be true.")


class BookingDetailOut(BookingOut):
    meeting_language: str | None = None
    client_name: str | None
    client_email: str | None
    client_phone: str | None
    intake_answers: dict[str, str | bool]
    cancelled_by: str | None
    client_left: bool = Field(
        False,
        description="The client said they will not take part; the meeting is held with "
        "another client.",
    )


class ParticipantDetailOut(BaseModel):
    """The appointment as someone invited beyond the first client sees it through their
    own link: their own name and answer, nobody else's details."""

    role: Literal["client", "interpreter", "professional", "guest"]
    name: str | None
    attendance: Literal["invited", "confirmed", "declined"]
    booking: BookingOut


class SeriesMeetingOut(BaseModel):
    """One meeting of the follow-up series a managed booking belongs to."""

    start_at: AwareDatetime
    end_at: AwareDatetime
    state: Literal["upcoming", "cancelled", "held", "missed"]
    this: bool = Field(description="The meeting of this manage token")


class ManagedOut(BookingDetailOut):
    """A booking by its manage token, with every meeting of its series (none: not in one)."""

    series: list[SeriesMeetingOut]


class ConfirmOut(BaseModel):
    manage_token: str
    manage_url: str
    booking: BookingDetailOut


class CancelIn(Strict):
    reason: Annotated[str, Field(max_length=500)] | None = None
    scope: Literal["this", "following"] = Field(
        "this",
        description='"following": this meeting and the later ones of its follow-up series '
        "(a booking not in a series: 422); one notice lists every cancelled date",
    )


class AttendanceIn(Strict):
    attending: bool = Field(description="True: I take part (again); false: I will not.")


class RescheduleIn(Strict):
    start_at: Instant
    professional_id: Id | None = None


class ErrorBody(BaseModel):
    code: str
    message: str
    fields: dict[str, str] | None = None


class Error(BaseModel):
    error: ErrorBody
