"""The booking form: contact details, language, the service's intake questions and consent.

Built per service, because each service asks its own questions. Every message is in the
family's language, and each is tied to its field in the template.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    Form,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import AnyOf, Email, InputRequired, Length, Optional, ValidationError

from scheduler.booking.contact import mobile_phone
from scheduler.booking.intake import MAX_TEXT
from scheduler.booking.interpreters import language_label
from scheduler.booking.interpreters import offered_languages as offered_interpreter_languages
from scheduler.booking.taking import SecondClient
from scheduler.kernel import Problem
from scheduler.models import Service
from scheduler.public.texts import language_name
from scheduler.web.i18n import localized

BOOKING_LANGUAGES = [
    SelectChoice("fi", "Suomi"),
    SelectChoice("sv", "Svenska"),
    SelectChoice("en", "English"),
]
QUESTION_PREFIX = "q_"


def _valid_phone(form: Form, field: Field) -> None:
    try:
        field.e164 = mobile_phone(field.data)
    except Problem as exc:
        if exc.code == "not_mobile":
            raise ValidationError(
                str(_l("Write a mobile number: text messages cannot reach a landline."))
            ) from exc
        raise ValidationError(
            str(_l("Write the phone number with its area code, for example 040 123 4567."))
        ) from exc


def _not_blank(form: Form, field: Field) -> None:
    if not (field.data or "").strip():
        raise ValidationError(str(_l("Write your name.")))


class BookingForm(FlaskForm):
    """The fields every booking has; intake questions are added per service."""

    name = StringField(
        _l("Your name"),
        validators=[
            InputRequired(_l("Write your name.")),
            _not_blank,
            Length(max=200, message=_l("The name is too long.")),
        ],
        render_kw={"autocomplete": "name"},
    )
    email = EmailField(
        _l("E-mail address"),
        validators=[
            Optional(),
            Email(_l("Write the e-mail address in the form name@example.fi.")),
            Length(max=255, message=_l("The e-mail address is too long.")),
        ],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )
    phone = TelField(
        _l("Mobile phone number"),
        validators=[Optional(), _valid_phone],
        render_kw={"autocomplete": "tel"},
    )
    language = RadioField(
        _l("Language of the pages and messages"),
        choices=BOOKING_LANGUAGES,
        validators=[InputRequired(_l("Choose a language."))],
    )
    consent = BooleanField(
        _l(
            "I have read the privacy notice and agree that my details are used for this "
            "appointment."
        ),
        validators=[InputRequired(_l("Agree to the use of your details to book the time."))],
    )

    # The other parent, on a service that allows a second client: the first parent gives
    # their name and contact details, and they get their own invitation and link.
    both_parents = RadioField(
        _l("Will both parents take part?"),
        choices=[SelectChoice("no", _l("No, only I")), SelectChoice("yes", _l("Yes"))],
        default="no",
        validators=[Optional()],
    )
    second_name = StringField(
        _l("The other parent's name"),
        validators=[Optional(), Length(max=200, message=_l("The name is too long."))],
        render_kw={"autocomplete": "off"},
    )
    second_email = EmailField(
        _l("The other parent's e-mail address"),
        validators=[
            Optional(),
            Email(_l("Write the e-mail address in the form name@example.fi.")),
            Length(max=255, message=_l("The e-mail address is too long.")),
        ],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    second_phone = TelField(
        _l("The other parent's mobile phone number"),
        validators=[Optional(), _valid_phone],
        render_kw={"autocomplete": "off"},
    )
    second_language = RadioField(
        _l("The other parent's language of messages"),
        choices=BOOKING_LANGUAGES,
        default="fi",
        validators=[Optional()],
    )

    phone_meeting = False  # the worker calls: the phone number is required

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields, then: a family must be reachable by e-mail, phone, or both, and by
        phone when the meeting is a phone call."""
        valid = super().validate(extra_validators)
        if self.phone_meeting and not (self.phone.data or "").strip():
            self.phone.errors = [
                *self.phone.errors,
                str(_l("The worker calls you: write the phone number to call.")),
            ]
            return False
        if not (self.email.data or "").strip() and not (self.phone.data or "").strip():
            self.email.errors = [
                *self.email.errors,
                str(_l("Give an e-mail address or a phone number, or both.")),
            ]
            return False
        return self._second_parent_complete() and valid

    def _second_parent_complete(self) -> bool:
        """When both parents take part, the other parent's name and a way to reach them."""
        if self.both_parents.data != "yes":
            return True
        complete = True
        if not (self.second_name.data or "").strip():
            self.second_name.errors = [*self.second_name.errors, str(_l("Write the name."))]
            complete = False
        if (
            not (self.second_email.data or "").strip()
            and not (self.second_phone.data or "").strip()
        ):
            self.second_email.errors = [
                *self.second_email.errors,
                str(_l("Give the other parent's e-mail address or phone number, or both.")),
            ]
            complete = False
        return complete

    def second_client(self, default_language: str) -> SecondClient | None:
        """The other parent's details, when both parents take part."""
        if self.both_parents.data != "yes":
            return None
        phone = getattr(self.second_phone, "e164", None) or mobile_phone(self.second_phone.data)
        return SecondClient(
            name=(self.second_name.data or "").strip(),
            email=(self.second_email.data or "").strip() or None,
            phone=phone,
            language=self.second_language.data or default_language,
        )

    def interpreter(self) -> str | None:
        """The interpreter language asked for, or None (a service without interpreters)."""
        field = getattr(self, "interpreter_language", None)
        return (field.data or None) if field is not None else None

    def given_name(self) -> str:
        """The name given, or "" (a service may ask for a nickname only, or no name)."""
        field = getattr(self, "name", None)
        return (field.data or "").strip() if field is not None else ""

    def questions(self) -> list[Field]:
        return [field for field in self if field.name.startswith(QUESTION_PREFIX)]

    def contact_phone(self) -> str | None:
        return getattr(self.phone, "e164", None) or mobile_phone(self.phone.data)

    def intake_answers(self, service: Service) -> dict[str, Any]:
        """The answers in the shape ``scheduler.booking.intake.validate_answers`` expects."""
        answers: dict[str, Any] = {}
        for question in service.intake_questions:
            value = getattr(self, QUESTION_PREFIX + question["id"]).data
            if value in (None, ""):
                continue
            if question.get("kind") == "yesno":
                value = value == "yes"
            answers[question["id"]] = value
        return answers


def booking_form(
    service: Service,
    lang: str,
    phone_meeting: bool = False,
    spoken: list[str] | None = None,
    **kwargs: Any,
) -> BookingForm:
    """A booking form with ``service``'s intake questions, labelled in ``lang``; for a phone
    meeting the phone number is required; ``spoken``: the languages the meeting may be in."""

    class ServiceBookingForm(BookingForm):
        pass

    ServiceBookingForm.phone_meeting = phone_meeting
    _ask_name(ServiceBookingForm, service.name_rule)
    choices = [SelectChoice(code, language_name(code, lang)) for code in spoken or []]
    meeting_language_field(ServiceBookingForm, choices)

    for question in service.intake_questions:
        label = localized(question.get("label"), lang)
        required = bool(question.get("required"))
        first: Any = InputRequired(_l("Answer this question.")) if required else Optional()
        kind = question.get("kind", "text")
        field: Any
        if kind == "choice":
            choices = [
                SelectChoice(o["value"], localized(o["label"], lang)) for o in question["options"]
            ]
            field = RadioField(
                label,
                choices=choices,
                validators=[InputRequired(_l("Choose one of the options."))]
                if required
                else [Optional()],
            )
        elif kind == "yesno":
            field = RadioField(
                label,
                choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
                validators=[first],
            )
        else:
            field = TextAreaField(
                label,
                validators=[first, Length(max=MAX_TEXT, message=_l("The answer is too long."))],
            )
        setattr(ServiceBookingForm, QUESTION_PREFIX + question["id"], field)
    offered = offered_interpreter_languages(service)
    if offered:
        ServiceBookingForm.interpreter_language = SelectField(
            _l("Do you need an interpreter?"),
            choices=[SelectChoice("", _l("No interpreter needed"))]
            + [SelectChoice(code, language_label(code, lang)) for code in offered],
            default="",
            validate_choice=False,
            validators=[AnyOf(["", *offered], message=_l("Choose one of the options."))],
        )
    return ServiceBookingForm(**kwargs)


def meeting_language_field(form_class: type[BookingForm], spoken: list[SelectChoice]) -> None:
    """The language of the meeting, chosen apart from that of the messages: one of the
    languages the worker speaks (Sámi languages too). No field when there is one only."""
    if len(spoken) > 1:
        form_class.meeting_language = RadioField(
            _l("Language of the meeting"),
            choices=spoken,
            validators=[Optional()],  # none sent: the one chosen beforehand
        )


def _ask_name(form_class: type[BookingForm], rule: str) -> None:
    """The name field as the service asks it: required (the default), a nickname that may
    be left out (a low-threshold service that promises anonymity), or no field at all."""
    if rule == "none":
        form_class.name = None
    elif rule == "nickname":
        form_class.name = StringField(
            _l("What may we call you? (optional, a nickname is fine)"),
            validators=[Optional(), Length(max=200, message=_l("The name is too long."))],
            render_kw={"autocomplete": "nickname"},
        )


class CancelForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for cancelling (optional)"),
        validators=[Optional(), Length(max=500, message=_l("The reason is too long."))],
    )


class AttendForm(FlaskForm):
    """A participant's answer through their own link: "yes" or "no"."""

    attending = StringField(validators=[AnyOf(["yes", "no"])])
