"""kill -9 in the middle of a contribution storm and a vote storm, on SQLite and on
PostgreSQL: every acknowledged write is stored exactly once, no refused write is stored,
and every client's picture (its last ``state`` plus the events after it) ends the same as
a fresh ``state``. ``make test`` kills a few times per database; ``make soak`` sets
``SOAK_KILLS`` for the long series (docs/reliability.md)."""

from __future__ import annotations

import abc
import collections
import copy
import gc
import itertools
import os
import random
import signal
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import engineio  # type: ignore[import-untyped]
import pytest
import requests
import socketio  # type: ignore[import-untyped]
import sqlalchemy as sa
from pictures import apply, comparable
from processes import app_env, copy_database, free_port, run_flask, serving

from facilitate import demo

NS = "/live"
PHONES = 4
#: Kills per run and database: a few in ``make test``, the long series in ``make soak``.
KILLS = int(os.environ.get("SOAK_KILLS", "2"))
#: The dots vote: each phone has DOTS, at most CAP on one proposal.
DOTS, CAP = 5, 3
#: Proposals on the ballot; one more stays off it, for votes that must be refused.
BALLOT = 4
#: A write unanswered this long is sent again (after a kill the answer never comes).
CALL_TIMEOUT = 3.0
#: Refusals that mean "not now" rather than "no": the write stays in the outbox and goes
#: again, as in static/js/live.js.
RETRY = frozenset({"unavailable", "rate_limited"})
#: Long enough for the coalesced ``tally`` (0.25 s) and ``presence`` (1 s) to go out.
QUIET = 1.5
#: A long text that must be refused: the limit is 500 characters.
TOO_LONG = 501


class _InOrderEngineIO(engineio.Client):  # type: ignore[misc]
    """The stock client handles each message on a thread of its own, so two events can be
    folded in either order; a picture needs them in the order the server sent them."""

    def _trigger_event(self, event: str, *args: Any, **kwargs: Any) -> Any:
        if event == "message":
            kwargs["run_async"] = False
        return super()._trigger_event(event, *args, **kwargs)


class InOrderClient(socketio.Client):  # type: ignore[misc]
    def _engineio_client_class(self) -> type[Any]:
        return _InOrderEngineIO


def close(client: Any) -> None:
    """Disconnecting leaves the client's HTTP session open; close it, sockets and all."""
    client.disconnect()
    http = getattr(client.eio, "http", None)
    if http is not None:
        http.close()


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} within {timeout} s"
        time.sleep(0.02)


@dataclass
class Write:
    event: str
    client_id: str
    payload: dict[str, Any]
    #: The error code it must be refused with; ``None``: it must be stored.
    refusal: str | None = None
    #: Dots left after a vote, as the phone reckons them.
    remaining: int | None = None


class Storm:
    """What the writers share with the test: how far they got, and what is on the wire."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.answers = 0
        self.in_flight = 0
        self.stop = threading.Event()
        #: While set, the writers finish what they are sending and start nothing new.
        self.hold = threading.Event()
        #: Set when the test gives up: nobody waits for the server any longer.
        self.abandon = threading.Event()
        #: Times the pictures were held against fresh states.
        self.checks = 0

    def answered(self) -> int:
        with self.lock:
            return self.answers


class Client(abc.ABC):
    """One identity on /live. It keeps its picture, and an outbox that it sends in order,
    each write again with the same client_id until the server answers it."""

    #: Most seconds between two writes: a storm, yet mostly within the write limit.
    pace = 0.05

    def __init__(self, url: str, auth: dict[str, Any], name: str, storm: Storm) -> None:
        self.name = name
        self.auth = auth
        self.storm = storm
        self.lock = threading.Lock()  # the picture is folded on the client's reading thread
        self.picture: dict[str, Any] | None = None
        self.states = 0
        #: Events other than ``state`` folded into the picture.
        self.folded = 0
        self.problems: list[str] = []
        self.outbox: collections.deque[Write] = collections.deque()
        self.answers: dict[str, dict[str, Any]] = {}
        self.stored: list[Write] = []
        self.refused: list[Write] = []
        #: Writes sent again because no answer came (the server died, or was slow).
        self.unanswered = 0
        self.numbers = itertools.count()
        #: Set once this writer has nothing on the wire while the storm holds.
        self.idle = threading.Event()
        #: Set once this writer has written all it will.
        self.done = threading.Event()
        self.client = InOrderClient(
            reconnection=True, reconnection_delay=0.1, reconnection_delay_max=0.5
        )
        self.client.on("*", self._event, namespace=NS)
        self.client.connect(url, namespaces=[NS], auth=auth, transports=["websocket"])

    def _event(self, name: str, *args: Any) -> None:
        with self.lock:
            # The client's read loop would only log an error raised here.
            try:
                if name == "state":
                    self.states += 1
                elif self.picture is not None:
                    self.folded += 1
                if name == "vote" and (args[0]["remaining"] or 0) < 0:
                    self.problems.append(f"{self.name}: dots overspent: {args[0]}")
                if self.picture is not None or name == "state":
                    self.picture = apply(self.picture or {}, name, args[0])
            except Exception as error:
                self.problems.append(f"{self.name}: folding {name} {args}: {error!r}")

    def looking(self) -> dict[str, Any] | None:
        with self.lock:
            return copy.deepcopy(self.picture)

    def next_id(self) -> str:
        return f"{self.name}-{next(self.numbers)}"

    @abc.abstractmethod
    def next_write(self, rng: random.Random) -> Write:
        """The next write of the storm: each kind of client makes its own mix."""

    def send(self, event: str, **payload: Any) -> dict[str, Any]:
        """A write outside the storm (setting up): sent until answered, and it must be stored."""
        write = Write(event, self.next_id(), payload)
        self.outbox.append(write)
        while self.outbox:
            self.step()
        answer = self.answers[write.client_id]
        assert answer["ok"] is True, (event, answer)
        return answer

    def step(self) -> float:
        """Send the oldest unanswered write once; returns how long to wait before the next
        try (0: at the usual pace)."""
        write = self.outbox[0]
        if not self.client.connected:
            return 0.1  # the same write again once the server is back
        with self.storm.lock:
            self.storm.in_flight += 1
        try:
            answer = self.client.call(
                write.event,
                {"client_id": write.client_id, **write.payload},
                namespace=NS,
                timeout=CALL_TIMEOUT,
            )
        except socketio.exceptions.TimeoutError:
            self.unanswered += 1
            return 0.0
        except socketio.exceptions.BadNamespaceError:
            return 0.1  # the connection dropped just now
        finally:
            with self.storm.lock:
                self.storm.in_flight -= 1
        if not isinstance(answer, dict):
            self.problems.append(f"{self.name}: {write} answered {answer!r}")
            return 0.1
        # The writer's own events come in the answer (a vote's), as static/js/live.js hears them.
        for name, payload in answer.pop("events", {}).items():
            self._event(name, payload)
        if answer.get("ok") is False and answer.get("error", {}).get("code") in RETRY:
            return 0.5
        self.outbox.popleft()
        with self.storm.lock:
            self.storm.answers += 1
        self.check(write, answer)
        return 0.0

    def check(self, write: Write, answer: dict[str, Any]) -> None:
        self.answers[write.client_id] = answer
        if write.refusal is None:
            if answer.get("ok") is not True:
                self.problems.append(f"{self.name}: {write} refused: {answer}")
                return
            if write.remaining is not None and answer.get("remaining") != write.remaining:
                self.problems.append(f"{self.name}: {write} left {answer.get('remaining')}")
            self.stored.append(write)
            self.applied(write)
        else:
            code = answer.get("error", {}).get("code")
            if answer.get("ok") is not False or code != write.refusal:
                self.problems.append(f"{self.name}: {write} must be refused: {answer}")
            self.refused.append(write)

    def applied(self, write: Write) -> None:  # noqa: B027 -- a hook, most clients need none
        """Called for each write the server stored, in order."""

    def run(self, rng: random.Random) -> None:
        """Write until the storm stops, then until the outbox is empty."""
        try:
            while not self.storm.abandon.is_set() and (self.outbox or not self.storm.stop.is_set()):
                if self.storm.hold.is_set():
                    self.idle.set()
                    time.sleep(0.02)
                    continue
                if not self.outbox:
                    self.outbox.append(self.next_write(rng))
                pause = self.step()
                time.sleep(pause or rng.uniform(0, self.pace))
        finally:
            self.done.set()


class Phone(Client):
    """A resident: contributions, dots votes, and now and then a write that must be refused."""

    def __init__(self, url: str, token: str, name: str, storm: Storm) -> None:
        super().__init__(url, {"token": token}, name, storm)
        self.ballot: list[int] = []
        self.off_ballot = 0
        #: The votes the server acknowledged, by proposal: what the votes table must hold.
        self.votes: dict[int, int] = {}

    def applied(self, write: Write) -> None:
        if write.event == "vote_cast":
            proposal, value = write.payload["proposal_id"], write.payload["value"]
            if value:
                self.votes[proposal] = value
            else:
                self.votes.pop(proposal, None)

    def next_write(self, rng: random.Random) -> Write:
        client_id = self.next_id()
        roll = rng.random()
        if roll < 0.45:
            return Write("contribution_add", client_id, {"text": client_id})
        proposal = rng.choice(self.ballot)
        others = sum(v for p, v in self.votes.items() if p != proposal)
        if roll < 0.8:
            value = rng.randint(0, min(CAP, DOTS - others))
            vote = {"proposal_id": proposal, "value": value}
            return Write("vote_cast", client_id, vote, remaining=DOTS - others - value)
        refusals: list[tuple[str, dict[str, Any], str]] = [
            ("vote_cast", {"proposal_id": proposal, "value": CAP + 1}, "validation_error"),
            ("vote_cast", {"proposal_id": self.off_ballot, "value": 1}, "not_on_ballot"),
            ("contribution_add", {"text": ""}, "validation_error"),
            ("contribution_add", {"text": client_id.ljust(TOO_LONG, "x")}, "validation_error"),
        ]
        if DOTS - others < CAP:  # a vote over what is left, yet within the cap
            over = {"proposal_id": proposal, "value": rng.randint(DOTS - others + 1, CAP)}
            refusals.append(("vote_cast", over, "no_dots_left"))
        event, payload, code = rng.choice(refusals)
        return Write(event, client_id, payload, refusal=code)


class Console(Client):
    """The facilitator: late proposals while the vote runs, and some refused writes."""

    pace = 0.6

    def __init__(self, url: str, token: str, storm: Storm) -> None:
        super().__init__(url, {"token": token, "meeting_id": 1}, "console", storm)
        self.ballot: list[int] = []

    def next_write(self, rng: random.Random) -> Write:
        client_id = self.next_id()
        roll = rng.random()
        if roll < 0.7:
            return Write("proposal_add", client_id, {"title": f"Sen idé {client_id}"})
        if roll < 0.85:
            return Write("proposal_add", client_id, {"title": "ab"}, refusal="validation_error")
        edit = {"id": rng.choice(self.ballot), "title": f"Ändrad {client_id}"}
        return Write("proposal_edit", client_id, edit, refusal="voting_open")


@pytest.fixture(params=["sqlite", "postgresql"])
def live_server(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, Any]:
    port = free_port()
    database = (
        request.getfixturevalue("postgres_url")
        if request.param == "postgresql"
        else f"sqlite:///{tmp_path / 'facilitate.db'}"
    )
    env = app_env(
        tmp_path, PORT=str(port), HOST="127.0.0.1", SECRET_KEY="kill-tests", DATABASE_URL=database
    )
    if request.param == "postgresql":
        for args in (("db", "upgrade"), ("demo",)):
            done = run_flask(*args, env=env)
            assert done.returncode == 0, done.stderr
    else:
        copy_database(request.getfixturevalue("demo_database"), tmp_path)
    token = run_flask("users", "token", demo.FACILITATOR_EMAIL, env=env).stdout.strip()
    return {
        "env": env,
        "url": f"http://127.0.0.1:{port}",
        "token": token,
        "db": database,
        "name": request.param,
    }


def set_up(url: str, token: str, storm: Storm, clients: list[Client]) -> None:
    """A dots vote on the demo meeting (set through the API), open, with phones in the room."""
    staff = {"Authorization": f"Bearer {token}"}
    voting: dict[str, Any] = {"method": "dots", "dots": DOTS, "cap": CAP, "results": "live"}
    answer = requests.patch(
        f"{url}/api/v1/meetings/1", json={"voting": voting}, headers=staff, timeout=5
    )
    assert answer.status_code == 200, answer.text
    console = Console(url, token, storm)
    clients.append(console)
    console.send("meeting_open")
    code = requests.get(f"{url}/api/v1/meetings/1", headers=staff, timeout=5).json()["join_code"]
    for n in range(PHONES):
        joined = requests.post(f"{url}/api/v1/join", json={"join_code": code}, timeout=5)
        clients.append(Phone(url, joined.json()["participant_token"], f"p{n}", storm))
    proposals = [
        console.send("proposal_add", title=f"Förslag {n}")["id"] for n in range(BALLOT + 1)
    ]
    opened = console.send("voting_open", proposal_ids=proposals[:BALLOT])
    console.ballot = opened["proposal_ids"]
    for phone in clients[1:]:
        assert isinstance(phone, Phone)
        phone.ballot, phone.off_ballot = console.ballot, proposals[BALLOT]
    wait_for(
        lambda: all((c.looking() or {}).get("voting", {}).get("status") == "open" for c in clients),
        "every client sees the vote open",
    )


def fresh_state(url: str, auth: dict[str, Any], opened: list[Any]) -> dict[str, Any]:
    """What a client connecting now is sent. The client goes into ``opened``, to be closed
    at the end with the others."""
    states: list[dict[str, Any]] = []
    client = InOrderClient(reconnection=False)
    opened.append(client)
    client.on("state", states.append, namespace=NS)
    client.connect(url, namespaces=[NS], auth=auth, transports=["websocket"])
    wait_for(lambda: bool(states), "a fresh state", timeout=10)
    return states[0]


def stored_rows(database: str) -> dict[str, list[Any]]:
    engine = sa.create_engine(database)
    queries = {
        "contributions": "SELECT text FROM contributions",
        "proposals": "SELECT title FROM proposals",
        "votes": "SELECT participant_id, proposal_id, value FROM votes",
        "client_writes": "SELECT client_id FROM client_writes",
    }
    with engine.connect() as connection:
        rows = {
            name: [tuple(row) for row in connection.execute(sa.text(query))]
            for name, query in queries.items()
        }
    engine.dispose()
    return rows


def reaches(storm: Storm, rng: random.Random) -> None:
    """Wait until the storm reaches the server, then a random while."""
    before = storm.answered()
    wait_for(lambda: storm.answered() > before, "the storm reaches the server")
    time.sleep(rng.uniform(0.2, 1.0))


def kill(process: Any, storm: Storm) -> int:
    """kill -9; returns how many writes were on the wire."""
    with storm.lock:
        in_flight = storm.in_flight
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL  # the kill really landed
    return in_flight


def difference(picture: dict[str, Any], fresh: dict[str, Any]) -> dict[str, Any]:
    """Where a picture and a fresh state part: by id in lists of things, else the values."""
    found: dict[str, Any] = {}
    mine, theirs = comparable(picture), comparable(fresh)
    for key in mine.keys() | theirs.keys():
        ours: Any = mine.get(key)
        other: Any = theirs.get(key)
        if ours == other:
            continue
        try:
            by_id = [{item["id"]: item for item in side} for side in (ours, other)]
        except (TypeError, KeyError):
            found[key] = {"picture": ours, "fresh": other}
            continue
        a, b = by_id
        found[key] = {
            "picture only": [a[i] for i in a.keys() - b.keys()],
            "fresh only": [b[i] for i in b.keys() - a.keys()],
            "changed": [(a[i], b[i]) for i in a.keys() & b.keys() if a[i] != b[i]],
        }
    return found


def hold_pictures(
    url: str, storm: Storm, clients: list[Client], opened: list[Any]
) -> dict[str, dict[str, Any]]:
    """Every client back, the storm held until each write has its answer and the coalesced
    events are out: each client's picture must be what a fresh client is sent."""
    wait_for(lambda: all(c.client.connected for c in clients), "every client is back")
    for client in clients:
        client.idle.clear()
    storm.hold.set()
    try:
        wait_for(
            lambda: all(c.idle.is_set() or c.done.is_set() for c in clients), "the writers pause"
        )
        time.sleep(QUIET)
        pictures: dict[str, dict[str, Any]] = {}
        for client in clients:
            picture = client.looking()
            assert picture is not None, client.name
            fresh = fresh_state(url, client.auth, opened)
            assert comparable(picture) == comparable(fresh), (
                client.name,
                difference(picture, fresh),
            )
            pictures[client.name] = picture
        storm.checks += 1
        return pictures
    finally:
        storm.hold.clear()


# The Socket.IO client library leaves the socket of a connection the server dropped (by
# being killed) to the garbage collector; that is the client's leak, not the server's.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_kill_during_storm_loses_and_doubles_nothing(
    live_server: dict[str, Any], tmp_path: Path
) -> None:
    url, env = live_server["url"], live_server["env"]
    seed = random.randrange(2**32)  # noqa: S311 -- when to kill and what to write
    rng = random.Random(seed)  # noqa: S311
    print(f"seed {seed}")  # shown with a failure
    runs = itertools.count()
    started = time.monotonic()

    def server() -> AbstractContextManager[Any]:
        return serving(env, tmp_path / f"server-{next(runs)}.log")

    storm = Storm()
    clients: list[Client] = []
    opened: list[Any] = []
    landed: list[int] = []

    def storm_then_kill(process: Any) -> None:
        # Clients back in the storm: their pictures held against fresh states, then more
        # storm, and the kill at a random moment in it.
        reaches(storm, rng)
        hold_pictures(url, storm, clients, opened)
        reaches(storm, rng)
        landed.append(kill(process, storm))

    try:
        with server() as process:
            set_up(url, live_server["token"], storm, clients)
            # Each client its own generator: the threads' interleaving never shifts another's draws.
            rngs = [random.Random(rng.randrange(2**32)) for _ in clients]  # noqa: S311
            threads = [
                threading.Thread(target=c.run, args=(r,), daemon=True)
                for c, r in zip(clients, rngs, strict=True)
            ]
            for thread in threads:
                thread.start()
            storm_then_kill(process)
        # (serving's own cleanup finds the process gone)
        for _ in range(KILLS - 1):
            with server() as process:
                storm_then_kill(process)
        with server():
            reaches(storm, rng)
            hold_pictures(url, storm, clients, opened)
            reaches(storm, rng)
            storm.stop.set()
            for thread in threads:
                thread.join(timeout=120)
                assert not thread.is_alive(), "a client never got its writes through"
            pictures = hold_pictures(url, storm, clients, opened)
    finally:
        storm.abandon.set()
        for client in [*opened, *(c.client for c in clients)]:
            close(client)
    problems = [problem for c in clients for problem in c.problems]
    assert problems == []

    rows = stored_rows(live_server["db"])
    phones = [c for c in clients if isinstance(c, Phone)]
    stored = [w for c in clients for w in c.stored]
    refused = [w for c in clients for w in c.refused]
    # Each acknowledged write exactly once, and no refused one.
    assert sorted(cid for (cid,) in rows["client_writes"]) == sorted(w.client_id for w in stored)
    texts = [w.payload["text"] for w in stored if w.event == "contribution_add"]
    assert sorted(text for (text,) in rows["contributions"]) == sorted(texts)
    titles = [w.payload["title"] for w in stored if w.event == "proposal_add"]
    assert sorted(title for (title,) in rows["proposals"]) == sorted(titles)
    # The votes table holds each phone's last acknowledged vote on each proposal, and
    # nobody spent more dots than they have.
    ids = {p.name: pictures[p.name]["me"]["participant_id"] for p in phones}
    for phone in phones:
        assert pictures[phone.name]["me"]["votes"] == {str(k): v for k, v in phone.votes.items()}
    expected = [(ids[p.name], proposal, v) for p in phones for proposal, v in p.votes.items()]
    assert sorted(rows["votes"]) == sorted(expected)
    spent = collections.Counter[int]()
    for participant, _, value in rows["votes"]:
        spent[participant] += value
    assert max(spent.values(), default=0) <= DOTS

    votes = sum(1 for w in stored if w.event == "vote_cast")
    on_the_wire = sum(1 for n in landed if n)
    print(
        f"{live_server['name']}: {len(landed)} kills ({on_the_wire} with writes on the wire); "
        f"{len(stored)} writes stored ({len(texts)} contributions, {votes} votes, "
        f"{len(titles)} proposals), {len(refused)} refused, "
        f"{sum(c.unanswered for c in clients)} sent again; {len(rows['votes'])} votes in the "
        f"table; pictures equal at {storm.checks} checks ({sum(c.states for c in clients)} "
        f"states, {sum(c.folded for c in clients)} events folded in); "
        f"{time.monotonic() - started:.1f} s"
    )
    # The dropped sockets are closed here, inside this test.
    clients.clear()
    phones.clear()
    opened.clear()
    gc.collect()
