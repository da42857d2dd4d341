"""Feedback: one message per finished meeting through the outbox, a one-time anonymous
form behind it, clear answers to bad links and bad input, and comments that age out."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

import notifications
from notifications.models import OutboxMessage
from notifications.rendering import render_email, render_sms
from scheduler.extensions import db
from scheduler.figures import queue_feedback_requests
from scheduler.figures.feedback import find_invite, purge_old_comments
from scheduler.kernel import now_utc
from scheduler.models import Booking, Feedback, FeedbackInvite
from scheduler.tokens import token_hash
from tests.catalogues import compile_figures_catalogues
from tests.factories import Factories
from tests.figures.conftest import History

TOKEN_IN_URL = re.compile(r"/feedback/([A-Za-z0-9_-]{43})\?lang=(fi|sv|en)$")


def finished(
    make: Factories,
    history: History,
    status: str = "completed",
    ended_ago: timedelta = timedelta(hours=1),
    **kw: object,
) -> Booking:
    service = make.service(duration_min=45)
    pro = make.professional(service)
    start = now_utc() - ended_ago - timedelta(minutes=45)
    return history.booking(service, pro, start, status, **kw)


def feedback_messages() -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.template == "feedback")
            .order_by(OutboxMessage.id)
        )
    )


def link_of(booking: Booking) -> str:
    secrets = notifications.sealed_secrets(f"booking:{booking.uid}:feedback")
    assert secrets is not None
    return str(secrets["feedback_url"])


def token_of(booking: Booking) -> str:
    match = TOKEN_IN_URL.search(link_of(booking))
    assert match is not None
    return match.group(1)


def test_one_message_per_held_meeting_even_when_run_twice(
    any_app: Flask, make: Factories, history: History
) -> None:
    booking = finished(make, history, language="sv")
    assert queue_feedback_requests() == 1
    assert queue_feedback_requests() == 0
    db.session.commit()
    (message,) = feedback_messages()
    assert (message.channel, message.recipient, message.language) == (
        "email",
        "perhe@example.org",
        "sv",
    )
    assert message.idempotency_key == f"booking:{booking.uid}:feedback"
    # The link is sealed in the outbox and only its hash is kept with the invite.
    url = link_of(booking)
    assert url.startswith("http://127.0.0.1:5000/feedback/") and url.endswith("?lang=sv")
    assert url not in str(message.context)
    invite = db.session.scalar(select(FeedbackInvite))
    assert invite is not None and invite.token_hash == token_hash(token_of(booking))


def test_which_meetings_get_a_request(app: Flask, make: Factories, history: History) -> None:
    finished(make, history, "completed")
    finished(make, history, "confirmed", ended_ago=timedelta(hours=4))  # held, not marked
    finished(make, history, "confirmed", ended_ago=timedelta(hours=1))  # may still be marked
    finished(make, history, "no_show")
    finished(make, history, "cancelled")
    finished(make, history, "completed", ended_ago=timedelta(days=5))  # too long ago
    finished(make, history, "completed", ended_ago=-timedelta(hours=2))  # not over yet
    assert queue_feedback_requests() == 2


def test_family_with_a_mobile_number_only_gets_an_sms(
    app: Flask, make: Factories, history: History
) -> None:
    finished(make, history, client_email=None, client_phone="+358401234567")
    assert queue_feedback_requests() == 1
    (message,) = feedback_messages()
    assert (message.channel, message.recipient) == ("sms", "+358401234567")


def test_unreachable_family_and_switched_off_organisation_get_nothing(
    app: Flask, make: Factories, history: History
) -> None:
    finished(make, history, client_email=None, client_phone="+35891234567")  # a landline
    off = finished(make, history)
    off.organisation.settings = {"feedback_requests": False}
    assert queue_feedback_requests() == 0
    assert feedback_messages() == []
    # Both are remembered as handled, with no link that could ever work.
    invites = db.session.scalars(select(FeedbackInvite)).all()
    assert len(invites) == 2 and all(i.token_hash is None for i in invites)
    assert queue_feedback_requests() == 0


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_feedback_message_renders_in_each_language(
    app: Flask, make: Factories, history: History, lang: str
) -> None:
    booking = finished(make, history, language=lang)
    queue_feedback_requests()
    (message,) = feedback_messages()
    variables = {**message.context, "feedback_url": link_of(booking)}
    email = render_email("feedback", lang, variables)
    assert link_of(booking) in email.text and link_of(booking) in email.html
    assert booking.service.name[lang] in email.text
    sms = render_sms("feedback", lang, variables)
    assert link_of(booking) in sms and len(sms) <= 160


def test_form_takes_one_answer_and_then_says_the_link_is_used(
    client: FlaskClient, make: Factories, history: History
) -> None:
    compile_figures_catalogues()
    booking = finished(make, history)
    queue_feedback_requests()
    db.session.commit()
    token = token_of(booking)
    page = client.get(f"/feedback/{token}?lang=fi")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count('type="radio"') == 5 and 'name="comment"' in html
    assert "Kuinka tyytyväinen olet tapaamiseen kokonaisuutena?" in html
    assert '<label for="rating-0">' in html and "Erittäin tyytymätön" in html
    answer = client.post(f"/feedback/{token}", data={"rating": "4", "comment": " Hyvä! "})
    assert answer.status_code == 303
    assert client.get(answer.headers["Location"]).status_code == 200
    db.session.expire_all()
    (feedback,) = db.session.scalars(select(Feedback)).all()
    assert (feedback.rating, feedback.comment, feedback.service_id) == (
        4,
        "Hyvä!",
        booking.service_id,
    )
    assert not hasattr(feedback, "booking_id")
    again = client.post(f"/feedback/{token}", data={"rating": "1"})
    assert again.status_code == 410
    assert "Tällä linkillä on jo annettu palaute" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Feedback)) == 1


def test_unknown_link_is_a_clear_404(client: FlaskClient) -> None:
    compile_figures_catalogues()
    page = client.get("/feedback/" + "x" * 43 + "?lang=en")
    assert page.status_code == 404
    assert "This feedback link is not valid" in page.get_data(as_text=True)
    assert client.post("/feedback/nope", data={"rating": "3"}).status_code == 404


def test_expired_link_says_so(client: FlaskClient, make: Factories, history: History) -> None:
    compile_figures_catalogues()
    booking = finished(make, history)
    queue_feedback_requests()
    invite = db.session.scalar(select(FeedbackInvite))
    assert invite is not None
    invite.expires_at = now_utc() - timedelta(minutes=1)
    db.session.commit()
    page = client.get(f"/feedback/{token_of(booking)}?lang=sv")
    assert page.status_code == 410
    assert "Den här responslänken gäller inte längre" in page.get_data(as_text=True)


@pytest.mark.parametrize("rating", ["7", "0", "good", ""])
def test_bad_rating_keeps_the_comment_and_stores_nothing(
    client: FlaskClient, make: Factories, history: History, rating: str
) -> None:
    compile_figures_catalogues()
    booking = finished(make, history)
    queue_feedback_requests()
    db.session.commit()
    token = token_of(booking)
    data = {"comment": "Työntekijä kuunteli hyvin."}
    if rating:
        data["rating"] = rating
    page = client.post(f"/feedback/{token}?lang=fi", data=data)
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "Valitse yksi viidestä kasvosta." in html
    assert 'class="error-summary"' in html and 'href="#rating-0"' in html
    assert "Työntekijä kuunteli hyvin.</textarea>" in html
    assert 'aria-invalid="true"' in html
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Feedback)) == 0
    assert find_invite(token)[0].value == "valid"


def test_too_long_comment_is_refused_with_its_text_kept(
    client: FlaskClient, make: Factories, history: History
) -> None:
    compile_figures_catalogues()
    booking = finished(make, history)
    queue_feedback_requests()
    db.session.commit()
    long = "a" * 1001
    page = client.post(
        f"/feedback/{token_of(booking)}?lang=en", data={"rating": "5", "comment": long}
    )
    assert page.status_code == 422
    assert "Write at most 1000 characters." in page.get_data(as_text=True)
    assert long in page.get_data(as_text=True)


def test_comments_are_removed_after_the_retention_period(app: Flask, make: Factories) -> None:
    service = make.service()
    app.config["RETENTION_DAYS"] = 30
    today = now_utc().date()
    for age in (31, 29):
        db.session.add(
            Feedback(
                organisation_id=service.organisation_id,
                unit_id=service.unit_id,
                service_id=service.id,
                received_on=today - timedelta(days=age),
                rating=3,
                comment=f"{age} days old",
            )
        )
    db.session.flush()
    assert purge_old_comments() == 1
    kept = db.session.scalars(select(Feedback).order_by(Feedback.received_on)).all()
    assert [(f.rating, f.comment) for f in kept] == [(3, None), (3, "29 days old")]
    assert isinstance(kept[0].received_on, date)
