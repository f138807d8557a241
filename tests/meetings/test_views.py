"""The meeting pages: create from a template, edit, agenda steps and voting settings."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import PASSWORD, make_config
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from live.conftest import NS, cid, named

from facilitate import create_app
from facilitate.auth import operations as auth_ops
from facilitate.auth.models import Role, User
from facilitate.db import session
from facilitate.dialogues import operations as dialogue_ops
from facilitate.extensions import db, socketio
from facilitate.meetings import operations as ops
from facilitate.meetings.agendas import TEMPLATES
from facilitate.meetings.models import (
    Meeting,
    MeetingStatus,
    Phase,
    PhaseKind,
    ResultsVisibility,
    VotingMethod,
)
from facilitate.models import Base

VALID = {
    "title": "Kväll i Fröslunda",
    "starts_at": "2021-03-10T18:00",
    "place": "Fröslunda folkets hus",
    "template": "in_depth_90",
    "voting_method": "dots",
    "voting_dots": "3",
    "voting_cap": "",
    "voting_results": "",
}


@pytest.fixture
def meeting_id(app: Flask, theme_id: int) -> int:
    with app.app_context():
        meeting = ops.create_meeting(
            dialogue_ops.get_theme(theme_id), "Möte", template="check_in_45"
        )
        session().commit()
        return meeting.id


def meetings(app: Flask) -> list[Meeting]:
    with app.app_context():
        found = list(session().scalars(sa.select(Meeting).order_by(Meeting.id)))
        for meeting in found:
            _ = meeting.phases  # load before the session closes
        return found


def phase_rows(app: Flask, meeting_id: int) -> list[tuple[str, str, int, PhaseKind]]:
    with app.app_context():
        phases = session().scalars(
            sa.select(Phase).where(Phase.meeting_id == meeting_id).order_by(Phase.position)
        )
        return [(p.title, p.prompt, p.minutes, p.kind) for p in phases]


def template_rows(key: str, locale: str = "en") -> list[tuple[str, str, int, PhaseKind]]:
    with force_locale(locale):
        return [(str(s.title), str(s.prompt), s.minutes, s.kind) for s in TEMPLATES[key].steps]


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_meeting_create_from_each_template(
    app: Flask, client: FlaskClient, facilitator: User, theme_id: int, template: str
) -> None:
    page = client.get(f"/themes/{theme_id}/meetings/new")
    assert page.status_code == 200
    assert 'name="template"' in page.get_data(as_text=True)
    response = client.post(f"/themes/{theme_id}/meetings/new", data={**VALID, "template": template})
    assert response.status_code == 302
    (meeting,) = meetings(app)
    assert response.headers["Location"] == f"/meetings/{meeting.id}"
    assert meeting.status is MeetingStatus.draft
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{8}", meeting.join_code)
    with app.test_request_context():
        expected = template_rows(template, "sv")  # the dialogue's own language
    assert phase_rows(app, meeting.id) == expected
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    positions = [html.find(title) for title, *_ in expected]
    assert -1 not in positions
    assert positions == sorted(positions)
    assert meeting.join_code[:4] in html


def test_meeting_create_stores_local_time_as_utc(
    app: Flask, client: FlaskClient, facilitator: User, theme_id: int
) -> None:
    client.post(f"/themes/{theme_id}/meetings/new", data=VALID)
    (meeting,) = meetings(app)
    # 18:00 in Stockholm in March (CET, UTC+1) is 17:00 UTC.
    assert meeting.starts_at == dt.datetime(2021, 3, 10, 17, 0, tzinfo=dt.UTC)
    assert (meeting.place, meeting.voting_method) == ("Fröslunda folkets hus", VotingMethod.dots)
    assert meeting.voting_results is ResultsVisibility.hidden  # dots hide results by default
    edit = client.get(f"/meetings/{meeting.id}/edit").get_data(as_text=True)
    assert 'value="2021-03-10T18:00"' in edit


def test_meeting_create_in_swedish_gets_swedish_agenda(
    app: Flask, client: FlaskClient, facilitator: User, theme_id: int
) -> None:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "sv"
    assert client.post(f"/themes/{theme_id}/meetings/new", data=VALID).status_code == 302
    (meeting,) = meetings(app)
    with app.test_request_context():
        assert phase_rows(app, meeting.id) == template_rows("in_depth_90", "sv")
    assert phase_rows(app, meeting.id)[0][0] == "Välkomna och incheckning"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": ""}, "A title is required."),
        ({"title": "x" * 201}, "At most 200 characters."),
        ({"template": "speed_dating"}, "Not a valid choice."),
        ({"voting_dots": "0"}, "Must be between 1 and 20."),
        ({"voting_dots": "3", "voting_cap": "5"}, "Must be between 1 and 3."),
        ({"voting_method": "lottery"}, "Not a valid choice."),
        ({"starts_at": "tomorrow"}, "Not a valid datetime value."),
        ({"place": "x" * 500}, "At most 200 characters."),
    ],
)
def test_meeting_create_bad_input_refused(
    app: Flask,
    client: FlaskClient,
    facilitator: User,
    theme_id: int,
    data: dict[str, str],
    message: str,
) -> None:
    response = client.post(f"/themes/{theme_id}/meetings/new", data={**VALID, **data})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert meetings(app) == []


def test_meeting_create_unknown_theme_not_found(client: FlaskClient, facilitator: User) -> None:
    assert client.get("/themes/999/meetings/new").status_code == 404
    assert client.post("/themes/999/meetings/new", data=VALID).status_code == 404


def test_meeting_edit_saves(
    app: Flask, client: FlaskClient, facilitator: User, meeting_id: int
) -> None:
    response = client.post(
        f"/meetings/{meeting_id}/edit",
        data={
            "title": "Nytt namn",
            "starts_at": "",
            "place": "https://meet.example/x",
            "is_digital": "y",
        },
    )
    assert response.status_code == 302
    (meeting,) = meetings(app)
    assert (meeting.title, meeting.starts_at, meeting.is_digital) == ("Nytt namn", None, True)
    bad = client.post(f"/meetings/{meeting_id}/edit", data={"title": " "})
    assert bad.status_code == 422
    assert meetings(app)[0].title == "Nytt namn"


def test_meeting_edit_switches_premoderation(
    app: Flask, client: FlaskClient, facilitator: User, meeting_id: int
) -> None:
    assert meetings(app)[0].premoderation is False
    page = client.get(f"/meetings/{meeting_id}/edit").get_data(as_text=True)
    assert 'name="premoderation"' in page
    data = {"title": "Stormöte", "starts_at": "", "place": "", "premoderation": "y"}
    assert client.post(f"/meetings/{meeting_id}/edit", data=data).status_code == 302
    assert meetings(app)[0].premoderation is True
    del data["premoderation"]  # an unticked box is not sent
    assert client.post(f"/meetings/{meeting_id}/edit", data=data).status_code == 302
    assert meetings(app)[0].premoderation is False


def test_meeting_voting_settings(
    app: Flask, client: FlaskClient, facilitator: User, meeting_id: int
) -> None:
    assert client.get(f"/meetings/{meeting_id}/voting").status_code == 200
    response = client.post(
        f"/meetings/{meeting_id}/voting",
        data={
            "voting_method": "dots",
            "voting_dots": "5",
            "voting_cap": "2",
            "voting_results": "live",
        },
    )
    assert response.status_code == 302
    (meeting,) = meetings(app)
    assert (meeting.voting_dots, meeting.voting_cap, meeting.voting_results) == (
        5,
        2,
        ResultsVisibility.live,
    )
    bad = client.post(
        f"/meetings/{meeting_id}/voting",
        data={"voting_method": "dots", "voting_dots": "21", "voting_results": ""},
    )
    assert bad.status_code == 422
    assert "Must be between 1 and 20." in bad.get_data(as_text=True)
    assert meetings(app)[0].voting_dots == 5


def test_phase_add_edit_move_remove(
    app: Flask, client: FlaskClient, facilitator: User, meeting_id: int
) -> None:
    before = phase_rows(app, meeting_id)
    added = client.post(
        f"/meetings/{meeting_id}/phases",
        data={"title": "Fika", "prompt": "", "minutes": "15", "kind": "welcome"},
    )
    assert added.status_code == 302
    assert added.headers["Location"] == f"/meetings/{meeting_id}#agenda"
    after = phase_rows(app, meeting_id)
    assert after == [*before, ("Fika", "", 15, PhaseKind.welcome)]
    with app.app_context():
        fika = session().scalars(sa.select(Phase).where(Phase.title == "Fika")).one().id
    client.post(f"/meetings/{meeting_id}/phases/{fika}/move", data={"offset": "-1"})
    assert [t for t, *_ in phase_rows(app, meeting_id)][-2:] == ["Fika", before[-1][0]]
    edited = client.post(
        f"/meetings/{meeting_id}/phases/{fika}/edit",
        data={
            "title": "Fika och prat",
            "prompt": "Hur var veckan?",
            "minutes": "20",
            "kind": "share",
        },
    )
    assert edited.status_code == 302
    assert ("Fika och prat", "Hur var veckan?", 20, PhaseKind.share) in phase_rows(app, meeting_id)
    assert client.post(f"/meetings/{meeting_id}/phases/{fika}/remove").status_code == 302
    assert phase_rows(app, meeting_id) == before
    with app.app_context():
        positions = session().scalars(
            sa.select(Phase.position).where(Phase.meeting_id == meeting_id).order_by(Phase.position)
        )
        assert list(positions) == list(range(len(before)))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": ""}, "A title is required."),
        ({"minutes": "0"}, "Must be between 1 and 600."),
        ({"minutes": "-5"}, "Must be between 1 and 600."),
        ({"kind": "party"}, "Not a valid choice."),
        ({"prompt": "x" * 501}, "At most 500 characters."),
    ],
)
def test_phase_add_bad_input_refused(
    app: Flask,
    client: FlaskClient,
    facilitator: User,
    meeting_id: int,
    data: dict[str, str],
    message: str,
) -> None:
    before = phase_rows(app, meeting_id)
    form = {"title": "Ok", "prompt": "", "minutes": "10", "kind": "share", **data}
    response = client.post(f"/meetings/{meeting_id}/phases", data=form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert phase_rows(app, meeting_id) == before


def test_phase_last_one_cannot_be_removed(
    app: Flask, client: FlaskClient, facilitator: User, meeting_id: int
) -> None:
    with app.app_context():
        ids = list(session().scalars(sa.select(Phase.id).where(Phase.meeting_id == meeting_id)))
    for phase_id in ids[:-1]:
        assert client.post(f"/meetings/{meeting_id}/phases/{phase_id}/remove").status_code == 302
    last = client.post(f"/meetings/{meeting_id}/phases/{ids[-1]}/remove")
    assert last.status_code == 422
    assert "The agenda needs at least one phase." in last.get_data(as_text=True)
    assert len(phase_rows(app, meeting_id)) == 1


def test_phase_order_fixed_once_meeting_opened(
    app: Flask, client: FlaskClient, facilitator: User, meeting_id: int
) -> None:
    with app.app_context():
        meeting = ops.get_meeting(meeting_id)
        meeting.status = MeetingStatus.open
        session().commit()
        first, second = meeting.phases[0].id, meeting.phases[1].id
    before = phase_rows(app, meeting_id)
    moved = client.post(f"/meetings/{meeting_id}/phases/{second}/move", data={"offset": "-1"})
    removed = client.post(f"/meetings/{meeting_id}/phases/{first}/remove")
    for response in (moved, removed):
        assert response.status_code == 409
        assert "fixed once the meeting has opened" in response.get_data(as_text=True)
    assert phase_rows(app, meeting_id) == before
    # Wording may still be fixed, and a step added at the end.
    page = client.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert f"/phases/{first}/remove" not in page
    assert f"/phases/{first}/edit" in page
    assert "the steps keep their order" in page  # why the buttons are gone


def step_of_each_said(page: str) -> dict[str, str]:
    """The report's "What was said": each contribution's text and the step it is under."""
    said = page.split("What was said", 1)[1].split("<h2>", 1)[0]
    steps = re.findall(r'<h3 dir="auto">(.*?)</h3>\s*<ul class="said">(.*?)</ul>', said, re.S)
    return {
        text: title
        for title, items in steps
        for text in re.findall(r'<li><span dir="auto">(.*?)</span>', items)
    }


def test_phase_order_fixed_while_open_and_after_close_contributions_stay(
    app: Flask,
    client: FlaskClient,
    facilitator: User,
    meeting_id: int,
    api_token: Callable[[User], str],
) -> None:
    """Contributions point at their step by position: a move or removal in the open or
    closed meeting is refused, a step added at the end is not, and the report and the
    room's state keep each contribution under the step it was written in."""
    console = socketio.test_client(
        app, namespace=NS, auth={"token": api_token(facilitator), "meeting_id": meeting_id}
    )

    def emit(event: str, **payload: object) -> None:
        answer = console.emit(event, {"client_id": cid(), **payload}, namespace=NS, callback=True)
        assert answer["ok"] is True, answer

    emit("meeting_open")
    emit("contribution_add", text="Hej allihop", on_behalf=True)
    emit("phase_goto", index=1)
    emit("contribution_add", text="Mörkt vid skolan", on_behalf=True)
    titles = [title for title, *_ in phase_rows(app, meeting_id)]
    expected = {"Hej allihop": titles[0], "Mörkt vid skolan": titles[1]}
    with app.app_context():
        first, second = (p.id for p in ops.get_meeting(meeting_id).phases[:2])

    def refused_everything() -> None:
        moves = [
            client.post(f"/meetings/{meeting_id}/phases/{second}/move", data={"offset": "-1"}),
            client.post(f"/meetings/{meeting_id}/phases/{first}/move", data={"offset": "1"}),
            client.post(f"/meetings/{meeting_id}/phases/{first}/remove"),
        ]
        for response in moves:
            assert response.status_code == 409
            assert "The order of the steps is fixed" in response.get_data(as_text=True)
        report = client.get(f"/meetings/{meeting_id}/report").get_data(as_text=True)
        assert step_of_each_said(report) == expected

    refused_everything()
    added = client.post(
        f"/meetings/{meeting_id}/phases", data={"title": "Extra runda", "minutes": "5"}
    )
    assert added.status_code == 302
    assert [title for title, *_ in phase_rows(app, meeting_id)] == [*titles, "Extra runda"]
    emit("contribution_add", text="Ändå en sak till", on_behalf=True)  # still on step 2
    expected["Ändå en sak till"] = titles[1]
    renamed = client.post(
        f"/meetings/{meeting_id}/phases/{second}/edit", data={"title": "Nytt namn", "minutes": "7"}
    )
    assert renamed.status_code == 302
    titles[1] = expected["Mörkt vid skolan"] = expected["Ändå en sak till"] = "Nytt namn"

    fresh = socketio.test_client(
        app, namespace=NS, auth={"token": api_token(facilitator), "meeting_id": meeting_id}
    )
    state = named(fresh.get_received(NS), "state")[-1]
    assert {
        c["text"]: state["phases"][c["phase"]]["title"] for c in state["contributions"]
    } == expected
    assert state["phases"][state["current_phase"]]["title"] == "Nytt namn"
    fresh.disconnect(NS)

    emit("meeting_close")
    console.disconnect(NS)
    refused_everything()


def test_phase_of_another_meeting_not_found(
    app: Flask, client: FlaskClient, facilitator: User, meeting_id: int, theme_id: int
) -> None:
    with app.app_context():
        other = ops.create_meeting(dialogue_ops.get_theme(theme_id), "Annat")
        session().commit()
        foreign = other.phases[0].id
    for url in (f"phases/{foreign}/edit", f"phases/{foreign}/remove", f"phases/{foreign}/move"):
        assert client.post(f"/meetings/{meeting_id}/{url}", data={"title": "x"}).status_code == 404
    assert len(phase_rows(app, other.id)) == 6


def test_meeting_archive_and_restore(
    app: Flask, client: FlaskClient, facilitator: User, meeting_id: int, theme_id: int
) -> None:
    assert client.post(f"/meetings/{meeting_id}/archive").status_code == 302
    assert meetings(app)[0].is_archived
    theme_page = client.get(f"/themes/{theme_id}").get_data(as_text=True)
    assert "Archived" in theme_page
    assert client.post(f"/meetings/{meeting_id}/restore").status_code == 302
    assert not meetings(app)[0].is_archived


def test_observer_reads_meeting_but_cannot_change_it(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., User],
    login: Callable[[User], None],
    meeting_id: int,
    theme_id: int,
) -> None:
    login(make_user(Role.observer))
    page = client.get(f"/meetings/{meeting_id}")
    assert page.status_code == 200
    assert "Add a step" not in page.get_data(as_text=True)
    with app.app_context():
        phase_id = (
            session().scalars(sa.select(Phase.id).where(Phase.meeting_id == meeting_id)).first()
        )
    before = phase_rows(app, meeting_id)
    for url in (
        f"/themes/{theme_id}/meetings/new",
        f"/meetings/{meeting_id}/edit",
        f"/meetings/{meeting_id}/voting",
        f"/meetings/{meeting_id}/archive",
        f"/meetings/{meeting_id}/phases",
        f"/meetings/{meeting_id}/phases/{phase_id}/edit",
        f"/meetings/{meeting_id}/phases/{phase_id}/remove",
        f"/meetings/{meeting_id}/phases/{phase_id}/move",
    ):
        assert client.post(url, data={**VALID, "offset": "1"}).status_code == 403, url
    assert phase_rows(app, meeting_id) == before
    assert len(meetings(app)) == 1


def test_meeting_create_with_csrf(tmp_path: Path) -> None:
    app = create_app(make_config(tmp_path, WTF_CSRF_ENABLED=True))
    with app.app_context():
        Base.metadata.create_all(db.engine)
        auth_ops.create_user("f@example.org", name=None, password=PASSWORD, role="facilitator")
        theme = dialogue_ops.create_theme(dialogue_ops.create_dialogue("D"), "T")
        session().commit()
        new_theme = theme.id
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"

    def csrf(url: str) -> str:
        found = re.search(
            r'name="csrf_token"[^>]*value="([^"]+)"', client.get(url).get_data(as_text=True)
        )
        assert found is not None
        return found.group(1)

    client.post(
        "/login",
        data={"email": "f@example.org", "password": PASSWORD, "csrf_token": csrf("/login")},
    )
    url = f"/themes/{new_theme}/meetings/new"
    assert client.post(url, data=VALID).status_code == 400
    assert client.post(url, data={**VALID, "csrf_token": csrf(url)}).status_code == 302
    with app.app_context():
        assert session().scalar(sa.select(sa.func.count()).select_from(Meeting)) == 1
        db.engine.dispose()


def test_a_meeting_reaches_the_public_pages_once_it_has_a_start_time(
    app: Flask, client: FlaskClient, facilitator: User, meeting_id: int
) -> None:
    hint = "Residents see the meeting on the public page once it has a start time."
    assert hint in client.get(f"/meetings/{meeting_id}/edit").get_data(as_text=True)
    (meeting,) = meetings(app)
    assert hint in client.get(f"/themes/{meeting.theme_id}/meetings/new").get_data(as_text=True)
    with app.app_context():
        dialogue = dialogue_ops.get_theme(meeting.theme_id).dialogue_id
    public = app.test_client()  # a resident: no login
    places = (f"/d/{dialogue}", f"/d/{dialogue}/calendar.ics", f"/d/{dialogue}/follow")

    def shown() -> list[bool]:
        return ["Stormöte" in public.get(path).get_data(as_text=True) for path in places]

    data = {"title": "Stormöte", "starts_at": "", "place": "Fröslunda folkets hus"}
    assert client.post(f"/meetings/{meeting_id}/edit", data=data).status_code == 302
    assert shown() == [False, False, False]
    data["starts_at"] = "2030-03-10T18:00"
    assert client.post(f"/meetings/{meeting_id}/edit", data=data).status_code == 302
    assert shown() == [True, True, True]
    assert public.get(f"/d/{dialogue}/meetings/{meeting_id}.ics").status_code == 200
