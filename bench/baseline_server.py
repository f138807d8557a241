"""The stack's own floor: a bare Flask-SocketIO server in the project's async mode (gevent)
that only counts votes and relays a tally, coalesced every 0.25 s, to everyone.

It speaks just enough of the /live protocol for the bench's residents: ``state`` on
connect, ``vote_cast`` acknowledged with ``{"ok": true}``, ``tally`` with ``ballots``.
No database, no identity, no idempotency: what is left is Socket.IO, the WebSocket and
the server loop, served the way ``wsgi.py`` serves (``socketio.run``). ``GET /count``
tells the bench how many votes it counted.

Run: ``PORT=5001 python bench/baseline_server.py``.
"""

from gevent import monkey

monkey.patch_all()

import os  # noqa: E402 -- monkey-patching must come first

from flask import Flask  # noqa: E402
from flask_socketio import SocketIO, emit, join_room  # noqa: E402

NS = "/live"
ROOM = "everyone"
INTERVAL = 0.25

app = Flask(__name__)
socketio = SocketIO(app, async_mode="gevent")
votes = {"count": 0, "scheduled": False}


def tally() -> dict[str, object]:
    return {"proposals": {"1": {"yes": votes["count"], "no": 0}}, "ballots": votes["count"]}


def flush_later() -> None:
    socketio.sleep(INTERVAL)  # type: ignore[arg-type]  # any number of seconds
    votes["scheduled"] = False
    socketio.emit("tally", tally(), to=ROOM, namespace=NS)


@socketio.on("connect", namespace=NS)
def connect(auth: object) -> None:
    join_room(ROOM)
    emit("state", {"tally": tally()})


@socketio.on("vote_cast", namespace=NS)
def vote_cast(data: object) -> dict[str, object]:
    votes["count"] += 1
    if not votes["scheduled"]:
        votes["scheduled"] = True
        socketio.start_background_task(flush_later)
    return {"ok": True}


@app.get("/count")
def count() -> dict[str, object]:
    return {"votes": votes["count"]}


if __name__ == "__main__":
    socketio.run(
        app,
        host="127.0.0.1",
        port=int(os.environ["PORT"]),
        log_output=False,
        allow_unsafe_werkzeug=True,
    )
