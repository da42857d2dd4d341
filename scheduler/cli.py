"""Command-line commands: ``flask --app wsgi <command>``."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import select

from scheduler.extensions import db


def register_commands(app: Flask) -> None:
    @app.cli.command("demo-data")
    @click.option("--reset", is_flag=True, help="Remove the demo organisation first.")
    def demo_data(reset: bool) -> None:
        """Create a demo organisation in Lapland with five services and eight workers."""
        from scheduler.demo import create_demo, measure_demo_today

        created = create_demo(reset=reset)
        if created:
            measure_demo_today()  # the figure pages show today's figures, too
        db.session.commit()
        click.echo("demo data created" if created else "demo data already present")

    @app.cli.group("audit")
    def audit_group() -> None:
        """The access log."""

    @audit_group.command("verify")
    def audit_verify() -> None:
        """Check every organisation's hash chain; exit 1 if any row was altered or removed."""
        from scheduler.audit import verify_chain
        from scheduler.models import Organisation

        broken = False
        for org in db.session.scalars(select(Organisation).order_by(Organisation.id)):
            problems = list(verify_chain(org.id))
            for problem in problems:
                click.echo(f"{org.slug}: {problem}")
            broken = broken or bool(problems)
            if not problems:
                click.echo(f"{org.slug}: intact")
        if broken:
            raise SystemExit(1)

    @app.cli.command("staff-account")
    @click.option("--organisation", "org_slug", required=True, help="The organisation's slug.")
    @click.option("--email", required=True, help="The e-mail the person signs in with.")
    @click.option("--name", required=True)
    @click.option(
        "--role",
        type=click.Choice(["org_admin", "unit_admin", "worker"]),
        default="org_admin",
        show_default=True,
    )
    @click.option("--unit", "unit_id", type=int, help="Unit id (unit_admin and worker).")
    def staff_account(org_slug: str, email: str, name: str, role: str, unit_id: int | None) -> None:
        """Create a staff account, e.g. the first organisation administrator; the person then
        signs in through the organisation's OpenID provider with this e-mail address."""
        from scheduler.staff.accounts import create_account

        try:
            account = create_account(org_slug, email, name, role, unit_id)
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
        db.session.commit()
        click.echo(f"staff account {account.id} created for {account.email} ({account.role})")

    @app.cli.command("worker")
    def worker() -> None:
        """Run the periodic jobs (notifications, calendar feeds, holds …) until SIGTERM."""
        run_worker(app)


def run_worker(app: Flask) -> None:
    """Run every job of ``scheduler.jobs.all_jobs()`` in this process until SIGTERM/SIGINT.

    Each job runs once at start, then at its interval. On a signal no new run starts,
    the dispatcher hands back what it has claimed but not tried, and the process ends
    when the running jobs have returned.
    """
    import signal
    from datetime import UTC, datetime
    from types import FrameType

    from apscheduler.schedulers.blocking import BlockingScheduler

    import notifications
    from scheduler.jobs import build_scheduler

    scheduler = build_scheduler(app, BlockingScheduler(timezone="UTC"))
    for job in scheduler.get_jobs():
        job.modify(next_run_time=datetime.now(UTC))

    def stop(signum: int, _frame: FrameType | None) -> None:
        click.echo(f"worker: {signal.Signals(signum).name}, stopping")
        notifications.request_stop()
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    click.echo("worker: running " + ", ".join(job.id for job in scheduler.get_jobs()))
    scheduler.start()
