"""Intake questions of a service and the family's answers to them."""

from __future__ import annotations

from typing import Any

from scheduler.kernel import Problem

MAX_TEXT = 2000


def validate_answers(questions: list[dict[str, Any]], answers: dict[str, Any]) -> dict[str, Any]:
    """Check ``answers`` against the service's questions; returns the cleaned answers.

    Unknown questions, missing required answers, options that are not offered and
    over-long texts are refused with one message per field.
    """
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    known = {q["id"]: q for q in questions}
    for key in answers:
        if key not in known:
            errors[f"intake_answers.{key}"] = "no such question"
    for qid, question in known.items():
        value = answers.get(qid)
        if value is None or value == "":
            if question.get("required"):
                errors[f"intake_answers.{qid}"] = "an answer is required"
            continue
        kind = question.get("kind", "text")
        if kind == "yesno":
            if not isinstance(value, bool):
                errors[f"intake_answers.{qid}"] = "answer yes or no"
                continue
        elif kind == "choice":
            options = {o["value"] for o in question.get("options", [])}
            if value not in options:
                errors[f"intake_answers.{qid}"] = "choose one of the options"
                continue
        else:
            if not isinstance(value, str):
                errors[f"intake_answers.{qid}"] = "answer in text"
                continue
            value = value.strip()
            if len(value) > MAX_TEXT:
                errors[f"intake_answers.{qid}"] = f"at most {MAX_TEXT} characters"
                continue
        cleaned[qid] = value
    if errors:
        raise Problem(422, "invalid_input", "Some answers need to be checked.", errors)
    return cleaned
