"""Counting the people without phones: the staff form for a meeting's paper counts."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from facilitate.auth.models import Role, User
from facilitate.db import session
from facilitate.dialogues import operations as dialogue_ops
from facilitate.dialogues.models import Area
from facilitate.live.models import PaperCount


def area_id(app: Flask, name: str) -> int:
    with app.app_context():
        return session().scalars(sa.select(Area.id).where(Area.name == name)).one()


def stored(app: Flask, meeting_id: int) -> list[tuple[str | None, str | None, int]]:
    with app.app_context():
        rows = session().scalars(
            sa.select(PaperCount).where(PaperCount.meeting_id == meeting_id).order_by(PaperCount.id)
        )
        return [
            (r.area.name if r.area else None, r.age_band.value if r.age_band else None, r.count)
            for r in rows
        ]


def test_note_taker_records_and_replaces_paper_counts(
    app: Flask, client: FlaskClient, observer_login: User, meeting_id: int
) -> None:
    page = client.get(f"/meetings/{meeting_id}/paper").get_data(as_text=True)
    assert "Took part on paper" in page
    frö = area_id(app, "Fröslunda")
    for name in (f"paper-{frö}-65-", f"paper-{frö}-none", "paper-none-16-19", "paper-none-none"):
        assert f'name="{name}"' in page
    response = client.post(
        f"/meetings/{meeting_id}/paper",
        data={f"paper-{frö}-65-": "4", "paper-none-none": " 3 ", "paper-none-16-19": "0"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/meetings/{meeting_id}/paper"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Saved: 7 people took part on paper." in page
    assert f'id="paper-{frö}-65-" value="4"' in page
    assert 'id="paper-none-none" value="3"' in page
    assert stored(app, meeting_id) == [("Fröslunda", "65-", 4), (None, None, 3)]
    # Saving again replaces the grid: cells left empty are nobody.
    client.post(f"/meetings/{meeting_id}/paper", data={"paper-none-45-64": "1"})
    assert stored(app, meeting_id) == [(None, "45-64", 1)]
    client.post(f"/meetings/{meeting_id}/paper", data={})
    assert stored(app, meeting_id) == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-1", "Write a whole number, 0 or more."),
        ("2.5", "Write a whole number, 0 or more."),
        ("fem", "Write a whole number, 0 or more."),
        ("٣", "Write a whole number, 0 or more."),
        ("2001", "At most 2000 people in one cell."),
    ],
)
def test_bad_counts_are_refused_and_nothing_changes(
    app: Flask,
    client: FlaskClient,
    observer_login: User,
    meeting_id: int,
    value: str,
    message: str,
) -> None:
    myr = area_id(app, "Myrtorp")
    client.post(f"/meetings/{meeting_id}/paper", data={f"paper-{myr}-30-44": "6"})
    response = client.post(
        f"/meetings/{meeting_id}/paper",
        data={"paper-none-none": "2", f"paper-{myr}-20-29": value},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert (
        f'<p class="error" id="paper-error" role="alert"><bdi>Myrtorp · 20–29</bdi>: {message}</p>'
    ) in page
    # the refused cell is marked and keeps what was typed, the others too
    assert (
        f'id="paper-{myr}-20-29" value="{value}" size="4" maxlength="5" class="count"\n'
        f'    aria-labelledby="area-{myr} band-3" aria-invalid="true"'
    ) in page
    assert 'id="paper-none-none" value="2"' in page
    assert stored(app, meeting_id) == [("Myrtorp", "30-44", 6)]


def test_districts_of_other_dialogues_are_not_counted(
    app: Flask, client: FlaskClient, observer_login: User, meeting_id: int
) -> None:
    with app.app_context():
        other = dialogue_ops.create_dialogue("Annat", areas=["Skiftinge"])
        session().commit()
        foreign = other.areas[0].id
    page = client.get(f"/meetings/{meeting_id}/paper").get_data(as_text=True)
    assert "Skiftinge" not in page
    client.post(f"/meetings/{meeting_id}/paper", data={f"paper-{foreign}-none": "9"})
    assert stored(app, meeting_id) == []


def test_archived_district_with_counts_stays_in_the_grid(
    app: Flask, client: FlaskClient, observer_login: User, meeting_id: int
) -> None:
    myr = area_id(app, "Myrtorp")
    client.post(f"/meetings/{meeting_id}/paper", data={f"paper-{myr}-none": "5"})
    with app.app_context():
        area = session().get(Area, myr)
        assert area is not None
        area.is_archived = True
        session().commit()
    page = client.get(f"/meetings/{meeting_id}/paper").get_data(as_text=True)
    assert f'id="paper-{myr}-none" value="5"' in page


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_and_residents_cannot_count(
    app: Flask,
    client: FlaskClient,
    meeting_id: int,
    join: Callable[..., str],
    method: str,
) -> None:
    join(meeting_id)  # a resident's phone: no staff login
    response = getattr(client, method)(
        f"/meetings/{meeting_id}/paper", data={"paper-none-none": "5"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert stored(app, meeting_id) == []


def test_a_deactivated_staff_account_cannot_count(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., User],
    login: Callable[[User], None],
    meeting_id: int,
) -> None:
    user = make_user(Role.facilitator)
    login(user)
    with app.app_context():
        account = session().get(User, user.id)
        assert account is not None
        account.active = False
        session().commit()
    response = client.post(f"/meetings/{meeting_id}/paper", data={"paper-none-none": "5"})
    assert response.status_code in (302, 403)
    assert stored(app, meeting_id) == []


def test_the_meeting_page_and_the_notes_page_lead_to_the_form(
    client: FlaskClient, observer_login: User, meeting_id: int
) -> None:
    for page in (f"/meetings/{meeting_id}", f"/meetings/{meeting_id}/notes"):
        assert f'href="/meetings/{meeting_id}/paper"' in client.get(page).get_data(as_text=True)


def test_an_unknown_meeting_is_404(client: FlaskClient, observer_login: User) -> None:
    assert client.get("/meetings/999/paper").status_code == 404
