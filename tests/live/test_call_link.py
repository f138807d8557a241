"""A meeting's call link (Jitsi, Teams, Zoom…): set on the meeting's forms, refused unless
it is a whole https:// address, and shown to residents as "Join the call" on the join page
and the phone. The product hosts no audio or video."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from facilitate.auth.models import User
from facilitate.db import session
from facilitate.meetings import operations as meeting_ops

from .conftest import open_meeting

CALL = "https://meet.jit.si/Trygghet-Froslunda?lang=sv&x=1"
BAD = [
    "http://meet.jit.si/Trygghet",  # readable and changeable on the way
    "javascript:alert(1)",
    "meet.jit.si/Trygghet",  # half an address
    "https://",
    "https://localhost/x",
    "https://meet.jit.si/a b",
    "ftp://example.org/call",
    "https://" + "a" * 1000 + ".se",
]


def stored_link(app: Flask, meeting_id: int) -> str:
    with app.app_context():
        return meeting_ops.get_meeting(meeting_id).video_url


def edit(client: FlaskClient, meeting_id: int, link: str) -> tuple[int, str]:
    response = client.post(
        f"/meetings/{meeting_id}/edit",
        data={"title": "Kväll", "place": "", "is_digital": "y", "video_url": link},
    )
    return response.status_code, response.get_data(as_text=True)


def test_edit_form_saves_the_call_link(
    app: Flask, client: FlaskClient, facilitator: User, meeting_id: int
) -> None:
    form = client.get(f"/meetings/{meeting_id}/edit").get_data(as_text=True)
    assert 'name="video_url"' in form
    assert edit(client, meeting_id, f"  {CALL} ")[0] == 302
    assert stored_link(app, meeting_id) == CALL
    detail = client.get(f"/meetings/{meeting_id}").get_data(as_text=True)
    assert 'href="https://meet.jit.si/Trygghet-Froslunda?lang=sv&amp;x=1"' in detail
    assert edit(client, meeting_id, "")[0] == 302  # emptied: no call
    assert stored_link(app, meeting_id) == ""


@pytest.mark.parametrize("link", BAD)
def test_edit_form_refuses_anything_but_https(
    app: Flask, client: FlaskClient, facilitator: User, meeting_id: int, link: str
) -> None:
    assert edit(client, meeting_id, CALL)[0] == 302
    status, page = edit(client, meeting_id, link)
    assert status == 422
    assert "The call link must be a whole address starting with https://" in page or (
        "At most 1000 characters." in page
    )
    assert 'aria-invalid="true"' in page[page.index('name="video_url"') - 300 :][:700]
    assert stored_link(app, meeting_id) == CALL


def test_new_meeting_form_takes_and_refuses_the_call_link(
    app: Flask, client: FlaskClient, facilitator: User, meeting_id: int
) -> None:
    with app.app_context():
        theme_id = meeting_ops.get_meeting(meeting_id).theme_id
    data = {"title": "Digitalt", "template": "in_depth_90", "voting_method": "dots"}
    data |= {"voting_dots": "3", "voting_cap": "", "voting_results": "", "is_digital": "y"}
    refused = client.post(
        f"/themes/{theme_id}/meetings/new", data={**data, "video_url": "http://x.se/a"}
    )
    assert refused.status_code == 422
    assert "https://" in refused.get_data(as_text=True)
    created = client.post(f"/themes/{theme_id}/meetings/new", data={**data, "video_url": CALL})
    assert created.status_code == 302
    new_id = int(created.headers["Location"].rsplit("/", 1)[1])
    assert stored_link(app, new_id) == CALL


def set_link(app: Flask, meeting_id: int, link: str) -> None:
    with app.app_context():
        meeting = meeting_ops.get_meeting(meeting_id)
        meeting_ops.update_meeting(
            meeting,
            title=meeting.title,
            starts_at=meeting.starts_at,
            place=meeting.place,
            is_digital=True,
            video_url=link,
        )
        session().commit()


def test_join_page_and_phone_have_a_join_the_call_button(
    app: Flask, client: FlaskClient, meeting_id: int
) -> None:
    set_link(app, meeting_id, CALL)
    open_meeting(app, meeting_id)
    with app.app_context():
        code = meeting_ops.get_meeting(meeting_id).join_code
    button = (
        '<a id="call" class="button big" href="https://meet.jit.si/Trygghet-Froslunda?lang=sv'
        '&amp;x=1" target="_blank" rel="noopener noreferrer">Join the call</a>'
    )
    join = client.get(f"/j/{code}").get_data(as_text=True)
    assert button in join
    assert client.post(f"/j/{code}", data={}).status_code == 302
    phone = client.get(f"/m/{meeting_id}").get_data(as_text=True)
    assert button in phone
    assert '<p id="call-box" class="call-link">' in phone


def test_without_a_link_no_button(app: Flask, client: FlaskClient, meeting_id: int) -> None:
    open_meeting(app, meeting_id)
    with app.app_context():
        code = meeting_ops.get_meeting(meeting_id).join_code
    assert "Join the call" not in client.get(f"/j/{code}").get_data(as_text=True)
    client.post(f"/j/{code}", data={})
    phone = client.get(f"/m/{meeting_id}").get_data(as_text=True)
    # there for phone.js to show when a link is added live, hidden until then
    assert '<p id="call-box" class="call-link" hidden>' in phone
