"""Login, logout, languages and the admin's user pages, through the test client."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import PASSWORD, make_config
from flask import Flask
from flask.testing import FlaskClient

from facilitate import create_app
from facilitate.auth.models import Role, User
from facilitate.db import session
from facilitate.extensions import db, limiter
from facilitate.models import Base


def get_user(app: Flask, user_id: int) -> User:
    with app.app_context():
        user = session().get(User, user_id)
        assert user is not None
        session().expunge(user)
        return user


def test_login_page_renders_form(client: FlaskClient) -> None:
    html = client.get("/login").get_data(as_text=True)
    assert 'name="email"' in html
    assert 'name="password"' in html


def test_login_success_goes_to_dashboard(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user(Role.facilitator)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200


def test_login_follows_safe_next_only(client: FlaskClient, make_user: Callable[..., User]) -> None:
    user = make_user()
    data = {"email": user.email, "password": PASSWORD}
    assert client.post("/login?next=/themes/1", data=data).headers["Location"] == "/themes/1"
    client.post("/logout")
    evil = client.post("/login?next=https://evil.example/", data=data)
    assert evil.headers["Location"] == "/"


def test_login_wrong_password_refused(client: FlaskClient, make_user: Callable[..., User]) -> None:
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": "wrong password"})
    assert response.status_code == 200
    assert "Wrong e-mail or password" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_login_inactive_user_refused(
    app: Flask, client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user()
    with app.app_context():
        session().get(User, user.id).active = False  # type: ignore[union-attr]
        session().commit()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert client.get("/").status_code == 302


def test_login_rate_limited(tmp_path: Path) -> None:
    """The per-address limit over all accounts stays, beside the per-account throttle."""
    app = create_app(make_config(tmp_path, RATELIMIT_ENABLED=True))
    with app.app_context():
        Base.metadata.create_all(db.engine)
    limiter.reset()
    client = app.test_client()
    codes = [  # a different account each time: the per-account throttle never starts
        client.post(
            "/login", data={"email": f"nobody{n}@example.org", "password": "x" * 12}
        ).status_code
        for n in range(21)
    ]
    assert codes[:20] == [200] * 20
    assert codes[20] == 429
    limiter.reset()
    with app.app_context():
        db.engine.dispose()


def test_logout_needs_post_and_ends_session(
    client: FlaskClient, make_user: Callable[..., User], login: Callable[[User], None]
) -> None:
    login(make_user())
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302


def test_session_cookie_httponly_and_lax(
    client: FlaskClient, make_user: Callable[..., User]
) -> None:
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_html_lang_is_bare_code_and_switch_remembered(client: FlaskClient) -> None:
    assert '<html lang="en" dir="ltr">' in client.get("/login").get_data(as_text=True)
    response = client.get("/language/sv?next=/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="sv" dir="ltr">' in html


def test_language_switch_ignores_unknown_code_and_foreign_next(client: FlaskClient) -> None:
    response = client.get("/language/xx?next=//evil.example/")
    assert response.headers["Location"] == "/"
    assert "lang=" not in response.headers.get("Set-Cookie", "")


@pytest.fixture
def admin(make_user: Callable[..., User], login: Callable[[User], None]) -> User:
    user = make_user(Role.admin, email="admin@example.org")
    login(user)
    return user


def test_users_admin_lists_and_creates(app: Flask, client: FlaskClient, admin: User) -> None:
    assert "admin@example.org" in client.get("/admin/users").get_data(as_text=True)
    response = client.post(
        "/admin/users/new",
        data={
            "email": "Anna@Example.org",
            "name": "Anna",
            "role": "observer",
            "password": PASSWORD,
            "confirm": PASSWORD,
        },
    )
    assert response.status_code == 302
    with app.app_context():
        user = session().scalars(sa.select(User).where(User.email == "anna@example.org")).one()
        assert (user.name, user.role) == ("Anna", Role.observer)
    assert "anna@example.org" in client.get("/admin/users").get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "admin@example.org"}, "A user with this e-mail already exists."),
        ({"email": "not-an-address"}, "Enter a valid e-mail address."),
        ({"password": "short", "confirm": "short"}, "The password needs at least 10 characters."),
        ({"confirm": "something else"}, "The passwords differ."),
        ({"role": "king"}, "Not a valid choice."),
    ],
)
def test_users_admin_create_bad_input_refused(
    app: Flask, client: FlaskClient, admin: User, data: dict[str, str], message: str
) -> None:
    form = {
        "email": "new@example.org",
        "name": "New",
        "role": "facilitator",
        "password": PASSWORD,
        "confirm": PASSWORD,
        **data,
    }
    response = client.post("/admin/users/new", data=form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert session().scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_users_admin_edit_role_active_and_password(
    app: Flask, client: FlaskClient, admin: User, make_user: Callable[..., User]
) -> None:
    other = make_user(Role.facilitator)
    url = f"/admin/users/{other.id}/edit"
    assert other.email in client.get(url).get_data(as_text=True)
    new_password = "a brand new password"
    response = client.post(
        url,
        data={
            "name": "Renamed",
            "role": "observer",
            "password": new_password,
            "confirm": new_password,
        },
    )  # "active" unticked: deactivated
    assert response.status_code == 302
    user = get_user(app, other.id)
    assert (user.name, user.role, user.active) == ("Renamed", Role.observer, False)
    client.post("/logout")
    refused = client.post("/login", data={"email": other.email, "password": new_password})
    assert refused.status_code == 200  # inactive


def test_users_admin_cannot_demote_self(app: Flask, client: FlaskClient, admin: User) -> None:
    response = client.post(
        f"/admin/users/{admin.id}/edit", data={"name": "Me", "role": "observer", "active": "y"}
    )
    assert response.status_code == 422
    assert "You cannot change your own role." in response.get_data(as_text=True)
    assert get_user(app, admin.id).role is Role.admin


def test_users_admin_only_for_admins(
    client: FlaskClient, make_user: Callable[..., User], login: Callable[[User], None]
) -> None:
    assert client.get("/admin/users").status_code == 302  # anonymous: to the login page
    login(make_user(Role.facilitator))
    assert client.get("/admin/users").status_code == 403
    assert client.post("/admin/users/new", data={"email": "x@example.org"}).status_code == 403
    assert client.get("/admin/users/1/edit").status_code == 403
