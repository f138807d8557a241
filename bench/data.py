"""The bench's databases and meetings, made by the app's own migrations and operations."""

from __future__ import annotations

import datetime as dt
import secrets
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import sqlalchemy as sa

import rooms
from facilitate import create_app
from facilitate.db import session, utcnow
from facilitate.dialogues import operations as dialogue_ops
from facilitate.extensions import db
from facilitate.live import operations as live_ops
from facilitate.live import participants
from facilitate.live.models import Contribution, Participant
from facilitate.live.views_json import Viewer, ViewerRole
from facilitate.meetings import operations as meeting_ops
from facilitate.perspectives import queries as perspectives_queries
from facilitate.perspectives.models import StatementVote
from facilitate.proposals import operations as proposal_ops
from facilitate.proposals.models import Vote
from tests.processes import ROOT, app_env
from tests.services import configured_postgres, database_url

from .opinions import Opinions
from .servers import SECRET


@dataclass(frozen=True)
class Room:
    meeting_id: int
    join_code: str
    #: The one proposal on the open ballot (approval, live results); None when no vote.
    proposal_id: int | None


def migrate(instance: Path, database_url: str) -> None:
    """``flask db upgrade``, as an operator brings a database to the current schema."""
    env = app_env(instance, DATABASE_URL=database_url, SECRET_KEY=SECRET)
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"db upgrade failed:\n{done.stdout}\n{done.stderr}")


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for one scenario, dropped afterwards, on the server the
    tests use (``TEST_POSTGRES_URL``, tests/services.py)."""
    name = f"facilitate_bench_{secrets.token_hex(6)}"
    admin_url = configured_postgres()
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield database_url(admin_url, name)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Data:
    """An app bound to the bench's database (threading mode, no server): makes meetings
    through the operations a facilitator's console calls, and counts what was stored."""

    def __init__(self, instance: Path, database_url: str) -> None:
        self.app = create_app(
            {
                "DATABASE_URL": database_url,
                "SECRET_KEY": SECRET,
                "INSTANCE_PATH": str(instance),
                "ASYNC_MODE": "threading",
            }
        )

    def make_rooms(self, count: int, *, voting: bool) -> list[Room]:
        """``count`` open meetings of one dialogue; with ``voting``, each with an open vote
        (approval, live results) on one proposal."""
        made = []
        with self.app.app_context():
            dialogue = dialogue_ops.create_dialogue("Bänken", areas=["Fröslunda", "Myrtorp"])
            theme = dialogue_ops.create_theme(dialogue, "Belysning")
            for n in range(count):
                meeting = meeting_ops.create_meeting(theme, f"Kväll {n + 1}")
                proposal_id = None
                if voting:
                    spec = meeting_ops.VotingSpec(method="approval", results="live")
                    meeting_ops.set_voting(meeting, spec)
                live_ops.open_meeting(meeting)
                if voting:
                    staff = Viewer(meeting.id, ViewerRole.facilitator)
                    proposal = proposal_ops.add_proposal(meeting, staff, None, "Belys skolvägen")
                    proposal_ops.open_voting(meeting)
                    proposal_id = proposal.id
                made.append((meeting, proposal_id))
            session().commit()
            return [Room(m.id, m.join_code, pid) for m, pid in made]

    def join(self, meeting_id: int, count: int) -> list[str]:
        """``count`` residents joined the way a phone joins; their participant tokens."""
        with self.app.app_context():
            meeting = meeting_ops.get_meeting(meeting_id)
            tokens = [participants.join(meeting)[1] for _ in range(count)]
            session().commit()
            return tokens

    def perspectives_room(self, opinions: Opinions, title: str) -> int:
        """An open meeting at its perspectives step holding ``opinions``: the deck added as
        the console adds statements, the residents joined as phones join, and their answers
        stored in one insert (setup only; the app writes them one by one), the last answer
        per resident and statement kept, in time order. Returns the meeting's id.

        This app's coalesced flushes are stopped first: each statement added marks the room,
        and a flush running on its own would overlap the bench's own."""
        rooms.stop(self.app)
        with self.app.app_context():
            dialogue = dialogue_ops.create_dialogue(title, areas=["Fröslunda"])
            theme = dialogue_ops.create_theme(dialogue, "Belysning")
            meeting = meeting_ops.create_meeting(theme, "Var står vi?", template="common_ground_90")
            live_ops.open_meeting(meeting)
            live_ops.goto_phase(meeting, perspectives_queries.perspectives_steps(meeting)[0])
            staff = Viewer(meeting.id, ViewerRole.facilitator)
            deck = {
                s: live_ops.add_contribution(
                    meeting, staff, None, f"Påstående {s}", language="sv", on_behalf=True
                ).id
                for s in opinions.statements
            }
            people = {p: participants.join(meeting)[0].id for p in opinions.group_of}
            meeting_id = meeting.id
            session().commit()
            last: dict[tuple[int, int], tuple[int, int]] = {}
            for order, (p, s, value) in enumerate(opinions.answers):
                last[p, s] = (order, value)
            start = utcnow()
            rows = [
                {
                    "participant_id": people[p],
                    "contribution_id": deck[s],
                    "value": value,
                    "updated_at": start + dt.timedelta(microseconds=order),
                }
                for (p, s), (order, value) in last.items()
            ]
            session().execute(sa.insert(StatementVote), rows)
            session().commit()
            return meeting_id

    def count_votes(self, proposal_id: int) -> int:
        with self.app.app_context():
            query = sa.select(sa.func.count(Vote.id)).where(Vote.proposal_id == proposal_id)
            return session().scalar(query) or 0

    def contribution_ids(self, meeting_ids: list[int]) -> set[int]:
        with self.app.app_context():
            query = sa.select(Contribution.id).where(Contribution.meeting_id.in_(meeting_ids))
            return set(session().scalars(query))

    def count_participants(self, meeting_ids: list[int]) -> int:
        with self.app.app_context():
            query = sa.select(sa.func.count(Participant.id)).where(
                Participant.meeting_id.in_(meeting_ids)
            )
            return session().scalar(query) or 0

    def close(self) -> None:
        with self.app.app_context():
            db.engine.dispose()
