"""Editing a recorded conversation through its page: details and note texts change, every
note keeps its themes and quote marks, and a refusal leaves everything as it was."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import PASSWORD, make_config
from flask import Flask
from flask.testing import FlaskClient

from facilitate import create_app
from facilitate.auth import operations as auth_ops
from facilitate.auth.models import User
from facilitate.db import session
from facilitate.dialogues import operations as dialogue_ops
from facilitate.dialogues.models import Area
from facilitate.extensions import db
from facilitate.intake import operations as intake_ops
from facilitate.intake.models import NOTES_MAX, Conversation, NoteTheme
from facilitate.models import Base


def _area(app: Flask, name: str) -> int:
    with app.app_context():
        return session().scalars(sa.select(Area.id).where(Area.name == name)).one()


@pytest.fixture
def recorded(app: Flask, intake: dict[str, int]) -> dict[str, int]:
    """A conversation in Fröslunda with two notes: the first in two themes (a marked quote
    in one), the second untagged."""
    with app.app_context():
        dialogue = dialogue_ops.get_dialogue(intake["dialogue"])
        conversation = intake_ops.record_conversation(
            dialogue,
            intake_ops.ConversationSpec(
                held_on=dt.date(2021, 3, 1),
                channel="street",
                area="Fröslunda",
                age_band="16-19",
                role="resident",
                notes=["Mörkt i tunneln", "Vill ha sommarjobb"],
            ),
            user_id=None,
        )
        first, second = conversation.notes
        intake_ops.set_note_themes(first, [intake["light"], intake["police"]])
        intake_ops.set_representative(first, dialogue_ops.get_theme(intake["light"]), True)
        session().commit()
        return {"conversation": conversation.id, "first": first.id, "second": second.id}


def state(app: Flask, conversation_id: int) -> dict[str, Any]:
    """Everything an edit may touch, to compare before and after."""
    with app.app_context():
        conversation = session().get(Conversation, conversation_id)
        assert conversation is not None
        return {
            "held_on": conversation.held_on,
            "channel": conversation.channel.value,
            "area": conversation.area.name if conversation.area else None,
            "age_band": conversation.age_band.value if conversation.age_band else None,
            "role": conversation.role.value if conversation.role else None,
            "notes": [(n.id, n.text) for n in conversation.notes],
            "links": [
                tuple(row)
                for row in session().execute(
                    sa.select(
                        NoteTheme.note_id, NoteTheme.theme_id, NoteTheme.representative
                    ).order_by(NoteTheme.note_id, NoteTheme.theme_id)
                )
            ],
        }


def form_of(page: str) -> dict[str, str]:
    """The edit form as the browser would send it unchanged."""
    data = dict(re.findall(r'<input[^>]*name="(held_on)"[^>]*value="([^"]*)"', page))
    data["channel"] = re.findall(r'<input checked[^>]*name="channel"[^>]*value="(\w+)"', page)[0]
    for name in ("area", "age_band", "role"):
        select = re.search(rf'<select[^>]*name="{name}".*?</select>', page, re.S)
        assert select is not None
        chosen = re.search(r'<option selected value="([^"]*)"', select.group(0))
        data[name] = chosen.group(1) if chosen else ""
    for name, text in re.findall(
        r'<textarea[^>]*name="(notes_\d+)"[^>]*>\s*([^<]*)</textarea>', page
    ):
        data[name] = text
    data["new_notes"] = ""
    return data


def test_edit_changes_details_and_texts_and_keeps_every_tag(
    app: Flask, client: FlaskClient, facilitator: User, recorded: dict[str, int]
) -> None:
    url = f"/conversations/{recorded['conversation']}/edit"
    before = state(app, recorded["conversation"])
    page = client.get(url).get_data(as_text=True)
    data = form_of(page)
    assert data == {
        "held_on": "2021-03-01",
        "channel": "street",
        "area": str(_area(app, "Fröslunda")),
        "age_band": "16-19",
        "role": "resident",
        f"notes_{recorded['first']}": "Mörkt i tunneln",
        f"notes_{recorded['second']}": "Vill ha sommarjobb",
        "new_notes": "",
    }
    assert "Belysning" in page  # each note shows the themes it keeps
    response = client.post(
        url,
        data={
            **data,
            "held_on": "2021-03-02",
            "channel": "shop",
            "area": str(_area(app, "Myrtorp")),
            "age_band": "",
            "role": "staff",
            f"notes_{recorded['first']}": "Mörkt i gångtunneln på kvällen",
            "new_notes": "Fler vuxna ute\n\n  ",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/conversations/{recorded['conversation']}"
    after = state(app, recorded["conversation"])
    assert after["links"] == before["links"]  # both themes, and the quote mark, kept
    assert after["notes"][:2] == [
        (recorded["first"], "Mörkt i gångtunneln på kvällen"),
        (recorded["second"], "Vill ha sommarjobb"),
    ]
    assert [text for _, text in after["notes"][2:]] == ["Fler vuxna ute"]  # no theme yet
    assert {k: after[k] for k in ("held_on", "channel", "area", "age_band", "role")} == {
        "held_on": dt.date(2021, 3, 2),
        "channel": "shop",
        "area": "Myrtorp",
        "age_band": None,
        "role": "staff",
    }
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The conversation was saved." in shown
    assert "Mörkt i gångtunneln på kvällen" in shown


def test_edit_links_on_the_list_and_the_conversation_page(
    client: FlaskClient, facilitator: User, intake: dict[str, int], recorded: dict[str, int]
) -> None:
    edit = f'href="/conversations/{recorded["conversation"]}/edit"'
    listing = client.get(f"/dialogues/{intake['dialogue']}/conversations").get_data(as_text=True)
    assert edit in listing
    assert f'href="/conversations/{recorded["conversation"]}"' in listing
    assert edit in client.get(f"/conversations/{recorded['conversation']}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"note": "   "}, "A note cannot be empty."),
        ({"note": "x" * 2001}, "At most 2000 characters."),
        ({"new_notes": "y" * 2001}, "At most 2000 characters."),
        ({"new_notes": "ny\n" * (NOTES_MAX - 1)}, f"At most {NOTES_MAX} notes"),
        ({"held_on": "2999-01-01"}, "The date is in the future."),
        ({"held_on": ""}, "Give the date of the conversation."),
        ({"channel": "bus"}, "Not a valid choice"),
        ({"area": "999"}, "Not a valid choice"),
        ({"age_band": "100-"}, "Not a valid choice"),
    ],
)
def test_edit_refusals_show_the_form_and_change_nothing(
    app: Flask,
    client: FlaskClient,
    facilitator: User,
    recorded: dict[str, int],
    change: dict[str, str],
    message: str,
) -> None:
    url = f"/conversations/{recorded['conversation']}/edit"
    before = state(app, recorded["conversation"])
    data = form_of(client.get(url).get_data(as_text=True))
    # A good change beside the bad one must not be saved either.
    data |= {"role": "staff", "new_notes": "Ska inte sparas"}
    if "note" in change:
        data[f"notes_{recorded['first']}"] = change.pop("note")
    response = client.post(url, data={**data, **change})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page
    assert ({**data, **change}["new_notes"][:50]) in page  # the form again, as typed
    assert state(app, recorded["conversation"]) == before


def test_a_district_archived_since_stays_but_cannot_be_chosen(
    app: Flask, client: FlaskClient, facilitator: User, recorded: dict[str, int]
) -> None:
    fröslunda, lagersberg = _area(app, "Fröslunda"), _area(app, "Lagersberg")
    with app.app_context():
        for area_id in (fröslunda, lagersberg):
            area = session().get(Area, area_id)
            assert area is not None
            dialogue_ops.set_area_archived(area, True)
        session().commit()
    url = f"/conversations/{recorded['conversation']}/edit"
    page = client.get(url).get_data(as_text=True)
    assert f'value="{fröslunda}"' in page
    assert f'value="{lagersberg}"' not in page
    data = form_of(page)
    assert client.post(url, data={**data, "channel": "door"}).status_code == 302
    assert state(app, recorded["conversation"])["area"] == "Fröslunda"
    refused = client.post(url, data={**data, "area": str(lagersberg)})
    assert refused.status_code == 422
    assert state(app, recorded["conversation"])["area"] == "Fröslunda"


def test_edit_of_an_archived_dialogue_is_refused(
    app: Flask, client: FlaskClient, facilitator: User, recorded: dict[str, int]
) -> None:
    url = f"/conversations/{recorded['conversation']}/edit"
    data = form_of(client.get(url).get_data(as_text=True))
    before = state(app, recorded["conversation"])
    with app.app_context():
        conversation = session().get(Conversation, recorded["conversation"])
        assert conversation is not None
        dialogue_ops.archive_dialogue(conversation.dialogue)
        session().commit()
    response = client.post(url, data={**data, "channel": "door"})
    assert response.status_code == 422
    assert "The dialogue is archived." in response.get_data(as_text=True)
    assert state(app, recorded["conversation"]) == before


def test_only_facilitators_edit(
    app: Flask, client: FlaskClient, observer_login: User, recorded: dict[str, int]
) -> None:
    url = f"/conversations/{recorded['conversation']}/edit"
    before = state(app, recorded["conversation"])
    page = client.get(f"/conversations/{recorded['conversation']}")
    assert page.status_code == 200  # observers read
    assert url not in page.get_data(as_text=True)
    assert client.get(url).status_code == 403
    assert client.post(url, data={"held_on": "2021-01-01", "channel": "door"}).status_code == 403
    client.post("/logout")
    assert client.get(url).status_code == 302  # to the login page
    assert state(app, recorded["conversation"]) == before
    assert client.get("/conversations/9999/edit").status_code in (302, 404)


def test_edit_with_csrf_needs_the_token(tmp_path: Path) -> None:
    app = create_app(make_config(tmp_path, WTF_CSRF_ENABLED=True))
    with app.app_context():
        Base.metadata.create_all(db.engine)
        auth_ops.create_user("f@example.org", name=None, password=PASSWORD, role="facilitator")
        dialogue = dialogue_ops.create_dialogue("Trygghet", areas=["Fröslunda"])
        conversation = intake_ops.record_conversation(
            dialogue,
            intake_ops.ConversationSpec(held_on=dt.date(2021, 3, 1), channel="door", notes=["A"]),
            user_id=None,
        )
        session().commit()
        url, note = f"/conversations/{conversation.id}/edit", conversation.notes[0].id
    client = app.test_client()
    token: Callable[[str], str] = lambda page: re.findall(  # noqa: E731
        r'name="csrf_token"[^>]*value="([^"]+)"', page
    )[0]
    login = client.get("/login").get_data(as_text=True)
    client.post(
        "/login", data={"email": "f@example.org", "password": PASSWORD, "csrf_token": token(login)}
    )
    page = client.get(url).get_data(as_text=True)
    data = {"held_on": "2021-03-01", "channel": "door", f"notes_{note}": "B"}
    assert client.post(url, data=data).status_code == 400
    assert client.post(url, data={**data, "csrf_token": token(page)}).status_code == 302
    with app.app_context():
        assert session().scalars(sa.select(Conversation)).one().notes[0].text == "B"
        db.engine.dispose()
