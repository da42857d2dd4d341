"""The family's feedback form behind the one-time link. Anonymous: nothing on the page or
in the answer tells who the family is, and the access log has no client to record."""

from __future__ import annotations

from flask import current_app, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from scheduler.extensions import db, limiter
from scheduler.figures.blueprint import feedback_bp as bp
from scheduler.figures.feedback import LinkState, find_invite, give_feedback
from scheduler.figures.forms import RATING_LABELS, FeedbackForm
from scheduler.models import Organisation


def _limit() -> str:
    return str(current_app.config["RATELIMIT_PUBLIC"])


def _link_problem(state: LinkState) -> ResponseReturnValue:
    """A page that says plainly why the link does not work: 404 unknown, 410 used or old."""
    status = 404 if state is LinkState.NOT_FOUND else 410
    return render_template("figures/feedback_link.html", state=state.value), status


@bp.route("/feedback/<token>", methods=["GET", "POST"])
@limiter.limit(_limit)
def feedback_form(token: str) -> ResponseReturnValue:
    """Show the form; a valid answer is stored and uses the link up."""
    state, invite = find_invite(token)
    if invite is not None:
        g.org = db.session.get(Organisation, invite.organisation_id)
    if state is not LinkState.VALID or invite is None:
        return _link_problem(state)
    form = FeedbackForm()
    if request.method == "POST":
        if form.validate():
            if give_feedback(invite, int(form.rating.data), form.comment.data) is None:
                return _link_problem(LinkState.USED)
            org = g.org
            return redirect(url_for("feedback.thanks", org=org.slug if org else None), 303)
        # Errors: the page again with everything the family wrote, nothing stored.
        return render_template("figures/feedback.html", form=form, labels=RATING_LABELS), 422
    return render_template("figures/feedback.html", form=form, labels=RATING_LABELS)


@bp.get("/feedback/thanks")
def thanks() -> ResponseReturnValue:
    """The thank-you page after an answer (the link itself no longer works)."""
    slug = request.args.get("org")
    if slug:
        g.org = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
    return render_template("figures/feedback_thanks.html")
