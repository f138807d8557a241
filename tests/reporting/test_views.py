"""The meeting report and the public feedback page: contents, suppression, privacy."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pdf_text import pdf_text

from facilitate.actions.models import ActionItem
from facilitate.auth.models import User
from facilitate.db import session
from facilitate.dialogues.models import Dialogue, DialogueStatus
from facilitate.live import operations as live_ops
from facilitate.live import participants
from facilitate.live.views_json import Viewer, ViewerRole
from facilitate.meetings import operations as meeting_ops


@pytest.fixture
def crowd(app: Flask, agreed: dict[str, int]) -> dict[str, int]:
    """Six more from Fröslunda aged 30-44, three from Myrtorp, five with no district aged
    45-64; a hidden and a rude text."""
    with app.app_context():
        meeting = meeting_ops.get_meeting(agreed["meeting"])
        for n in range(6):
            participants.join(
                meeting, display_name=f"Fröslundabo {n}", area="Fröslunda", age_band="30-44"
            )
        for _ in range(5):
            participants.join(meeting, age_band="45-64")
        people = [
            participants.join(meeting, display_name="Myrtorpsbo", area="Myrtorp")[0]
            for _ in range(3)
        ]
        phone = Viewer(meeting.id, ViewerRole.participant, participant_id=people[0].id)
        hidden = live_ops.add_contribution(meeting, phone, people[0], "Olämpligt om en granne")
        live_ops.hide_contribution(meeting, hidden.id, "Personangrepp")
        live_ops.add_contribution(meeting, phone, people[0], "<script>x()</script> i tunneln")
        item = session().get(ActionItem, agreed["item"])
        assert item is not None
        item.owner = "Tekniska förvaltningen"
        item.contact = "anna.svensson@example.org"
        item.public_note = "Nya lampor sätts upp i maj."
        session().commit()
    return agreed


def test_report_counts_with_small_groups_suppressed(
    client: FlaskClient, observer_login: User, crowd: dict[str, int]
) -> None:
    page = client.get(f"/meetings/{crowd['meeting']}/report").get_data(as_text=True)
    assert "Took part: 15" in page
    rows = dict(re.findall(r'<th scope="row">([^<]+)</th><td>([^<]+)</td>', page))
    assert rows["Fröslunda"] == "7"
    assert rows["Myrtorp"] == "not shown"  # 3
    # 5 is no small group, but with the total known it would give Myrtorp's 3 away
    assert rows["No district given"] == "not shown"
    assert rows["30-44"] == "6"
    assert rows["45-64"] == "not shown"  # 5, hidden to protect the 4 below
    assert rows["No age given"] == "not shown"  # 4


def test_report_words_without_hidden_ones_and_escaped(
    client: FlaskClient, observer_login: User, crowd: dict[str, int]
) -> None:
    page = client.get(f"/meetings/{crowd['meeting']}/report").get_data(as_text=True)
    assert "Det är mörkt vid skolan" in page
    assert "Olämpligt om en granne" not in page
    assert "&lt;script&gt;x()&lt;/script&gt; i tunneln" in page
    assert "<script>x()" not in page
    assert "Belys skolvägen" in page
    assert "Yes: 1 · No: 0" in page


def test_report_pdf(client: FlaskClient, observer_login: User, crowd: dict[str, int]) -> None:
    response = client.get(f"/meetings/{crowd['meeting']}/report.pdf")
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert b"/FontFile2" in response.data
    text = pdf_text(response.data)
    for expected in (
        "Belys skolvägen",
        "Det är mörkt vid skolan",
        "Fröslunda 7",
        "Myrtorp not shown",
    ):
        assert expected in text
    assert "Olämpligt om en granne" not in text


def test_report_needs_login(client: FlaskClient, agreed: dict[str, int]) -> None:
    response = client.get(f"/meetings/{agreed['meeting']}/report")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_feedback_page_public_without_personal_data(
    client: FlaskClient, crowd: dict[str, int]
) -> None:
    response = client.get(f"/d/{crowd['dialogue']}/feedback")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for shown in (
        "Belysning",
        "Belys skolvägen",
        "Tekniska förvaltningen",
        "Nya lampor sätts upp i maj.",
    ):
        assert shown in page
    for private in (
        "anna.svensson@example.org",
        "Fröslundabo",
        "Myrtorpsbo",
        "Det är mörkt vid skolan",
    ):
        assert private not in page


def test_feedback_page_unknown_or_archived_is_404(
    app: Flask, client: FlaskClient, agreed: dict[str, int]
) -> None:
    assert client.get("/d/999/feedback").status_code == 404
    with app.app_context():
        dialogue = session().get(Dialogue, agreed["dialogue"])
        assert dialogue is not None
        dialogue.status = DialogueStatus.archived
        session().commit()
    assert client.get(f"/d/{agreed['dialogue']}/feedback").status_code == 404


def test_feedback_page_in_swedish(client: FlaskClient, agreed: dict[str, int]) -> None:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "sv"
    page = client.get(f"/d/{agreed['dialogue']}/feedback").get_data(as_text=True)
    assert 'lang="sv"' in page
    assert "Föreslaget" in page  # the item's status, in Swedish


@pytest.fixture
def with_paper(app: Flask, client: FlaskClient, crowd: dict[str, int]) -> dict[str, int]:
    """The crowd, and on paper 2 from Myrtorp and 5 with no district, all 65 or older,
    recorded through the staff form."""
    with app.app_context():
        dialogue = session().get(Dialogue, crowd["dialogue"])
        assert dialogue is not None
        myrtorp = next(a.id for a in dialogue.areas if a.name == "Myrtorp")
    response = client.post(
        f"/meetings/{crowd['meeting']}/paper",
        data={f"paper-{myrtorp}-65-": "2", "paper-none-65-": "5"},
    )
    assert response.status_code == 302
    return crowd


def test_report_counts_people_on_paper_and_says_so(
    client: FlaskClient, observer_login: User, with_paper: dict[str, int]
) -> None:
    page = client.get(f"/meetings/{with_paper['meeting']}/report").get_data(as_text=True)
    assert "Took part: 22" in page
    assert "These counts include people who took part on paper, counted by staff." in page
    rows = dict(re.findall(r'<th scope="row">([^<]+)</th><td>([^<]+)</td>', page))
    assert rows["Fröslunda"] == "7"
    assert rows["Myrtorp"] == "5"  # 3 phones and 2 on paper
    assert rows["No district given"] == "10"
    assert rows["65-"] == "7"
    assert rows["30-44"] == "6"
    assert rows["No age given"] == "not shown"  # 4
    assert rows["45-64"] == "not shown"  # 5, hidden to protect the 4
    pdf = pdf_text(client.get(f"/meetings/{with_paper['meeting']}/report.pdf").data)
    for expected in (
        "Took part: 22",
        "These counts include people who took part on paper, counted by staff.",
        "Myrtorp 5",
        "65- 7",
    ):
        assert expected in pdf


def test_report_without_paper_has_no_mark(
    client: FlaskClient, observer_login: User, crowd: dict[str, int]
) -> None:
    page = client.get(f"/meetings/{crowd['meeting']}/report").get_data(as_text=True)
    assert "took part on paper" not in page


def test_report_charts_participation_as_its_tables_say(
    client: FlaskClient, observer_login: User, crowd: dict[str, int]
) -> None:
    """The report's bars: shown counts drawn to scale, hidden ones said and not drawn, in
    the page and in the PDF."""
    page = client.get(f"/meetings/{crowd['meeting']}/report").get_data(as_text=True)
    svgs = re.findall(r"<svg [^>]*class=\"svg-chart\".*?</svg>", page, re.S)
    assert len(svgs) == 2
    by_area, by_age = svgs
    assert re.findall(r'data-value="(\d+)"', by_area) == ["7"]  # Fröslunda; the rest hidden
    assert ">not shown<" in by_area
    assert ">Myrtorp<" in by_area
    assert re.findall(r'data-value="(\d+)"', by_age) == ["6"]  # 30-44
    pdf = pdf_text(client.get(f"/meetings/{crowd['meeting']}/report.pdf").data).splitlines()
    assert pdf.count("7") >= 1
    assert "30-44" in pdf
    assert "not shown" in pdf
