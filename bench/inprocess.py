"""The project's own CPU per connect and per vote, in one process, without a network.

The storms (``python -m bench``) measure the server as residents meet it, but the load
generator shares the machine's two cores, and the figures move with the machine by a
third from one run to the next. This runs the same path through Flask-SocketIO's test
client (threading mode, SQLite): ``residents`` phones connect with their tokens, then
each casts one vote on the open ballot; it prints the process's CPU time per connect and
per vote. No WebSocket, no Socket.IO framing, no event loop: what is left is our handlers,
their Flask context and the database, which is what a change to them moves. Compare two
commits with it, alternating runs.

Run: ``python -m bench.inprocess [residents]`` (400 by default).
"""

from __future__ import annotations

import gc
import sys
import tempfile
import time
import uuid
from pathlib import Path

from socketio import packet  # type: ignore[import-untyped]

import rooms
from facilitate.extensions import socketio

from .data import Data, migrate

NS = "/live"


def measure(residents: int) -> tuple[float, float, int]:
    """CPU ms per connect, per vote, and the votes stored."""
    with tempfile.TemporaryDirectory() as folder:
        instance = Path(folder)
        url = f"sqlite:///{instance / 'inprocess.db'}"
        migrate(instance, url)
        data = Data(instance, url)
        room = data.make_rooms(1, voting=True)[0]
        proposal_id = room.proposal_id
        if proposal_id is None:
            raise RuntimeError("the room has no ballot")
        tokens = data.join(room.meeting_id, residents)
        # The test client's phones read and write their packets with python-socketio's own
        # class: with orjson, as the server's, so that their JSON does not weigh in.
        packet.Packet.json = rooms.wire
        # As wsgi.py does before serving: start-up's objects out of every collection.
        gc.collect()
        gc.freeze()
        try:
            started = time.process_time()
            phones = [
                socketio.test_client(data.app, namespace=NS, auth={"token": token})
                for token in tokens
            ]
            connected = time.process_time()
            for phone in phones:
                answer = phone.emit(
                    "vote_cast",
                    {"client_id": uuid.uuid4().hex, "proposal_id": proposal_id, "value": 1},
                    namespace=NS,
                    callback=True,
                )
                if not (isinstance(answer, dict) and answer.get("ok") is True):
                    raise RuntimeError(f"a vote was refused: {answer}")
            voted = time.process_time()
        finally:
            gc.unfreeze()
        for phone in phones:
            phone.disconnect(NS)
        stored = data.count_votes(proposal_id)
        rooms.stop(data.app)
        data.close()
    return (
        (connected - started) * 1000 / residents,
        (voted - connected) * 1000 / residents,
        stored,
    )


def main(argv: list[str]) -> int:
    residents = int(argv[0]) if argv else 400
    connect_ms, vote_ms, stored = measure(residents)
    print(
        f"{residents} residents in one process: {connect_ms:.3f} ms of CPU per connect, "
        f"{vote_ms:.3f} ms per vote; {stored} votes stored"
    )
    return 0 if stored == residents else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
