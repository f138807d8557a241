"""Shared fixtures: ``app``, ``client``, ``runner`` and factory callables.

Each test gets its own SQLite file, so tests never see each other's rows.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import secrets
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from processes import DATABASE, app_env, run_flask
from services import Services, database_url, redis_database
from socketio import packet

import rooms
from facilitate import create_app
from facilitate.actions import operations as action_ops
from facilitate.auth import operations as auth_ops
from facilitate.auth.models import Role, User
from facilitate.db import resident_words, session, word_models
from facilitate.dialogues import operations as dialogue_ops
from facilitate.extensions import db, limiter
from facilitate.live import operations as live_ops
from facilitate.live import participants
from facilitate.live.views_json import Viewer, ViewerRole
from facilitate.meetings import operations as meeting_ops
from facilitate.meetings.models import Meeting, MeetingStatus
from facilitate.models import Base
from facilitate.proposals import operations as proposal_ops

PASSWORD = "correct horse battery"

# The phones the tests play (Flask-SocketIO's test client, python-socketio's client) build
# their packets with python-socketio's own class. They write JSON as the server reads it,
# with orjson, as a browser writes it: a float that JSON cannot hold (an infinity) goes as
# null, never as the bare `Infinity` of Python's json module, which no phone sends.
packet.Packet.json = rooms.wire


def make_config(tmp_path: Path, **overrides: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'test.db'}",
        "INSTANCE_PATH": str(tmp_path),
        "ASYNC_MODE": "threading",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        # Cheap hashing: the real parameters cost ~80 ms per hash.
        "ARGON2_PARAMS": {"time_cost": 1, "memory_cost": 8, "parallelism": 1},
    }
    config.update(overrides)
    return config


@pytest.fixture
def app_config(tmp_path: Path, request: pytest.FixtureRequest) -> dict[str, Any]:
    """Override entries before ``app`` is built: in a conftest, or per test with
    ``@pytest.mark.parametrize("app_config", [{...}], indirect=True)``."""
    return make_config(tmp_path, **getattr(request, "param", {}))


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    app = create_app(app_config)
    with app.app_context():
        Base.metadata.create_all(db.engine)
    if limiter.enabled:
        limiter.reset()
    yield app
    rooms.stop(app)  # a flush after this would open a connection the pool never closes
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser that prefers English, so tests read the message ids; Swedish is tested apart."""
    test_client = app.test_client()
    test_client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return test_client


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def demo(runner: FlaskCliRunner) -> None:
    """The demo dialogue, its meetings and its logins."""
    assert runner.invoke(args=["demo"]).exit_code == 0


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Path:
    """A SQLite database migrated and loaded with the demo by the real commands (``flask
    db upgrade``, ``flask demo``), made once per run: tests of real server processes start
    from a copy of their own (``processes.copy_database``). Parallel workers share it: the
    first to need it makes it in their common temporary folder while the others wait."""
    shared = tmp_path_factory.getbasetemp()
    if worker(request.config) != "main":
        shared = shared.parent  # pytest-xdist's workers each have a folder in this one
    folder = shared / "demo-database"
    with (shared / "demo-database.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not (folder / "made").exists():
            shutil.rmtree(folder, ignore_errors=True)  # a worker that failed half-way
            folder.mkdir()
            env = app_env(folder, SECRET_KEY="demo-database")
            for args in (("db", "upgrade"), ("demo",)):
                done = run_flask(*args, env=env)
                assert done.returncode == 0, done.stderr
            (folder / "made").touch()
    return folder / DATABASE


@pytest.fixture
def demo_join_path(app: Flask, demo: None) -> str:
    """``/j/<code>`` of the demo's first meeting, opened at its first step so it takes
    residents; a POST there joins and redirects to the phone page."""
    with app.app_context():
        meeting = session().get(Meeting, 1)
        assert meeting is not None
        meeting.status, meeting.current_phase = MeetingStatus.open, 0
        code = meeting.join_code
        session().commit()
    return f"/j/{code}"


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    """Create and commit a staff user; returns it detached, with its id."""
    counter = iter(range(1, 10_000))

    def _make(
        role: Role | str = Role.facilitator,
        email: str | None = None,
        password: str = PASSWORD,
        name: str | None = None,
    ) -> User:
        with app.app_context():
            user = auth_ops.create_user(
                email or f"user{next(counter)}@example.org",
                name=name,
                password=password,
                role=role,
            )
            session().commit()
            session().refresh(user)
            session().expunge(user)
            return user

    return _make


@pytest.fixture
def login(client: FlaskClient) -> Callable[[User], None]:
    def _login(user: User, password: str = PASSWORD) -> None:
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)

    return _login


@pytest.fixture
def api_token(app: Flask) -> Callable[[User], str]:
    def _token(user: User) -> str:
        with app.app_context():
            token = auth_ops.issue_api_token(session().get(User, user.id))  # type: ignore[arg-type]
            session().commit()
            return token

    return _token


@pytest.fixture
def observer_login(
    client: FlaskClient, make_user: Callable[..., User], login: Callable[[User], None]
) -> User:
    """An observer (a note-taker), logged in on ``client``."""
    user = make_user(Role.observer)
    login(user)
    return user


@pytest.fixture
def facilitator(make_user: Callable[..., User], login: Callable[[User], None]) -> User:
    """A facilitator, logged in on ``client``."""
    user = make_user(Role.facilitator)
    login(user)
    return user


@pytest.fixture
def agreed(app: Flask) -> dict[str, int]:
    """A meeting where Anna's words became a proposal, voted on and agreed."""
    return make_agreed(app)


def make_agreed(
    app: Flask, title: str = "Trygghet", proposal_title: str = "Belys skolvägen"
) -> dict[str, int]:
    """A dialogue ``title`` with one meeting where Anna's words became the proposal
    ``proposal_title``, voted on and agreed: its ids, the action item's among them."""
    with app.app_context():
        dialogue = dialogue_ops.create_dialogue(
            title, areas=["Fröslunda", "Myrtorp"], action_deadline=dt.date(2027, 5, 31)
        )
        theme = dialogue_ops.create_theme(dialogue, "Belysning")
        meeting = meeting_ops.create_meeting(theme, "Kväll", template="in_depth_90")
        meeting_ops.set_voting(
            meeting, meeting_ops.VotingSpec(method="approval", dots=None, cap=None, results=None)
        )
        meeting.status = MeetingStatus.open
        meeting.current_phase = 0
        anna, _ = participants.join(meeting, display_name="Anna", area="Fröslunda")
        phone = Viewer(meeting.id, ViewerRole.participant, participant_id=anna.id)
        said = live_ops.add_contribution(meeting, phone, anna, "Det är mörkt vid skolan")
        staff = Viewer(meeting.id, ViewerRole.facilitator)
        proposal = proposal_ops.promote_contribution(meeting, staff, said.id, proposal_title)
        other = proposal_ops.add_proposal(meeting, staff, None, "Fler bänkar")
        proposal_ops.open_voting(meeting)
        proposal_ops.vote(anna.id, proposal.id, 1)
        proposal_ops.close_voting(meeting)
        item = action_ops.decide(meeting, staff, proposal.id, "agreed")
        assert item is not None
        session().commit()
        return {
            "dialogue": dialogue.id,
            "meeting": meeting.id,
            "item": item.id,
            "proposal": proposal.id,
            "other": other.id,
            "area": anna.area_id or 0,
        }


def holding(app: Flask, phrase: str) -> set[str]:
    """Every column of residents' words (``Holds.resident_words``) that still holds
    ``phrase`` somewhere, as ``table.column``."""
    found = set()
    with app.app_context():
        for model in word_models():
            for key in resident_words(model):
                column = getattr(model, key)
                if session().scalar(sa.select(sa.func.count()).where(column.contains(phrase))):
                    found.add(f"{model.__tablename__}.{key}")
    return found


def on_disk(app: Flask, phrase: str) -> list[str]:
    """The SQLite database's files (the database, its WAL and shared memory) whose bytes
    hold ``phrase``: what a copy of the disk would show, whatever queries say."""
    database = Path(str(sa.make_url(app.config["DATABASE_URL"]).database))
    files = sorted(database.parent.glob(f"{database.name}*"))
    assert database in files
    return [f.name for f in files if phrase.encode() in f.read_bytes()]


def every_word_column() -> set[str]:
    """What ``holding`` finds when a test has put its phrase in every copy of the words: a
    column marked later fails that test until it writes the phrase there too."""
    return {f"{m.__tablename__}.{key}" for m in word_models() for key in resident_words(m)}


SERVICES = pytest.StashKey[Services]()


def worker(config: pytest.Config) -> str:
    """This process's name in a parallel run (pytest-xdist's ``gw0``, ``gw1``...), or
    ``main`` when one process runs the tests (``-n 0``, ``-p no:xdist``)."""
    workerinput: dict[str, Any] = getattr(config, "workerinput", {})
    return str(workerinput.get("workerid", "main"))


def worker_number(config: pytest.Config) -> int:
    """0 for ``main``, N + 1 for ``gwN``."""
    name = worker(config)
    return int(name.removeprefix("gw")) + 1 if name.startswith("gw") else 0


@pytest.fixture(scope="session")
def services(request: pytest.FixtureRequest) -> Iterator[Services]:
    """PostgreSQL and Redis where TEST_POSTGRES_URL and TEST_REDIS_URL say, or embedded
    ones for this session when nothing answers there (tests/services.py)."""
    with Services() as found:
        request.config.stash[SERVICES] = found
        yield found


#: What the parallel workers' sessions said about their servers, gathered by the controller.
WORKER_NOTES = pytest.StashKey[list[str]]()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A parallel worker hands its notes to the controller, which prints the summary."""
    workeroutput: dict[str, Any] | None = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["service_notes"] = session.config.stash.get(SERVICES, Services()).notes


@pytest.hookimpl(optionalhook=True)  # pytest-xdist's hook; absent under -p no:xdist
def pytest_testnodedown(node: Any, error: object) -> None:
    notes = node.config.stash.setdefault(WORKER_NOTES, [])
    notes.extend(getattr(node, "workeroutput", {}).get("service_notes", []))


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    """Says when the run brought its own servers: slower to start, and not the ones the
    environment named."""
    notes = config.stash.get(SERVICES, Services()).notes + config.stash.get(WORKER_NOTES, [])
    for note in notes:
        terminalreporter.write_line(note)


@pytest.fixture(scope="session")
def postgres_admin(services: Services) -> str:
    """A superuser's URL on the session's PostgreSQL, for creating databases."""
    return services.postgres()


@pytest.fixture(scope="module")
def postgres_url(postgres_admin: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh, empty database for this module, dropped afterwards. Its name is random, so
    parallel workers and other runs on the same server never meet; the worker's name in it
    tells whose a leftover was."""
    name = f"facilitate_test_{worker(request.config)}_{secrets.token_hex(6)}"
    try:
        admin = psycopg.connect(postgres_admin, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        pytest.fail(
            f"PostgreSQL at {postgres_admin} is unreachable ({error}); set TEST_POSTGRES_URL "
            "to a server that answers, or to a free port for an embedded one"
        )
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield database_url(postgres_admin, name)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def redis_url(services: Services, request: pytest.FixtureRequest) -> str:
    """The session's Redis; it answers, or the test fails (CI never skips it). Tests share
    it: each keeps to keys, or a Socket.IO channel, of its own; each parallel worker also
    to a database of its own (the next ones after the configured one)."""
    url = redis_database(services.redis(), worker_number(request.config))
    try:
        with redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2) as client:
            client.ping()
    except redis.RedisError as error:
        pytest.fail(
            f"Redis at {url} is unreachable ({error}); set TEST_REDIS_URL to a server that "
            "answers, or to a free port for an embedded one"
        )
    return url


@pytest.fixture
def postgres_config(tmp_path: Path, postgres_url: str) -> Iterator[dict[str, Any]]:
    """Settings on this module's PostgreSQL database. A module runs on PostgreSQL by
    overriding ``app_config`` with these; ``app`` creates the tables."""
    yield make_config(tmp_path, DATABASE_URL=postgres_url)
    # The database lives as long as the module: each test starts on empty tables.
    engine = sa.create_engine(postgres_url)
    Base.metadata.drop_all(engine)
    engine.dispose()


@pytest.fixture
def intake(app: Flask) -> dict[str, int]:
    with app.app_context():
        dialogue = dialogue_ops.create_dialogue(
            "Trygghet", areas=["Fröslunda", "Myrtorp", "Lagersberg"]
        )
        light = dialogue_ops.create_theme(dialogue, "Belysning")
        work = dialogue_ops.create_theme(dialogue, "Arbete")
        police = dialogue_ops.create_theme(dialogue, "Polisen")
        session().commit()
        return {
            "dialogue": dialogue.id,
            "light": light.id,
            "work": work.id,
            "police": police.id,
        }


@pytest.fixture
def as_role(
    client: FlaskClient, make_user: Callable[..., User], api_token: Callable[[User], str]
) -> Callable[[Role], Any]:
    """An API client (checked against the OpenAPI document) holding a token of ``role``."""
    from api.test_openapi import Api

    return lambda role: Api(client, api_token(make_user(role)))
