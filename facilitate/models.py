"""Import every model so the metadata is complete (Alembic, create_all in tests)."""

from .auth.models import ApiToken, User
from .db import Base
from .dialogues.models import Area, Dialogue, Theme
from .live.models import ClientWrite, Contribution, Hand, Participant, Reaction
from .meetings.models import Meeting, Phase

__all__ = [
    "ApiToken",
    "Area",
    "Base",
    "ClientWrite",
    "Contribution",
    "Dialogue",
    "Hand",
    "Meeting",
    "Participant",
    "Phase",
    "Reaction",
    "Theme",
    "User",
]
