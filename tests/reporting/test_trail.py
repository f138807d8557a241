"""The trail from a note to an action item, through the pages and the API, public and staff."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from api.test_openapi import Api
from flask import Flask
from flask.testing import FlaskClient

from facilitate.actions.models import ActionItem
from facilitate.auth.models import Role, User
from facilitate.db import session
from facilitate.intake import operations as intake_ops
from facilitate.intake.models import Note


@pytest.fixture
def traced(app: Flask, agreed: dict[str, int]) -> dict[str, int]:
    """Two conversations in the agreed item's theme, one quote marked; one untagged note."""
    import datetime as dt

    with app.app_context():
        item = session().get(ActionItem, agreed["item"])
        assert item is not None
        for area, text in (("Fröslunda", "Skolvägen är becksvart på vintern"), (None, "Rädd")):
            intake_ops.record_conversation(
                item.dialogue,
                intake_ops.ConversationSpec(
                    held_on=dt.date(2021, 1, 10),
                    channel="door",
                    area=area,
                    age_band="65-",
                    notes=[text],
                    theme_ids=[item.theme_id],
                ),
                user_id=None,
            )
        quote = session().query(Note).filter_by(text="Skolvägen är becksvart på vintern").one()
        intake_ops.set_representative(quote, item.theme, True)
        session().commit()
        return {**agreed, "note": quote.id, "theme": item.theme_id}


def _steps(page: str) -> list[str]:
    return re.findall(r"<h3>([^<]+)</h3>", page)


def test_trail_page_shows_the_whole_chain(
    client: FlaskClient, observer_login: User, traced: dict[str, int]
) -> None:
    page = client.get(f"/actions/{traced['item']}").get_data(as_text=True)
    assert _steps(page) == [
        "What people said in the first conversations",
        "Theme",
        "Meetings",
        "What was said in the meeting",
        "Proposal",
        "Vote",
        "Decision",
        "Since then",
    ]
    assert "2 notes · 2 conversations" in page
    assert "Skolvägen är becksvart på vintern" in page  # the marked quote
    assert ">Rädd<" not in page  # unmarked notes are counted, not quoted
    assert "Det är mörkt vid skolan" in page  # the contribution, for staff
    assert "Yes: 1 · No: 0" in page
    listing = client.get(f"/dialogues/{traced['dialogue']}/actions").get_data(as_text=True)
    assert f'href="/actions/{traced["item"]}"' in listing


def test_public_feedback_shows_the_chain_without_personal_data(
    client: FlaskClient, traced: dict[str, int]
) -> None:
    page = client.get(f"/d/{traced['dialogue']}/feedback").get_data(as_text=True)
    assert "How we got here" in page
    assert "Skolvägen är becksvart på vintern" in page
    assert "1 contribution led to the proposal" in page
    for private in ("Det är mörkt vid skolan", "Fröslunda", "65-", "Anna"):
        assert private not in page


def test_trail_from_note_to_action_over_the_api(
    as_role: Callable[[Role], Api], traced: dict[str, int]
) -> None:
    api = as_role(Role.observer)
    note = api.get(f"/notes/{traced['note']}").get_json()
    assert note["note"]["representative_in"] == [traced["theme"]]
    (action,) = note["actions"]
    assert action == {"id": traced["item"], "title": "Belys skolvägen", "status": "proposed"}
    trail = api.get(f"/actions/{action['id']}/trail").get_json()
    assert trail["notes"] == {
        "count": 2,
        "conversations": 2,
        "quotes": ["Skolvägen är becksvart på vintern"],
    }
    assert trail["theme"] == {"id": traced["theme"], "title": "Belysning"}
    assert [m["title"] for m in trail["meetings"]] == ["Kväll"]
    assert trail["contributions"] == ["Det är mörkt vid skolan"]
    assert trail["proposal"]["title"] == "Belys skolvägen"
    assert trail["vote"] == {"yes": 1, "no": 0}
    assert trail["decision"]["at"]
    assert [s["to_status"] for s in trail["status_changes"]] == ["proposed"]


def test_exports_and_report_carry_the_evidence(
    client: FlaskClient, observer_login: User, traced: dict[str, int]
) -> None:
    from pdf_text import pdf_text

    csv = client.get(f"/dialogues/{traced['dialogue']}/actions.csv").data.decode("utf-8-sig")
    assert "First conversations" in csv
    assert "2 notes from 2 conversations | “Skolvägen är becksvart på vintern”" in csv
    pdf = pdf_text(client.get(f"/dialogues/{traced['dialogue']}/actions.pdf").data)
    assert "2 notes from 2 conversations" in pdf.replace("\n", " ")
    report = client.get(f"/meetings/{traced['meeting']}/report").get_data(as_text=True)
    assert "2 notes from 2 conversations support this theme." in report
    assert "Skolvägen är becksvart på vintern" in report
    text = pdf_text(client.get(f"/meetings/{traced['meeting']}/report.pdf").data)
    assert "support this theme" in text.replace("\n", " ")
