"""The operator's command line: ``flask --app wsgi users ...`` and friends."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskCliRunner
from processes import ASYNC_MODES, FLASK, ROOT, app_env, run_flask

from facilitate.auth import operations as auth_ops
from facilitate.auth.models import ApiToken, Role, User
from facilitate.db import session

PASSWORD = "a long enough password"


def _users(app: Flask) -> list[tuple[str, str, Role]]:
    with app.app_context():
        rows = session().execute(sa.select(User.email, User.name, User.role).order_by(User.id))
        return [(email, name, role) for email, name, role in rows]


def test_users_create_reads_password_from_stdin(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["users", "create", "Anna@Example.org", "--role", "admin", "--name", "Anna Ek"],
        input=f"{PASSWORD}\nsecond line is ignored\n",
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == "Created admin anna@example.org.\n"
    assert _users(app) == [("anna@example.org", "Anna Ek", Role.admin)]
    with app.app_context():
        assert auth_ops.authenticate("anna@example.org", PASSWORD, address="127.0.0.1") is not None


def test_users_create_without_name_uses_local_part(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["users", "create", "bo@example.org", "--role", "observer"], input=PASSWORD
    )
    assert result.exit_code == 0, result.output
    assert _users(app) == [("bo@example.org", "bo", Role.observer)]


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("not-an-email", PASSWORD, "Error: Enter a valid e-mail address. (email)\n"),
        (
            "a@example.org",
            "short",
            "Error: The password needs at least 10 characters. (password)\n",
        ),
        ("a@example.org", "", "Error: The password needs at least 10 characters. (password)\n"),
    ],
)
def test_users_create_invalid_input_saves_nothing(
    app: Flask, runner: FlaskCliRunner, email: str, password: str, message: str
) -> None:
    result = runner.invoke(
        args=["users", "create", email, "--role", "facilitator"], input=f"{password}\n"
    )
    assert result.exit_code == 1
    assert result.stderr == message
    assert _users(app) == []


def test_users_create_empty_stdin_is_refused(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["users", "create", "a@example.org", "--role", "admin"], input="")
    assert result.exit_code == 1
    assert result.stderr == "Error: No password given on standard input.\n"
    assert _users(app) == []


def test_users_create_duplicate_email_is_refused(
    app: Flask, runner: FlaskCliRunner, make_user: Callable[..., User]
) -> None:
    make_user(email="taken@example.org", name="First")
    result = runner.invoke(
        args=["users", "create", "TAKEN@example.org", "--role", "admin"], input=PASSWORD
    )
    assert result.exit_code == 1
    assert result.stderr == "Error: A user with this e-mail already exists. (email)\n"
    assert _users(app) == [("taken@example.org", "First", Role.facilitator)]


def test_users_create_unknown_role_is_refused(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["users", "create", "a@example.org", "--role", "owner"], input=PASSWORD
    )
    assert result.exit_code == 2
    assert "'owner' is not one of 'observer', 'facilitator', 'admin'" in result.stderr
    assert _users(app) == []


def test_users_token_prints_only_a_working_token(
    app: Flask, runner: FlaskCliRunner, make_user: Callable[..., User]
) -> None:
    user = make_user(email="api@example.org")
    result = runner.invoke(args=["users", "token", "API@example.org"])
    assert result.exit_code == 0, result.output
    token = result.stdout.removesuffix("\n")
    assert result.stdout == token + "\n"
    assert token.startswith("fct_")
    with app.app_context():
        found = auth_ops.user_for_token(token)
        assert found is not None
        assert found.id == user.id


def test_users_token_unknown_email_fails(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["users", "token", "nobody@example.org"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "Error: No user with the e-mail nobody@example.org.\n"
    with app.app_context():
        assert session().scalar(sa.select(sa.func.count(ApiToken.id))) == 0


@pytest.mark.parametrize("mode", ASYNC_MODES)
def test_cli_works_in_every_async_mode(tmp_path: Path, mode: str) -> None:
    env = app_env(tmp_path, ASYNC_MODE=mode)
    upgraded = run_flask("db", "upgrade", env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    created = run_flask(
        "users", "create", "ops@example.org", "--role", "admin", env=env, stdin=PASSWORD + "\n"
    )
    assert created.returncode == 0, created.stderr
    assert created.stderr.endswith("Created admin ops@example.org.\n")
    token = run_flask("users", "token", "ops@example.org", env=env)
    assert token.returncode == 0, token.stderr
    assert token.stdout.startswith("fct_")
    assert token.stdout.count("\n") == 1


def test_cli_rejects_unknown_async_mode(tmp_path: Path) -> None:
    result = run_flask("db", "current", env=app_env(tmp_path, ASYNC_MODE="asyncio"))
    assert result.returncode != 0
    assert "ASYNC_MODE must be one of gevent, eventlet, threading, not 'asyncio'" in result.stderr


def _read_until(fd: int, text: str, seen: bytearray, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while text.encode() not in seen:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"never saw {text!r}; got {bytes(seen)!r}")
        ready, _, _ = select.select([fd], [], [], remaining)
        if ready:
            chunk = os.read(fd, 1024)
            if not chunk:
                raise AssertionError(f"stream closed before {text!r}; got {bytes(seen)!r}")
            seen.extend(chunk)


def test_users_create_on_a_terminal_asks_twice_until_they_match(tmp_path: Path) -> None:
    env = app_env(tmp_path, ASYNC_MODE="threading")
    assert run_flask("db", "upgrade", env=env).returncode == 0
    controller, terminal = pty.openpty()
    # A new session has no controlling terminal, so getpass uses stdin: the pty.
    process = subprocess.Popen(
        [*FLASK, "users", "create", "tty@example.org", "--role", "facilitator"],
        cwd=ROOT,
        env=env,
        stdin=terminal,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    os.close(terminal)
    assert process.stdout is not None
    out = process.stdout.fileno()
    seen = bytearray()
    try:
        # Answer only after each prompt: getpass flushes input typed ahead of it.
        _read_until(out, "Password: ", seen)
        os.write(controller, f"{PASSWORD}\n".encode())
        _read_until(out, "Repeat for confirmation: ", seen)
        os.write(controller, b"something else entirely\n")
        _read_until(out, "do not match", seen)
        # Keep what came after the error: the next prompt may arrive in the same read.
        del seen[: seen.index(b"do not match") + len(b"do not match")]
        _read_until(out, "Password: ", seen)
        os.write(controller, f"{PASSWORD}\n".encode())
        _read_until(out, "Repeat for confirmation: ", seen)
        os.write(controller, f"{PASSWORD}\n".encode())
        _read_until(out, "Created facilitator tty@example.org.", seen)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
        os.close(controller)
        process.stdout.close()
    token = run_flask("users", "token", "tty@example.org", env=env)
    assert token.returncode == 0, token.stderr
    assert PASSWORD not in bytes(seen).decode()
