"""The meeting report's perspectives section (HTML and PDF): the room's common ground, its
opinion groups by size only, and nothing that ties an answer or a place to anyone."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_socketio import SocketIOTestClient
from live.test_protocol import ack
from pdf_text import pdf_text

from facilitate.auth.models import Role, User
from facilitate.db import session
from facilitate.live.models import Participant
from facilitate.meetings.models import Meeting
from facilitate.perspectives import operations as perspectives_ops

from .conftest import Inbox
from .test_socket import BRIDGE, CAMP_A, CAMP_B, STATEMENTS, camp_answers, start

Connect = Callable[..., SocketIOTestClient]
SECTION = re.compile(r'<section class="report-perspectives".*?</section>', re.S)


def answered(
    app: Flask,
    meeting_id: int,
    connect: Connect,
    join: Callable[..., str],
    staff: Callable[[Role], str],
    names: list[str],
) -> list[int]:
    """``names`` answer the statements as their camp does; returns the statements' ids once
    the room's analysis has placed them all."""
    console, ids = start(app, meeting_id, connect, staff)
    for name in names:
        phone = connect({"token": join(meeting_id, name)})
        for statement, value in zip(ids, camp_answers(name in CAMP_A), strict=True):
            assert ack(phone, "statement_vote", contribution_id=statement, value=value)["ok"]
    Inbox(console).wait("perspectives", lambda v: v["placed"] == len(names))
    return list(ids)


@pytest.fixture
def two_camps(
    app: Flask,
    meeting_id: int,
    connect: Connect,
    join: Callable[..., str],
    staff: Callable[[Role], str],
) -> list[int]:
    """The two camps of tests/perspectives/test_socket.py, answered and analysed."""
    return answered(app, meeting_id, connect, join, staff, CAMP_A + CAMP_B)


def participant_ids(app: Flask, meeting_id: int) -> list[int]:
    with app.app_context():
        return list(
            session().scalars(sa.select(Participant.id).where(Participant.meeting_id == meeting_id))
        )


def test_report_shows_common_ground_with_group_shares_and_no_one(
    app: Flask, client: FlaskClient, observer_login: User, meeting_id: int, two_camps: list[int]
) -> None:
    page = client.get(f"/meetings/{meeting_id}/report").get_data(as_text=True)
    match = SECTION.search(page)
    assert match is not None
    section = match.group(0)
    assert "12 people answered 84 times; 12 placed" in section
    assert "Group A: 6 people" in section
    assert "Group B: 6 people" in section
    # The statement all agree with, and each group's share of it.
    common = section.split("<h3>Common ground</h3>")[1].split("<h3>")[0]
    assert STATEMENTS[BRIDGE] in common
    assert "Agree 12 · Disagree 0 · Pass 0" in common
    assert "Group A: 100% agree · Group B: 100% agree" in common
    # The six others split the room, each group on its side.
    divisive = section.split("<h3>Divisive</h3>")[1].split("<h3>")[0]
    for text in STATEMENTS[:BRIDGE]:
        assert text in divisive
    assert divisive.count("Agree 6 · Disagree 6 · Pass 0") == BRIDGE
    assert "Group A: 100% agree · Group B: 0% agree" in divisive
    assert "What sets group A apart" in section
    assert "100% of the group agree" in section
    assert "100% of the group disagree" in section
    # The chart draws the same shares to one scale, with its table.
    assert 'id="perspectives-chart-1"' in section
    assert 'data-value="100.0"' in section
    # Nobody in it: no name, no member list, no position.
    for name in CAMP_A + CAMP_B:
        assert not re.search(rf"\b{name}\b", page), name
    members = sorted(participant_ids(app, meeting_id))
    assert json.dumps(members[:6]) not in page
    assert "participant" not in section
    assert "dots" not in section


def test_report_pdf_has_the_common_ground(
    app: Flask, client: FlaskClient, observer_login: User, meeting_id: int, two_camps: list[int]
) -> None:
    response = client.get(f"/meetings/{meeting_id}/report.pdf")
    assert response.status_code == 200
    text = pdf_text(response.data)
    assert "Perspectives" in text
    assert "Group A: 6 people" in text
    assert STATEMENTS[BRIDGE] in text
    assert "Group A: 100% agree · Group B: 100% agree" in text
    assert "What sets group B apart" in text
    for name in CAMP_A + CAMP_B:
        assert not re.search(rf"\b{name}\b", text), name


def test_report_in_swedish(
    app: Flask, client: FlaskClient, observer_login: User, meeting_id: int, two_camps: list[int]
) -> None:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "sv"
    page = client.get(f"/meetings/{meeting_id}/report").get_data(as_text=True)
    assert '<h2 id="report-perspectives-h">Perspektiv</h2>' in page
    assert "Grupp A: 6 personer" in page
    assert re.search(r"Grupp A: 100\s?% håller med", page)
    pdf = pdf_text(client.get(f"/meetings/{meeting_id}/report.pdf").data)
    assert "Gemensam grund" in pdf


def test_report_hides_groups_too_small_to_show(
    app: Flask,
    client: FlaskClient,
    observer_login: User,
    meeting_id: int,
    connect: Connect,
    join: Callable[..., str],
    staff: Callable[[Role], str],
) -> None:
    """Four and three: two groups, neither shown, in the report as in the room."""
    answered(app, meeting_id, connect, join, staff, CAMP_A[:4] + CAMP_B[:3])
    with app.app_context():
        meeting = session().get(Meeting, meeting_id)
        assert meeting is not None
        assert len(perspectives_ops.current_data(meeting)["groups"]) == 2
    page = client.get(f"/meetings/{meeting_id}/report").get_data(as_text=True)
    match = SECTION.search(page)
    assert match is not None
    section = match.group(0)
    assert "Group A" not in section
    assert "Group B" not in section
    assert "What sets group" not in section
    assert "7 people were placed in groups too small to show." in section
    # Everyone's answers still make the common ground.
    assert STATEMENTS[BRIDGE] in section
    assert "Everyone who answered" in section
    text = pdf_text(client.get(f"/meetings/{meeting_id}/report.pdf").data)
    assert "Group A" not in text
    assert "7 people were placed in groups too small to show." in text


@pytest.mark.parametrize("template", ["common_ground_90", "in_depth_90"])
def test_report_without_answers_has_no_perspectives_section(
    app: Flask,
    client: FlaskClient,
    observer_login: User,
    template: str,
) -> None:
    """A perspectives step nobody answered, or none at all: no section."""
    from facilitate.dialogues import operations as dialogue_ops
    from facilitate.meetings import operations as meeting_ops

    with app.app_context():
        dialogue = dialogue_ops.create_dialogue("Trygghet", areas=["Fröslunda"])
        theme = dialogue_ops.create_theme(dialogue, "Belysning")
        meeting = meeting_ops.create_meeting(theme, "Kväll", template=template)
        session().commit()
        meeting_id = meeting.id
    page = client.get(f"/meetings/{meeting_id}/report").get_data(as_text=True)
    assert "Agenda" in page
    assert "report-perspectives" not in page
    text = pdf_text(client.get(f"/meetings/{meeting_id}/report.pdf").data)
    assert "Opinion groups" not in text
