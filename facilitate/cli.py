"""Command-line tools: ``flask --app wsgi <command>``.

None of them needs the async server: wsgi.py patches only when serving.
"""

from __future__ import annotations

import click
from alembic import command
from flask import Flask

from . import migrate


@click.group("db", help="Database migrations (Alembic).")
def db_group() -> None:
    pass


@db_group.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: head)."""
    migrate.upgrade(revision)


@db_group.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION."""
    migrate.downgrade(revision)


@db_group.command("revision")
@click.option("-m", "--message", required=True)
def db_revision(message: str) -> None:
    """Write a new migration from the difference between models and database."""
    command.revision(migrate.alembic_config(), message=message, autogenerate=True)


@db_group.command("current")
def db_current() -> None:
    """Print the database's current revision."""
    command.current(migrate.alembic_config())


def init_app(app: Flask) -> None:
    app.cli.add_command(db_group)
