"""Pol.is conversations in and out: ``POST /api/v1/meetings/{id}/polis-import`` and
``GET /api/v1/meetings/{id}/polis-export.zip``, the staff page, bad files refused whole,
and an export imported again giving the same analysis."""

from __future__ import annotations

import csv
import io
import re
import time
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
from api.test_openapi import Api, error_of
from conftest import PASSWORD
from flask import Flask
from flask.testing import FlaskClient
from flask_socketio import SocketIOTestClient
from live.conftest import NS
from live.test_protocol import ack
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from bench.opinions import planted
from facilitate.auth.models import Role, User
from facilitate.db import session
from facilitate.dialogues import operations as dialogue_ops
from facilitate.live.models import Contribution, Participant
from facilitate.meetings import operations as meeting_ops
from facilitate.meetings.models import Meeting
from facilitate.perspectives import queries
from facilitate.perspectives.models import StatementVote
from facilitate.proposals import operations as proposal_ops
from facilitate.reporting.queries import participation

from .conftest import STEP, Inbox
from .test_socket import CAMP_A, CAMP_B, camp_answers, start

Connect = Callable[..., SocketIOTestClient]

HEADER = "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
#: Out of order, with an author (7) who never voted and one comment moderated out.
COMMENTS = HEADER + (
    '1403067224363,Wed Jun 18 11:53:44 WIB 2014,1,1,1,1,1,"Fler vuxna ute, på kvällarna"\n'
    "1403067200000,Wed Jun 18 11:53:20 WIB 2014,0,0,2,0,1,Bättre belysning i parken\n"
    "1403067300000,Wed Jun 18 11:55:00 WIB 2014,2,0,0,0,-1,Köp min bil\n"
    "1403067400000,Wed Jun 18 11:56:40 WIB 2014,3,7,0,1,0,Cykelvägen ska plogas först\n"
)
STATEMENTS_IN = [
    "Fler vuxna ute, på kvällarna",
    "Bättre belysning i parken",
    "Köp min bil",
    "Cykelvägen ska plogas först",
]
#: With a BOM and an extra column. Voter 1 first agrees with 0, then (later timestamp,
#: earlier line) disagrees; voter 2's two votes on 1 share a timestamp: the later line wins.
VOTES = "\ufefftimestamp,datetime,comment-id,voter-id,vote,extra\n" + (
    "1403068000000,x,0,0,1,a\n"
    "1403069000000,x,0,1,-1,b\n"
    "1403068500000,x,0,1,1,c\n"
    "1403068000000,x,1,2,1,d\n"
    "1403068000000,x,1,2,-1,e\n"
    "1403068100000,x,2,2,1,f\n"
    "1403068200000,x,3,1,0,g\n"
)


def _meeting(app: Flask, template: str = "common_ground_90") -> int:
    with app.app_context():
        dialogue = dialogue_ops.create_dialogue("Trygghet", areas=["Fröslunda"])
        theme = dialogue_ops.create_theme(dialogue, "Belysning")
        meeting = meeting_ops.create_meeting(theme, "Kväll", template=template)
        session().commit()
        return meeting.id


def _send(
    client: FlaskClient,
    meeting_id: int,
    token: str | None,
    comments: bytes | str,
    votes: bytes | str,
    **form: Any,
) -> Any:
    def as_bytes(body: bytes | str) -> bytes:
        return body.encode() if isinstance(body, str) else body

    fields: dict[str, Any] = {
        name: FileStorage(io.BytesIO(as_bytes(body)), f"{name}.csv", content_type="text/csv")
        for name, body in (("comments", comments), ("votes", votes))
    }
    fields.update(form)
    # Encoded in memory: the test client would spool a large body to a file it never closes.
    boundary, body = encode_multipart(MultiDict(fields))
    path = f"/api/v1/meetings/{meeting_id}/polis-import"
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.post(
        path,
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers=headers,
    )
    Api(client).validate("POST", path, response)
    return response


@pytest.fixture
def facilitator_token(make_user: Callable[..., User], api_token: Callable[[User], str]) -> str:
    return api_token(make_user(Role.facilitator))


@pytest.fixture
def observer_token(make_user: Callable[..., User], api_token: Callable[[User], str]) -> str:
    return api_token(make_user(Role.observer))


def _counts(app: Flask) -> tuple[int, ...]:
    with app.app_context():
        return tuple(
            session().scalar(sa.select(sa.func.count()).select_from(model)) or 0
            for model in (Participant, Contribution, StatementVote)
        )


def test_polis_import_stores_statements_voters_and_last_votes(
    app: Flask, client: FlaskClient, meeting_id: int, facilitator_token: str
) -> None:
    response = _send(client, meeting_id, facilitator_token, COMMENTS, VOTES)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    with app.app_context():
        people = {
            p.id: p
            for p in session().scalars(
                sa.select(Participant).where(Participant.meeting_id == meeting_id)
            )
        }
        assert body == {
            "meeting_id": meeting_id,
            "statements": 4,
            "votes": 5,
            "participants": {
                "0": min(people),
                "1": min(people) + 1,
                "2": min(people) + 2,
                "7": max(people),
            },
        }
        assert all(
            p.imported and p.display_name == "" and p.area_id is None for p in people.values()
        )
        by_text = {
            c.text: c
            for c in session().scalars(
                sa.select(Contribution).where(Contribution.meeting_id == meeting_id)
            )
        }
        assert {c.phase for c in by_text.values()} == {STEP}
        assert by_text["Köp min bil"].hidden
        assert not by_text["Cykelvägen ska plogas först"].hidden  # 0: not yet moderated
        assert by_text["Bättre belysning i parken"].participant_id == body["participants"]["0"]
        assert by_text["Cykelvägen ska plogas först"].participant_id == body["participants"]["7"]
        meeting = session().get(Meeting, meeting_id)
        assert meeting is not None
        assert list(queries.deck(meeting).values()) == [
            "Bättre belysning i parken",
            "Fler vuxna ute, på kvällarna",
            "Cykelvägen ska plogas först",
        ]
        answers = {(p, c): v for p, c, v in queries.answers(meeting)}
        voter = body["participants"]
        assert answers[(voter["1"], by_text["Bättre belysning i parken"].id)] == -1
        assert answers[(voter["2"], by_text["Fler vuxna ute, på kvällarna"].id)] == -1
        # Stored at once: the room's analysis already holds the imported answers.
        stored = queries.result(meeting_id)
        assert stored is not None
        assert stored.data["answers"] == 4  # the one to the hidden statement not counted
        assert stored.data["participants"] == 3
        # Imported voters are no one who joined, nor in "Who is in the room".
        assert proposal_ops.joined(meeting) == 0
        assert participation(meeting, no_area="-", no_age="-").by_area == []
    again = _send(client, meeting_id, facilitator_token, COMMENTS, VOTES)
    assert error_of(again, 409, "already_imported")


def test_polis_import_into_meeting_without_perspectives_step_is_refused(
    app: Flask, client: FlaskClient, facilitator_token: str
) -> None:
    meeting_id = _meeting(app, template="check_in_45")
    before = _counts(app)
    response = _send(client, meeting_id, facilitator_token, COMMENTS, VOTES)
    assert "perspectives step" in error_of(response, 409, "no_perspectives_step")
    assert _counts(app) == before


def test_polis_import_step_must_be_a_perspectives_step(
    app: Flask, client: FlaskClient, meeting_id: int, facilitator_token: str
) -> None:
    response = _send(client, meeting_id, facilitator_token, COMMENTS, VOTES, step="0")
    error_of(response, 422, "validation_error", "step")
    assert (
        _send(client, meeting_id, facilitator_token, COMMENTS, VOTES, step=str(STEP)).status_code
        == 201
    )


BAD = [
    pytest.param(
        COMMENTS, VOTES.replace(",vote,", ",value,"), "votes.csv", 1, "vote", id="missing-column"
    ),
    pytest.param(
        COMMENTS.replace(",moderated,", ",status,"),
        VOTES,
        "comments.csv",
        1,
        "moderated",
        id="missing-comment-column",
    ),
    pytest.param(
        COMMENTS,
        VOTES + "1403068300000,x,9,3,1,h\n",
        "votes.csv",
        9,
        "No comment 9",
        id="unknown-comment",
    ),
    pytest.param(
        COMMENTS,
        VOTES.replace("x,3,1,0,g", "x,3,1,2,g"),
        "votes.csv",
        8,
        "vote must be 1, -1 or 0",
        id="vote-2",
    ),
    pytest.param(
        COMMENTS,
        VOTES.replace("x,1,2,-1,e", "x,1,two,-1,e"),
        "votes.csv",
        6,
        "voter-id",
        id="voter-not-integer",
    ),
    pytest.param(
        COMMENTS,
        VOTES.replace("1403068100000,x", "soon,x"),
        "votes.csv",
        7,
        "timestamp",
        id="timestamp",
    ),
    pytest.param(
        COMMENTS.replace("0,1,Bättre", "0,5,Bättre"),
        VOTES,
        "comments.csv",
        3,
        "moderated",
        id="moderated-5",
    ),
    pytest.param(
        COMMENTS + "1403067500000,x,1,3,0,0,1,Igen\n",
        VOTES,
        "comments.csv",
        6,
        "line 2",
        id="duplicate-comment",
    ),
    pytest.param(
        COMMENTS + "1403067500000,x,4,3,0,0,1,\n",
        VOTES,
        "comments.csv",
        6,
        "empty",
        id="empty-comment",
    ),
    pytest.param("", VOTES, "comments.csv", 1, "empty", id="empty-file"),
    pytest.param(
        COMMENTS.encode() + "1403067500000,x,4,3,0,0,1,Väg\n".encode("latin-1"),
        VOTES,
        "comments.csv",
        6,
        "UTF-8",
        id="not-utf8",
    ),
]


@pytest.mark.parametrize(("comments", "votes", "file", "line", "words"), BAD)
def test_polis_import_bad_file_names_the_line_and_imports_nothing(
    app: Flask,
    client: FlaskClient,
    meeting_id: int,
    facilitator_token: str,
    comments: str | bytes,
    votes: str,
    file: str,
    line: int,
    words: str,
) -> None:
    before = _counts(app)
    response = _send(client, meeting_id, facilitator_token, comments, votes)
    error_of(response, 422, "import_rejected")
    problems = response.get_json()["error"]["problems"]
    assert problems[0]["file"] == file
    assert problems[0]["line"] == line
    assert words in problems[0]["message"]
    assert _counts(app) == before
    with app.app_context():
        assert queries.result(meeting_id) is None


def test_polis_import_cuts_a_comment_too_long_for_a_statement(
    app: Flask, client: FlaskClient, meeting_id: int, facilitator_token: str
) -> None:
    comments = COMMENTS + f"1403067500000,x,4,3,0,0,1,{'a' * 600}\n"
    assert _send(client, meeting_id, facilitator_token, comments, VOTES).status_code == 201
    with app.app_context():
        meeting = session().get(Meeting, meeting_id)
        assert meeting is not None
        longest = max(queries.deck(meeting).values(), key=len)
        assert longest == "a" * 499 + "…"


def test_polis_import_lists_every_bad_line(
    app: Flask, client: FlaskClient, meeting_id: int, facilitator_token: str
) -> None:
    votes = VOTES + "1,x,0,3,7,h\n" + "2,x,8,3,1,i\n"
    response = _send(client, meeting_id, facilitator_token, COMMENTS, votes)
    error_of(response, 422, "import_rejected")
    assert [(p["file"], p["line"]) for p in response.get_json()["error"]["problems"]] == [
        ("votes.csv", 9),
        ("votes.csv", 10),
    ]


def test_polis_import_names_a_bad_comment_once_not_its_votes(
    app: Flask, client: FlaskClient, meeting_id: int, facilitator_token: str
) -> None:
    comments = COMMENTS.replace("0,1,Bättre", "0,5,Bättre")  # comment 0, line 3
    response = _send(client, meeting_id, facilitator_token, comments, VOTES)
    error_of(response, 422, "import_rejected")
    assert [(p["file"], p["line"]) for p in response.get_json()["error"]["problems"]] == [
        ("comments.csv", 3)
    ]


@pytest.mark.parametrize("app_config", [{"POLIS_MAX_BYTES": 2048}], indirect=True)
def test_polis_import_over_large_files_are_refused(
    app: Flask, client: FlaskClient, meeting_id: int, facilitator_token: str
) -> None:
    before = _counts(app)
    big = VOTES + "1403068300000,x,0,3,1,h\n" * 100
    response = _send(client, meeting_id, facilitator_token, COMMENTS, big)
    assert "too large" in error_of(response, 422, "validation_error", "votes")
    # Beyond both files' worth the request is not even read.
    huge = VOTES + "1403068300000,x,0,3,1,h\n" * 2000
    assert _send(client, meeting_id, facilitator_token, huge, huge).status_code == 413
    assert _counts(app) == before


def test_polis_import_and_export_need_staff_tokens(
    app: Flask,
    client: FlaskClient,
    meeting_id: int,
    observer_token: str,
    join: Callable[..., str],
) -> None:
    from live.conftest import open_meeting

    open_meeting(app, meeting_id)
    resident = join(meeting_id, "Anna")
    before = _counts(app)
    assert _send(client, meeting_id, None, COMMENTS, VOTES).status_code == 401
    assert _send(client, meeting_id, resident, COMMENTS, VOTES).status_code == 403
    assert _send(client, meeting_id, observer_token, COMMENTS, VOTES).status_code == 403
    assert _counts(app) == before
    path = f"/api/v1/meetings/{meeting_id}/polis-export.zip"
    assert client.get(path).status_code == 401
    assert client.get(path, headers={"Authorization": f"Bearer {resident}"}).status_code == 403
    assert (
        client.get(path, headers={"Authorization": f"Bearer {observer_token}"}).status_code == 200
    )


def _export(client: FlaskClient, meeting_id: int, token: str) -> dict[str, list[dict[str, str]]]:
    path = f"/api/v1/meetings/{meeting_id}/polis-export.zip"
    response = client.get(path, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    Api(client).validate("GET", path, response)
    assert response.mimetype == "application/zip"
    assert f'filename="polis-meeting-{meeting_id}.zip"' in response.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert sorted(archive.namelist()) == ["comments.csv", "votes.csv"]
        return {
            name: list(csv.DictReader(io.StringIO(archive.read(name).decode())))
            for name in ("comments.csv", "votes.csv")
        }


def _files(exported: dict[str, list[dict[str, str]]]) -> tuple[str, str]:
    out = []
    for name in ("comments.csv", "votes.csv"):
        rows = exported[name]
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
        out.append(buffer.getvalue())
    return out[0], out[1]


def test_polis_export_renumbers_and_leaves_out_hidden_words(
    client: FlaskClient, meeting_id: int, facilitator_token: str
) -> None:
    assert _send(client, meeting_id, facilitator_token, COMMENTS, VOTES).status_code == 201
    files = _export(client, meeting_id, facilitator_token)
    assert list(files["comments.csv"][0]) == [
        "timestamp",
        "datetime",
        "comment-id",
        "author-id",
        "agrees",
        "disagrees",
        "moderated",
        "comment-body",
    ]
    assert [
        (
            c["comment-id"],
            c["author-id"],
            c["agrees"],
            c["disagrees"],
            c["moderated"],
            c["comment-body"],
        )
        for c in files["comments.csv"]
    ] == [
        ("0", "0", "1", "1", "1", "Bättre belysning i parken"),
        ("1", "1", "0", "1", "1", "Fler vuxna ute, på kvällarna"),
        ("2", "0", "1", "0", "-1", ""),
        ("3", "3", "0", "0", "1", "Cykelvägen ska plogas först"),
    ]
    assert files["comments.csv"][0]["timestamp"] == "1403067200000"
    assert files["comments.csv"][0]["datetime"] == "Wed Jun 18 04:53:20 UTC 2014"
    assert list(files["votes.csv"][0]) == [
        "timestamp",
        "datetime",
        "comment-id",
        "voter-id",
        "vote",
    ]
    assert sorted((v["comment-id"], v["voter-id"], v["vote"]) for v in files["votes.csv"]) == [
        ("0", "0", "1"),
        ("0", "1", "-1"),
        ("1", "2", "-1"),
        ("2", "2", "1"),
        ("3", "1", "0"),
    ]


def _same_analysis(
    a: dict[str, Any],
    b: dict[str, Any],
    people: dict[int, int],
    texts: dict[int, str],
    texts_b: dict[int, str],
) -> None:
    """The two common-ground answers agree once ids are mapped: participants through
    ``people`` (a's id → b's), statements through their words."""

    def scores(items: list[dict[str, Any]], words: dict[int, str]) -> list[dict[str, Any]]:
        return [{**s, "contribution_id": words[s["contribution_id"]]} for s in items]

    for key in ("statements", "answers", "participants", "placed"):
        assert a[key] == b[key], key
    for key in ("common_ground", "common_disagreement", "divisive"):
        assert scores(a[key], texts) == scores(b[key], texts_b), key
    assert len(a["groups"]) == len(b["groups"])
    for group_a, group_b in zip(a["groups"], b["groups"], strict=True):
        assert sorted(people[p] for p in group_a["participant_ids"]) == sorted(
            group_b["participant_ids"]
        )
        assert (group_a["label"], group_a["size"], group_a["shown"]) == (
            group_b["label"],
            group_b["size"],
            group_b["shown"],
        )
        assert scores(group_a["distinct"], texts) == scores(group_b["distinct"], texts_b)


def _common_ground(client: FlaskClient, meeting_id: int, token: str) -> dict[str, Any]:
    response = client.get(
        f"/api/v1/meetings/{meeting_id}/common-ground", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    return response.get_json()  # type: ignore[no-any-return]


def _texts(app: Flask, meeting_id: int) -> dict[int, str]:
    with app.app_context():
        return dict(
            session()
            .execute(
                sa.select(Contribution.id, Contribution.text).where(
                    Contribution.meeting_id == meeting_id
                )
            )
            .all()
        )


def _voters(app: Flask, meeting_id: int) -> list[int]:
    """The meeting's answering participants in the export's voter order (by id)."""
    with app.app_context():
        meeting = session().get(Meeting, meeting_id)
        assert meeting is not None
        return sorted({p for p, _, _ in queries.answers(meeting)})


def test_polis_round_trip_of_a_live_room_gives_the_same_analysis(
    app: Flask,
    client: FlaskClient,
    meeting_id: int,
    connect: Connect,
    join: Callable[..., str],
    staff: Callable[[Role], str],
    facilitator_token: str,
) -> None:
    console, ids = start(app, meeting_id, connect, staff)
    for name in CAMP_A + CAMP_B:
        phone = connect({"token": join(meeting_id, name)})
        for statement, value in zip(ids, camp_answers(name in CAMP_A), strict=True):
            ack(phone, "statement_vote", contribution_id=statement, value=value)
    Inbox(console).wait("perspectives", lambda v: v["placed"] == 12)
    exported = _export(client, meeting_id, facilitator_token)
    # Numbers and the statements' words only: no names of those who answered.
    assert not any(name in str(exported) for name in CAMP_A + CAMP_B)
    fresh = _meeting(app)
    imported = _send(client, fresh, facilitator_token, *_files(exported))
    assert imported.status_code == 201
    voter_of = {p: n for n, p in enumerate(_voters(app, meeting_id))}
    people = {p: imported.get_json()["participants"][str(n)] for p, n in voter_of.items()}
    _same_analysis(
        _common_ground(client, meeting_id, facilitator_token),
        _common_ground(client, fresh, facilitator_token),
        people,
        _texts(app, meeting_id),
        _texts(app, fresh),
    )


def _planted_files(groups: int, size: int, partisan: int, answered: float) -> tuple[str, str, Any]:
    """A planted conversation (bench/opinions.py) written as Pol.is's open data."""
    opinions = planted(groups, size=size, partisan=partisan, answered=answered, seed=7)
    comments = io.StringIO()
    comments.write(HEADER)
    for s in opinions.statements:
        comments.write(f"1500000000000,x,{s},,0,0,1,Påstående {s}\n")
    votes = io.StringIO()
    votes.write("timestamp,datetime,comment-id,voter-id,vote\n")
    for n, (p, s, v) in enumerate(opinions.answers):
        votes.write(f"{1500000001000 + n},x,{s},{p},{v}\n")
    return comments.getvalue(), votes.getvalue(), opinions


def test_polis_round_trip_of_an_import_gives_the_same_analysis(
    app: Flask, client: FlaskClient, meeting_id: int, facilitator_token: str
) -> None:
    comments, votes, _ = _planted_files(3, 15, 20, 0.8)
    first = _send(client, meeting_id, facilitator_token, comments, votes)
    assert first.status_code == 201
    exported = _export(client, meeting_id, facilitator_token)
    fresh = _meeting(app)
    second = _send(client, fresh, facilitator_token, *_files(exported))
    assert second.status_code == 201
    assert second.get_json()["votes"] == first.get_json()["votes"]
    voter_of = {p: n for n, p in enumerate(_voters(app, meeting_id))}
    people = {p: second.get_json()["participants"][str(n)] for p, n in voter_of.items()}
    a = _common_ground(client, meeting_id, facilitator_token)
    assert len(a["groups"]) == 3
    _same_analysis(
        a,
        _common_ground(client, fresh, facilitator_token),
        people,
        _texts(app, meeting_id),
        _texts(app, fresh),
    )


def test_polis_import_of_a_large_conversation(
    app: Flask, client: FlaskClient, meeting_id: int, facilitator_token: str
) -> None:
    """The size of the largest open-data conversations: 2,000 voters, 1,000 comments,
    about 60,000 votes (docs/performance.md has the time)."""
    comments, votes, opinions = _planted_files(5, 400, 994, 0.03)
    response = _send(client, meeting_id, facilitator_token, comments, votes)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    last = {(p, s): v for p, s, v in opinions.answers}
    assert body["statements"] == 1000
    assert body["votes"] == len(last)
    assert len(body["participants"]) == 2000
    view = _common_ground(client, meeting_id, facilitator_token)
    assert view["answers"] == len(last)
    assert view["participants"] == 2000
    # The planted bridging statements are what everyone shares.
    texts = _texts(app, meeting_id)
    common = {texts[s["contribution_id"]] for s in view["common_ground"]}
    assert {f"Påstående {s}" for s in opinions.bridging} <= common


def _page_post(client: FlaskClient, meeting_id: int, votes: str, **form: Any) -> Any:
    data = {
        "comments": (io.BytesIO(COMMENTS.encode()), "comments.csv"),
        "votes": (io.BytesIO(votes.encode()), "votes.csv"),
        **form,
    }
    return client.post(
        f"/meetings/{meeting_id}/polis", data=data, content_type="multipart/form-data"
    )


def test_polis_page_shows_bad_lines_then_imports(
    app: Flask, client: FlaskClient, meeting_id: int, facilitator: User
) -> None:
    detail = client.get(f"/meetings/{meeting_id}")
    assert f'href="/meetings/{meeting_id}/polis"' in detail.get_data(as_text=True)
    page = client.get(f"/meetings/{meeting_id}/polis")
    assert page.status_code == 200
    assert 'name="comments"' in page.get_data(as_text=True)
    before = _counts(app)
    refused = _page_post(client, meeting_id, VOTES + "1403068300000,x,9,3,1,h\n")
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "<code>votes.csv</code></td><td>9</td><td>No comment 9 in comments.csv.</td>" in html
    assert _counts(app) == before
    done = _page_post(client, meeting_id, VOTES)
    assert done.status_code == 302
    after = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Imported 4 statements, 5 answers and 4 participants." in after
    assert "holds an imported conversation with 4 participants" in after
    assert 'name="comments"' not in after  # one import per meeting
    export = client.get(f"/meetings/{meeting_id}/polis-export.zip")
    assert export.status_code == 200
    assert export.mimetype == "application/zip"


def test_polis_page_needs_a_facilitator_to_import(
    app: Flask, client: FlaskClient, meeting_id: int, observer_login: User
) -> None:
    assert client.get(f"/meetings/{meeting_id}/polis").status_code == 200
    assert client.get(f"/meetings/{meeting_id}/polis-export.zip").status_code == 200
    before = _counts(app)
    assert _page_post(client, meeting_id, VOTES).status_code == 403
    assert _counts(app) == before


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}], indirect=True)
def test_polis_page_checks_the_csrf_token_of_its_larger_upload(
    app: Flask, client: FlaskClient, meeting_id: int, make_user: Callable[..., User]
) -> None:
    user = make_user(Role.facilitator)
    token = _csrf(client.get("/login").get_data(as_text=True))
    login = {"email": user.email, "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=login).status_code == 302
    token = _csrf(client.get(f"/meetings/{meeting_id}/polis").get_data(as_text=True))
    before = _counts(app)
    assert _page_post(client, meeting_id, VOTES).status_code in (400, 422)
    assert _counts(app) == before
    assert _page_post(client, meeting_id, VOTES, csrf_token=token).status_code == 302
    assert _counts(app) != before


@pytest.mark.parametrize("style", ["named-with-csv", "by-filename"])
def test_polis_import_finds_the_files_by_field_or_file_name(
    app: Flask, client: FlaskClient, meeting_id: int, facilitator_token: str, style: str
) -> None:
    comments = (io.BytesIO(COMMENTS.encode()), "comments.csv")
    votes = (io.BytesIO(VOTES.encode()), "export/votes.csv")
    data: dict[str, Any] = (
        {"comments.csv": comments, "votes.csv": votes}
        if style == "named-with-csv"
        else {"file": [comments, votes]}
    )
    response = client.post(
        f"/api/v1/meetings/{meeting_id}/polis-import",
        data=data,
        content_type="multipart/form-data",
        headers={"Authorization": f"Bearer {facilitator_token}"},
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["votes"] == 5


def test_polis_import_without_votes_file_names_the_field(
    app: Flask, client: FlaskClient, meeting_id: int, facilitator_token: str
) -> None:
    response = client.post(
        f"/api/v1/meetings/{meeting_id}/polis-import",
        data={"comments": (io.BytesIO(COMMENTS.encode()), "comments.csv")},
        content_type="multipart/form-data",
        headers={"Authorization": f"Bearer {facilitator_token}"},
    )
    assert "votes.csv" in error_of(response, 422, "validation_error", "votes")


def test_polis_import_into_an_open_room_reaches_its_screens(
    app: Flask,
    client: FlaskClient,
    meeting_id: int,
    connect: Connect,
    join: Callable[..., str],
    staff: Callable[[Role], str],
    facilitator_token: str,
) -> None:
    """Staff see every statement arrive (the moderated-out one too), a phone only those the
    room may see; then each picture is what a fresh ``state`` would give."""
    from live.conftest import open_meeting
    from pictures import apply, comparable

    open_meeting(app, meeting_id)
    console = connect({"token": staff(Role.facilitator), "meeting_id": meeting_id})
    token = join(meeting_id, "Anna")
    phone = connect({"token": token})
    inboxes = {"console": Inbox(console), "phone": Inbox(phone)}
    assert _send(client, meeting_id, facilitator_token, COMMENTS, VOTES).status_code == 201
    texts = {n: [c["text"] for c in inbox.named("contribution")] for n, inbox in inboxes.items()}
    assert sorted(texts["console"]) == sorted(STATEMENTS_IN)
    assert "Köp min bil" not in texts["phone"]
    assert len(texts["phone"]) == 3
    inboxes["console"].wait("perspectives", lambda v: v["participants"] == 3)
    inboxes["phone"].wait("perspectives", lambda v: v["participants"] == 3)
    time.sleep(1)  # a later coalesced analysis (the deck changed) has gone out too
    fresh = {
        "console": connect({"token": staff(Role.facilitator), "meeting_id": meeting_id}),
        "phone": connect({"token": token}),
    }
    for name, inbox in inboxes.items():
        picture: dict[str, Any] = {}
        for event in inbox.read():
            picture = apply(picture, event["name"], event["args"][0])
        state = next(e["args"][0] for e in fresh[name].get_received(NS) if e["name"] == "state")
        assert comparable(picture) == comparable(state), name
