"""Wrong passwords slow the guesser's address, per account, and never lock the owner out.

Through HTTP: each address is its own test client (``REMOTE_ADDR``), and the throttle's
clock (``LOGIN_CLOCK``) is moved by hand, so no test sleeps.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import PASSWORD, make_config
from flask import Flask
from flask.testing import FlaskClient
from limits.storage import MemoryStorage
from werkzeug.test import TestResponse

from facilitate import create_app
from facilitate.auth import operations, passwords
from facilitate.auth.models import Role, User
from facilitate.auth.throttle import LoginThrottle, Policy
from facilitate.db import session
from facilitate.extensions import db
from facilitate.models import Base

ATTACKER = "203.0.113.66"
OWNER = "198.51.100.7"
WRONG = "not the password"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(app: Flask) -> Clock:
    clock = Clock()
    app.config["LOGIN_CLOCK"] = clock
    return clock


@pytest.fixture
def browser(app: Flask) -> Callable[[str], FlaskClient]:
    """A browser of its own (cookies and all) at ``address``."""

    def _at(address: str) -> FlaskClient:
        test_client = app.test_client()
        test_client.environ_base.update({"REMOTE_ADDR": address, "HTTP_ACCEPT_LANGUAGE": "en"})
        return test_client

    return _at


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each password the server checked, in order."""
    checked: list[str] = []
    verify = passwords.verify_password

    def counting(password_hash: str, password: str) -> bool:
        checked.append(password)
        return verify(password_hash, password)

    monkeypatch.setattr(passwords, "verify_password", counting)
    return checked


def guess(browser: FlaskClient, email: str, password: str = WRONG) -> TestResponse:
    return browser.post("/login", data={"email": email, "password": password})


def logged_in(browser: FlaskClient) -> bool:
    return browser.get("/").status_code == 200


def test_owner_logs_in_from_elsewhere_while_someone_guesses(
    clock: Clock, browser: Callable[[str], FlaskClient], make_user: Callable[..., User]
) -> None:
    anna = make_user(Role.facilitator, email="anna@example.org")
    attacker = browser(ATTACKER)
    for _ in range(30):  # a minute of guessing, as fast as the throttle lets them
        guess(attacker, anna.email)
        clock.advance(2)
    assert not logged_in(attacker)
    owner = browser(OWNER)
    response = guess(owner, anna.email, PASSWORD)
    assert response.status_code == 302
    assert logged_in(owner)
    # A colleague behind the attacker's address (one Wi-Fi at the town hall) is not slowed
    # at her own account either.
    bo = make_user(Role.facilitator, email="bo@example.org")
    colleague = browser(ATTACKER)
    assert guess(colleague, bo.email, PASSWORD).status_code == 302


def test_waits_grow_and_a_guess_during_one_is_refused_unchecked(
    app: Flask,
    clock: Clock,
    checks: list[str],
    browser: Callable[[str], FlaskClient],
    make_user: Callable[..., User],
) -> None:
    anna = make_user(email="anna@example.org")
    attacker = browser(ATTACKER)
    free = app.config["LOGIN_FREE_FAILURES"]
    for _ in range(free):
        response = guess(attacker, anna.email)
        assert response.status_code == 200
        assert "Wrong e-mail or password." in response.get_data(as_text=True)
        assert "Try again" not in response.get_data(as_text=True)
    assert len(checks) == free
    waits = []
    for _ in range(12):
        checked = len(checks)
        failed = guess(attacker, anna.email)  # checked: the previous wait is over
        assert failed.status_code == 200
        assert len(checks) == checked + 1
        page = failed.get_data(as_text=True)
        assert "Wrong e-mail or password." in page
        assert "Too many attempts from here. Try again in" in page
        too_soon = guess(attacker, anna.email, PASSWORD)  # even the right password
        assert too_soon.status_code == 429
        assert len(checks) == checked + 1  # refused before any password was checked
        wait = int(too_soon.headers["Retry-After"])
        waits.append(wait)
        clock.advance(wait - 1)
        last_second = guess(attacker, anna.email, PASSWORD)
        assert last_second.status_code == 429
        assert last_second.headers["Retry-After"] == "1"
        assert len(checks) == checked + 1
        clock.advance(1)
    assert waits == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 600, 600]
    assert not logged_in(attacker)


def test_refusal_says_when_to_try_again(
    clock: Clock, browser: Callable[[str], FlaskClient], make_user: Callable[..., User]
) -> None:
    anna = make_user(email="anna@example.org")
    attacker = browser(ATTACKER)
    for _ in range(6):
        guess(attacker, anna.email)
    page = guess(attacker, anna.email).get_data(as_text=True)
    assert "Too many attempts from here. Try again in 1 second." in page
    for _ in range(6):  # each after its wait is over: the last one imposes 64 s
        clock.advance(600)
        guess(attacker, anna.email)
    assert "Try again in 2 minutes." in guess(attacker, anna.email).get_data(as_text=True)
    clock.advance(4)
    assert "Try again in 1 minute." in guess(attacker, anna.email).get_data(as_text=True)
    clock.advance(1)
    assert "Try again in 59 seconds." in guess(attacker, anna.email).get_data(as_text=True)
    swedish = attacker.post(
        "/login",
        data={"email": anna.email, "password": WRONG},
        headers={"Accept-Language": "sv"},
    ).get_data(as_text=True)
    assert "För många försök härifrån. Försök igen om 59 sekunder." in swedish


def test_right_password_after_the_wait_logs_in_and_clears_the_count(
    app: Flask, clock: Clock, browser: Callable[[str], FlaskClient], make_user: Callable[..., User]
) -> None:
    anna = make_user(email="anna@example.org")
    # Anna herself, flustered before a meeting.
    at_desk = browser(OWNER)
    for _ in range(app.config["LOGIN_FREE_FAILURES"] + 3):  # waits of 1, 2 and 4 s
        guess(at_desk, anna.email)
        clock.advance(4)
    assert guess(at_desk, anna.email, PASSWORD).status_code == 302
    assert logged_in(at_desk)
    at_desk.post("/logout")
    # The run is over: her next typos are free again.
    for _ in range(app.config["LOGIN_FREE_FAILURES"]):
        assert guess(at_desk, anna.email).status_code == 200
    assert guess(at_desk, anna.email, PASSWORD).status_code == 302


def test_unknown_email_is_throttled_alike(
    app: Flask,
    clock: Clock,
    checks: list[str],
    browser: Callable[[str], FlaskClient],
    make_user: Callable[..., User],
) -> None:
    anna = make_user(email="anna@example.org")

    def answers(email: str) -> list[tuple[int, str | None, str]]:
        attacker = browser(ATTACKER)
        seen = []
        for _ in range(app.config["LOGIN_FREE_FAILURES"] + 3):
            response = guess(attacker, email)
            page = response.get_data(as_text=True)
            message = page[page.index("Wrong e-mail") :].split("<")[0] if "Wrong" in page else ""
            seen.append((response.status_code, response.headers.get("Retry-After"), message))
            refused = guess(attacker, email)
            seen.append((refused.status_code, refused.headers.get("Retry-After"), ""))
            clock.advance(1)
        return seen

    known = answers(anna.email)
    checked = len(checks)
    clock.advance(3600)
    unknown = answers("nobody@example.org")
    assert unknown == known
    assert len(checks) == 2 * checked  # the dummy hash is checked as often as Anna's
    assert [status for status, _, _ in unknown].count(429) >= 3


def test_email_case_and_spaces_do_not_escape_the_throttle(
    app: Flask, clock: Clock, browser: Callable[[str], FlaskClient], make_user: Callable[..., User]
) -> None:
    anna = make_user(email="anna@example.org")
    attacker = browser(ATTACKER)
    for _ in range(app.config["LOGIN_FREE_FAILURES"] + 1):
        guess(attacker, anna.email)
    assert guess(attacker, " ANNA@example.org ", PASSWORD).status_code == 429


def test_setting_a_new_password_needs_no_unlock(
    app: Flask, clock: Clock, browser: Callable[[str], FlaskClient], make_user: Callable[..., User]
) -> None:
    """There is no lock left for an admin to lift: the account has no failure state."""
    anna = make_user(email="anna@example.org")
    for _ in range(20):
        guess(browser(ATTACKER), anna.email)
    assert {"failed_logins", "locked_until"}.isdisjoint(User.__table__.columns.keys())
    assert guess(browser(OWNER), anna.email, PASSWORD).status_code == 302


@pytest.fixture
def shared_redis_apps(tmp_path: Path, redis_url: str) -> Iterator[list[Flask]]:
    """Two instances sharing one Redis, as in a deployment behind a proxy."""
    channel = f"facilitate-test-{secrets.token_hex(6)}"
    apps = []
    for name in ("one", "two"):
        folder = tmp_path / name
        folder.mkdir()
        config = make_config(
            folder,
            DATABASE_URL=f"sqlite:///{tmp_path / 'shared.db'}",
            RATELIMIT_STORAGE_URI=redis_url,
            RATELIMIT_STORAGE_OPTIONS={"key_prefix": f"{channel}:ratelimit"},
        )
        apps.append(create_app(config))
    with apps[0].app_context():
        Base.metadata.create_all(db.engine)
    yield apps
    shared = apps[0].extensions["login_throttle"].storage.storage  # the Redis client
    for key in shared.scan_iter(f"{channel}:*"):
        shared.delete(key)
    for app in apps:
        with app.app_context():
            db.engine.dispose()


def test_waits_are_shared_by_instances_through_redis(shared_redis_apps: list[Flask]) -> None:
    one, two = shared_redis_apps
    clock = Clock()
    for app in shared_redis_apps:
        app.config["LOGIN_CLOCK"] = clock
    with one.app_context():
        operations.create_user("anna@example.org", name=None, password=PASSWORD, role="admin")
        session().commit()
    addresses = {"REMOTE_ADDR": ATTACKER, "HTTP_ACCEPT_LANGUAGE": "en"}
    first, second = one.test_client(), two.test_client()
    first.environ_base.update(addresses)
    second.environ_base.update(addresses)
    for _ in range(one.config["LOGIN_FREE_FAILURES"] + 1):
        assert guess(first, "anna@example.org").status_code == 200
    # The other instance knows: the guesser cannot spread over them.
    assert guess(second, "anna@example.org", PASSWORD).status_code == 429
    clock.advance(1)
    assert guess(second, "anna@example.org", PASSWORD).status_code == 302


def test_waits_counted_locally_while_redis_is_away(tmp_path: Path) -> None:
    app = create_app(
        make_config(
            tmp_path,
            RATELIMIT_STORAGE_URI="redis://127.0.0.1:9/0",  # nothing listens there
            RATELIMIT_STORAGE_OPTIONS={"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        )
    )
    clock = Clock()
    app.config["LOGIN_CLOCK"] = clock
    with app.app_context():
        Base.metadata.create_all(db.engine)
        operations.create_user("anna@example.org", name=None, password=PASSWORD, role="admin")
        session().commit()
    owner, attacker = app.test_client(), app.test_client()
    owner.environ_base["REMOTE_ADDR"] = OWNER
    attacker.environ_base["REMOTE_ADDR"] = ATTACKER
    for _ in range(app.config["LOGIN_FREE_FAILURES"] + 1):
        assert guess(attacker, "anna@example.org").status_code == 200
    assert guess(attacker, "anna@example.org", PASSWORD).status_code == 429
    assert guess(owner, "anna@example.org", PASSWORD).status_code == 302
    with app.app_context():
        db.engine.dispose()


def test_login_settings_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("LOGIN_FREE_FAILURES", "3")
    monkeypatch.setenv("LOGIN_MAX_WAIT", "120")
    config = create_app().config
    assert (config["LOGIN_FREE_FAILURES"], config["LOGIN_MAX_WAIT"]) == (3, 120)
    for name, bad in (
        ("LOGIN_FREE_FAILURES", "many"),
        ("LOGIN_FREE_FAILURES", "-1"),
        ("LOGIN_MAX_WAIT", "0"),
        ("LOGIN_MAX_WAIT", "7200"),
        ("LOGIN_MAX_WAIT", "1.5"),
    ):
        monkeypatch.setenv(name, bad)
        with pytest.raises(SystemExit, match=f"{name} must be a whole number"):
            create_app()
        monkeypatch.delenv(name)


class Racing(MemoryStorage):
    """Another guess from the same place is counted between a guess's look and its count."""

    def __init__(self) -> None:
        super().__init__()
        self.race = False

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        if self.race and key.endswith(":failures"):
            self.race = False
            super().incr(key, expiry, amount)
        return super().incr(key, expiry, amount)


def test_guesses_side_by_side_are_not_all_checked(app: Flask, clock: Clock) -> None:
    """Sent together, guesses would all pass the look before any was counted; once waits
    apply, only the first is checked and the one that finds it counted is refused."""
    storage = Racing()
    guesses = LoginThrottle(storage, Policy(free=2, max_wait=600), "secret", clock=clock)
    with app.test_request_context():
        assert guesses.begin("anna@example.org", ATTACKER) == 0
        storage.race = True  # the second and third at once: free guesses may go together
        assert guesses.begin("anna@example.org", ATTACKER) == 0
        clock.advance(1)
        storage.race = True  # the fourth and fifth guesses at once: waits apply
        assert guesses.begin("anna@example.org", ATTACKER) == 4  # the fifth's, unchecked
        assert guesses.wait("anna@example.org", ATTACKER) == 4
        clock.advance(4)
        assert guesses.begin("anna@example.org", ATTACKER) == 0
        assert guesses.wait("anna@example.org", ATTACKER) == 8
        guesses.succeeded("anna@example.org", ATTACKER)
        assert guesses.wait("anna@example.org", ATTACKER) == 0
