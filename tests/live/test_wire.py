"""Socket.IO's wire (rooms/wire.py): orjson encodes every packet, and no packet is searched
for binary data, which our protocol never sends."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask_socketio import SocketIOTestClient
from socketio import packet

from facilitate.extensions import socketio
from rooms import wire

from .conftest import NS, named
from .test_protocol import ack, state_of

Connect = Callable[..., SocketIOTestClient]


def test_packets_are_never_searched_for_binary_data(
    app: Flask,
    room: dict[str, SocketIOTestClient],
    connect: Connect,
    meeting_id: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    searched: list[object] = []
    search = packet.Packet.data_is_binary.__func__  # type: ignore[attr-defined]

    def counted(cls: type[packet.Packet], data: Any) -> bool:
        # The server's packets only: the test client builds the phone's with the base class.
        if cls is socketio.server.packet_class:
            searched.append(data)
        return bool(search(cls, data))

    monkeypatch.setattr(packet.Packet, "data_is_binary", classmethod(counted))
    assert socketio.server.packet_class is wire.Packet
    assert wire.Packet.json is wire
    phone = connect(dict(room["anna"].connect_auth))  # type: ignore[attr-defined]
    said = ack(phone, "contribution_add", text="Mörkt vid busshållplatsen")
    assert said["ok"] is True
    # A phone's state, an answer and a broadcast: sent whole, and read as before.
    assert state_of(phone)["me"]["role"] == "participant"
    heard = named(room["bo"].get_received(NS), "contribution")
    assert [c["text"] for c in heard] == ["Mörkt vid busshållplatsen"]
    assert searched == []
    # The packet python-socketio's own would have searched is the same on the wire.
    data = ["state", {"me": {"votes": {"1": 2}}, "contributions": [{"text": "Ljus"}]}]
    ours = wire.Packet(packet.EVENT, data=data, namespace=NS).encode()
    assert ours == packet.Packet(packet.EVENT, data=data, namespace=NS).encode()
