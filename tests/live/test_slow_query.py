"""A slow query for one phone does not stall the others: the PostgreSQL driver waits
cooperatively under gevent and eventlet, so one request waiting on the database leaves
the rest of the process running.

The real server runs as a process (``python wsgi.py``) on this module's PostgreSQL
database; a trigger makes one marked contribution take seconds to insert. psycopg 3
finds gevent's patched ``select`` by itself; under eventlet ``wsgi.py`` picks its
select-based wait, which eventlet's patched ``select`` makes cooperative. With psycopg's
C wait (``PSYCOPG_WAIT_FUNC=wait_c``) the whole process stops for the slow insert, and
this test fails.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from phones import Phone
from processes import app_env, free_port, serving

from facilitate.extensions import db

from .conftest import open_meeting

#: Long enough that a stalled server cannot pass for a busy one.
SLOW = 3.0
#: What the other phones may wait while the slow insert runs: far under SLOW.
PROMPT = 1.5
MARKER = "Den här meningen tar tid att spara"

SLOW_INSERT = f"""
CREATE OR REPLACE FUNCTION slow_marked_contribution() RETURNS trigger AS $$
BEGIN
    IF NEW.text = '{MARKER}' THEN
        PERFORM pg_sleep({SLOW});
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER slow_marked_contribution BEFORE INSERT ON contributions
    FOR EACH ROW EXECUTE FUNCTION slow_marked_contribution();
"""


@pytest.fixture
def app_config(postgres_config: dict[str, Any]) -> dict[str, Any]:
    return postgres_config


@pytest.fixture
def server(
    app: Flask, app_config: dict[str, Any], tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[str]:
    """The server in ``request.param`` mode on the app's database, with the slow trigger."""
    with app.app_context(), db.engine.begin() as connection:
        connection.exec_driver_sql(SLOW_INSERT)
    port = free_port()
    env = app_env(
        tmp_path,
        PORT=str(port),
        ASYNC_MODE=request.param,
        SECRET_KEY="slow-query-tests",
        DATABASE_URL=app_config["DATABASE_URL"],
    )
    log = tmp_path / "server.log"
    with serving(env, log):
        yield f"http://127.0.0.1:{port}"
    print(log.read_text(errors="replace"))  # shown when the test fails


def sleeping_queries(app: Flask) -> int:
    """How many sessions of this database sit in pg_sleep right now."""
    with app.app_context(), db.engine.connect() as connection:
        found: int = connection.scalar(
            sa.text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event = 'PgSleep'"
            )
        )
        return found


def wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.mark.parametrize("server", ["gevent", "eventlet"], indirect=True)
def test_slow_query_does_not_stall_other_phones(
    app: Flask, meeting_id: int, join: Callable[..., str], server: str
) -> None:
    open_meeting(app, meeting_id)
    anna = Phone(server, join(meeting_id, "Anna", "Fröslunda"))
    bo = Phone(server, join(meeting_id, "Bo", "Myrtorp"))
    cecilia = Phone(server, join(meeting_id, "Cecilia", "Fröslunda"))
    slow: dict[str, Any] = {}

    def write_slowly() -> None:
        started = time.monotonic()
        slow["ack"] = anna.call("contribution_add", {"client_id": "slow-1", "text": MARKER})
        slow["took"] = time.monotonic() - started

    writer = threading.Thread(target=write_slowly)
    try:
        writer.start()
        # Bo writes only once Anna's insert is inside the database's sleep.
        assert wait_until(lambda: sleeping_queries(app) == 1, timeout=SLOW)

        started = time.monotonic()
        answer = bo.call("contribution_add", {"client_id": "quick-1", "text": "Snabbt sagt"})
        assert time.monotonic() - started < PROMPT
        assert answer["ok"] is True
        assert cecilia.wait(lambda: "Snabbt sagt" in cecilia.texts(), timeout=PROMPT)
        assert "took" not in slow, "the slow write ended before the quick one was heard"

        writer.join(timeout=SLOW + 5)
        assert slow["ack"]["ok"] is True
        assert slow["took"] >= SLOW
        assert cecilia.wait(lambda: MARKER in cecilia.texts(), timeout=PROMPT)
    finally:
        writer.join(timeout=SLOW + 5)
        for phone in (anna, bo, cecilia):
            phone.close()
