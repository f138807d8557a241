"""Socket.IO's JSON: orjson, given to python-socketio as its ``json`` module.

Every packet in and out is encoded here, so the encoder's speed is paid on every vote, ack
and broadcast. ``fragment`` encodes a value once so that many packets can carry it as it
is: a room's shared ``state`` (facilitate/live/snapshot.py, ``Room.freeze``) is encoded
once per change, not once per phone that connects.

It writes what the standard library's ``json.dumps`` writes for our payloads, apart from
spacing and non-ASCII characters, which it sends as UTF-8 rather than ``\\u`` escapes;
numbers as dictionary keys become strings, as there.

``Packet`` is the packet python-socketio builds with it (``serializer``): our protocol
sends no binary data, so a packet is never searched for any.
"""

from __future__ import annotations

from typing import Any

import orjson
from socketio import packet  # type: ignore[import-untyped]

_OPTIONS = orjson.OPT_NON_STR_KEYS


def dumps(obj: Any, **_options: Any) -> str:
    """``json.dumps`` for python-socketio (which asks for compact separators)."""
    return orjson.dumps(obj, option=_OPTIONS).decode()


def loads(text: str | bytes, **_options: Any) -> Any:
    return orjson.loads(text)


def fragment(value: Any) -> orjson.Fragment:
    """``value`` encoded now, to be sent inside any number of packets as it is."""
    return orjson.Fragment(orjson.dumps(value, option=_OPTIONS))


class Packet(packet.Packet):  # type: ignore[misc]  # python-socketio is untyped
    """A Socket.IO packet that never carries binary attachments.

    python-socketio walks every packet's data, each list and dictionary of it, to see
    whether it holds bytes to send as attachments: for a phone's ``state`` that was
    1.4 % of the server's samples in the hall storm (docs/performance.md). Nothing we
    send holds bytes (orjson, which encodes every packet, refuses them), so the walk
    is skipped, as python-socketio does for its MessagePack packets. A packet from a
    client is read as before.
    """

    uses_binary_events = False
