"""The action list and proposals over the API: contents, changes with history, refusals."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api.test_openapi import Api
from facilitate.actions import operations as action_ops
from facilitate.db import session
from facilitate.dialogues import operations as dialogue_ops
from facilitate.live import participants
from facilitate.live.views_json import Viewer, ViewerRole
from facilitate.meetings import operations as meeting_ops
from facilitate.meetings.models import MeetingStatus
from facilitate.proposals import operations as proposal_ops


def test_actions_list_traces_each_item(observer: Api, agreed: dict[str, int]) -> None:
    (item,) = observer.get(f"/dialogues/{agreed['dialogue']}/actions").get_json()
    assert item["title"] == "Belys skolvägen"
    assert item["theme"]["title"] == "Belysning"
    assert item["due_date"] == "2027-05-31"
    assert item["status"] == "proposed"
    assert item["origin"] == {
        "meeting_id": agreed["meeting"],
        "meeting": "Kväll",
        "proposal_id": agreed["proposal"],
        "sources": ["Det är mörkt vid skolan"],
        "tally": {"yes": 1, "no": 0},
    }
    assert [h["to_status"] for h in item["history"]] == ["proposed"]


def test_action_patch_changes_and_keeps_history(facilitator: Api, agreed: dict[str, int]) -> None:
    url = f"/actions/{agreed['item']}"
    response = facilitator.call(
        "PATCH",
        url,
        json={
            "owner": "Tekniska förvaltningen",
            "contact": "gata@example.org",
            "status": "accepted",
        },
    )
    assert response.status_code == 200
    body = response.get_json()
    assert (body["owner"], body["status"]) == ("Tekniska förvaltningen", "accepted")
    assert [(h["from_status"], h["to_status"]) for h in body["history"]] == [
        (None, "proposed"),
        ("proposed", "accepted"),
    ]
    cleared = facilitator.call("PATCH", url, json={"due_date": None}).get_json()
    assert cleared["due_date"] is None
    assert cleared["owner"] == "Tekniska förvaltningen"  # untouched when not given


def test_action_declined_needs_public_note(facilitator: Api, agreed: dict[str, int]) -> None:
    url = f"/actions/{agreed['item']}"
    refused = facilitator.call("PATCH", url, json={"status": "declined"})
    assert refused.status_code == 422
    assert refused.get_json()["error"]["field"] == "public_note"
    note = {"status": "declined", "public_note": "Gatan är privat; vi har kontaktat ägaren."}
    assert facilitator.call("PATCH", url, json=note).get_json()["status"] == "declined"


@pytest.mark.parametrize(
    "body",
    [{"status": "finished"}, {"due_date": "31/5"}, {"owner": 5}, {"colour": "red"}],
)
def test_action_patch_bad_input_changes_nothing(
    facilitator: Api, agreed: dict[str, int], body: dict[str, object]
) -> None:
    before = facilitator.get(f"/dialogues/{agreed['dialogue']}/actions").get_json()
    assert facilitator.call("PATCH", f"/actions/{agreed['item']}", json=body).status_code == 422
    assert facilitator.get(f"/dialogues/{agreed['dialogue']}/actions").get_json() == before


def test_proposals_listed_with_tally(observer: Api, agreed: dict[str, int]) -> None:
    listed = observer.get(f"/meetings/{agreed['meeting']}/proposals").get_json()
    assert [(p["title"], p["status"], p["tally"]) for p in listed] == [
        ("Belys skolvägen", "agreed", {"yes": 1, "no": 0}),
        ("Fler bänkar", "open", {"yes": 0, "no": 0}),
    ]


def test_meeting_voting_patch_until_a_vote_opens(
    facilitator: Api, agreed: dict[str, int], app: Flask
) -> None:
    refused = facilitator.call(
        "PATCH", f"/meetings/{agreed['meeting']}", json={"voting": {"method": "dots"}}
    )
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "voting_started"
    with app.app_context():
        theme = dialogue_ops.get_dialogue(agreed["dialogue"]).themes[0]
        fresh = meeting_ops.create_meeting(theme, "Nästa")
        session().commit()
        fresh_id = fresh.id
    changed = facilitator.call(
        "PATCH", f"/meetings/{fresh_id}", json={"voting": {"method": "dots", "dots": 5, "cap": 2}}
    )
    assert changed.status_code == 200
    assert changed.get_json()["voting"] == {
        "method": "dots",
        "dots": 5,
        "cap": 2,
        "results": "hidden",
    }


def test_action_list_filters(app: Flask, agreed: dict[str, int]) -> None:
    with app.app_context():
        dialogue = dialogue_ops.get_dialogue(agreed["dialogue"])
        by_area = action_ops.list_items(dialogue, action_ops.Filters(area_id=agreed["area"]))
        assert [i.id for i in by_area] == [agreed["item"]]
        other_area = next(a.id for a in dialogue.areas if a.id != agreed["area"])
        assert action_ops.list_items(dialogue, action_ops.Filters(area_id=other_area)) == []
        assert action_ops.list_items(dialogue, action_ops.Filters(status="done")) == []
        assert len(action_ops.list_items(dialogue, action_ops.Filters(owner=""))) == 1


def test_proposals_for_participant_token_hide_counts_until_public(
    app: Flask, client: FlaskClient, agreed: dict[str, int]
) -> None:
    with app.app_context():
        theme = dialogue_ops.get_dialogue(agreed["dialogue"]).themes[0]
        meeting = meeting_ops.create_meeting(theme, "Dots, dolda resultat")
        meeting.status = MeetingStatus.open
        _, token = participants.join(meeting)
        staff = Viewer(meeting.id, ViewerRole.facilitator)
        proposal_ops.add_proposal(meeting, staff, None, "Trygga gångvägar")
        proposal_ops.open_voting(meeting)
        session().commit()
        hidden_id = meeting.id
        _, other_token = participants.join(meeting_ops.get_meeting(agreed["meeting"]))
        session().commit()
    phone = Api(client, token)
    (listed,) = phone.get(f"/meetings/{hidden_id}/proposals").get_json()
    assert listed["tally"] is None  # hidden until the vote closes
    assert Api(client, other_token).get(f"/meetings/{hidden_id}/proposals").status_code == 404
    assert phone.get("/dialogues").status_code == 403  # a participant token reads no more
    with app.app_context():
        proposal_ops.close_voting(meeting_ops.get_meeting(hidden_id))
        session().commit()
    (closed,) = phone.get(f"/meetings/{hidden_id}/proposals").get_json()
    assert closed["tally"] == {"dots": 0, "voters": 0}
