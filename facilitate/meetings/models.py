"""A meeting (one live room) and its agenda of phases."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from facilitate.db import Base, Holds, UtcDateTime, holds, utcnow
from facilitate.dialogues.models import Theme

PLACE_MAX = 200
#: A meeting's or a step's title, a step's in each of its translations too.
TITLE_MAX = 200
PROMPT_MAX = 500
INTRO_MAX = 1000
#: Room for the long links Teams makes; the address is checked to be https:// (operations).
VIDEO_URL_MAX = 1000
JOIN_CODE_LENGTH = 8
#: A language code (as ``live.models.LANGUAGE_MAX``, which sits above this module).
SCREEN_LANGUAGE_MAX = 12


class ScreenMode(enum.StrEnum):
    """What the projector fills itself with, switched on the console (``screen_set``)."""

    # Not "join": that name is str.join.
    how_to_join = "join"  # the QR code and the join code, as large as they go
    question = "question"  # the step, its question and the timer
    wall = "wall"  # the newest contributions that fit, pinned first
    questions = "questions"  # residents' questions, most "me too" first
    results = "results"  # the proposals of the vote and their tallies
    speaker = "speaker"  # who has the word, then the queue of hands


class ScreenTheme(enum.StrEnum):
    light = "light"
    dark = "dark"


class MeetingStatus(enum.StrEnum):
    draft = "draft"
    open = "open"
    closed = "closed"


class PhaseKind(enum.StrEnum):
    welcome = "welcome"
    share = "share"
    explore = "explore"
    propose = "propose"
    prioritise = "prioritise"
    #: Residents agree or disagree with statements; the room sees its opinion groups and
    #: what they have in common (facilitate.perspectives).
    perspectives = "perspectives"
    close = "close"


class VotingMethod(enum.StrEnum):
    approval = "approval"
    agree = "agree"
    dots = "dots"
    consent = "consent"


class ResultsVisibility(enum.StrEnum):
    live = "live"
    hidden = "hidden"


def default_results(method: VotingMethod) -> ResultsVisibility:
    """Secret-ish methods hide results until close, so early counts don't sway votes."""
    if method in (VotingMethod.dots, VotingMethod.consent):
        return ResultsVisibility.hidden
    return ResultsVisibility.live


def _enum(e: type[enum.StrEnum]) -> sa.Enum:
    return sa.Enum(e, native_enum=False, length=20, validate_strings=True)


class Meeting(Base):
    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int] = mapped_column(
        sa.ForeignKey("themes.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX), info=holds(Holds.staff))
    starts_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    #: An address, or a note on the video link for a digital meeting.
    place: Mapped[str] = mapped_column(sa.String(PLACE_MAX), default="", info=holds(Holds.staff))
    is_digital: Mapped[bool] = mapped_column(default=False)
    #: The call the team uses (Jitsi, Teams, Zoom…), an https:// address; "" for none. The
    #: product hosts no audio or video: residents follow this link from the join page, the
    #: phone and the calendar entry.
    video_url: Mapped[str] = mapped_column(
        sa.String(VIDEO_URL_MAX), default="", server_default="", info=holds(Holds.staff)
    )
    #: Counts the changes to what a calendar entry shows (time, place, call link, title), so
    #: an .ics file imported again replaces the old entry (iCalendar's SEQUENCE).
    calendar_sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    #: A welcome residents read on the join page and on their phones before the first step.
    intro: Mapped[str] = mapped_column(
        sa.String(INTRO_MAX), default="", server_default="", info=holds(Holds.staff)
    )
    #: The intro in other languages, by language code; residents get theirs when given.
    intro_translations: Mapped[dict[str, str]] = mapped_column(
        sa.JSON, default=dict, server_default="{}", info=holds(Holds.staff)
    )
    #: What residents type or scan to join; unique, from unambiguous characters.
    join_code: Mapped[str] = mapped_column(
        sa.String(JOIN_CODE_LENGTH), unique=True, info=holds(Holds.machine)
    )
    status: Mapped[MeetingStatus] = mapped_column(_enum(MeetingStatus), default=MeetingStatus.draft)
    voting_method: Mapped[VotingMethod] = mapped_column(
        _enum(VotingMethod), default=VotingMethod.dots
    )
    #: Dots each participant may place (method ``dots``).
    voting_dots: Mapped[int] = mapped_column(default=3)
    #: Most dots on one proposal; ``None`` means as many as ``voting_dots``.
    voting_cap: Mapped[int | None] = mapped_column()
    voting_results: Mapped[ResultsVisibility] = mapped_column(
        _enum(ResultsVisibility), default=ResultsVisibility.hidden
    )
    is_archived: Mapped[bool] = mapped_column(default=False)
    #: Residents' contributions and proposals wait on the console until staff approve them.
    premoderation: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)

    # Live room state: in the database, so a restart mid-meeting loses nothing.
    #: 0-based index of the current phase; ``None`` until the meeting opens.
    current_phase: Mapped[int | None] = mapped_column()
    #: While the timer runs: when it reaches zero.
    timer_ends_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    #: While the timer is paused (or set but not started): the seconds left.
    timer_remaining: Mapped[int | None] = mapped_column()
    #: Breakout groups while they run (``None`` otherwise), and how they were split.
    groups_count: Mapped[int | None] = mapped_column()
    groups_by: Mapped[str | None] = mapped_column(sa.String(10), info=holds(Holds.machine))
    #: ``None`` before the first vote, then "open" or "closed" (see facilitate.proposals).
    voting_status: Mapped[str | None] = mapped_column(sa.String(10), info=holds(Holds.machine))
    #: The language the projector shows each step's title and question in beneath the
    #: original, chosen on the console; ``None`` for the original only.
    screen_language: Mapped[str | None] = mapped_column(
        sa.String(SCREEN_LANGUAGE_MAX), info=holds(Holds.machine)
    )
    #: The projector's mode. The wall by default: it carries the join code in its corner,
    #: so a room that opens without touching the projector still shows how to join.
    screen_mode: Mapped[ScreenMode] = mapped_column(
        # Stored by value: the member for "join" has another name.
        sa.Enum(
            ScreenMode,
            native_enum=False,
            length=20,
            validate_strings=True,
            values_callable=lambda members: [m.value for m in members],
        ),
        default=ScreenMode.wall,
        server_default=ScreenMode.wall.value,
        info=holds(Holds.machine),
    )
    #: The hand last given the word, until the step changes or the facilitator ends the
    #: speech. No foreign key: hands live in facilitate.live, above meetings, and a hand
    #: removed since (retention, a purge) simply reads as nobody having the word.
    speaker_hand_id: Mapped[int | None] = mapped_column()
    #: Dark for a dim hall, where a white screen glares; light otherwise.
    screen_theme: Mapped[ScreenTheme] = mapped_column(
        _enum(ScreenTheme),
        default=ScreenTheme.light,
        server_default=ScreenTheme.light.value,
        info=holds(Holds.machine),
    )

    # One way only: dialogues sit below meetings and know nothing of them (the database's
    # ON DELETE CASCADE removes a theme's meetings with it); meetings.queries.of_theme
    # reads a theme's meetings.
    theme: Mapped[Theme] = relationship()
    phases: Mapped[list[Phase]] = relationship(
        back_populates="meeting", order_by="Phase.position", cascade="all, delete-orphan"
    )

    @property
    def effective_cap(self) -> int:
        return self.voting_cap if self.voting_cap is not None else self.voting_dots

    def __repr__(self) -> str:
        return f"<Meeting {self.id} {self.title!r} {self.status.value}>"


class Phase(Base):
    """One step of a meeting's agenda."""

    __tablename__ = "phases"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    #: 0-based order within the agenda.
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(sa.String(TITLE_MAX), info=holds(Holds.staff))
    #: The title in other languages, by language code.
    title_translations: Mapped[dict[str, str]] = mapped_column(
        sa.JSON, default=dict, server_default="{}", info=holds(Holds.staff)
    )
    #: The question residents see on their phones during this phase.
    prompt: Mapped[str] = mapped_column(sa.String(PROMPT_MAX), default="", info=holds(Holds.staff))
    #: The prompt in other languages, by language code.
    prompt_translations: Mapped[dict[str, str]] = mapped_column(
        sa.JSON, default=dict, server_default="{}", info=holds(Holds.staff)
    )
    minutes: Mapped[int] = mapped_column(default=10)
    kind: Mapped[PhaseKind] = mapped_column(_enum(PhaseKind), default=PhaseKind.share)

    meeting: Mapped[Meeting] = relationship(back_populates="phases")

    def __repr__(self) -> str:
        return f"<Phase {self.id} #{self.position} {self.kind.value} {self.title!r}>"
