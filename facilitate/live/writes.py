"""A live write's record (``ClientWrite``) before it is stored, and the events its writer
hears in its answer. Kept apart from the models, which import the database layer only."""

from __future__ import annotations

import dataclasses

from facilitate import events


@dataclasses.dataclass
class WriteRecord:
    """A write's ``ClientWrite`` before it is stored. The engine stores it after the write,
    unless the write stored it in its own statement; ``response`` is then what it stored,
    and the write's answer."""

    actor: str
    client_id: str
    event: str
    response: dict[str, object] | None = None
    #: The writing connection, as an audience (its own Socket.IO room).
    writer: str | None = None
    #: The events the writer hears in the write's answer rather than as messages of their
    #: own (name → payload): one message fewer per vote. Answered live only, never stored
    #: with ``response``: replayed to a retry later, it could undo a newer write.
    own: dict[str, dict[str, object]] = dataclasses.field(default_factory=dict)

    def __repr__(self) -> str:
        return f"<WriteRecord {self.actor} {self.client_id!r} {self.event}>"

    def tell(self, name: str, payload: dict[str, object], to: str) -> None:
        """Queue event ``name`` for ``to``, the writer's own audience: the writing
        connection hears it in the answer, the writer's other connections as a message."""
        self.own[name] = payload
        events.queue(name, payload, to, skip=self.writer)

    def row(self, response: dict[str, object]) -> dict[str, object]:
        """The ``ClientWrite`` row's values, with the answer given."""
        return {
            "actor": self.actor,
            "client_id": self.client_id,
            "event": self.event,
            "response": response,
        }
