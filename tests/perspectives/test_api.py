"""``GET /api/v1/meetings/{id}/common-ground``: the analysis for staff, with the groups' members."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from flask_socketio import SocketIOTestClient
from live.test_protocol import ack

from facilitate.auth.models import Role, User

from .conftest import Inbox
from .test_socket import BRIDGE, CAMP_A, CAMP_B, STATEMENTS, camp_answers, start

Connect = Callable[..., SocketIOTestClient]


def test_common_ground_for_staff_only(
    app: Flask,
    client: FlaskClient,
    meeting_id: int,
    connect: Connect,
    join: Callable[..., str],
    staff: Callable[[Role], str],
    make_user: Callable[..., User],
    api_token: Callable[[User], str],
) -> None:
    observer = {"Authorization": f"Bearer {api_token(make_user(Role.observer))}"}
    path = f"/api/v1/meetings/{meeting_id}/common-ground"
    empty = client.get(path, headers=observer)
    assert empty.status_code == 200
    assert empty.get_json()["placed"] == 0
    assert empty.get_json()["common_ground"] == []

    console, ids = start(app, meeting_id, connect, staff)
    tokens = {name: join(meeting_id, name) for name in CAMP_A + CAMP_B}
    for name, token in tokens.items():
        phone = connect({"token": token})
        for statement, value in zip(ids, camp_answers(name in CAMP_A), strict=True):
            ack(phone, "statement_vote", contribution_id=statement, value=value)
    Inbox(console).wait("perspectives", lambda v: v["placed"] == len(tokens))

    answer = client.get(path, headers=observer)
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["placed"] == len(tokens)
    assert body["answers"] == len(tokens) * len(STATEMENTS)
    assert body["common_ground"][0]["contribution_id"] == ids[BRIDGE]
    assert body["common_ground"][0]["text"] == STATEMENTS[BRIDGE]
    assert body["common_ground"][0]["agree"] == len(tokens)
    assert sorted(len(g["participant_ids"]) for g in body["groups"]) == [6, 6]
    assert {"id", "size", "participant_ids", "distinct"} <= set(body["groups"][0])
    # A resident's token, or none, gets nothing of it.
    resident = {"Authorization": f"Bearer {next(iter(tokens.values()))}"}
    assert client.get(path, headers=resident).status_code == 403
    assert client.get(path).status_code == 401
    assert client.get("/api/v1/meetings/999/common-ground", headers=observer).status_code == 404
