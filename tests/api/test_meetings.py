"""The meeting endpoints of the JSON API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from api.test_openapi import Api, error_of
from facilitate.db import session
from facilitate.dialogues import operations as dialogue_ops
from facilitate.meetings import operations as ops
from facilitate.meetings.agendas import DEFAULT_TEMPLATE, TEMPLATES
from facilitate.meetings.links import join_url
from facilitate.meetings.models import Meeting, Phase

AGENDA = [
    {"title": "Välkomna", "prompt": "Vem är du?", "minutes": 5, "kind": "welcome"},
    {"title": "Idéer", "prompt": "Vad kan göras?", "minutes": 30, "kind": "propose"},
    {"title": "Rösta", "prompt": "", "minutes": 10, "kind": "prioritise"},
]


@pytest.fixture
def theme_id(app: Flask) -> int:
    with app.app_context():
        dialogue = dialogue_ops.create_dialogue("Trygghet", areas=["Myrtorp"])
        theme = dialogue_ops.create_theme(dialogue, "Belysning")
        session().commit()
        return theme.id


def count(app: Flask, model: type[Any]) -> int:
    with app.app_context():
        return int(session().scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def stored(app: Flask, meeting_id: int) -> dict[str, Any]:
    with app.app_context():
        meeting = session().get(Meeting, meeting_id)
        assert meeting is not None
        return {
            "theme_id": meeting.theme_id,
            "title": meeting.title,
            "starts_at": meeting.starts_at,
            "place": meeting.place,
            "is_digital": meeting.is_digital,
            "status": meeting.status.value,
            "join_code": meeting.join_code,
            "voting": (
                meeting.voting_method.value,
                meeting.voting_dots,
                meeting.voting_cap,
                meeting.voting_results.value,
            ),
            "agenda": [
                (p.position, p.title, p.prompt, p.minutes, p.kind.value) for p in meeting.phases
            ],
        }


# -- POST /themes/{id}/meetings ------------------------------------------------------------


def test_meeting_create_from_agenda_201_returns_object_and_writes(
    app: Flask, facilitator: Api, theme_id: int
) -> None:
    response = facilitator.post(
        f"/themes/{theme_id}/meetings",
        json={
            "title": "Kvällsmöte i Myrtorp",
            "starts_at": "2025-05-01T18:00:00+02:00",
            "place": "Myrtorps bibliotek",
            "is_digital": False,
            "agenda": AGENDA,
            "voting": {"method": "dots", "dots": 5, "cap": 2, "results": "live"},
        },
    )
    assert response.status_code == 201
    body = response.get_json()
    db = stored(app, body["id"])
    code = db["join_code"]
    with app.app_context():
        phase_ids = list(
            session().scalars(
                sa.select(Phase.id).where(Phase.meeting_id == body["id"]).order_by(Phase.position)
            )
        )
    assert body == {
        "id": body["id"],
        "theme_id": theme_id,
        "title": "Kvällsmöte i Myrtorp",
        "starts_at": "2025-05-01T16:00:00Z",
        "place": "Myrtorps bibliotek",
        "is_digital": False,
        "video_url": "",
        "intro": "",
        "intro_translations": {},
        "status": "draft",
        "join_code": code,
        "join_url": f"http://localhost/j/{code}",
        "agenda": [
            {
                "id": phase_ids[i],
                "position": i,
                "title_translations": {},
                "prompt_translations": {},
                **phase,
            }
            for i, phase in enumerate(AGENDA)
        ],
        "voting": {"method": "dots", "dots": 5, "cap": 2, "results": "live"},
        "premoderation": False,
    }
    assert db == {
        "theme_id": theme_id,
        "title": "Kvällsmöte i Myrtorp",
        "starts_at": dt.datetime(2025, 5, 1, 16, 0, tzinfo=dt.UTC),
        "place": "Myrtorps bibliotek",
        "is_digital": False,
        "status": "draft",
        "join_code": code,
        "voting": ("dots", 5, 2, "live"),
        "agenda": [
            (i, p["title"], p["prompt"], p["minutes"], p["kind"]) for i, p in enumerate(AGENDA)
        ],
    }


def test_meeting_create_from_named_template_201(
    app: Flask, facilitator: Api, theme_id: int
) -> None:
    response = facilitator.post(
        f"/themes/{theme_id}/meetings",
        json={"title": "Digitalt möte", "template": "in_depth_90", "is_digital": True},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 201
    body = response.get_json()
    steps = TEMPLATES["in_depth_90"].steps
    assert [(p["kind"], p["minutes"]) for p in body["agenda"]] == [
        (s.kind.value, s.minutes) for s in steps
    ]
    # In the dialogue's own language, whatever the client's; English among the translations.
    assert body["agenda"][0]["title"] == "Välkomna och incheckning"
    assert body["agenda"][0]["prompt_translations"]["en"] == (
        "Who are you, and what brings you here today?"
    )
    assert [p["position"] for p in body["agenda"]] == list(range(len(steps)))
    assert body["is_digital"] is True
    assert body["starts_at"] is None
    assert body["place"] == ""
    # default voting: three dots, results hidden until the close
    assert body["voting"] == {"method": "dots", "dots": 3, "cap": None, "results": "hidden"}
    assert len(stored(app, body["id"])["agenda"]) == len(steps)


def test_meeting_create_title_only_uses_default_template(
    app: Flask, facilitator: Api, theme_id: int
) -> None:
    response = facilitator.post(f"/themes/{theme_id}/meetings", json={"title": "Möte"})
    assert response.status_code == 201
    kinds = [p["kind"] for p in response.get_json()["agenda"]]
    assert kinds == [s.kind.value for s in TEMPLATES[DEFAULT_TEMPLATE].steps]
    assert count(app, Meeting) == 1


def test_meeting_create_agenda_item_defaults(facilitator: Api, theme_id: int) -> None:
    response = facilitator.post(
        f"/themes/{theme_id}/meetings", json={"title": "Möte", "agenda": [{"title": "Samtal"}]}
    )
    assert response.status_code == 201
    [phase] = response.get_json()["agenda"]
    assert (phase["prompt"], phase["minutes"], phase["kind"]) == ("", 10, "share")


def test_meeting_create_voting_method_default_results(facilitator: Api, theme_id: int) -> None:
    response = facilitator.post(
        f"/themes/{theme_id}/meetings", json={"title": "Möte", "voting": {"method": "approval"}}
    )
    assert response.status_code == 201
    assert response.get_json()["voting"] == {
        "method": "approval",
        "dots": 3,
        "cap": None,
        "results": "live",
    }


def test_meeting_create_join_url_ends_with_join_code(
    app: Flask, facilitator: Api, theme_id: int
) -> None:
    response = facilitator.post(
        f"/themes/{theme_id}/meetings",
        json={"title": "Möte"},
        headers={"Host": "dialog.vasteras.example"},
    )
    body = response.get_json()
    assert body["join_url"] == f"http://dialog.vasteras.example/j/{body['join_code']}"
    assert body["join_url"].endswith(f"/j/{stored(app, body['id'])['join_code']}")


def test_join_url_built_from_request_host(app: Flask, theme_id: int) -> None:
    with app.app_context():
        meeting = ops.create_meeting(dialogue_ops.get_theme(theme_id), "Möte")
        with app.test_request_context("/", base_url="https://rum.example.org"):
            assert join_url(meeting) == f"https://rum.example.org/j/{meeting.join_code}"


def test_meeting_create_observer_403_nothing_written(
    app: Flask, observer: Api, theme_id: int
) -> None:
    response = observer.post(f"/themes/{theme_id}/meetings", json={"title": "Möte"})
    error_of(response, 403, "forbidden")
    assert count(app, Meeting) == 0


@pytest.mark.parametrize("token", [None, "fct_wrong"])
def test_meeting_create_without_or_bad_token_401(
    app: Flask, client: FlaskClient, theme_id: int, token: str | None
) -> None:
    response = Api(client, token).post(f"/themes/{theme_id}/meetings", json={"title": "Möte"})
    error_of(response, 401, "unauthorized")
    assert count(app, Meeting) == 0


def test_meeting_create_unknown_theme_404(app: Flask, facilitator: Api) -> None:
    error_of(facilitator.post("/themes/999/meetings", json={"title": "Möte"}), 404, "not_found")
    assert count(app, Meeting) == 0


def test_meeting_create_archived_dialogue_422(app: Flask, facilitator: Api, theme_id: int) -> None:
    with app.app_context():
        dialogue_ops.archive_dialogue(dialogue_ops.get_theme(theme_id).dialogue)
        session().commit()
    response = facilitator.post(f"/themes/{theme_id}/meetings", json={"title": "Möte"})
    error_of(response, 422, "validation_error", "theme")
    assert count(app, Meeting) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "Möte", "place": "x" * 201}, "place"),
        ({"title": "Möte", "starts_at": "2025-05-01T18:00:00"}, "starts_at"),
        ({"title": "Möte", "starts_at": "2025-05-01"}, "starts_at"),
        ({"title": "Möte", "starts_at": "tomorrow at six"}, "starts_at"),
        ({"title": "Möte", "starts_at": 1746115200}, "starts_at"),
        ({"title": "Möte", "template": "no_such_template"}, "template"),
        ({"title": "Möte", "template": "in_depth_90", "agenda": AGENDA}, "agenda"),
        ({"title": "Möte", "agenda": []}, "agenda"),
        ({"title": "Möte", "agenda": [{"title": "Steg", "kind": "dance"}]}, "agenda.0.kind"),
        ({"title": "Möte", "agenda": [{"title": "Steg", "minutes": 0}]}, "agenda.0.minutes"),
        ({"title": "Möte", "agenda": [AGENDA[0], {"title": ""}]}, "agenda.1.title"),
        ({"title": "Möte", "agenda": [{"title": "Steg"}] * 31}, "agenda"),
        ({"title": "Möte", "voting": {"method": "lottery"}}, "voting.method"),
        ({"title": "Möte", "voting": {"method": "dots", "dots": 21}}, "voting.dots"),
        ({"title": "Möte", "voting": {"method": "dots", "dots": 3, "cap": 4}}, "voting.cap"),
        ({"title": "Möte", "voting": {"method": "dots", "results": "later"}}, "voting.results"),
        # wrong JSON types
        ({"title": 7}, "title"),
        ({"title": "Möte", "is_digital": "yes"}, "is_digital"),
        ({"title": "Möte", "is_digital": 1}, "is_digital"),
        ({"title": "Möte", "template": 90}, "template"),
        ({"title": "Möte", "agenda": "welcome, share"}, "agenda"),
        ({"title": "Möte", "agenda": [{"title": "Steg", "minutes": "10"}]}, "agenda.0.minutes"),
        ({"title": "Möte", "voting": "dots"}, "voting"),
        ({"title": "Möte", "voting": {"method": "dots", "dots": 2.5}}, "voting.dots"),
        # unknown keys, at every level
        ({"title": "Möte", "room": "B12"}, "room"),
        ({"title": "Möte", "join_code": "ABCDEFGH"}, "join_code"),
        ({"title": "Möte", "agenda": [{"title": "Steg", "colour": "red"}]}, "agenda.0.colour"),
        ({"title": "Möte", "voting": {"method": "dots", "secret": True}}, "voting.secret"),
        # required
        ({"agenda": AGENDA}, "title"),
        ({"title": "Möte", "agenda": [{"prompt": "Vad?"}]}, "agenda.0.title"),
        ({"title": "Möte", "voting": {"dots": 3}}, "voting.method"),
    ],
)
def test_meeting_create_invalid_422_nothing_written(
    app: Flask, facilitator: Api, theme_id: int, body: dict[str, Any], field: str
) -> None:
    response = facilitator.post(f"/themes/{theme_id}/meetings", json=body)
    error_of(response, 422, "validation_error", field)
    assert count(app, Meeting) == 0
    assert count(app, Phase) == 0


def test_meeting_create_naive_starts_at_message(facilitator: Api, theme_id: int) -> None:
    response = facilitator.post(
        f"/themes/{theme_id}/meetings",
        json={"title": "Möte", "starts_at": "2025-05-01T18:00:00"},
        headers={"Accept-Language": "en"},
    )
    assert error_of(response, 422, "validation_error", "starts_at") == (
        "Give the time with a time zone."
    )


def test_meeting_create_malformed_json_400(app: Flask, facilitator: Api, theme_id: int) -> None:
    response = facilitator.post(f"/themes/{theme_id}/meetings", data='{"title": "Möte"')
    error_of(response, 400, "bad_request")
    assert count(app, Meeting) == 0


# -- GET /meetings/{id} --------------------------------------------------------------------


def test_meeting_get_observer_gets_same_object(
    app: Flask, facilitator: Api, observer: Api, theme_id: int
) -> None:
    created = facilitator.post(
        f"/themes/{theme_id}/meetings",
        json={"title": "Möte", "starts_at": "2025-05-01T18:00:00Z", "agenda": AGENDA},
    ).get_json()
    response = observer.get(f"/meetings/{created['id']}")
    assert response.status_code == 200
    assert response.get_json() == created
    assert created["starts_at"] == "2025-05-01T18:00:00Z"


def test_meeting_get_reflects_stored_changes(app: Flask, observer: Api, theme_id: int) -> None:
    with app.app_context():
        meeting = ops.create_meeting(dialogue_ops.get_theme(theme_id), "Möte", place="Aulan")
        ops.remove_phase(meeting.phases[0])
        session().commit()
        meeting_id, phases = meeting.id, len(meeting.phases)
    body = observer.get(f"/meetings/{meeting_id}").get_json()
    assert body["place"] == "Aulan"
    assert len(body["agenda"]) == phases
    assert [p["position"] for p in body["agenda"]] == list(range(phases))


def test_meeting_get_unknown_404(observer: Api) -> None:
    error_of(observer.get("/meetings/999"), 404, "not_found")


def test_meeting_get_without_token_401(client: FlaskClient, app: Flask, theme_id: int) -> None:
    with app.app_context():
        meeting = ops.create_meeting(dialogue_ops.get_theme(theme_id), "Möte")
        session().commit()
        meeting_id = meeting.id
    error_of(Api(client).get(f"/meetings/{meeting_id}"), 401, "unauthorized")


def test_meeting_create_with_translations_201_and_unknown_language_422(
    app: Flask, facilitator: Api, theme_id: int
) -> None:
    response = facilitator.post(
        f"/themes/{theme_id}/meetings",
        json={
            "title": "Kväll",
            "intro": "Välkommen",
            "intro_translations": {"so": "Soo dhawow", "fi": ""},
            "agenda": [{"title": "Start", "prompt": "Hej", "prompt_translations": {"ar": "مرحبا"}}],
        },
    )
    assert response.status_code == 201
    body = response.get_json()
    assert (body["intro"], body["intro_translations"]) == ("Välkommen", {"so": "Soo dhawow"})
    assert body["agenda"][0]["prompt_translations"] == {"ar": "مرحبا"}
    refused = facilitator.post(
        f"/themes/{theme_id}/meetings",
        json={"title": "Kväll 2", "agenda": [{"title": "S", "prompt_translations": {"de": "x"}}]},
    )
    assert refused.status_code == 422
    assert refused.get_json()["error"]["field"] == "agenda.0.prompt.de"
    with app.app_context():
        titles = session().scalars(sa.select(Meeting.title)).all()
    assert titles == ["Kväll"]


# -- PATCH /meetings/{id} ------------------------------------------------------------------


@pytest.fixture
def planned(app: Flask, theme_id: int) -> int:
    with app.app_context():
        meeting = ops.create_meeting(
            dialogue_ops.get_theme(theme_id),
            "Kväll",
            starts_at=dt.datetime(2025, 5, 1, 16, 0, tzinfo=dt.UTC),
            place="Myrtorps bibliotek",
            intro="Välkommen",
            intro_translations={"so": "Soo dhawow"},
        )
        session().commit()
        return meeting.id


def test_meeting_patch_details_200_and_written(app: Flask, facilitator: Api, planned: int) -> None:
    response = facilitator.call(
        "PATCH",
        f"/meetings/{planned}",
        json={
            "title": "Kväll i Myrtorp",
            "starts_at": "2025-05-02T18:30:00+02:00",
            "place": "https://example.org/video",
            "is_digital": True,
            "intro": "Hej och välkommen",
            "intro_translations": {"fi": "Tervetuloa", "so": ""},
        },
    )
    assert response.status_code == 200
    body = response.get_json()
    assert (body["title"], body["starts_at"], body["place"], body["is_digital"]) == (
        "Kväll i Myrtorp",
        "2025-05-02T16:30:00Z",
        "https://example.org/video",
        True,
    )
    assert (body["intro"], body["intro_translations"]) == (
        "Hej och välkommen",
        {"fi": "Tervetuloa"},
    )
    assert facilitator.get(f"/meetings/{planned}").get_json() == body
    assert stored(app, planned)["starts_at"] == dt.datetime(2025, 5, 2, 16, 30, tzinfo=dt.UTC)


def test_meeting_patch_only_given_fields_change(app: Flask, facilitator: Api, planned: int) -> None:
    before = facilitator.get(f"/meetings/{planned}").get_json()
    response = facilitator.call("PATCH", f"/meetings/{planned}", json={"place": "Folkets hus"})
    assert response.get_json() == {**before, "place": "Folkets hus"}
    # null leaves a field as it is, except the start time, which it clears
    nulls = {"title": None, "intro": None, "intro_translations": None, "is_digital": None}
    assert facilitator.call("PATCH", f"/meetings/{planned}", json=nulls).get_json() == {
        **before,
        "place": "Folkets hus",
    }
    cleared = facilitator.call("PATCH", f"/meetings/{planned}", json={"starts_at": None})
    assert cleared.get_json() == {**before, "place": "Folkets hus", "starts_at": None}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "   "}, "title"),
        ({"starts_at": "2025-05-02T18:30:00"}, "starts_at"),
        ({"intro_translations": {"de": "Willkommen"}}, "intro.de"),
        ({"title": "Ny", "voting": {"method": "dots", "dots": 0}}, "voting.dots"),
        ({"place": "x" * 201}, "place"),
    ],
)
def test_meeting_patch_invalid_422_nothing_changed(
    app: Flask, facilitator: Api, planned: int, body: dict[str, Any], field: str
) -> None:
    before = stored(app, planned)
    response = facilitator.call("PATCH", f"/meetings/{planned}", json=body)
    error_of(response, 422, "validation_error", field)
    assert stored(app, planned) == before


def test_meeting_patch_details_with_voting_after_vote_409_nothing_changed(
    app: Flask, facilitator: Api, agreed: dict[str, int]
) -> None:
    meeting = agreed["meeting"]
    before = stored(app, meeting)
    body = {"title": "Nytt namn", "voting": {"method": "dots"}}
    refused = facilitator.call("PATCH", f"/meetings/{meeting}", json=body)
    error_of(refused, 409, "voting_started", "voting.method")
    assert stored(app, meeting) == before
    # The details alone may still change after the vote, as on the edit page.
    renamed = facilitator.call("PATCH", f"/meetings/{meeting}", json={"title": "Nytt namn"})
    assert renamed.get_json()["title"] == "Nytt namn"


def test_meeting_patch_details_needs_facilitator(
    app: Flask, client: FlaskClient, observer: Api, planned: int
) -> None:
    before = stored(app, planned)
    error_of(observer.call("PATCH", f"/meetings/{planned}", json={"title": "X"}), 403, "forbidden")
    error_of(
        Api(client).call("PATCH", f"/meetings/{planned}", json={"title": "X"}), 401, "unauthorized"
    )
    assert stored(app, planned) == before


def test_meeting_step_titles_in_languages_written_and_read(
    app: Flask, facilitator: Api, theme_id: int
) -> None:
    agenda = [{"title": "Start", "title_translations": {"ar": "البداية", "so": "", "en": "Start"}}]
    response = facilitator.post(
        f"/themes/{theme_id}/meetings", json={"title": "Kväll", "agenda": agenda}
    )
    assert response.status_code == 201
    created = response.get_json()["agenda"][0]["title_translations"]
    assert created == {"ar": "البداية", "en": "Start"}  # empty ones dropped
    read = facilitator.get(f"/meetings/{response.get_json()['id']}").get_json()
    assert read["agenda"][0]["title_translations"] == created
    for bad, field in [({"de": "x"}, "agenda.0.title.de"), ({"ar": "a\x07b"}, "agenda.0.title.ar")]:
        refused = facilitator.post(
            f"/themes/{theme_id}/meetings",
            json={"title": "K", "agenda": [{"title": "S", "title_translations": bad}]},
        )
        assert refused.status_code == 422, bad
        assert refused.get_json()["error"]["field"] == field, refused.get_json()
    # Each translation is a title, as long as the original may be.
    too_long = {"title": "S", "title_translations": {"fi": "å" * 201}}
    refused = facilitator.post(
        f"/themes/{theme_id}/meetings", json={"title": "K", "agenda": [too_long]}
    )
    assert refused.status_code == 422


def test_meeting_from_template_reads_step_titles_in_every_language(
    app: Flask, facilitator: Api, theme_id: int
) -> None:
    body = facilitator.post(
        f"/themes/{theme_id}/meetings", json={"title": "Kväll", "template": "in_depth_90"}
    ).get_json()
    assert body["agenda"][0]["title"] == "Välkomna och incheckning"
    assert body["agenda"][0]["title_translations"]["en"] == "Welcome and check-in"
    assert set(body["agenda"][0]["title_translations"]) == {"en", "fi", "ar", "so"}


def test_meeting_premoderation_created_read_and_switched(
    app: Flask, facilitator: Api, observer: Api, theme_id: int
) -> None:
    plain = facilitator.call("POST", f"/themes/{theme_id}/meetings", json={"title": "Kväll"})
    assert plain.get_json()["premoderation"] is False  # off by default
    made = facilitator.call(
        "POST", f"/themes/{theme_id}/meetings", json={"title": "Stormöte", "premoderation": True}
    )
    assert made.status_code == 201
    meeting_id = made.get_json()["id"]
    assert observer.get(f"/meetings/{meeting_id}").get_json()["premoderation"] is True
    switched = facilitator.call("PATCH", f"/meetings/{meeting_id}", json={"premoderation": False})
    assert switched.get_json() == {**made.get_json(), "premoderation": False}
    # null and absent leave it as it is
    kept = facilitator.call("PATCH", f"/meetings/{meeting_id}", json={"premoderation": None})
    assert kept.get_json()["premoderation"] is False
    with app.app_context():
        stored_meeting = session().get(Meeting, meeting_id)
        assert stored_meeting is not None
        assert stored_meeting.premoderation is False
    bad = facilitator.call("PATCH", f"/meetings/{meeting_id}", json={"premoderation": "yes"})
    assert bad.status_code == 422


CALL = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_x%40thread.v2/0?context=%7b%7d"


def test_meeting_call_link_create_read_patch(app: Flask, facilitator: Api, theme_id: int) -> None:
    created = facilitator.call(
        "POST",
        f"/themes/{theme_id}/meetings",
        json={"title": "Digitalt", "is_digital": True, "video_url": CALL},
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["video_url"] == CALL
    meeting = body["id"]
    assert facilitator.get(f"/meetings/{meeting}").get_json()["video_url"] == CALL
    # null and leaving it out keep it; "" removes it
    kept = facilitator.call("PATCH", f"/meetings/{meeting}", json={"video_url": None})
    assert kept.get_json()["video_url"] == CALL
    kept = facilitator.call("PATCH", f"/meetings/{meeting}", json={"title": "Nytt"})
    assert kept.get_json()["video_url"] == CALL
    other = "https://zoom.us/j/123456789?pwd=abc"
    moved = facilitator.call("PATCH", f"/meetings/{meeting}", json={"video_url": other})
    assert moved.get_json()["video_url"] == other
    removed = facilitator.call("PATCH", f"/meetings/{meeting}", json={"video_url": ""})
    assert removed.get_json()["video_url"] == ""
    plain = facilitator.call("POST", f"/themes/{theme_id}/meetings", json={"title": "Utan"})
    assert plain.get_json()["video_url"] == ""


@pytest.mark.parametrize(
    "link", ["http://meet.jit.si/x", "javascript:alert(1)", "meet.jit.si/x", "https://"]
)
def test_meeting_call_link_not_https_422(
    app: Flask, facilitator: Api, theme_id: int, planned: int, link: str
) -> None:
    before = count(app, Meeting)
    refused = facilitator.call(
        "POST", f"/themes/{theme_id}/meetings", json={"title": "X", "video_url": link}
    )
    message = error_of(refused, 422, "validation_error", "video_url")
    assert "https://" in message
    assert count(app, Meeting) == before
    before_patch = stored(app, planned)
    patched = facilitator.call("PATCH", f"/meetings/{planned}", json={"video_url": link})
    error_of(patched, 422, "validation_error", "video_url")
    assert stored(app, planned) == before_patch


def test_meeting_call_link_too_long_422(facilitator: Api, planned: int) -> None:
    link = "https://meet.jit.si/" + "x" * 1000
    refused = facilitator.call("PATCH", f"/meetings/{planned}", json={"video_url": link})
    error_of(refused, 422, "validation_error", "video_url")
