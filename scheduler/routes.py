"""The one place where blueprints are attached to the app."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map


class IdConverter(IntegerConverter):
    """``<id:name>``: a database id, 1 … 2³¹−1; anything else is a plain 404.

    The range is in the pattern itself, not only in ``min``/``max``: a value the pattern
    took but the range check refused would leave the router believing another method's
    route matched, and a DELETE of id 99999999999 would be a 405 instead of a 404."""

    regex = (
        r"(?:[1-9]\d{0,8}|1\d{9}|20\d{8}|21[0-3]\d{7}|214[0-6]\d{6}|2147[0-3]\d{5}"
        r"|21474[0-7]\d{4}|214748[0-2]\d{3}|2147483[0-5]\d{2}|21474836[0-3]\d|214748364[0-7])"
    )

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        super().__init__(url_map, min=1, max=2_147_483_647)


def register(app: Flask) -> None:
    app.url_map.converters["id"] = IdConverter
    from scheduler.api import bp as api_bp
    from scheduler.api import staff_bp as staff_api_bp

    app.register_blueprint(api_bp)
    app.register_blueprint(staff_api_bp)

    from scheduler.ical.feed_view import bp as feeds_bp

    app.register_blueprint(feeds_bp)

    from scheduler.public import bp as public_bp

    app.register_blueprint(public_bp)

    from scheduler.dev import bp as dev_bp

    app.register_blueprint(dev_bp)

    from scheduler.booking.call_page import organisation_name, record_host_view
    from video.views import bp as video_bp
    from video.views import on_host_page

    app.register_blueprint(video_bp)
    on_host_page(app, record_host_view)  # the worker's call page names the family
    app.jinja_env.globals["organisation_name"] = organisation_name  # on the call pages

    from scheduler.staff import bp as staff_bp

    app.register_blueprint(staff_bp)

    from scheduler.figures import blueprints as figures_blueprints

    for figures_bp in figures_blueprints():
        app.register_blueprint(figures_bp)

    # Probes, metrics, request ids and logs, database error handlers, the proxy fix.
    from scheduler.observability import init_app as init_ops

    init_ops(app)

    # After the request id is given (above), before any view reads its input.
    from scheduler.web.input import refuse_nul

    app.before_request(refuse_nul)
