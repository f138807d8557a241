"""Residents stay anonymous: no address, browser or device is kept with what they do."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_socketio import SocketIOTestClient

from facilitate.auth.models import Role
from facilitate.db import Base, session
from facilitate.live import participants
from facilitate.meetings import operations as meeting_ops
from facilitate.meetings.models import MeetingStatus

from .conftest import NS, open_meeting
from .test_protocol import ack

ADDRESS = "203.0.113.77"
BROWSER = "Mozilla/5.0 (Linux; Android 9; Moto-E-Testphone) Chrome/99.0 Facilitate-Probe"
#: Column names that would hold who someone is rather than what they said.
IDENTIFYING = re.compile(
    r"(?:^|_)(?:ip|addr|address|agent|device|fingerprint|mac|host|hostname|email)(?:_|$)",
    re.IGNORECASE,
)
#: Staff accounts have an email by design; residents never get one.
# Staff and the organisation: their contact details are theirs to publish, not residents'.
STAFF_TABLES = {"users", "api_tokens", "accessibility_statement"}
#: E-mail addresses residents gave to follow a dialogue, on purpose and confirmed: kept
#: apart in their own tables, linked to no participant (tests/mail), deleted on
#: unsubscribing and by purge.
FOLLOWER_TABLES = {"mail_subscriptions", "mail_outbox"}


def stored_values(app: Flask) -> list[str]:
    with app.app_context():
        values = []
        for table in Base.metadata.sorted_tables:
            for row in session().execute(sa.select(table)):
                values.extend(str(value) for value in row)
        return values


def test_resident_tables_have_no_identifying_column() -> None:
    found = {
        (table.name, column.name)
        for table in Base.metadata.sorted_tables
        if table.name not in STAFF_TABLES | FOLLOWER_TABLES
        for column in table.columns
        if IDENTIFYING.search(column.name)
    }
    assert found == set()
    # The pattern is not blind: it would catch the columns a tracker adds.
    assert all(IDENTIFYING.search(name) for name in ("ip_address", "user_agent", "device_id"))
    assert not IDENTIFYING.search("participant_id")


def test_join_write_and_vote_keep_no_address_or_browser(
    app: Flask,
    client: FlaskClient,
    meeting_id: int,
    connect: Callable[..., SocketIOTestClient],
    staff: Callable[[Role], str],
) -> None:
    open_meeting(app, meeting_id)
    with app.app_context():
        code = meeting_ops.get_meeting(meeting_id).join_code
    joined = client.post(
        f"/j/{code}",
        data={"display_name": ""},
        headers={"User-Agent": BROWSER},
        environ_base={"REMOTE_ADDR": ADDRESS},
    )
    assert joined.status_code == 302
    cookie = client.get_cookie(participants.cookie_name(meeting_id))
    assert cookie is not None
    phone = connect(
        {"token": cookie.value}, headers={"User-Agent": BROWSER, "X-Forwarded-For": ADDRESS}
    )
    console = connect({"token": staff(Role.facilitator), "meeting_id": meeting_id})
    written = ack(phone, "contribution_add", text="Mörkt vid skolan")
    proposal = ack(phone, "proposal_add", title="Fler lampor")
    ack(console, "voting_open")
    ack(phone, "vote_cast", proposal_id=proposal["id"], value=1)
    assert written["ok"]
    assert phone.is_connected(NS)
    values = stored_values(app)
    assert "Mörkt vid skolan" in values  # the walk reads what was stored
    assert [v for v in values if ADDRESS in v or "Facilitate-Probe" in v] == []


def test_public_dialogue_pages_and_feeds_identify_no_one(
    app: Flask, client: FlaskClient, agreed: dict[str, int]
) -> None:
    """The dialogue page, its calendars and the feedback feed are public: they show what
    the team wrote, never who took part or what residents said."""
    with app.app_context():
        meeting = meeting_ops.get_meeting(agreed["meeting"])
        meeting.status = MeetingStatus.draft
        meeting.starts_at = dt.datetime(2030, 6, 12, 16, tzinfo=dt.UTC)
        meeting.video_url = "https://meet.jit.si/Trygghet"
        meeting.is_digital = True
        for name in ("Bengt", "Cecilia"):
            participants.join(meeting, display_name=name, area="Myrtorp", age_band="65-")
        session().commit()
    dialogue = agreed["dialogue"]
    paths = [
        f"/d/{dialogue}",
        f"/d/{dialogue}/calendar.ics",
        f"/d/{dialogue}/meetings/{agreed['meeting']}.ics",
        f"/d/{dialogue}/feedback.atom",
    ]
    for path in paths:
        response = client.get(path, environ_base={"REMOTE_ADDR": ADDRESS})
        assert response.status_code == 200, path
        body = response.get_data(as_text=True)
        assert "Kväll" in body or "Belys skolvägen" in body, path  # the walk reads something
        for private in ("Anna", "Bengt", "Cecilia", "Det är mörkt vid skolan", ADDRESS):
            assert private not in body, (path, private)
        assert "Set-Cookie" not in response.headers, path
