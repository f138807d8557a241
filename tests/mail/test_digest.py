"""News of action items: one digest a day per address, whatever it follows, through a
real SMTP server (aiosmtpd); and the unsubscribe links of such a digest."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from conftest import make_agreed
from flask import Flask
from flask.testing import FlaskClient
from smtp_server import Inbox

from facilitate.actions import operations as action_ops
from facilitate.db import session, utcnow
from facilitate.mail.models import Subscription

from .test_follow import ADDRESS, link, send_due


@pytest.fixture
def two(app: Flask) -> dict[str, dict[str, int]]:
    """Two dialogues, each with one agreed action item."""
    return {
        "safety": make_agreed(app),
        "park": make_agreed(app, "Parken", "Fler bänkar i parken"),
    }


def follow(app: Flask, client: FlaskClient, inbox: Inbox, dialogue: int, language: str) -> None:
    """Sign ``ADDRESS`` up for news of ``dialogue`` in ``language`` and confirm it."""
    with app.app_context():  # the second sign-up within the hour would send no mail
        session().execute(sa.update(Subscription).values(asked_at=utcnow() - dt.timedelta(hours=2)))
        session().commit()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    response = client.post(f"/d/{dialogue}/follow", data={"email": ADDRESS, "news": "y"})
    assert response.status_code == 200
    assert send_due(app).sent == 1
    assert client.post(link(inbox.to(ADDRESS)[-1], "/mail/confirm/")).status_code == 200


def change(app: Flask, item: int, status: str) -> None:
    with app.app_context():
        found = action_ops.get_item(item)
        action_ops.update_item(found, action_ops.ItemChanges(status=status), user_id=None)
        session().commit()


def section_link(mail_text: str, title: str) -> str:
    """The link that stops only the dialogue ``title``, from its section of a digest."""
    section = mail_text[mail_text.index(f"“{title}”") :]
    found = re.search(r"https://dialog\.example\.se(/mail/unsubscribe/\S+)", section)
    assert found, mail_text
    return found.group(1)


def test_one_digest_a_day_per_address_with_a_section_per_dialogue(
    app: Flask, client: FlaskClient, inbox: Inbox, two: dict[str, dict[str, int]]
) -> None:
    follow(app, client, inbox, two["safety"]["dialogue"], "sv")
    follow(app, client, inbox, two["park"]["dialogue"], "en")  # confirmed last: its language
    before = len(inbox.to(ADDRESS))
    change(app, two["safety"]["item"], "accepted")
    change(app, two["park"]["item"], "in_progress")
    assert send_due(app).sent == 1
    (digest,) = inbox.to(ADDRESS)[before:]
    text = digest.get_content()
    assert digest["Content-Language"] == "en"
    assert digest["Subject"] == "News from 2 dialogues you follow"
    assert "“Trygghet”" in text
    assert "Belys skolvägen: Accepted" in text
    assert "“Parken”" in text
    assert "Fler bänkar i parken: In progress" in text
    # A change later that day waits for the next day's digest.
    change(app, two["safety"]["item"], "done")
    assert send_due(app).sent == 0
    assert send_due(app, utcnow() + dt.timedelta(hours=23)).sent == 0
    assert send_due(app, utcnow() + dt.timedelta(days=1, minutes=5)).sent == 1
    following = inbox.to(ADDRESS)[-1]
    assert following["Subject"] == "News from “Trygghet”"
    assert "Belys skolvägen: Done" in following.get_content()
    assert "Parken" not in following.get_content()  # nothing new there
    # Stopping one dialogue from its section leaves the other.
    stop_safety = section_link(text, "Trygghet")
    assert client.post(stop_safety).status_code == 200
    with app.app_context():
        left = session().scalars(sa.select(Subscription)).all()
        assert [s.dialogue_id for s in left] == [two["park"]["dialogue"]]
    change(app, two["safety"]["item"], "in_progress")
    change(app, two["park"]["item"], "done")
    assert send_due(app, utcnow() + dt.timedelta(days=2, minutes=10)).sent == 1
    last = inbox.to(ADDRESS)[-1]
    assert last["Subject"] == "News from “Parken”"
    assert "Fler bänkar i parken: Done" in last.get_content()
    assert "Trygghet" not in last.get_content()


def test_the_digest_footer_stops_every_dialogue_it_covers_and_offers_to_subscribe_again(
    app: Flask, client: FlaskClient, inbox: Inbox, two: dict[str, dict[str, int]]
) -> None:
    follow(app, client, inbox, two["safety"]["dialogue"], "en")
    follow(app, client, inbox, two["park"]["dialogue"], "en")
    change(app, two["safety"]["item"], "accepted")
    change(app, two["park"]["item"], "accepted")
    assert send_due(app).sent == 1
    digest = inbox.to(ADDRESS)[-1]
    header = digest["List-Unsubscribe"]
    first_section = link(digest, "/mail/unsubscribe/")
    assert header != f"<https://dialog.example.se{first_section}>"  # the footer's: both
    path = header.strip("<>").removeprefix("https://dialog.example.se")
    program = app.test_client()  # a mail program: no cookie; English, as the mail was
    program.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = program.post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "You will get no more mail about these dialogues" in page
    with app.app_context():
        assert session().scalar(sa.select(sa.func.count(Subscription.id))) == 0
    # Subscribing again is a new sign-up: a mail to confirm, nothing confirmed yet.
    forms = re.findall(r'action="(/d/\d+/follow)"', page)
    assert len(forms) == 2
    assert page.count("Subscribe again") == 2
    assert f'value="{ADDRESS}"' in page
    before = len(inbox.to(ADDRESS))
    again = client.post(forms[0], data={"email": ADDRESS, "news": "y"})
    assert again.status_code == 200
    assert send_due(app).sent == 1
    assert inbox.to(ADDRESS)[before]["Subject"].startswith("Confirm")
    with app.app_context():
        (pending,) = session().scalars(sa.select(Subscription)).all()
        assert pending.confirmed_at is None
