"""The live pages over HTTP: start page, join page and cookie, the phone's first screen,
the staff views, the QR code and the handout."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_socketio import SocketIOTestClient
from pdf_text import pdf_text

from facilitate.auth.models import Role, User
from facilitate.db import session
from facilitate.extensions import socketio
from facilitate.languages import LANGUAGES
from facilitate.live import operations as live_ops
from facilitate.live.handout import qr_svg
from facilitate.live.models import Participant
from facilitate.live.views_json import Viewer, ViewerRole
from facilitate.meetings import operations as meeting_ops
from facilitate.meetings.models import MeetingStatus

from .conftest import NS, open_meeting


def code_of(app: Flask, meeting_id: int) -> str:
    with app.app_context():
        return meeting_ops.get_meeting(meeting_id).join_code


def participant_rows(app: Flask) -> list[tuple[str, str | None, str | None]]:
    with app.app_context():
        rows = session().query(Participant).order_by(Participant.id)
        return [
            (p.display_name, p.area.name if p.area else None, p.age_band and p.age_band.value)
            for p in rows
        ]


def joined_phone(app: Flask, client: FlaskClient, meeting_id: int, **form: str) -> str:
    """Join through the page; returns the phone page's URL."""
    response = client.post(f"/j/{code_of(app, meeting_id)}", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


# -- the start page and the join page ------------------------------------------------------


def test_start_page_shows_code_form(client: FlaskClient) -> None:
    page = client.get("/join").get_data(as_text=True)
    assert 'name="code"' in page
    assert 'action="/join"' in page


def test_start_page_code_redirects_normalised(client: FlaskClient) -> None:
    response = client.get("/join", query_string={"code": " abcd-2345 "})
    assert response.status_code == 302
    assert response.headers["Location"] == "/j/ABCD2345"


def test_start_page_empty_code_is_422(client: FlaskClient) -> None:
    response = client.get("/join", query_string={"code": "  "})
    assert response.status_code == 422
    assert "Enter the code shown in the room." in response.get_data(as_text=True)


@pytest.mark.parametrize("status", [MeetingStatus.draft, MeetingStatus.closed])
def test_join_page_not_open_is_404_with_retry_form(
    app: Flask, client: FlaskClient, meeting_id: int, status: MeetingStatus
) -> None:
    with app.app_context():
        meeting_ops.get_meeting(meeting_id).status = status
        session().commit()
    response = client.get(f"/j/{code_of(app, meeting_id)}")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "No open meeting has this code." in page
    assert 'name="code"' in page


def test_join_page_unknown_code_is_404(client: FlaskClient) -> None:
    assert client.get("/j/NOPE").status_code == 404


def test_join_page_offers_districts_and_age_bands(
    app: Flask, client: FlaskClient, meeting_id: int
) -> None:
    open_meeting(app, meeting_id)
    page = client.get(f"/j/{code_of(app, meeting_id)}").get_data(as_text=True)
    assert "Kväll" in page
    for option in ("Fröslunda", "Myrtorp", "-15", "16-19", "20-29", "30-44", "45-64", "65-"):
        assert f'value="{option}"' in page
    assert 'name="display_name"' in page


def test_join_sets_httponly_cookie_and_opens_phone(
    app: Flask, client: FlaskClient, meeting_id: int
) -> None:
    open_meeting(app, meeting_id)
    response = client.post(
        f"/j/{code_of(app, meeting_id)}",
        data={"display_name": "Anna", "area": "Myrtorp", "age_band": "30-44"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/m/{meeting_id}"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"fcp_{meeting_id}=fcp_")
    for attribute in ("HttpOnly", "SameSite=Lax", "Max-Age=86400", "Path=/"):
        assert attribute in cookie
    assert participant_rows(app) == [("Anna", "Myrtorp", "30-44")]


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}], indirect=True)
def test_join_needs_no_csrf_token(app: Flask, client: FlaskClient, meeting_id: int) -> None:
    # A phone may sit on the join page for an hour before the meeting; no token to expire.
    open_meeting(app, meeting_id)
    joined_phone(app, client, meeting_id, display_name="Anna")
    assert participant_rows(app) == [("Anna", None, None)]


def test_join_anonymous_with_empty_form(app: Flask, client: FlaskClient, meeting_id: int) -> None:
    open_meeting(app, meeting_id)
    joined_phone(app, client, meeting_id)
    assert participant_rows(app) == [("", None, None)]


def test_join_again_with_cookie_stays_same_participant(
    app: Flask, client: FlaskClient, meeting_id: int
) -> None:
    open_meeting(app, meeting_id)
    joined_phone(app, client, meeting_id, display_name="Anna")
    again = client.get(f"/j/{code_of(app, meeting_id)}")
    assert again.status_code == 302
    assert again.headers["Location"] == f"/m/{meeting_id}"
    assert len(participant_rows(app)) == 1


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"age_band": "12-13"}, "Not a valid choice"),
        ({"area": "Atlantis"}, "Not a valid choice"),
        ({"display_name": "x" * 200}, "Field cannot be longer than"),
    ],
)
def test_join_bad_input_is_422_and_joins_nobody(
    app: Flask, client: FlaskClient, meeting_id: int, form: dict[str, str], message: str
) -> None:
    open_meeting(app, meeting_id)
    response = client.post(f"/j/{code_of(app, meeting_id)}", data=form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers
    assert participant_rows(app) == []


@pytest.mark.parametrize("app_config", [{"MAX_PARTICIPANTS": 1}], indirect=True)
def test_join_full_meeting_says_so(app: Flask, client: FlaskClient, meeting_id: int) -> None:
    open_meeting(app, meeting_id)
    joined_phone(app, client, meeting_id)
    other = app.test_client()
    other.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = other.post(f"/j/{code_of(app, meeting_id)}", data={})
    assert response.status_code == 409
    assert "This meeting is full." in response.get_data(as_text=True)


# -- the phone -----------------------------------------------------------------------------


def test_phone_without_cookie_goes_to_start(client: FlaskClient, meeting_id: int) -> None:
    response = client.get(f"/m/{meeting_id}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/join"


def test_phone_first_screen_rendered_before_script(
    app: Flask, client: FlaskClient, meeting_id: int
) -> None:
    open_meeting(app, meeting_id)
    url = joined_phone(app, client, meeting_id, display_name="Anna")
    with app.app_context():
        meeting = meeting_ops.get_meeting(meeting_id)
        author = session().query(Participant).one()
        viewer = Viewer(meeting_id, ViewerRole.participant, participant_id=author.id)
        text = "<b>Mörkt</b> vid <script>x()</script>"
        live_ops.add_contribution(meeting, viewer, author, text)
        session().commit()
        original = meeting.phases[0].prompt
        prompt = meeting.phases[0].prompt_translations["en"]  # the test client reads English
        title = meeting.phases[0].title_translations["en"]
        original_title = meeting.phases[0].title
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert title in page
    assert prompt in page
    assert original not in page
    assert original_title not in page
    assert "Step 1 of 6" in page
    # Residents' words are text: escaped, with their direction left to the browser.
    assert "&lt;b&gt;Mörkt&lt;/b&gt; vid &lt;script&gt;x()&lt;/script&gt;" in page
    assert "<script>x()" not in page
    assert re.search(r'<p class="text" dir="auto">&lt;b&gt;', page)
    assert 'id="write"' in page
    # Fingerprinted names (facilitate/assets.py): a new version is never read from cache.
    assert re.search(r'src="/static/js/phone\.[0-9a-f]{16}\.js"', page)
    assert re.search(r'src="/static/vendor/socket\.io-4\.8\.4\.min\.[0-9a-f]{16}\.js"', page)


def test_phone_closed_meeting_stays_readable_without_form(
    app: Flask, client: FlaskClient, meeting_id: int
) -> None:
    open_meeting(app, meeting_id)
    url = joined_phone(app, client, meeting_id)
    with app.app_context():
        meeting_ops.get_meeting(meeting_id).status = MeetingStatus.closed
        session().commit()
    page = client.get(url).get_data(as_text=True)
    assert "The meeting is closed. Thank you for taking part!" in page
    assert re.search(r'<form id="write"[^>]* hidden', page)


def test_phone_cookie_connects_socket_as_same_participant(
    app: Flask, client: FlaskClient, meeting_id: int
) -> None:
    open_meeting(app, meeting_id)
    joined_phone(app, client, meeting_id, display_name="Anna")
    socket: SocketIOTestClient = socketio.test_client(
        app, namespace=NS, auth={"meeting_id": meeting_id}, flask_test_client=client
    )
    try:
        (state,) = [e["args"][0] for e in socket.get_received(NS) if e["name"] == "state"]
        with app.app_context():
            (participant_id,) = [p.id for p in session().query(Participant)]
        me = {"participant_id": participant_id, "role": "participant", "group": None}
        assert {key: state["me"][key] for key in me} == me
    finally:
        socket.disconnect(NS)


# -- staff views and printables ------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "role", "status"),
    [
        ("console", Role.facilitator, 200),
        ("console", Role.observer, 403),
        ("screen", Role.observer, 200),
        ("notes", Role.observer, 200),
        ("qr.svg", Role.observer, 200),
        ("handout.pdf", Role.observer, 200),
    ],
)
def test_staff_views_by_role(
    client: FlaskClient,
    make_user: Callable[..., User],
    login: Callable[[User], None],
    meeting_id: int,
    path: str,
    role: Role,
    status: int,
) -> None:
    login(make_user(role))
    assert client.get(f"/meetings/{meeting_id}/{path}").status_code == status


def test_console_shows_join_code_qr_and_controls(
    app: Flask, client: FlaskClient, facilitator: User, meeting_id: int
) -> None:
    code = code_of(app, meeting_id)
    page = client.get(f"/meetings/{meeting_id}/console").get_data(as_text=True)
    assert f"{code[:4]} {code[4:]}" in page
    assert f"http://localhost/j/{code}" in page
    assert f'src="/meetings/{meeting_id}/qr.svg"' in page
    for control in ("meeting-open", "timer-form", "wall", "hands", "groups-form", "people"):
        assert f'id="{control}"' in page
    assert '"view": "facilitator"' in page
    assert re.search(r'src="/static/js/console\.[0-9a-f]{16}\.js"', page)


def test_screen_connects_as_screen_view(
    client: FlaskClient, facilitator: User, meeting_id: int
) -> None:
    page = client.get(f"/meetings/{meeting_id}/screen").get_data(as_text=True)
    assert '"view": "screen"' in page
    assert 'class="timer timer-big"' in page
    assert f'src="/meetings/{meeting_id}/qr.svg"' in page


def test_qr_svg_encodes_join_url(
    app: Flask, client: FlaskClient, facilitator: User, meeting_id: int
) -> None:
    response = client.get(f"/meetings/{meeting_id}/qr.svg")
    assert response.mimetype == "image/svg+xml"
    with app.test_request_context():
        expected = qr_svg(f"http://localhost/j/{code_of(app, meeting_id)}")
    assert response.data == expected


def test_handout_pdf_in_every_language(
    app: Flask, client: FlaskClient, facilitator: User, meeting_id: int
) -> None:
    response = client.get(f"/meetings/{meeting_id}/handout.pdf")
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    text = pdf_text(response.data)
    code = code_of(app, meeting_id)
    assert f"{code[:4]} {code[4:]}" in text
    assert "http://localhost/join" in text
    with app.test_request_context():
        for language in LANGUAGES:
            with force_locale(language):
                heading = str(_("Take part in the dialogue"))
            # Arabic is shaped: its glyphs map back to letters, not to the same string.
            if language != "ar":
                assert heading in text, language
    assert "Var med i samtalet" in text
    assert any("\u0600" <= ch <= "\u06ff" for ch in text)


def test_privacy_page_public_in_swedish_and_english(client: FlaskClient) -> None:
    english = client.get("/privacy").get_data(as_text=True)
    assert "We store no IP address" in english
    assert "do not write personal details" in english
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "sv"
    swedish = client.get("/privacy").get_data(as_text=True)
    assert 'lang="sv"' in swedish
    assert "Integritet" in swedish
    start, footer = client.get("/join").get_data(as_text=True).split('<footer class="site-footer">')
    assert start.count("/privacy") == 1  # next to the join form, and again in every footer
    assert footer.count("/privacy") == 1
