"""Periodic jobs (APScheduler). Each job is a plain function taking no arguments that runs
inside an app context; tests call the functions directly. Every job is safe to run
again and to run twice at once.
"""

from __future__ import annotations

import atexit
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from flask import Flask

from scheduler.extensions import db

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    func: Callable[[], object]
    seconds: int


def all_jobs() -> list[Job]:
    """Every periodic job of the service, with how often it runs."""
    from notifications import dispatch_due
    from scheduler.booking import expire_holds
    from scheduler.booking.interpreters import flag_late_requests
    from scheduler.booking.retention import purge_personal_data
    from scheduler.figures import nightly_figures, queue_feedback_requests
    from scheduler.ical.sync import poll_feeds

    return [
        Job("expire_holds", expire_holds, 30),
        Job("poll_calendar_feeds", poll_feeds, 60),
        Job("dispatch_notifications", dispatch_due, 5),
        Job("purge_personal_data", purge_personal_data, 3600),
        # Once per local day per organisation, soon after midnight (it checks every 15 min).
        Job("snapshot_figures", nightly_figures, 900),
        Job("queue_feedback_requests", queue_feedback_requests, 300),
        Job("flag_late_interpreter_requests", flag_late_requests, 900),
    ]


def build_scheduler(app: Flask, scheduler: BaseScheduler) -> BaseScheduler:
    for job in all_jobs():

        def run(job: Job = job) -> None:
            with app.app_context():
                try:
                    job.func()
                    db.session.commit()
                except Exception:
                    log.exception("job %s failed", job.name)
                    db.session.rollback()
                finally:
                    db.session.remove()

        scheduler.add_job(
            run, "interval", seconds=job.seconds, id=job.name, max_instances=1, coalesce=True
        )
    return scheduler


def init_app(app: Flask) -> None:
    """Start the jobs inside the web process when ``JOBS_EMBEDDED`` is set (``make run``)."""
    if not app.config.get("JOBS_EMBEDDED"):
        return
    # The reloader starts the app twice; only the serving child runs jobs.
    if app.debug and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        return
    scheduler = build_scheduler(app, BackgroundScheduler(timezone="UTC"))
    scheduler.start()
    atexit.register(lambda: scheduler.shutdown(wait=False))
    app.extensions["etaaika_scheduler"] = scheduler
