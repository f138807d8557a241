"""Import every model so the metadata is complete (Alembic, create_all in tests)."""

from .auth.models import ApiToken, User
from .db import Base
from .dialogues.models import Area, Dialogue, Theme
from .meetings.models import Meeting, Phase

__all__ = ["ApiToken", "Area", "Base", "Dialogue", "Meeting", "Phase", "Theme", "User"]
