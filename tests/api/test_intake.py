"""Conversations over the API: record, list, refuse, tag; every answer matches the document."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from flask import Flask

from api.test_openapi import Api
from facilitate.auth.models import Role
from facilitate.db import session
from facilitate.intake.models import Conversation, Note


def _count(app: Flask) -> tuple[int, int]:
    with app.app_context():
        return (
            session().query(Conversation).count(),
            session().query(Note).count(),
        )


def test_conversation_post_creates_with_notes_and_themes(
    facilitator: Api, intake: dict[str, int]
) -> None:
    response = facilitator.post(
        f"/dialogues/{intake['dialogue']}/conversations",
        json={
            "date": "2021-03-04",
            "channel": "shop",
            "area": "fröslunda ",
            "age_band": "45-64",
            "role": "resident",
            "notes": ["Mörkt vid ICA på kvällen", "  ", "Lamporna i tunneln är sönder"],
            "theme_ids": [intake["light"]],
        },
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["date"] == "2021-03-04"
    assert (body["channel"], body["area"], body["age_band"], body["role"]) == (
        "shop",
        "Fröslunda",
        "45-64",
        "resident",
    )
    assert [n["text"] for n in body["notes"]] == [
        "Mörkt vid ICA på kvällen",
        "Lamporna i tunneln är sönder",
    ]
    assert all(n["theme_ids"] == [intake["light"]] for n in body["notes"])
    listed = facilitator.get(f"/dialogues/{intake['dialogue']}/conversations").get_json()
    assert listed == [body]


def test_conversation_post_refuses_unknown_channel_and_district(
    app: Flask, facilitator: Api, intake: dict[str, int]
) -> None:
    url = f"/dialogues/{intake['dialogue']}/conversations"
    base = {"date": "2021-03-04", "channel": "street", "notes": ["Hej"]}
    cases = [
        ({**base, "channel": "bus"}, "channel"),
        ({**base, "area": "Atlantis"}, "area"),
        ({**base, "age_band": "100-"}, "age_band"),
        ({**base, "role": "mayor"}, "role"),
        ({**base, "notes": []}, "notes"),
        ({**base, "notes": ["   "]}, "notes"),
        ({**base, "theme_ids": [999]}, "theme_ids"),
        ({**base, "date": "2999-01-01"}, "date"),
        ({**base, "date": "yesterday"}, "date"),
        ({**base, "notes": ["x" * 2001]}, "notes"),
    ]
    for body, field in cases:
        response = facilitator.post(url, json=body)
        assert response.status_code == 422, body
        error = response.get_json()["error"]
        assert error["code"] == "validation_error"
        assert error["field"].split(".")[0] == field, (body, error)
        assert error["message"]
    assert (
        "Atlantis"
        in facilitator.post(url, json={**base, "area": "Atlantis"}).get_json()["error"]["message"]
    )
    assert _count(app) == (0, 0)


def test_conversation_post_needs_a_facilitator(
    as_role: Callable[[Role], Api], intake: dict[str, int]
) -> None:
    url = f"/dialogues/{intake['dialogue']}/conversations"
    body = {"date": "2021-03-04", "channel": "street", "notes": ["Hej"]}
    assert as_role(Role.observer).post(url, json=body).status_code == 403
    assert as_role(Role.observer).get(url).status_code == 200
    assert Api(as_role(Role.observer).client).get(url).status_code == 401


def test_note_themes_put_and_note_trail(
    facilitator: Api, intake: dict[str, int], agreed: dict[str, int]
) -> None:
    # ``agreed`` is another dialogue: its theme is not one of this dialogue's
    made = facilitator.post(
        f"/dialogues/{intake['dialogue']}/conversations",
        json={"date": "2021-03-04", "channel": "door", "notes": ["Ungdomar behöver jobb"]},
    ).get_json()
    note_id = made["notes"][0]["id"]
    tagged = facilitator.call(
        "PUT", f"/notes/{note_id}/themes", json={"theme_ids": [intake["work"], intake["police"]]}
    )
    assert tagged.status_code == 200
    assert tagged.get_json()["theme_ids"] == [intake["work"], intake["police"]]
    foreign = facilitator.call("PUT", f"/notes/{note_id}/themes", json={"theme_ids": [99]})
    assert foreign.status_code == 422
    note = facilitator.get(f"/notes/{note_id}").get_json()
    assert [t["title"] for t in note["themes"]] == ["Arbete", "Polisen"]
    assert note["actions"] == []
    assert facilitator.get("/notes/9999").status_code == 404


def _recorded(facilitator: Api, intake: dict[str, int]) -> dict[str, Any]:
    made = facilitator.post(
        f"/dialogues/{intake['dialogue']}/conversations",
        json={
            "date": "2021-03-04",
            "channel": "shop",
            "area": "Fröslunda",
            "age_band": "45-64",
            "notes": ["Mörkt vid ICA", "Lamporna är sönder"],
            "theme_ids": [intake["light"]],
        },
    ).get_json()
    note = made["notes"][0]["id"]
    marked = facilitator.call("PUT", f"/notes/{note}/themes", json={"theme_ids": [intake["light"]]})
    assert marked.status_code == 200
    return cast(dict[str, Any], made)


def test_conversation_patch_changes_what_is_given_and_keeps_tags(
    facilitator: Api, intake: dict[str, int]
) -> None:
    made = _recorded(facilitator, intake)
    first, second = (n["id"] for n in made["notes"])
    response = facilitator.call(
        "PATCH",
        f"/conversations/{made['id']}",
        json={
            "channel": "door",
            "role": "staff",
            "age_band": None,
            "notes": [{"id": first, "text": "Mörkt vid ICA på kvällen"}, {"text": "Ny anteckning"}],
        },
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["date"], body["channel"], body["area"], body["age_band"], body["role"]) == (
        "2021-03-04",
        "door",
        "Fröslunda",
        None,
        "staff",
    )
    assert [(n["id"], n["text"], n["theme_ids"]) for n in body["notes"][:2]] == [
        (first, "Mörkt vid ICA på kvällen", [intake["light"]]),
        (second, "Lamporna är sönder", [intake["light"]]),
    ]
    assert [(n["text"], n["theme_ids"]) for n in body["notes"][2:]] == [("Ny anteckning", [])]
    cleared = facilitator.call("PATCH", f"/conversations/{made['id']}", json={"area": None})
    assert cleared.get_json()["area"] is None


def test_conversation_patch_refuses_as_recording_does_and_changes_nothing(
    facilitator: Api, intake: dict[str, int], agreed: dict[str, int]
) -> None:
    made = _recorded(facilitator, intake)
    other = facilitator.post(
        f"/dialogues/{agreed['dialogue']}/conversations",
        json={"date": "2021-03-04", "channel": "door", "notes": ["Annan dialog"]},
    ).get_json()
    url = f"/conversations/{made['id']}"
    first = made["notes"][0]["id"]
    for body, field in [
        ({"channel": "bus"}, "channel"),
        ({"channel": None}, "channel"),
        ({"area": "Atlantis"}, "area"),
        ({"age_band": "100-"}, "age_band"),
        ({"role": "mayor"}, "role"),
        ({"date": "2999-01-01"}, "date"),
        ({"date": None}, "date"),
        ({"notes": [{"id": first, "text": "  "}]}, "notes"),
        ({"notes": [{"id": first, "text": "x" * 2001}]}, "notes"),
        ({"notes": [{"text": "y"}] * 49}, "notes"),  # 51 in all
        ({"notes": [{"id": other["notes"][0]["id"], "text": "z"}]}, "notes"),
        ({"notes": [{"id": 0, "text": "z"}]}, "notes"),
    ]:
        response = facilitator.call("PATCH", url, json={"role": "staff", **body})
        assert response.status_code == 422, body
        error = response.get_json()["error"]
        assert error["code"] == "validation_error"
        assert error["field"].split(".")[0] == field, (body, error)
    listed = facilitator.get(f"/dialogues/{intake['dialogue']}/conversations").get_json()
    assert listed == [made]
    assert facilitator.call("PATCH", "/conversations/9999", json={}).status_code == 404


def test_conversation_patch_needs_a_facilitator(
    as_role: Callable[[Role], Api], facilitator: Api, intake: dict[str, int]
) -> None:
    made = _recorded(facilitator, intake)
    url = f"/conversations/{made['id']}"
    assert as_role(Role.observer).call("PATCH", url, json={"channel": "door"}).status_code == 403
    assert Api(facilitator.client).call("PATCH", url, json={"channel": "door"}).status_code == 401
