"""Importing in two steps: the upload shows what would be created and writes nothing;
Import writes exactly that, Cancel nothing, and a token that is not ours is refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from test_forms_fuzz import row_counts

from facilitate.auth.models import Role, User
from facilitate.db import session
from facilitate.dialogues import operations as dialogue_ops
from facilitate.intake import pending
from facilitate.intake.models import Conversation

from .test_views import CSV_GOOD, _confirm, _notes, _token, _upload
from .test_views import _links as links

URL = "/dialogues/{}/conversations/import/confirm"
CELL = r"<td[^>]*>(.*?)</td>"


def counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        return row_counts()


def waiting(app: Flask) -> list[str]:
    """Files kept for a preview in the instance folder."""
    folder = Path(app.config["INSTANCE_PATH"]) / "imports"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def cells(page: str, caption: str) -> dict[str, str]:
    table = re.search(rf"<caption>{caption}</caption>(.*?)</table>", page, re.S)
    assert table is not None, caption
    return dict(
        re.findall(r'<th scope="row">(?:<bdi>)?([^<]+)(?:</bdi>)?</th><td>(\d+)</td>', table[1])
    )


def shown_rows(page: str) -> list[list[str]]:
    body = re.search(r'<table class="preview-rows">.*?<tbody>(.*?)</tbody>', page, re.S)
    assert body is not None
    return [
        [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in re.findall(CELL, row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body[1], re.S)
    ]


def test_preview_shows_counts_and_first_rows_and_writes_nothing(
    app: Flask, client: FlaskClient, facilitator: User, intake: dict[str, int]
) -> None:
    before = counts(app)
    status, page = _upload(client, intake["dialogue"], "samtal.csv", CSV_GOOD.encode())
    assert status == 200
    assert counts(app) == before  # not a row anywhere
    assert "samtal.csv" in page
    assert "2 conversations · 3 notes" in page
    assert cells(page, "Conversations by district") == {"Fröslunda": "1", "Not given": "1"}
    assert cells(page, "Conversations by place") == {"In the street": "1", "Outside a shop": "1"}
    assert shown_rows(page) == [
        ["2", "1", "Mar 1, 2021", "In the street", "Fröslunda", "16-19", "Lives in the area",
         "Mörkt i tunneln", "Belysning"],
        ["3", "1", "Mar 1, 2021", "In the street", "Fröslunda", "16-19", "Lives in the area",
         "Vill ha sommarjobb", "Arbete"],
        ["5", "2", "Mar 2, 2021", "Outside a shop", "", "", "Works in the area",
         "Butiken stänger tidigt för att det känns otryggt", "Belysning Polisen"],
    ]  # fmt: skip
    assert len(waiting(app)) == 1

    assert _confirm(client, intake["dialogue"], _token(page)) == 302
    with app.app_context():
        made = session().scalars(sa.select(Conversation).order_by(Conversation.id)).all()
        assert [(c.channel.value, c.area.name if c.area else None) for c in made] == [
            ("street", "Fröslunda"),
            ("shop", None),
        ]
    assert _notes(app) == [
        "Mörkt i tunneln",
        "Vill ha sommarjobb",
        "Butiken stänger tidigt för att det känns otryggt",
    ]
    assert counts(app)["note_themes"] == len(links(app)) == 4
    assert waiting(app) == []  # the file is gone once imported
    listing = client.get(f"/dialogues/{intake['dialogue']}/conversations").get_data(as_text=True)
    assert "Imported 2 conversations with 3 notes." in listing


def test_preview_shows_the_first_ten_rows_and_counts_them_all(
    app: Flask, client: FlaskClient, facilitator: User, intake: dict[str, int]
) -> None:
    rows = "".join(f"2021-03-01;door;Myrtorp;Anteckning {n}\n" for n in range(12))
    status, page = _upload(
        client, intake["dialogue"], "many.csv", ("date;channel;district;note\n" + rows).encode()
    )
    assert status == 200
    assert "12 conversations · 12 notes" in page
    assert cells(page, "Conversations by district") == {"Myrtorp": "12"}
    assert [row[0] for row in shown_rows(page)] == [str(n) for n in range(2, 12)]
    assert "Anteckning 9" in page
    assert "Anteckning 10" not in page
    assert _confirm(client, intake["dialogue"], _token(page)) == 302
    assert len(_notes(app)) == 12


def test_a_bad_file_lists_every_problem_and_offers_no_import(
    app: Flask, client: FlaskClient, facilitator: User, intake: dict[str, int]
) -> None:
    bad = "date;channel;note\n2021-03-01;bus;Hej\n2021-03-01;door;\n"
    status, page = _upload(client, intake["dialogue"], "fel.csv", bad.encode())
    assert status == 422
    assert dict(re.findall(r"<tr><td>(\d+)</td><td>([^<]+)</td></tr>", page)).keys() == {"2", "3"}
    assert 'name="token"' not in page
    assert waiting(app) == []


def test_cancel_imports_nothing_and_forgets_the_file(
    app: Flask, client: FlaskClient, facilitator: User, intake: dict[str, int]
) -> None:
    before = counts(app)
    _, page = _upload(client, intake["dialogue"], "samtal.csv", CSV_GOOD.encode())
    token = _token(page)
    assert _confirm(client, intake["dialogue"], token, button="cancel") == 302
    assert counts(app) == before
    assert waiting(app) == []
    assert _confirm(client, intake["dialogue"], token) == 422  # nothing left to import
    assert counts(app) == before


def test_import_happens_once_however_often_it_is_pressed(
    app: Flask, client: FlaskClient, facilitator: User, intake: dict[str, int]
) -> None:
    _, page = _upload(client, intake["dialogue"], "samtal.csv", CSV_GOOD.encode())
    token = _token(page)
    assert _confirm(client, intake["dialogue"], token) == 302
    again = client.post(URL.format(intake["dialogue"]), data={"token": token, "confirm": "1"})
    assert again.status_code == 422
    assert "upload the file again" in again.get_data(as_text=True)
    assert len(_notes(app)) == 3


def _tampered(token: str) -> str:
    """One character of the signed payload changed."""
    at = token.index(".", 1) // 2
    return token[:at] + ("A" if token[at] != "A" else "B") + token[at + 1 :]


def test_a_token_that_is_not_this_preview_is_refused(
    app: Flask,
    client: FlaskClient,
    facilitator: User,
    intake: dict[str, int],
    agreed: dict[str, int],
    make_user: object,
) -> None:
    before = counts(app)
    _, page = _upload(client, intake["dialogue"], "samtal.csv", CSV_GOOD.encode())
    token = _token(page)
    for dialogue, sent in [
        (intake["dialogue"], _tampered(token)),  # altered
        (intake["dialogue"], token[:-2]),  # signature cut
        (intake["dialogue"], "x"),
        (intake["dialogue"], ""),
        (agreed["dialogue"], token),  # another dialogue's page
    ]:
        response = client.post(URL.format(dialogue), data={"token": sent, "confirm": "1"})
        assert response.status_code == 422, sent
        assert "upload the file again" in response.get_data(as_text=True)
    assert counts(app) == before
    assert len(waiting(app)) == 1  # the genuine preview can still be confirmed
    assert _confirm(client, intake["dialogue"], token) == 302


def test_another_facilitator_cannot_confirm_my_preview(
    app: Flask,
    client: FlaskClient,
    facilitator: User,
    intake: dict[str, int],
    make_user: object,
    login: object,
) -> None:
    _, page = _upload(client, intake["dialogue"], "samtal.csv", CSV_GOOD.encode())
    token = _token(page)
    client.post("/logout")
    login(make_user(Role.facilitator))  # type: ignore[operator]
    assert _confirm(client, intake["dialogue"], token) == 422
    assert _notes(app) == []


def test_an_old_preview_expires(
    app: Flask,
    client: FlaskClient,
    facilitator: User,
    intake: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, page = _upload(client, intake["dialogue"], "samtal.csv", CSV_GOOD.encode())
    monkeypatch.setattr(pending, "MAX_AGE", -1)  # every token is too old now
    assert _confirm(client, intake["dialogue"], _token(page)) == 422
    assert _notes(app) == []


def test_a_dialogue_changed_since_the_preview_is_previewed_again(
    app: Flask, client: FlaskClient, facilitator: User, intake: dict[str, int]
) -> None:
    # Theme 1 is Belysning when the preview is made, Arbete when Import is pressed.
    data = "date;channel;note;themes\n2021-03-01;door;Mörkt;1\n"
    _, page = _upload(client, intake["dialogue"], "samtal.csv", data.encode())
    with app.app_context():
        dialogue_ops.move_theme(dialogue_ops.get_theme(intake["light"]), 1)
        session().commit()
    response = client.post(
        URL.format(intake["dialogue"]), data={"token": _token(page), "confirm": "1"}
    )
    assert response.status_code == 409
    again = response.get_data(as_text=True)
    assert "changed since the preview" in again
    assert _notes(app) == []
    assert shown_rows(again)[0][-1] == "Arbete"
    confirmed = client.post(
        URL.format(intake["dialogue"]), data={"token": _token(again), "confirm": "1"}
    )
    assert confirmed.status_code == 302, confirmed.get_data(as_text=True)
    assert [theme for _, theme, _ in links(app)] == [intake["work"]]


def test_observers_neither_preview_nor_confirm(
    app: Flask, client: FlaskClient, observer_login: User, intake: dict[str, int]
) -> None:
    status, _ = _upload(client, intake["dialogue"], "samtal.csv", CSV_GOOD.encode())
    assert status == 403
    assert _confirm(client, intake["dialogue"], "x") == 403
    assert waiting(app) == []
