"""Socket.IO's JSON: orjson, given to python-socketio as its ``json`` module.

Every packet in and out is encoded here, so the encoder's speed is paid on every vote, ack
and broadcast. ``fragment`` encodes a value once so that many packets can carry it as it
is: a room's shared ``state`` (facilitate/live/snapshot.py, ``Room.freeze``) is encoded
once per change, not once per phone that connects.

It writes what the standard library's ``json.dumps`` writes for our payloads, apart from
spacing and non-ASCII characters, which it sends as UTF-8 rather than ``\\u`` escapes;
numbers as dictionary keys become strings, as there.
"""

from __future__ import annotations

from typing import Any

import orjson

_OPTIONS = orjson.OPT_NON_STR_KEYS


def dumps(obj: Any, **_options: Any) -> str:
    """``json.dumps`` for python-socketio (which asks for compact separators)."""
    return orjson.dumps(obj, option=_OPTIONS).decode()


def loads(text: str | bytes, **_options: Any) -> Any:
    return orjson.loads(text)


def fragment(value: Any) -> orjson.Fragment:
    """``value`` encoded now, to be sent inside any number of packets as it is."""
    return orjson.Fragment(orjson.dumps(value, option=_OPTIONS))
