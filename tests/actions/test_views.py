"""The team's action list page: filters, edit with history, downloads read back."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pdf_text import pdf_text

from facilitate.auth.models import User


def test_action_list_page_shows_items_traced_to_words(
    client: FlaskClient, observer_login: User, agreed: dict[str, int]
) -> None:
    page = client.get(f"/dialogues/{agreed['dialogue']}/actions").get_data(as_text=True)
    assert "Belys skolvägen" in page
    assert "Det är mörkt vid skolan" in page  # the words it came from
    assert f"/meetings/{agreed['meeting']}" in page
    assert "2027-05-31" in page
    assert f"/actions/{agreed['item']}/edit" not in page  # observers read, they do not edit


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("status=proposed", True),
        ("status=done", False),
        ("owner=tekniska", False),
        ("sort=title", True),
    ],
)
def test_action_list_filters(
    client: FlaskClient, observer_login: User, agreed: dict[str, int], query: str, shown: bool
) -> None:
    page = client.get(f"/dialogues/{agreed['dialogue']}/actions?{query}").get_data(as_text=True)
    assert ("Belys skolvägen" in page) is shown


def test_action_list_by_district(
    client: FlaskClient, observer_login: User, agreed: dict[str, int]
) -> None:
    url = f"/dialogues/{agreed['dialogue']}/actions"
    assert "Belys skolvägen" in client.get(f"{url}?area={agreed['area']}").get_data(as_text=True)
    other = client.get(f"{url}?area={agreed['area'] + 1}").get_data(as_text=True)
    assert "Belys skolvägen" not in other


def test_action_list_bad_sort_is_clear_error(
    client: FlaskClient, observer_login: User, agreed: dict[str, int]
) -> None:
    response = client.get(f"/dialogues/{agreed['dialogue']}/actions?sort=colour")
    assert response.status_code == 422
    assert "Sort by one of" in response.get_data(as_text=True)


def test_action_edit_saves_with_history(
    client: FlaskClient, facilitator: User, agreed: dict[str, int]
) -> None:
    url = f"/actions/{agreed['item']}/edit"
    assert "Det är mörkt vid skolan" in client.get(url).get_data(as_text=True)
    form = {
        "title": "Belys skolvägen",
        "description": "",
        "owner": "Tekniska förvaltningen",
        "contact": "",
        "due_date": "2027-04-30",
        "status": "in_progress",
        "next_step": "Beställa armaturer",
        "public_note": "",
    }
    assert client.post(url, data=form).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Tekniska förvaltningen" in page
    assert "proposed → in_progress" in page
    declined = client.post(url, data={**form, "status": "declined"})
    assert declined.status_code == 422
    assert "says why in its public note" in declined.get_data(as_text=True)


def test_action_edit_observer_forbidden(
    client: FlaskClient, observer_login: User, agreed: dict[str, int]
) -> None:
    assert client.get(f"/actions/{agreed['item']}/edit").status_code == 403


def test_action_downloads_read_back(
    app: Flask, client: FlaskClient, observer_login: User, agreed: dict[str, int]
) -> None:
    base = f"/dialogues/{agreed['dialogue']}/actions"
    data = client.get(f"{base}.csv").data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Theme", "Title", "Description"]
    assert rows[1][1] == "Belys skolvägen"
    assert "Det är mörkt vid skolan" in rows[1]
    with zipfile.ZipFile(io.BytesIO(client.get(f"{base}.xlsx").data)) as book:
        assert "Belys skolvägen" in book.read("xl/sharedStrings.xml").decode()
    pdf = client.get(f"{base}.pdf")
    assert pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF-")
    assert "Belys skolvägen" in pdf_text(pdf.data)
    assert client.get(f"{base}.doc").status_code == 404
    filtered = client.get(f"{base}.csv?status=done").data.decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(filtered), delimiter=";"))) == 1  # the header only
