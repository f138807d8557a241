"""Following a dialogue by e-mail, end to end through a real SMTP server (aiosmtpd):
double opt-in, reminders, digests, one-click unsubscribe, errors kept on the outbox."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from smtp_server import Inbox

from facilitate.actions import operations as action_ops
from facilitate.auth.models import Role, User
from facilitate.db import session, utcnow
from facilitate.mail import worker
from facilitate.mail.models import MailStatus, OutboxMail, Reminder, Subscription
from facilitate.meetings.models import Meeting

ADDRESS = "anna@example.se"


@pytest.fixture
def upcoming(app: Flask, agreed: dict[str, int]) -> dict[str, int]:
    """``agreed``, with its meeting three days ahead."""
    with app.app_context():
        meeting = session().get(Meeting, agreed["meeting"])
        assert meeting is not None
        meeting.starts_at = utcnow() + dt.timedelta(days=3)
        meeting.place = "Fröslunda bibliotek"
        session().commit()
    return agreed


def send_due(app: Flask, at: dt.datetime | None = None) -> worker.Round:
    with app.app_context():
        return worker.send_due(now=(lambda: at) if at else utcnow)


def link(mail: EmailMessage, path: str) -> str:
    """The path of the first link in ``mail``'s text that goes to ``path``."""
    body = mail.get_content()
    found = re.search(rf"https://dialog\.example\.se({re.escape(path)}\S+)", body)
    assert found, body
    return found.group(1)


def sign_up(client: FlaskClient, dialogue: int, meeting: int | None, **extra: str) -> Any:
    data = {"email": ADDRESS, "news": "y", **extra}
    if meeting is not None:
        data["meetings"] = str(meeting)
    return client.post(f"/d/{dialogue}/follow", data=data)


def confirmed(app: Flask, client: FlaskClient, inbox: Inbox, upcoming: dict[str, int]) -> None:
    assert sign_up(client, upcoming["dialogue"], upcoming["meeting"]).status_code == 200
    send_due(app)
    (mail,) = inbox.to(ADDRESS)
    path = link(mail, "/mail/confirm/")
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 200


def test_feedback_page_offers_the_form_and_states_the_purpose(
    client: FlaskClient, upcoming: dict[str, int]
) -> None:
    page = client.get(f"/d/{upcoming['dialogue']}/feedback").get_data(as_text=True)
    assert "Follow the dialogue by e-mail" in page
    assert "The address is not linked to anything you said or voted" in page
    assert f'action="/d/{upcoming["dialogue"]}/follow"' in page
    assert 'name="meetings"' in page  # the upcoming meeting can be chosen


def test_confirmation_in_the_chosen_language_then_nothing_until_confirmed(
    app: Flask, client: FlaskClient, inbox: Inbox, upcoming: dict[str, int]
) -> None:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fi"
    response = sign_up(client, upcoming["dialogue"], upcoming["meeting"])
    assert response.status_code == 200
    assert send_due(app).sent == 1
    (mail,) = inbox.to(ADDRESS)
    assert mail["Content-Language"] == "fi"
    assert mail["Subject"].startswith("Vahvista")
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = link(mail, "/mail/unsubscribe/")
    assert mail["List-Unsubscribe"] == f"<https://dialog.example.se{unsubscribe}>"
    assert re.fullmatch(r"<[^@>]+@localhost>", mail["Message-ID"])
    # Not confirmed: the reminder's and the digest's moments pass, and nothing is sent.
    with app.app_context():
        item = action_ops.get_item(upcoming["item"])
        action_ops.update_item(item, action_ops.ItemChanges(status="accepted"), user_id=None)
        session().commit()
    assert send_due(app, utcnow() + dt.timedelta(days=2, hours=12)).sent == 0
    assert len(inbox.to(ADDRESS)) == 1
    with app.app_context():
        assert session().scalar(sa.select(sa.func.count(OutboxMail.id))) == 1


def test_confirm_then_reminder_and_digest_then_one_click_unsubscribe(
    app: Flask, client: FlaskClient, inbox: Inbox, upcoming: dict[str, int]
) -> None:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "sv"
    confirmed(app, client, inbox, upcoming)
    # The item changes twice the same day: one digest, naming the latest status.
    with app.app_context():
        item = action_ops.get_item(upcoming["item"])
        action_ops.update_item(item, action_ops.ItemChanges(status="accepted"), user_id=None)
        session().commit()
        action_ops.update_item(item, action_ops.ItemChanges(status="in_progress"), user_id=None)
        session().commit()
    assert send_due(app).sent == 1
    digest = inbox.to(ADDRESS)[-1]
    assert digest["Subject"].startswith("Nytt från")
    assert "Belys skolvägen: Pågår" in digest.get_content()
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Another change within the day waits for tomorrow's digest.
    with app.app_context():
        item = action_ops.get_item(upcoming["item"])
        action_ops.update_item(item, action_ops.ItemChanges(status="done"), user_id=None)
        session().commit()
    assert send_due(app).sent == 0
    # The eve of the meeting: the reminder, and the day's digest with the last change.
    eve = utcnow() + dt.timedelta(days=2, hours=1)
    assert send_due(app, eve).sent == 2
    reminder = next(m for m in inbox.to(ADDRESS) if m["Subject"].startswith("Påminnelse"))
    assert "Fröslunda bibliotek" in reminder.get_content()
    assert any("Belys skolvägen: Klar" in m.get_content() for m in inbox.to(ADDRESS)[-2:])
    assert send_due(app, eve + dt.timedelta(hours=1)).sent == 0  # once each
    # One click, as a mail program does it (RFC 8058): no cookie, no form token.
    path = link(reminder, "/mail/unsubscribe/")
    fresh = app.test_client()
    response = fresh.post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    with app.app_context():
        for model in (Subscription, Reminder, OutboxMail):
            assert session().scalar(sa.select(sa.func.count()).select_from(model)) == 0
    assert fresh.post(path).status_code == 200  # again: still done
    assert fresh.get(path).status_code == 200


def test_the_unsubscribe_page_asks_with_one_button(
    app: Flask, client: FlaskClient, inbox: Inbox, upcoming: dict[str, int]
) -> None:
    confirmed(app, client, inbox, upcoming)
    path = link(inbox.to(ADDRESS)[0], "/mail/unsubscribe/")
    page = client.get(path).get_data(as_text=True)
    assert "Stop the mail and delete my address" in page
    with app.app_context():
        assert session().scalar(sa.select(sa.func.count(Subscription.id))) == 1  # GET keeps
    assert client.post(path).status_code == 200
    with app.app_context():
        assert session().scalar(sa.select(sa.func.count(Subscription.id))) == 0
    assert client.get(path.replace("/mail/unsubscribe/", "/mail/unsubscribe/x")).status_code == 404


def test_malformed_addresses_are_refused_with_a_message(
    app: Flask, client: FlaskClient, upcoming: dict[str, int]
) -> None:
    for bad in (
        "",
        "anna",
        "anna@",
        "@example.se",
        "anna@example",
        "a b@example.se",
        "anna@example.se\r\nBcc: x@example.se",
        "anna@-x.se",
        "x" * 250 + "@example.se",
    ):
        response = sign_up(client, upcoming["dialogue"], None, email=bad)
        assert response.status_code == 422, bad
        assert "Write an e-mail address such as name@example.se." in response.get_data(as_text=True)
    with app.app_context():
        assert session().scalar(sa.select(sa.func.count(Subscription.id))) == 0
    nothing = client.post(f"/d/{upcoming['dialogue']}/follow", data={"email": ADDRESS})
    assert nothing.status_code == 422  # neither news nor a meeting chosen


def test_repeated_sign_ups_send_one_confirmation_an_hour(
    app: Flask, client: FlaskClient, inbox: Inbox, upcoming: dict[str, int]
) -> None:
    for _ in range(3):
        assert sign_up(client, upcoming["dialogue"], None).status_code == 200
    send_due(app)
    assert len(inbox.to(ADDRESS)) == 1
    with app.app_context():
        session().execute(
            sa.update(Subscription).values(asked_at=utcnow() - dt.timedelta(minutes=61))
        )
        session().commit()
    sign_up(client, upcoming["dialogue"], None)
    send_due(app)
    assert len(inbox.to(ADDRESS)) == 2


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_ENABLED": True, "MAIL_SIGNUP_LIMIT": "3 per minute"}], indirect=True
)
def test_sign_ups_are_limited_per_client_address(
    client: FlaskClient, upcoming: dict[str, int]
) -> None:
    statuses = [
        sign_up(client, upcoming["dialogue"], None, email=f"p{n}@example.se").status_code
        for n in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


def test_smtp_refusal_and_outage_are_kept_on_the_row_and_shown(
    app: Flask,
    client: FlaskClient,
    inbox: Inbox,
    upcoming: dict[str, int],
    make_user: Callable[..., User],
    login: Callable[[User], None],
) -> None:
    inbox.refuse.add(ADDRESS)
    sign_up(client, upcoming["dialogue"], None)
    result = send_due(app)
    assert (result.sent, result.failed) == (0, 1)
    sign_up(client, upcoming["dialogue"], None, email="bo@example.se")
    app.config["SMTP_URL"] = "smtp://127.0.0.1:1"  # nothing listens: try again later
    result = send_due(app)
    assert (result.sent, result.retry) == (0, 1)
    with app.app_context():
        refused, later = session().scalars(sa.select(OutboxMail).order_by(OutboxMail.id))
        assert refused.status is MailStatus.failed
        assert "550" in refused.error
        assert later.status is MailStatus.pending
        assert later.attempts == 1
        assert later.error
        assert later.next_attempt_at > utcnow()
    login(make_user(Role.admin))
    page = client.get("/mail/outbox").get_data(as_text=True)
    assert "550 5.1.1 No such user here" in page
    assert "bo@example.se" in page
    assert "Mail is not being sent" not in page


@pytest.mark.parametrize("app_config", [{"SMTP_URL": None}], indirect=True)
def test_without_smtp_mail_stays_in_the_outbox_for_staff_to_read(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    inbox: Inbox,
    upcoming: dict[str, int],
    make_user: Callable[..., User],
    login: Callable[[User], None],
) -> None:
    sign_up(client, upcoming["dialogue"], None)
    result = runner.invoke(args=["mail", "send-due"])
    assert "SMTP_URL is not set: 1 mails stay in the outbox" in result.output
    assert inbox.mails == []
    login(make_user(Role.admin))
    page = client.get("/mail/outbox").get_data(as_text=True)
    assert "Mail is not being sent" in page
    assert ADDRESS in page
    assert "/mail/confirm/" in page


def test_send_due_command_sends(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, inbox: Inbox, upcoming: dict[str, int]
) -> None:
    sign_up(client, upcoming["dialogue"], None)
    result = runner.invoke(args=["mail", "send-due"])
    assert result.exit_code == 0, result.output
    assert "sent 1" in result.output
    assert len(inbox.to(ADDRESS)) == 1


def test_one_instance_holds_the_lease(app: Flask) -> None:
    with app.app_context():
        assert worker.claim("a")
        assert not worker.claim("b")
        assert worker.claim("a")  # renewed
        later = utcnow() + dt.timedelta(seconds=61)
        assert worker.claim("b", later)  # a went quiet: b takes over
        assert not worker.claim("a", later)


def test_purge_erases_addresses_and_archive_leaves_them_out(
    app: Flask,
    client: FlaskClient,
    runner: FlaskCliRunner,
    inbox: Inbox,
    upcoming: dict[str, int],
    tmp_path: Path,
) -> None:
    confirmed(app, client, inbox, upcoming)
    out = tmp_path / "archive"
    result = runner.invoke(
        args=["dialogue", "archive", str(upcoming["dialogue"]), "--out", str(out)]
    )
    assert result.exit_code == 0
    archived = json.dumps(json.loads(next(out.glob("*.json")).read_text()))
    assert ADDRESS not in archived
    assert "mail" not in archived
    with app.app_context():
        then = utcnow() - dt.timedelta(days=3 * 366)
        session().execute(sa.update(Subscription).values(created_at=then))
        session().commit()
    result = runner.invoke(args=["dialogue", "purge", str(upcoming["dialogue"])])
    assert "1 e-mail addresses" in result.output
    with app.app_context():
        for model in (Subscription, Reminder, OutboxMail):
            assert session().scalar(sa.select(sa.func.count()).select_from(model)) == 0
    database = Path(str(sa.make_url(app.config["DATABASE_URL"]).database))
    assert not any(
        ADDRESS.encode() in f.read_bytes() for f in database.parent.glob(f"{database.name}*")
    )


def test_dead_links_say_so(client: FlaskClient, upcoming: dict[str, int]) -> None:
    assert client.get("/mail/confirm/nonsense").status_code == 404
    assert client.post("/mail/confirm/nonsense").status_code == 404
    assert client.post("/mail/unsubscribe/nonsense").status_code == 404


def test_addresses_are_linked_to_no_participant_contribution_or_vote() -> None:
    from facilitate.db import Base

    for table in ("mail_subscriptions", "mail_reminders", "mail_outbox"):
        targets = {fk.column.table.name for fk in Base.metadata.tables[table].foreign_keys}
        assert targets <= {"dialogues", "meetings", "mail_subscriptions"}, table
