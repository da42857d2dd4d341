"""The feedback form: one rating from 1 to 5 (faces), one optional comment."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length, Optional

from scheduler.figures.feedback import MAX_COMMENT

RATING_LABELS = {
    "1": _l("Very dissatisfied"),
    "2": _l("Somewhat dissatisfied"),
    "3": _l("Neither satisfied nor dissatisfied"),
    "4": _l("Somewhat satisfied"),
    "5": _l("Very satisfied"),
}


class FeedbackForm(FlaskForm):
    rating = RadioField(
        _l("Overall, how satisfied are you with the meeting?"),
        choices=[SelectChoice(value, label) for value, label in RATING_LABELS.items()],
        # Our own message for an unknown value, in the family's language.
        validate_choice=False,
        validators=[
            InputRequired(_l("Choose one of the five faces.")),
            AnyOf(list(RATING_LABELS), message=_l("Choose one of the five faces.")),
        ],
    )
    comment = TextAreaField(
        _l("Is there anything else you would like to tell us?"),
        validators=[
            Optional(),
            Length(
                max=MAX_COMMENT,
                message=_l("Write at most %(max)d characters.", max=MAX_COMMENT),
            ),
        ],
        render_kw={"rows": 5, "maxlength": MAX_COMMENT},
    )
