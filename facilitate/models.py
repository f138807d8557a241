"""Import every model so the metadata is complete (Alembic, create_all in tests)."""

from .actions.models import ActionItem, ActionStatusChange
from .auth.models import ApiToken, User
from .db import Base
from .dialogues.models import Area, Dialogue, Theme
from .intake.models import Conversation, Note, NoteTheme
from .live.models import ClientWrite, Contribution, Hand, Participant, Reaction
from .mail.models import MailLease, OutboxMail, Reminder, Subscription
from .meetings.models import Meeting, Phase
from .perspectives.models import PerspectivesResult, StatementQuote, StatementVote
from .proposals.models import PaperVotes, Proposal, Vote
from .site.models import AccessibilityStatement

__all__ = [
    "AccessibilityStatement",
    "ActionItem",
    "ActionStatusChange",
    "ApiToken",
    "Area",
    "Base",
    "ClientWrite",
    "Contribution",
    "Conversation",
    "Dialogue",
    "Hand",
    "MailLease",
    "Meeting",
    "Note",
    "NoteTheme",
    "OutboxMail",
    "PaperVotes",
    "Participant",
    "PerspectivesResult",
    "Phase",
    "Proposal",
    "Reaction",
    "Reminder",
    "StatementQuote",
    "StatementVote",
    "Subscription",
    "Theme",
    "User",
    "Vote",
]
