"""Intake pages: record a conversation, import a spreadsheet, tag, move, merge, evidence."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa
import xlsxwriter
from flask import Flask
from flask.testing import FlaskClient

from facilitate.actions.models import ActionItem
from facilitate.auth.models import User
from facilitate.db import session
from facilitate.dialogues.models import Theme
from facilitate.intake.models import Conversation, Note, NoteTheme


def _links(app: Flask) -> list[tuple[int, int, bool]]:
    with app.app_context():
        rows = session().execute(
            sa.select(NoteTheme.note_id, NoteTheme.theme_id, NoteTheme.representative).order_by(
                NoteTheme.note_id, NoteTheme.theme_id
            )
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def _notes(app: Flask) -> list[str]:
    with app.app_context():
        return list(session().scalars(sa.select(Note.text).order_by(Note.id)))


def test_conversation_form_records_notes_per_line(
    app: Flask, client: FlaskClient, facilitator: User, intake: dict[str, int]
) -> None:
    url = f"/dialogues/{intake['dialogue']}/conversations/new"
    page = client.get(url).get_data(as_text=True)
    assert "personal details" in page
    response = client.post(
        url,
        data={
            "held_on": "2021-02-01",
            "channel": "door",
            "area": "",
            "age_band": "65-",
            "role": "resident",
            "notes": "Rädd att gå ut på kvällen\n\n  Ingen polis syns  \n",
            "themes": [str(intake["police"])],
        },
    )
    assert response.status_code == 302
    assert _notes(app) == ["Rädd att gå ut på kvällen", "Ingen polis syns"]
    assert {theme for _, theme, _ in _links(app)} == {intake["police"]}
    listing = client.get(f"/dialogues/{intake['dialogue']}/conversations").get_data(as_text=True)
    assert "Rädd att gå ut på kvällen" in listing
    assert "At the door" in listing


def test_conversation_form_refuses_bad_input_and_saves_nothing(
    app: Flask, client: FlaskClient, facilitator: User, intake: dict[str, int]
) -> None:
    url = f"/dialogues/{intake['dialogue']}/conversations/new"
    good = {"held_on": "2021-02-01", "channel": "door", "notes": "Hej"}
    for data, message in [
        ({**good, "notes": "  \n "}, "Write at least one note or quote."),
        ({**good, "held_on": "2999-01-01"}, "The date is in the future."),
        ({**good, "channel": "bus"}, "Not a valid choice"),
        ({**good, "notes": "x" * 2001}, "At most 2000 characters."),
    ]:
        response = client.post(url, data=data)
        assert response.status_code == 422, data
        assert message in response.get_data(as_text=True)
    assert _notes(app) == []


def test_observer_cannot_record_or_tag(
    client: FlaskClient, observer_login: User, intake: dict[str, int]
) -> None:
    base = f"/dialogues/{intake['dialogue']}/conversations"
    assert client.get(base).status_code == 200
    assert client.get(base + "/new").status_code == 403
    assert client.post(base + "/import").status_code == 403
    assert client.post("/notes/1/tag", data={"theme_id": intake["light"]}).status_code == 403
    assert client.post(f"/themes/{intake['light']}/merge").status_code == 403


CSV_GOOD = (
    "conversation;date;channel;district;age_band;role;note;themes\n"
    "1;2021-03-01;street;Fröslunda;16-19;resident;Mörkt i tunneln;1\n"
    "1;2021-03-01;street;Fröslunda;16-19;resident;Vill ha sommarjobb;Arbete\n"
    "\n"
    ';2021-03-02;shop;;;staff;Butiken stänger tidigt för att det känns otryggt;"1; 3"\n'
)


def _upload(client: FlaskClient, dialogue: int, name: str, data: bytes) -> tuple[int, str]:
    response = client.post(
        f"/dialogues/{dialogue}/conversations/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    return response.status_code, response.get_data(as_text=True)


TOKEN = re.compile(r'name="token" type="hidden" value="([^"]+)"')


def _token(page: str) -> str:
    found = TOKEN.search(page)
    assert found, page
    return found.group(1)


def _confirm(client: FlaskClient, dialogue: int, token: str, button: str = "confirm") -> int:
    response = client.post(
        f"/dialogues/{dialogue}/conversations/import/confirm", data={"token": token, button: "1"}
    )
    return response.status_code


def _import(client: FlaskClient, dialogue: int, name: str, data: bytes) -> int:
    """Upload, see the preview, press Import: the confirmation's status."""
    status, page = _upload(client, dialogue, name, data)
    assert status == 200, page
    return _confirm(client, dialogue, _token(page))


def test_import_csv_groups_rows_into_conversations(
    app: Flask, client: FlaskClient, facilitator: User, intake: dict[str, int]
) -> None:
    assert _import(client, intake["dialogue"], "samtal.csv", CSV_GOOD.encode("utf-8-sig")) == 302
    with app.app_context():
        conversations = session().scalars(sa.select(Conversation).order_by(Conversation.id)).all()
        assert [(c.channel.value, len(c.notes)) for c in conversations] == [
            ("street", 2),
            ("shop", 1),
        ]
        assert conversations[0].area is not None
        assert conversations[0].area.name == "Fröslunda"
        assert [n.theme_ids for n in conversations[0].notes] == [
            [intake["light"]],
            [intake["work"]],
        ]
        assert sorted(conversations[1].notes[0].theme_ids) == [intake["light"], intake["police"]]


def test_import_xlsx_with_date_cells(
    app: Flask, client: FlaskClient, facilitator: User, intake: dict[str, int]
) -> None:
    import datetime as dt

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    when = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, ["Date", "Channel", "Note", "Themes"])
    sheet.write_datetime(1, 0, dt.datetime(2021, 4, 5, tzinfo=None), when)  # noqa: DTZ001  # a cell has no zone
    sheet.write_row(1, 1, ["digital", "Fler vuxna ute på kvällarna", 3])
    sheet.write_string(2, 0, "2021-04-06")
    sheet.write_row(2, 1, ["meeting", "Trasiga lampor"])
    book.close()
    assert _import(client, intake["dialogue"], "paper.XLSX", buffer.getvalue()) == 302
    assert _notes(app) == ["Fler vuxna ute på kvällarna", "Trasiga lampor"]
    with app.app_context():
        dates = session().scalars(sa.select(Conversation.held_on).order_by(Conversation.id)).all()
        assert dates == [dt.date(2021, 4, 5), dt.date(2021, 4, 6)]
    assert [theme for _, theme, _ in _links(app)] == [intake["police"]]


def test_import_reports_every_bad_row_and_imports_nothing(
    app: Flask, client: FlaskClient, facilitator: User, intake: dict[str, int]
) -> None:
    bad = (
        "conversation,date,channel,district,note,themes\n"
        "1,2021-03-01,street,Fröslunda,Bra,\n"
        "2,03/01/2021,street,,Datum fel,\n"
        "3,2021-03-01,bus,,Kanal fel,\n"
        "4,2021-03-01,door,Atlantis,Område fel,\n"
        "5,2021-03-01,door,,,\n"
        "6,2021-03-01,door,,Tema fel,99\n"
        "7,2021-03-01,door,,En cell för mycket,,extra\n"
        "1,2021-03-02,street,Fröslunda,Annat datum i samma samtal,\n"
    )
    status, page = _upload(client, intake["dialogue"], "fel.csv", bad.encode())
    assert status == 422
    rows = dict(re.findall(r"<tr><td>(\d+)</td><td>([^<]+)</td></tr>", page))
    assert set(rows) == {"3", "4", "5", "6", "7", "8", "9"}
    assert "YYYY-MM-DD" in rows["3"]
    assert "channel" in rows["4"]
    assert "Atlantis" in rows["5"]
    assert "at least one note" in rows["6"]
    assert "theme" in rows["7"].lower()
    assert "more cells" in rows["8"]
    assert "line 2" in rows["9"]
    assert _notes(app) == []


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.pdf", b"%PDF", "Upload a .csv or .xlsx file."),
        ("notes.xlsx", b"not a zip", "not a readable XLSX"),
        ("notes.csv", b"", "The file is empty."),
        ("notes.csv", b"date;channel;note\n", "no rows under its header"),
        ("notes.csv", b"datum;kanal;anteckning\n2021-01-01;door;x\n", "header row"),
    ],
)
def test_import_refuses_unreadable_files(
    app: Flask,
    client: FlaskClient,
    facilitator: User,
    intake: dict[str, int],
    name: str,
    data: bytes,
    message: str,
) -> None:
    status, page = _upload(client, intake["dialogue"], name, data)
    assert status == 422
    assert message in page
    assert _notes(app) == []


def test_import_reads_windows_1252_csv(
    app: Flask, client: FlaskClient, facilitator: User, intake: dict[str, int]
) -> None:
    data = "date;channel;district;note\n2021-03-01;door;Fröslunda;Gå hem från bussen\n"
    assert _import(client, intake["dialogue"], "excel.csv", data.encode("cp1252")) == 302
    assert _notes(app) == ["Gå hem från bussen"]


def _record(client: FlaskClient, dialogue: int, notes: str, themes: list[int]) -> None:
    response = client.post(
        f"/dialogues/{dialogue}/conversations/new",
        data={"held_on": "2021-02-01", "channel": "street", "notes": notes, "themes": themes},
    )
    assert response.status_code == 302


def _note_ids(app: Flask) -> list[int]:
    with app.app_context():
        return list(session().scalars(sa.select(Note.id).order_by(Note.id)))


def test_tag_move_merge_keep_every_note_once(
    app: Flask, client: FlaskClient, facilitator: User, intake: dict[str, int]
) -> None:
    light, work, police = intake["light"], intake["work"], intake["police"]
    _record(client, intake["dialogue"], "Lampor\nJobb\nPolis", [])
    a, b, c = _note_ids(app)
    assert client.post(f"/notes/{a}/tag", data={"theme_id": light}).status_code == 302
    assert client.post(f"/notes/{a}/tag", data={"theme_id": light}).status_code == 302  # twice
    client.post(f"/notes/{b}/themes", data={"themes": [work, police]})
    client.post(f"/notes/{c}/tag", data={"theme_id": police})
    client.post(f"/notes/{b}/representative", data={"theme_id": police, "representative": "1"})
    assert _links(app) == [
        (a, light, False),
        (b, work, False),
        (b, police, True),
        (c, police, False),
    ]
    # move b from work to light, then merge police into light: b is in light once, marked
    client.post(f"/notes/{b}/move", data={"theme_id": work, "target": light})
    assert _links(app) == [
        (a, light, False),
        (b, light, False),
        (b, police, True),
        (c, police, False),
    ]
    response = client.post(f"/themes/{police}/merge", data={"target": light})
    assert response.status_code == 302
    assert _links(app) == [(a, light, False), (b, light, True), (c, light, False)]
    with app.app_context():
        merged = session().get(Theme, police)
        assert merged is not None
        assert merged.is_archived
        assert merged.merged_into_id == light
    # untag and delete
    client.post(f"/notes/{c}/untag", data={"theme_id": light})
    assert _links(app) == [(a, light, False), (b, light, True)]
    client.post(f"/notes/{c}/delete")
    assert _notes(app) == ["Lampor", "Jobb"]


def test_note_actions_refuse_foreign_and_archived_themes(
    app: Flask,
    client: FlaskClient,
    facilitator: User,
    intake: dict[str, int],
    agreed: dict[str, int],
) -> None:
    _record(client, intake["dialogue"], "Lampor", [intake["light"]])
    (note,) = _note_ids(app)
    with app.app_context():
        foreign = (
            session()
            .scalars(sa.select(Theme.id).where(Theme.dialogue_id == agreed["dialogue"]))
            .one()
        )
    assert client.post(f"/notes/{note}/tag", data={"theme_id": foreign}).status_code == 422
    moved = client.post(
        f"/notes/{note}/move", data={"theme_id": intake["light"], "target": foreign}
    )
    assert moved.status_code == 422
    assert (
        client.post(f"/themes/{intake['light']}/merge", data={"target": foreign}).status_code == 404
    )
    same = client.post(f"/themes/{intake['light']}/merge", data={"target": intake["light"]})
    assert same.status_code == 422
    assert client.post(f"/notes/{note}/tag", data={"theme_id": "x"}).status_code == 422
    assert _links(app) == [(note, intake["light"], False)]


def test_merge_moves_meetings_and_action_items(
    app: Flask, client: FlaskClient, facilitator: User, agreed: dict[str, int]
) -> None:
    with app.app_context():
        item = session().get(ActionItem, agreed["item"])
        assert item is not None
        source = item.theme_id
        from facilitate.dialogues import operations as dialogue_ops

        target = dialogue_ops.create_theme(item.dialogue, "Trygga vägar").id
        session().commit()
    assert client.post(f"/themes/{source}/merge", data={"target": target}).status_code == 302
    with app.app_context():
        item = session().get(ActionItem, agreed["item"])
        assert item is not None
        assert item.theme_id == target
        assert item.meeting is not None
        assert item.meeting.theme_id == target
    page = client.get(f"/d/{agreed['dialogue']}/feedback").get_data(as_text=True)
    assert "Trygga vägar" in page
    assert "Belys skolvägen" in page


def test_evidence_page_counts_and_quotes(
    client: FlaskClient, facilitator: User, app: Flask, intake: dict[str, int]
) -> None:
    for n in range(6):
        client.post(
            f"/dialogues/{intake['dialogue']}/conversations/new",
            data={
                "held_on": "2021-02-01",
                "channel": "shop" if n < 5 else "door",
                "area": _area_id(app, "Fröslunda" if n < 5 else "Myrtorp"),
                "notes": f"Mörkt vid affären {n}",
                "themes": [intake["light"]],
            },
        )
    first = _note_ids(app)[0]
    client.post(
        f"/notes/{first}/representative", data={"theme_id": intake["light"], "representative": "1"}
    )
    page = client.get(f"/themes/{intake['light']}/evidence").get_data(as_text=True)
    assert "6 notes" in page
    assert "6 conversations" in page
    rows = dict(
        re.findall(r'<th scope="row">(?:<bdi>)?([^<]+)(?:</bdi>)?</th><td>([^<]+)</td>', page)
    )
    assert rows["Outside a shop"] == "5"
    assert rows["At the door"] == "1"  # places are not people: not suppressed
    assert rows["Fröslunda"] != "5"  # shown with Myrtorp's 1 it would reveal it: hidden too
    assert rows["Myrtorp"] == rows["Fröslunda"] == "not shown"
    assert '<blockquote dir="auto">Mörkt vid affären 0</blockquote>' in page


def _area_id(app: Flask, name: str) -> str:
    from facilitate.dialogues.models import Area

    with app.app_context():
        return str(session().scalars(sa.select(Area.id).where(Area.name == name)).one())


def test_suggestions_offer_similar_themes_for_untagged_notes(
    app: Flask, client: FlaskClient, facilitator: User, intake: dict[str, int]
) -> None:
    _record(
        client,
        intake["dialogue"],
        "Gatubelysningen är trasig vid skolan\nMörkt i gångtunneln",
        [intake["light"]],
    )
    _record(
        client,
        intake["dialogue"],
        "Ungdomarna behöver sommarjobb\nSvårt att få jobb",
        [intake["work"]],
    )
    _record(client, intake["dialogue"], "Det behövs bättre belysning i tunneln", [])
    page = client.get(f"/dialogues/{intake['dialogue']}/conversations?untagged=1").get_data(
        as_text=True
    )
    assert "1 conversation" in page
    suggested = re.findall(r"Tag: ([^<]+)</button>", page)
    assert suggested
    assert suggested[0] == "Belysning"
    assert _links(app).count  # suggestions are never applied by themselves
    untagged = _note_ids(app)[-1]
    assert all(note != untagged for note, _, _ in _links(app))


def test_suggestions_work_for_other_scripts(
    app: Flask, client: FlaskClient, facilitator: User, intake: dict[str, int]
) -> None:
    dialogue = intake["dialogue"]
    _record(client, dialogue, "الإضاءة في النفق سيئة\nالشارع مظلم في الليل", [intake["light"]])
    _record(client, dialogue, "الشباب يحتاجون إلى عمل في الصيف", [intake["work"]])
    _record(client, dialogue, "النفق مظلم والإضاءة ضعيفة", [])
    page = client.get(f"/dialogues/{dialogue}/conversations?untagged=1").get_data(as_text=True)
    assert re.findall(r"Tag: ([^<]+)</button>", page)[0] == "Belysning"


def test_save_and_record_another_returns_to_an_empty_form(
    client: FlaskClient, facilitator: User, intake: dict[str, int]
) -> None:
    url = f"/dialogues/{intake['dialogue']}/conversations/new"
    response = client.post(
        url, data={"held_on": "2021-02-01", "channel": "door", "notes": "Hej", "another": "1"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(url)
