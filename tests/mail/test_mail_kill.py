"""kill -9 of the real server (gevent) while its outbox holds 100 due mails: after a
restart every one arrives; a mail sent again after the kill is the same mail (its
``Message-ID``), and the outbox says ``sent`` for all."""

from __future__ import annotations

import signal
from email import policy
from pathlib import Path

import sqlalchemy as sa
from conftest import make_config
from processes import app_env, free_port, run_flask, serving
from smtp_server import smtp_server

from facilitate import create_app
from facilitate.db import session, utcnow
from facilitate.extensions import db
from facilitate.mail import compose
from facilitate.mail.models import MailStatus, OutboxMail

MAILS = 100


def fill_outbox(database: str, tmp_path: Path) -> set[str]:
    app = create_app(make_config(tmp_path, DATABASE_URL=database))
    ids = set()
    with app.app_context():
        for n in range(MAILS):
            mail = compose.message(
                to=f"r{n}@example.se",
                subject=f"Mail {n}",
                body=f"Mail number {n}",
                language="sv",
                unsubscribe_url="https://dialog.example.se/mail/unsubscribe/x",
                now=utcnow(),
            )
            session().add(
                OutboxMail(
                    recipient=f"r{n}@example.se",
                    subject=f"Mail {n}",
                    body=f"Mail number {n}",
                    message=mail.as_string(policy=policy.SMTP),
                    message_id=str(mail["Message-ID"]),
                )
            )
            ids.add(str(mail["Message-ID"]))
        session().commit()
        db.engine.dispose()
    return ids


def statuses(database: str) -> dict[str, int]:
    engine = sa.create_engine(database)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(OutboxMail.status, sa.func.count()).group_by(OutboxMail.status)
        )
        found = {str(status): number for status, number in rows}
    engine.dispose()
    return found


def test_kill_9_while_sending_loses_no_mail(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'facilitate.db'}"
    env = app_env(tmp_path, DATABASE_URL=database, SECRET_KEY="kill-test")
    assert run_flask("db", "upgrade", env=env).returncode == 0
    sent = fill_outbox(database, tmp_path)
    # Slow enough that the kill lands with mail still due.
    with smtp_server(delay=0.03) as (inbox, url):
        env.update(
            SMTP_URL=url,
            MAIL_POLL_SECONDS="0.2",
            MAIL_LEASE_SECONDS="2",
            MAIL_RETRY_SECONDS="2",
            ASYNC_MODE="gevent",
        )
        env["PORT"] = str(free_port())
        with serving(env, tmp_path / "first.log") as process:
            inbox.wait(lambda: len(inbox.mails) >= 20)
            process.send_signal(signal.SIGKILL)
            assert process.wait(timeout=10) == -signal.SIGKILL
        before = len(inbox.mails)
        assert before < MAILS, "the kill came after everything was sent"
        env["PORT"] = str(free_port())
        with serving(env, tmp_path / "second.log"):
            inbox.wait(lambda: {str(m["Message-ID"]) for m in inbox.mails} >= sent, timeout=60)
            # The row is marked a moment after the server took the mail.
            inbox.wait(lambda: statuses(database) == {MailStatus.sent.value: MAILS})
    arrived = [str(m["Message-ID"]) for m in inbox.mails]
    assert set(arrived) == sent
    # At most the mail in flight at the kill went twice, and then as the same mail.
    assert len(arrived) - MAILS <= 1
    print(f"{before} mails arrived before the kill, {len(arrived)} in all")
