"""Request and response bodies of the JSON API, as Pydantic models.

Inputs reject unknown keys and wrong JSON types (strict mode); the rules on the
values themselves (lengths, ranges, known templates, time zones) live in the
operations, so the API, the pages and the CLI refuse the same things the same way.
The JSON Schema of every model is what the OpenAPI document publishes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from facilitate.actions.models import ActionStatus
from facilitate.db import ID_MAX
from facilitate.dialogues.models import (
    AREA_NAME_MAX,
    DESCRIPTION_MAX,
    TITLE_MAX,
    DialogueStatus,
    ThemeStatus,
)
from facilitate.dialogues.operations import RETENTION_MAX, RETENTION_MIN
from facilitate.intake.models import NOTE_MAX, NOTES_MAX, Channel, SpeakerRole
from facilitate.live.models import DISPLAY_NAME_MAX, AgeBand
from facilitate.meetings.agendas import TEMPLATES
from facilitate.meetings.models import (
    INTRO_MAX,
    PLACE_MAX,
    PROMPT_MAX,
    VIDEO_URL_MAX,
    MeetingStatus,
    PhaseKind,
    ResultsVisibility,
    VotingMethod,
)
from facilitate.meetings.operations import MINUTES_MAX
from facilitate.proposals.models import ProposalStatus


def _iso_date(value: object) -> object:
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    if value is None:
        return value
    raise ValueError(_("Give the date as an ISO 8601 string (YYYY-MM-DD)."))


def _iso_datetime(value: object) -> object:
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    if value is None:
        return value
    raise ValueError(_("Give the time as an ISO 8601 string with a time zone."))


#: An ISO 8601 date given as a JSON string (strict mode would want a Python date).
IsoDate = Annotated[dt.date, Field(strict=False), BeforeValidator(_iso_date)]
#: An ISO 8601 date-time given as a JSON string; the operations refuse naive ones.
IsoDateTime = Annotated[dt.datetime, Field(strict=False), BeforeValidator(_iso_datetime)]


@dataclass(frozen=True)
class _MaxLength:
    """A length limit, documented as ``maxLength`` and held to as the text is sent.

    The operation enforces the limit again on the cleaned text (NFC, no surrounding white
    space) for every caller; over the API, text longer than documented is refused even
    when cleaning would shorten it, since the document promises ``maxLength`` of what is
    sent. Same message as the operation's.
    """

    limit: int

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema["maxLength"] = self.limit
        return json_schema

    def _check(self, value: str) -> str:
        if len(value) > self.limit:
            raise ValueError(_("At most %(max)d characters.", max=self.limit))
        return value


def _max_length(limit: int) -> Any:
    return _MaxLength(limit)


def _one_of(values: Iterable[str]) -> Any:
    """Document the accepted values; the operation refuses others with its own message."""
    return Field(json_schema_extra={"enum": [str(v) for v in values]})


def _int(default: int, low: int, high: int, description: str | None = None) -> Any:
    """Document the range; the operation enforces it, with its own message."""
    return Field(
        default=default,
        description=description,
        json_schema_extra={"minimum": low, "maximum": high},
    )


Title = Annotated[str, _max_length(TITLE_MAX)]
Description = Annotated[str, _max_length(DESCRIPTION_MAX)]
AreaName = Annotated[str, _max_length(AREA_NAME_MAX)]
Place = Annotated[str, _max_length(PLACE_MAX)]
Prompt = Annotated[str, _max_length(PROMPT_MAX)]
Intro = Annotated[str, _max_length(INTRO_MAX)]
_TRANSLATIONS = (
    "By language code (en, fi, ar, so); residents who read that language see it instead of "
    "the original. Empty texts are dropped."
)
PhaseKindName = Annotated[str, _one_of(PhaseKind)]
VotingMethodName = Annotated[str, _one_of(VotingMethod)]
ResultsName = Annotated[str, _one_of(ResultsVisibility)]
TemplateKey = Annotated[str, _one_of(sorted(TEMPLATES))]


def _id_of(thing: LazyString) -> AfterValidator:
    """An id within the database's range, else the refusal ``thing`` ("No such theme.").

    The operation refuses any id that is not one of the dialogue's, with the same message,
    but it looks the id up first, and an id out of range fails the lookup itself."""

    def check(value: int) -> int:
        if not 1 <= value <= ID_MAX:
            raise ValueError(str(thing))
        return value

    return AfterValidator(check)


_ID_RANGE = Field(json_schema_extra={"minimum": 1, "maximum": ID_MAX})
ThemeId = Annotated[int, _ID_RANGE, _id_of(_l("No such theme."))]
NoteId = Annotated[int, _ID_RANGE, _id_of(_l("No such note."))]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Output(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- requests ------------------------------------------------------------------------------


class DialogueIn(Input):
    title: Title
    description: Description | None = None
    areas: list[AreaName] = Field(
        default_factory=list, description="District names; each once (case-insensitive)."
    )
    period_start: IsoDate | None = None
    period_end: IsoDate | None = Field(default=None, description="Not before period_start.")
    action_deadline: IsoDate | None = None
    retention_months: int = _int(
        24, RETENTION_MIN, RETENTION_MAX, "How long residents' free text is kept."
    )


class ThemeIn(Input):
    title: Title
    description: Description | None = None


class PhaseIn(Input):
    title: Title
    title_translations: dict[str, Title] = Field(default_factory=dict, description=_TRANSLATIONS)
    prompt: Prompt = Field(default="", description="The question residents see in this phase.")
    prompt_translations: dict[str, Prompt] = Field(default_factory=dict, description=_TRANSLATIONS)
    minutes: int = _int(10, 1, MINUTES_MAX)
    kind: PhaseKindName = PhaseKind.share.value


class VotingIn(Input):
    method: VotingMethodName
    dots: int | None = Field(default=None, description="Dots per participant (default 3).")
    cap: int | None = Field(default=None, description="Most dots on one proposal, up to dots.")
    results: ResultsName | None = Field(
        default=None, description="Default: hidden for dots and consent, else live."
    )


_PREMODERATION = (
    "Pre-moderation: residents' contributions and proposals show on the wall and the "
    "projector only once staff approve them."
)
#: A call link; that it is a whole https:// address is checked by the operation, as on the
#: meeting's form (422 with field video_url).
VideoUrl = Annotated[str, _max_length(VIDEO_URL_MAX)]
_VIDEO_URL = (
    "The call the team uses (Jitsi, Teams, Zoom…): a whole https:// address; anything else "
    "is refused. Shown to residents as a “Join the call” button and in calendar entries."
)


class MeetingIn(Input):
    title: Title
    starts_at: IsoDateTime | None = Field(
        default=None, description="ISO 8601 with a time zone offset, e.g. 2025-05-01T18:00+02:00."
    )
    place: Place | None = None
    is_digital: bool = False
    video_url: VideoUrl = Field(default="", description=_VIDEO_URL)
    intro: Intro = Field(
        default="", description="A welcome shown on the join page and before the first step."
    )
    intro_translations: dict[str, Intro] = Field(default_factory=dict, description=_TRANSLATIONS)
    template: TemplateKey | None = Field(
        default=None, description="Agenda template; the default one if neither this nor agenda."
    )
    agenda: list[PhaseIn] | None = Field(
        default=None, description="An explicit agenda; not together with template."
    )
    voting: VotingIn | None = None
    premoderation: bool = Field(default=False, description=_PREMODERATION)


class JoinIn(Input):
    join_code: str = Field(
        json_schema_extra={"maxLength": 32},
        description="The meeting's code as shown on the projector; spaces and dashes are ignored.",
    )
    display_name: Annotated[str, _max_length(DISPLAY_NAME_MAX)] | None = Field(
        default=None, description="Shown to the room; anonymous when left out."
    )
    area: AreaName | None = Field(default=None, description="A district of the dialogue, by name.")
    age_band: Annotated[str, _one_of(AgeBand)] | None = None


class MeetingPatch(Input):
    """Only the fields given change (``null`` changes nothing, except that
    ``starts_at: null`` clears the time). The details are checked as on the meeting's edit
    page; ``voting`` is refused with 409 once a vote has opened."""

    title: Title | None = None
    starts_at: IsoDateTime | None = Field(
        default=None, description="ISO 8601 with a time zone offset; null clears it."
    )
    place: Place | None = None
    is_digital: bool | None = None
    video_url: VideoUrl | None = Field(default=None, description=_VIDEO_URL + ' "" removes it.')
    intro: Intro | None = Field(
        default=None, description="A welcome shown on the join page and before the first step."
    )
    intro_translations: dict[str, Intro] | None = Field(
        default=None,
        description=_TRANSLATIONS + " Replaces every translation: a language left out loses it.",
    )
    voting: VotingIn | None = None
    premoderation: bool | None = Field(
        default=None,
        description=_PREMODERATION + " May change during the meeting: switched off, what "
        "already waits keeps waiting until approved or hidden.",
    )


class ActionPatch(Input):
    """Only the fields given change; ``due_date: null`` clears the date."""

    title: Annotated[str, _max_length(200)] | None = None
    description: Annotated[str, _max_length(2000)] | None = None
    owner: Annotated[str, _max_length(200)] | None = Field(
        default=None, description="Who acts: a department, the police, an association…"
    )
    contact: Annotated[str, _max_length(200)] | None = None
    due_date: IsoDate | None = None
    status: Annotated[str, _one_of(ActionStatus)] | None = Field(
        default=None, description="A declined item needs a public note saying why."
    )
    next_step: Annotated[str, _max_length(2000)] | None = None
    public_note: Annotated[str, _max_length(2000)] | None = Field(
        default=None, description="Shown on the public feedback page."
    )


class ConversationIn(Input):
    date: IsoDate = Field(description="When the conversation took place (not in the future).")
    channel: Annotated[str, _one_of(Channel)]
    area: AreaName | None = Field(default=None, description="A district of the dialogue, by name.")
    age_band: Annotated[str, _one_of(AgeBand)] | None = None
    role: Annotated[str, _one_of(SpeakerRole)] | None = Field(
        default=None, description="Lives in the area (resident) or works there (staff)."
    )
    notes: list[Annotated[str, _max_length(NOTE_MAX)]] = Field(
        description="Short notes or quotes; no names or other personal details.",
        json_schema_extra={"minItems": 1, "maxItems": NOTES_MAX},
    )
    theme_ids: list[ThemeId] = Field(
        default_factory=list, description="Themes of this dialogue every note supports."
    )


class NoteEdit(Input):
    id: NoteId | None = Field(
        default=None, description="A note of this conversation; left out, the note is added."
    )
    text: Annotated[str, _max_length(NOTE_MAX)] = Field(
        description="The note's new text (not empty: delete a note with its own call)."
    )


class ConversationPatch(Input):
    """Only the fields given change; ``area``, ``age_band`` and ``role`` given as ``null`` are
    cleared. The checks are those of recording a conversation, on the conversation as it
    would be after the change; a district archived since may stay where it already was."""

    date: IsoDate | None = Field(default=None, description="Not in the future.")
    channel: Annotated[str, _one_of(Channel)] | None = None
    area: AreaName | None = Field(default=None, description="A district of the dialogue, by name.")
    age_band: Annotated[str, _one_of(AgeBand)] | None = None
    role: Annotated[str, _one_of(SpeakerRole)] | None = None
    notes: list[NoteEdit] | None = Field(
        default=None,
        description="Notes to change (with ``id``) or add (without). A note not listed keeps "
        "its text; every note keeps its themes and quote marks.",
        json_schema_extra={"maxItems": NOTES_MAX},
    )


class NoteThemesIn(Input):
    theme_ids: list[ThemeId] = Field(description="The note's themes from now on; [] for none.")


# -- responses -----------------------------------------------------------------------------


class JoinOut(Output):
    participant_token: str = Field(
        description="Connect to the /live namespace with auth {token}; keep it, it is shown once."
    )
    meeting_id: int


class ImportOut(Output):
    """An import stored: the file's rows, and how many rows of the earlier import it replaced."""

    rows: int
    replaced: int


class PolisImportOut(Output):
    """A Pol.is conversation imported into a meeting's perspectives step."""

    meeting_id: int
    statements: int = Field(description="Comments imported, moderated-out ones included.")
    votes: int = Field(description="Answers stored: each voter's last vote per comment.")
    participants: dict[str, int] = Field(
        description="Pol.is voter-id (and author-id) → the imported participant's id."
    )


class AreaOut(Output):
    id: int
    name: str


class ThemeOut(Output):
    id: int
    dialogue_id: int
    title: str
    description: str
    position: int
    status: Annotated[str, _one_of(ThemeStatus)]
    is_archived: bool


class DialogueOut(Output):
    id: int
    title: str
    description: str
    period_start: dt.date | None
    period_end: dt.date | None
    action_deadline: dt.date | None
    retention_months: int
    status: Annotated[str, _one_of(DialogueStatus)]
    areas: list[AreaOut] = Field(description="The districts in use, by name.")
    themes: list[ThemeOut] = Field(description="In the dialogue's order.")


class PhaseOut(Output):
    id: int
    position: int
    title: str
    title_translations: dict[str, str]
    prompt: str
    prompt_translations: dict[str, str]
    minutes: int
    kind: PhaseKindName


class VotingOut(Output):
    method: VotingMethodName
    dots: int
    cap: int | None
    results: ResultsName


class MeetingOut(Output):
    id: int
    theme_id: int
    title: str
    starts_at: dt.datetime | None
    place: str
    is_digital: bool
    video_url: str = Field(description='The call link; "" when the meeting has none.')
    intro: str
    intro_translations: dict[str, str]
    status: Annotated[str, _one_of(MeetingStatus)]
    join_code: str
    join_url: str = Field(
        description="The page residents open to join, absolute.",
        json_schema_extra={"format": "uri"},
    )
    agenda: list[PhaseOut]
    voting: VotingOut
    premoderation: bool = Field(description=_PREMODERATION)


class ThemeRef(Output):
    id: int
    title: str


class ActionOrigin(Output):
    meeting_id: int | None
    meeting: str | None
    proposal_id: int | None
    sources: list[str] = Field(description="The contributions it came from, as written.")
    tally: dict[str, int] | None = Field(description="The tally when it was agreed.")


class StatusChangeOut(Output):
    from_status: str | None
    to_status: str
    at: dt.datetime
    user_id: int | None


class ActionOut(Output):
    id: int
    title: str
    description: str
    theme: ThemeRef
    origin: ActionOrigin
    owner: str
    contact: str
    due_date: dt.date | None
    status: Annotated[str, _one_of(ActionStatus)]
    next_step: str
    public_note: str
    history: list[StatusChangeOut]


class NoteOut(Output):
    id: int
    text: str
    theme_ids: list[int]
    representative_in: list[int] = Field(description="Themes where it is a marked quote.")


class ConversationOut(Output):
    id: int
    dialogue_id: int
    date: dt.date
    channel: Annotated[str, _one_of(Channel)]
    area: str | None = Field(description="The district's name.")
    age_band: Annotated[str, _one_of(AgeBand)] | None
    role: Annotated[str, _one_of(SpeakerRole)] | None
    notes: list[NoteOut]


class ActionRef(Output):
    id: int
    title: str
    status: Annotated[str, _one_of(ActionStatus)]


class NoteTrailOut(Output):
    """Where a note went: its conversation, its themes and their action items."""

    note: NoteOut
    conversation_id: int
    themes: list[ThemeRef]
    actions: list[ActionRef]


class TrailNotes(Output):
    count: int
    conversations: int
    quotes: list[str] = Field(description="Quotes the team marked as speaking for the theme.")


class TrailMeeting(Output):
    id: int
    title: str
    starts_at: dt.datetime | None


class TrailProposal(Output):
    id: int
    title: str
    merged: list[ThemeRef] = Field(description="Proposals folded into this one (id, title).")


class TrailDecision(Output):
    at: dt.datetime
    note: str


class TrailStatus(Output):
    at: dt.datetime
    from_status: str | None
    to_status: str


class TrailOut(Output):
    """notes and quotes → theme → meetings → contributions → proposal → vote → decision →
    status changes; nothing personal."""

    action_id: int
    notes: TrailNotes
    theme: ThemeRef
    meetings: list[TrailMeeting]
    contributions: list[str]
    proposal: TrailProposal | None
    vote: dict[str, int] | None
    decision: TrailDecision | None
    status_changes: list[TrailStatus]


class ProposalOut(Output):
    id: int
    title: str
    body: str
    status: Annotated[str, _one_of(ProposalStatus)]
    source: int | None = Field(description="The contribution it was promoted from.")
    on_ballot: bool
    merged_into: int | None
    note: str
    tally: dict[str, int] | None = Field(
        description="Flat counts per method; null while results are hidden from the caller."
    )


class StatementScoreOut(Output):
    contribution_id: int
    text: str
    agree: int
    disagree: int
    passed: int = Field(description="Answered pass.")
    votes: int = Field(description="Answers in all.")
    agree_share: float = Field(description="Smoothed: (agree + 1) / (votes + 2).")
    disagree_share: float
    score: float = Field(description="What the list is ordered by, highest first.")


class OpinionGroupOut(Output):
    id: int
    label: str = Field(description="A, B, C… as the room sees it.")
    size: int
    shown: bool = Field(description="Shown to the room as a group: at least 5 members.")
    participant_ids: list[int]
    distinct: list[StatementScoreOut] = Field(
        description="The statements on which this group differs most from the rest."
    )


class CommonGroundOut(Output):
    statements: int = Field(description="Statements in the meeting's perspectives steps.")
    answers: int
    participants: int = Field(description="Participants who answered at least one.")
    placed: int = Field(description="Participants with enough answers to be placed.")
    groups: list[OpinionGroupOut]
    common_ground: list[StatementScoreOut] = Field(
        description="Statements a large share of every group agrees with."
    )
    common_disagreement: list[StatementScoreOut]
    divisive: list[StatementScoreOut] = Field(description="Where the groups differ most.")


#: The body of every error response, the API's own and the generated ones alike.
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "additionalProperties": False,
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "additionalProperties": False,
            "properties": {
                "code": {"type": "string", "description": "Stable and machine-readable."},
                "message": {"type": "string"},
                "field": {"type": "string", "description": "The input at fault, when known."},
                "problems": {
                    "type": "array",
                    "description": "A refused import: every bad line of the file and why.",
                    "items": {
                        "type": "object",
                        "required": ["line", "message"],
                        "additionalProperties": False,
                        "properties": {
                            "file": {
                                "type": "string",
                                "description": "Which file, where an import takes more "
                                "than one (`comments.csv`, `votes.csv`).",
                            },
                            "line": {"type": "integer", "description": "1 is the header."},
                            "message": {"type": "string"},
                        },
                    },
                },
                "more_problems": {
                    "type": "integer",
                    "description": "Bad lines beyond those listed in `problems`.",
                },
            },
        }
    },
}
