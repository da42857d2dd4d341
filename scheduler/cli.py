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
        from scheduler.demo import create_demo

        created = create_demo(reset=reset)
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
