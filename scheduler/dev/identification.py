"""A development identification service: the family picks one of a few test persons,
as in the test environment of Suomi.fi e-Identification. It stands in for the ``family``
OpenID provider when none is configured and the development tools are on."""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue

from scheduler import booking as ops
from scheduler.dev.blueprint import bp
from scheduler.kernel import Problem
from scheduler.public.identification import SESSION_KEY, record_identity

SUBJECT_PREFIX = "dev:"


@dataclass(frozen=True)
class TestPerson:
    """A made-up person with a personal identity code of the range kept for tests (9xx)."""

    code: str
    name: str

    @property
    def subject(self) -> str:
        return SUBJECT_PREFIX + self.code


TEST_PERSONS = (
    TestPerson("010280-952L", "Maija Testinen"),
    TestPerson("150385-9068", "Anna-Stina Testare"),
    TestPerson("240477-971W", "Máret Testi"),
    TestPerson("310899-983P", "Pekka Kokeilija"),
)


def _held_token() -> str:
    token = session.get(SESSION_KEY)
    if not isinstance(token, str) or not token:
        raise Problem(400, "identification_failed", "The identification did not succeed.")
    return token


@bp.get("/identify")
def identify_page() -> ResponseReturnValue:
    """Choose a test person (the held time waits in the session)."""
    booking = ops.booking_by_hold_token(_held_token())
    g.org = booking.organisation
    return render_template("dev/identify.html", persons=TEST_PERSONS, booking=booking)


@bp.post("/identify")
def identify_as() -> ResponseReturnValue:
    """Identify as the chosen test person and go on to the booking form."""
    token = _held_token()
    booking = ops.booking_by_hold_token(token)
    g.org = booking.organisation
    g.actor, g.actor_role = "client:booking-form", "client"
    chosen = request.form.get("person", "")
    person = next((p for p in TEST_PERSONS if p.code == chosen), None)
    if person is None:
        raise Problem(422, "invalid_input", "Choose a test person.")
    session.pop(SESSION_KEY, None)
    record_identity(booking, person.subject, person.name)
    return redirect(url_for("public.book", token=token), 303)
