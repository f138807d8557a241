"""Command-line tools: ``flask --app wsgi <command>``.

None of them needs the async server: wsgi.py patches only when serving. Commands
call operations and commit once at the end, so a refused command saves nothing.
Output is for the operator and stays in English.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import ParamSpec, TypeVar

import click
from alembic import command
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from flask_babel import force_locale

from . import demo, migrate, retention
from .auth import operations as auth_ops
from .auth.models import Role
from .db import session, utcnow
from .dialogues.models import Dialogue
from .errors import DomainError

P = ParamSpec("P")
T = TypeVar("T")


@contextmanager
def _domain_errors() -> Iterator[None]:
    """Turn a refusal into a clear message and exit code 1, with nothing saved.

    English, because the locale selector needs a request and the reader is an operator.
    """
    with force_locale("en"):
        try:
            yield
        except DomainError as error:
            session().rollback()
            field = f" ({error.field})" if error.field else ""
            raise click.ClickException(f"{error.message}{field}") from None


def _operator(fn: Callable[P, T]) -> Callable[P, T]:
    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        with _domain_errors():
            return fn(*args, **kwargs)

    return wrapper


# -- db ---------------------------------------------------------------------------------------

db_group = AppGroup("db", help="Database migrations (Alembic).")


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


# -- users ------------------------------------------------------------------------------------

users_group = AppGroup("users", help="Staff accounts and API tokens.")


def read_password() -> str:
    """Ask twice on a terminal; otherwise take the first line of stdin.

    Never an option: a password on the command line ends up in shell history and ps.
    """
    if sys.stdin.isatty():
        value: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        return value
    line = sys.stdin.readline()
    if not line:
        raise click.ClickException("No password given on standard input.")
    return line.rstrip("\r\n")


@users_group.command("create")
@click.argument("email")
@click.option(
    "--role",
    required=True,
    type=click.Choice([role.value for role in Role]),
    help="What the user may do; each role includes the ones below it.",
)
@click.option("--name", default=None, help="Display name (default: the e-mail's local part).")
@_operator
def users_create(email: str, role: str, name: str | None) -> None:
    """Create a staff user; the password is asked for (or read from stdin)."""
    password = read_password()
    user = auth_ops.create_user(email, name=name, password=password, role=role)
    session().commit()
    click.echo(f"Created {user.role.value} {user.email}.", err=True)


@users_group.command("token")
@click.argument("email")
@_operator
def users_token(email: str) -> None:
    """Print a new API token for the user; only its hash is stored."""
    user = auth_ops.get_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No user with the e-mail {email}.")
    token = auth_ops.issue_api_token(user)
    session().commit()
    # Alone on stdout, so that `TOKEN=$(flask --app wsgi users token ...)` works.
    click.echo(token)


# -- demo -------------------------------------------------------------------------------------


def _print_logins(heading: str) -> None:
    config = current_app.config
    click.echo(heading)
    for login in demo.logins():
        click.echo(f"  {login.role.value:<12} {login.email:<24} password: {login.password}")
    click.echo(f"  Open http://{config['HOST']}:{config['PORT']}/login")


@click.command("demo")
@click.option(
    "--if-empty",
    is_flag=True,
    help="Load only into an empty database, and otherwise skip without an error.",
)
@with_appcontext
@_operator
def demo_command(if_empty: bool) -> None:
    """Load the demo dialogue "Trygghet i stadsdelarna" into an empty database."""
    if if_empty and not demo.is_empty():
        click.echo("Demo data not loaded: the database already has dialogues or users.")
        if auth_ops.get_user_by_email(demo.FACILITATOR_EMAIL) is not None:
            _print_logins("Demo logins (unless changed since):")
        return
    demo.load_demo()
    session().commit()
    click.echo(
        f'Demo data loaded: "{demo.TITLE}", {len(demo.THEMES)} themes, {len(demo.PLACES)} meetings.'
    )
    _print_logins("Demo logins:")


# -- dialogue retention -----------------------------------------------------------------------

dialogue_group = AppGroup("dialogue", help="A dialogue's archive and retention.")


def _dialogue(dialogue_id: int) -> Dialogue:
    dialogue = session().get(Dialogue, dialogue_id)
    if dialogue is None:
        raise click.ClickException(f"No dialogue with the id {dialogue_id}.")
    return dialogue


@dialogue_group.command("archive")
@click.argument("dialogue_id", type=int)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder for the files (default: archives/ in the instance folder).",
)
@_operator
def dialogue_archive(dialogue_id: int, out: Path | None) -> None:
    """Write the dialogue's complete archive as JSON and PDF, before a purge."""
    dialogue = _dialogue(dialogue_id)
    folder = out or Path(current_app.instance_path) / "archives"
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"dialogue-{dialogue.id}-{utcnow():%Y%m%dT%H%M%SZ}"
    data = retention.archive_data(dialogue)
    json_path = stem.with_suffix(".json")
    json_path.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    pdf_path = stem.with_suffix(".pdf")
    pdf_path.write_bytes(retention.archive_pdf(dialogue))
    click.echo(json_path)
    click.echo(pdf_path)


@dialogue_group.command("purge")
@click.argument("dialogue_id", type=int)
@_operator
def dialogue_purge(dialogue_id: int) -> None:
    """Remove names, links and free text older than the dialogue's retention period."""
    dialogue = _dialogue(dialogue_id)
    counts = retention.purge(dialogue)
    session().commit()
    click.echo(
        f"Purged {counts['contributions']} contributions, {counts['participants']} "
        f"participants, {counts['hands']} hands, {counts['writes']} write records, "
        f"{counts['notes']} conversation notes, {counts['followers']} e-mail addresses older "
        f"than {dialogue.retention_months} months."
    )


# -- mail -------------------------------------------------------------------------------------

mail_group = AppGroup("mail", help="The outbox of mail to residents who follow a dialogue.")


@mail_group.command("send-due")
def mail_send_due() -> None:
    """Plan the reminders and digests that are due and send every mail due now."""
    from .mail import worker

    result = worker.send_due()
    if result.busy:
        click.echo("Another instance holds the sending lease and sends the due mail itself.")
        return
    if result.kept:
        click.echo(f"SMTP_URL is not set: {result.kept} mails stay in the outbox, unsent.")
        return
    click.echo(
        f"Planned {result.planned}, sent {result.sent}, failed {result.failed}, "
        f"{result.retry} to try again."
    )
    for error in result.errors:
        click.echo(error, err=True)


def init_app(app: Flask) -> None:
    app.cli.add_command(db_group)
    app.cli.add_command(users_group)
    app.cli.add_command(dialogue_group)
    app.cli.add_command(mail_group)
    app.cli.add_command(demo_command)
