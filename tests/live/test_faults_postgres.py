"""Bad days: PostgreSQL goes away (every connection dropped, new ones refused) and comes
back on the same address. Writes get a clear refusal in good time, never a false success,
and the same write goes through exactly once afterwards."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import make_config
from faults_proxy import Proxy, proxy_to
from flask import Flask
from flask.testing import FlaskClient
from flask_socketio import SocketIOTestClient
from services import address, through

from facilitate.auth.models import Role, User
from facilitate.db import session
from facilitate.dialogues.models import Dialogue
from facilitate.extensions import db
from facilitate.live.models import Contribution
from facilitate.models import Base
from rooms.engine import PresenceFlusher

from .conftest import NS, events

#: How long a refusal may take: the cut is a refused connection, found at once.
PROMPT = 3.0


@pytest.fixture
def proxy(postgres_admin: str) -> Iterator[Proxy]:
    with proxy_to(address(postgres_admin, 5432)) as proxy:
        yield proxy


@pytest.fixture
def app_config(
    tmp_path: Path, postgres_url: str, proxy: Proxy, request: pytest.FixtureRequest
) -> Iterator[dict[str, Any]]:
    """The app reaches this module's database only through the proxy."""
    url = through(postgres_url, proxy.port)
    yield make_config(tmp_path, DATABASE_URL=url, **getattr(request, "param", {}))
    # The database is the module's: each test starts on empty tables.
    engine = sa.create_engine(postgres_url)
    Base.metadata.drop_all(engine)
    engine.dispose()


def stored_texts(app: Flask) -> list[str]:
    with app.app_context():
        return list(session().scalars(sa.select(Contribution.text)))


def test_postgres_down_refuses_the_write_then_takes_the_retry_once(
    app: Flask, room: dict[str, SocketIOTestClient], proxy: Proxy, caplog: pytest.LogCaptureFixture
) -> None:
    payload = {"client_id": "held-1", "text": "Skrivet medan databasen var borta"}
    events(room["bo"])
    proxy.cut()
    started = time.monotonic()
    answer = room["anna"].emit("contribution_add", payload, namespace=NS, callback=True)
    took = time.monotonic() - started
    assert answer["ok"] is False
    assert answer["error"]["code"] == "unavailable"
    assert took < PROMPT
    assert "write contribution_add failed in the database" in caplog.text
    assert room["anna"].is_connected(NS)
    assert events(room["bo"], "contribution") == []  # nobody heard of a write not stored

    proxy.restore()
    again = room["anna"].emit("contribution_add", payload, namespace=NS, callback=True)
    assert again["ok"] is True
    assert [c["text"] for c in events(room["bo"], "contribution")] == [payload["text"]]
    # The phone may not have heard the ack: its outbox sends the same write once more.
    assert room["anna"].emit("contribution_add", payload, namespace=NS, callback=True) == again
    assert stored_texts(app) == [payload["text"]]


#: How long a pooled connection may idle unpinged, for the tests that say so.
IDLE = 0.3


@pytest.mark.parametrize("app_config", [{"DATABASE_IDLE_PING": IDLE}], indirect=True)
def test_postgres_restarted_while_the_pool_idled_costs_no_write(
    app: Flask, room: dict[str, SocketIOTestClient], proxy: Proxy, caplog: pytest.LogCaptureFixture
) -> None:
    """The pooled connections died while nobody wrote: the first write after finds that
    out by a ping before it is sent (an idle connection is pinged), and goes through."""
    first = {"client_id": "before", "text": "Före omstarten"}
    assert room["anna"].emit("contribution_add", first, namespace=NS, callback=True)["ok"]
    proxy.cut()  # every pooled connection dropped
    proxy.restore()
    time.sleep(IDLE + 0.2)
    after = {"client_id": "after", "text": "Efter omstarten"}
    answer = room["anna"].emit("contribution_add", after, namespace=NS, callback=True)
    assert answer["ok"] is True, answer
    assert "failed in the database" not in caplog.text
    assert stored_texts(app) == [first["text"], after["text"]]


@pytest.mark.parametrize("app_config", [{"DATABASE_IDLE_PING": 30.0}], indirect=True)
def test_postgres_cut_within_the_idle_time_refuses_one_write_then_renews_the_pool(
    app: Flask, room: dict[str, SocketIOTestClient], proxy: Proxy
) -> None:
    """A connection lent again soon is not pinged (a vote storm's are not): a cut in that
    time costs the write that meets it a refusal, which the phone sends again; the
    pool is renewed by that failure, so the next write goes through."""
    first = {"client_id": "before", "text": "Före avbrottet"}
    assert room["anna"].emit("contribution_add", first, namespace=NS, callback=True)["ok"]
    proxy.cut()
    proxy.restore()
    held = {"client_id": "held", "text": "Mitt i avbrottet"}
    refused = room["anna"].emit("contribution_add", held, namespace=NS, callback=True)
    assert refused["ok"] is False
    assert refused["error"]["code"] == "unavailable"
    again = room["anna"].emit("contribution_add", held, namespace=NS, callback=True)
    assert again["ok"] is True, again
    assert stored_texts(app) == [first["text"], held["text"]]


def test_postgres_down_pages_and_api_answer_503_then_work(
    app: Flask,
    client: FlaskClient,
    proxy: Proxy,
    make_user: Callable[..., User],
    api_token: Callable[[User], str],
    facilitator: User,
) -> None:
    headers = {"Authorization": f"Bearer {api_token(make_user(Role.facilitator))}"}
    body = {"title": "Trygghet", "areas": ["Fröslunda"]}
    proxy.cut()

    page = client.get("/")
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "5"
    text = page.get_data(as_text=True)
    assert "The service is unavailable for a moment. Nothing was saved" in text
    assert "Traceback" not in text
    swedish = client.get("/", headers={"Accept-Language": "sv"})
    assert "Tjänsten är inte tillgänglig just nu" in swedish.get_data(as_text=True)

    started = time.monotonic()
    refused = client.post("/api/v1/dialogues", json=body, headers=headers)
    assert time.monotonic() - started < PROMPT
    assert refused.status_code == 503
    assert refused.headers["Cache-Control"] == "private, no-store"
    assert refused.json is not None
    assert refused.json["error"]["code"] == "unavailable"

    proxy.restore()
    assert client.get("/").status_code == 200
    assert client.post("/api/v1/dialogues", json=body, headers=headers).status_code == 201
    with app.app_context():
        assert session().scalars(sa.select(Dialogue.title)).all() == ["Trygghet"]


@pytest.mark.parametrize("app_config", [{"PROPAGATE_EXCEPTIONS": False}], indirect=True)
def test_database_lost_before_the_commit_is_503_and_saves_nothing(
    app: Flask,
    client: FlaskClient,
    proxy: Proxy,
    make_user: Callable[..., User],
    api_token: Callable[[User], str],
) -> None:
    """The view's insert went out, then the connection died before the commit: the
    answer must not be the view's 201."""
    headers = {"Authorization": f"Bearer {api_token(make_user(Role.facilitator))}"}

    @app.after_request  # runs before the app's own commit (after_request runs in reverse)
    def _cut_now(response: Any) -> Any:
        if response.status_code == 201:
            proxy.cut()
        return response

    lost = client.post("/api/v1/dialogues", json={"title": "Borta", "areas": []}, headers=headers)
    assert lost.status_code == 503
    assert lost.json is not None
    assert lost.json["error"]["code"] == "unavailable"
    proxy.restore()
    with app.app_context():
        assert session().scalar(sa.select(sa.func.count(Dialogue.id))) == 0


def test_presence_flushed_while_the_database_is_away_comes_with_it(
    room: dict[str, SocketIOTestClient], proxy: Proxy
) -> None:
    """The people counter is sent a moment after a join; if the database is away then,
    it is sent once the database is back, not only at the next join."""
    events(room["console"])
    proxy.cut()  # before the joins' presence flush, due a second after they connected
    time.sleep(PresenceFlusher.INTERVAL + 0.2)
    assert events(room["console"], "presence") == []
    proxy.restore()
    deadline = time.monotonic() + PresenceFlusher.RETRY_DELAY + 2
    while not (seen := events(room["console"], "presence")) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert seen, "no presence after the database came back"
    assert seen[-1]["online"] == 2


def test_a_silent_server_is_given_up_on_in_seconds(app: Flask) -> None:
    """A host that vanishes without refusing is not waited on for minutes (the cut above
    refuses at once, so these limits are checked as settings, not waited out)."""
    with app.app_context(), db.engine.connect() as connection:
        settings = connection.connection.dbapi_connection.info.get_parameters()  # type: ignore[union-attr]
    assert settings["connect_timeout"] == "5"
    assert settings["tcp_user_timeout"] == "10000"
    assert (settings["keepalives_idle"], settings["keepalives_count"]) == ("30", "3")
