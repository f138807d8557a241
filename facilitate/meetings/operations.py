"""The write path for meetings and their agendas. Functions flush, never commit."""

from __future__ import annotations

import datetime as dt
import secrets
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from facilitate.db import session
from facilitate.dialogues.models import Theme
from facilitate.errors import Conflict, NotFound, ValidationError
from facilitate.languages import ORIGINAL, TRANSLATED
from facilitate.validation import (
    check_int_range,
    check_optional_text,
    check_title,
    check_translations,
    clean_text,
)

from .agendas import DEFAULT_TEMPLATE, TEMPLATES
from .models import (
    INTRO_MAX,
    JOIN_CODE_LENGTH,
    PLACE_MAX,
    PROMPT_MAX,
    TITLE_MAX,
    VIDEO_URL_MAX,
    Meeting,
    MeetingStatus,
    Phase,
    PhaseKind,
    ResultsVisibility,
    VotingMethod,
    default_results,
)
from .signals import content_changed

#: No 0/O, 1/I/L: codes are read off a projector and typed on small keyboards.
JOIN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
MAX_PHASES = 30
MINUTES_MAX = 600
DOTS_MAX = 20


@dataclass(frozen=True)
class PhaseSpec:
    title: str
    prompt: str = ""
    minutes: int = 10
    kind: str = PhaseKind.share.value
    prompt_translations: Mapping[str, str] = field(default_factory=dict)
    title_translations: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class VotingSpec:
    method: str = VotingMethod.dots.value
    dots: int | None = None
    cap: int | None = None
    results: str | None = None


def get_meeting(meeting_id: int) -> Meeting:
    meeting = session().get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(_l("No such meeting."))
    return meeting


def get_phase(phase_id: int, *, meeting: Meeting) -> Phase:
    phase = session().get(Phase, phase_id)
    if phase is None or phase.meeting_id != meeting.id:
        raise NotFound(_l("No such phase."))
    return phase


def normalise_join_code(raw: str | None) -> str | None:
    """Upper-case and drop spaces and dashes; ``None`` when it cannot be a join code."""
    code = "".join(ch for ch in (raw or "").upper() if ch not in " -")
    if len(code) != JOIN_CODE_LENGTH or any(ch not in JOIN_ALPHABET for ch in code):
        return None
    return code


def new_join_code() -> str:
    """A fresh code; ~39 bits, so guessing one behind the join rate limit is impractical."""
    for _ in range(20):
        code = "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
        taken = session().scalar(sa.select(Meeting.id).where(Meeting.join_code == code))
        if taken is None:
            return code
    raise RuntimeError("could not find a free join code")  # pragma: no cover


def check_template(key: str | None) -> str:
    key = key or DEFAULT_TEMPLATE
    if key not in TEMPLATES:
        raise ValidationError(_l("Unknown agenda template."), field="template")
    return key


def check_phase(spec: PhaseSpec, *, field: str = "agenda") -> Phase:
    try:
        kind = PhaseKind(spec.kind)
    except ValueError:
        raise ValidationError(_l("Unknown phase kind."), field=f"{field}.kind") from None
    return Phase(
        title=check_title(spec.title, field=f"{field}.title", max_length=TITLE_MAX),
        prompt=check_optional_text(spec.prompt, field=f"{field}.prompt", max_length=PROMPT_MAX),
        minutes=check_int_range(spec.minutes, field=f"{field}.minutes", low=1, high=MINUTES_MAX),
        kind=kind,
        prompt_translations=check_translations(
            spec.prompt_translations, field=f"{field}.prompt", max_length=PROMPT_MAX
        ),
        title_translations=check_title_translations(
            spec.title_translations, field=f"{field}.title"
        ),
    )


def check_title_translations(values: Mapping[str, str] | None, *, field: str) -> dict[str, str]:
    """A title in other languages: like the original, one plain line each."""
    checked = check_translations(values, field=field, max_length=TITLE_MAX)
    for code, text in checked.items():
        check_title(text, field=f"{field}.{code}", max_length=TITLE_MAX)
    return checked


def template_phases(key: str) -> list[Phase]:
    """The template's steps as new phases, in the dialogue's own language whatever the
    facilitator's screen is in, with each title and prompt in every other language the
    catalogs have it in (residents read theirs)."""
    steps = TEMPLATES[check_template(key)].steps
    with force_locale(ORIGINAL):
        originals = [(str(step.title), str(step.prompt)) for step in steps]
    titles: list[dict[str, str]] = [{} for _ in steps]
    prompts: list[dict[str, str]] = [{} for _ in steps]
    for code in TRANSLATED:
        with force_locale(code):
            for i, (step, (title, prompt)) in enumerate(zip(steps, originals, strict=True)):
                if (translated := str(step.title)) != title:
                    titles[i][code] = translated
                if (translated := str(step.prompt)) != prompt:
                    prompts[i][code] = translated
    return [
        Phase(
            title=title,
            prompt=prompt,
            minutes=step.minutes,
            kind=step.kind,
            title_translations=titles[i],
            prompt_translations=prompts[i],
        )
        for i, (step, (title, prompt)) in enumerate(zip(steps, originals, strict=True))
    ]


def check_agenda(specs: Sequence[PhaseSpec]) -> list[Phase]:
    if not specs:
        raise ValidationError(_l("The agenda needs at least one phase."), field="agenda")
    if len(specs) > MAX_PHASES:
        raise ValidationError(_l("At most %(max)d phases.", max=MAX_PHASES), field="agenda")
    return [check_phase(spec, field=f"agenda.{i}") for i, spec in enumerate(specs)]


def check_voting(spec: VotingSpec) -> tuple[VotingMethod, int, int | None, ResultsVisibility]:
    try:
        method = VotingMethod(spec.method)
    except ValueError:
        raise ValidationError(_l("Unknown voting method."), field="voting.method") from None
    dots = check_int_range(
        spec.dots if spec.dots is not None else 3, field="voting.dots", low=1, high=DOTS_MAX
    )
    cap = spec.cap
    if cap is not None:
        cap = check_int_range(cap, field="voting.cap", low=1, high=dots)
    if spec.results is None:
        results = default_results(method)
    else:
        try:
            results = ResultsVisibility(spec.results)
        except ValueError:
            raise ValidationError(
                _l("Results must be live or hidden."), field="voting.results"
            ) from None
    return method, dots, cap, results


def check_starts_at(starts_at: dt.datetime | None) -> dt.datetime | None:
    if starts_at is not None and starts_at.tzinfo is None:
        raise ValidationError(_l("Give the time with a time zone."), field="starts_at")
    return starts_at


def check_video_url(value: str | None) -> str:
    """A call link: a whole ``https://`` address with a host, or "" for none.

    Only https: the link is put in front of residents on the join page, the phone and in
    their calendars, so ``javascript:``, ``http:`` (readable and changeable on the way) and
    half addresses are refused, as are spaces and control characters, which no real call
    link has.
    """
    url = clean_text(value)
    if not url:
        return ""
    if len(url) > VIDEO_URL_MAX:
        raise ValidationError(
            _l("At most %(max)d characters.", max=VIDEO_URL_MAX), field="video_url"
        )
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        host = None
    else:
        if parts.scheme.lower() != "https":
            host = None
    if (
        not host
        or "." not in host.strip(".")
        or any(ch.isspace() or unicodedata.category(ch) == "Cc" for ch in url)
    ):
        raise ValidationError(
            _l(
                "The call link must be a whole address starting with https://, "
                "e.g. https://meet.jit.si/our-meeting."
            ),
            field="video_url",
        )
    return url


def create_meeting(
    theme: Theme,
    title: str,
    *,
    starts_at: dt.datetime | None = None,
    place: str | None = None,
    is_digital: bool = False,
    video_url: str | None = None,
    intro: str | None = None,
    intro_translations: Mapping[str, str] | None = None,
    template: str | None = None,
    agenda: Sequence[PhaseSpec] | None = None,
    voting: VotingSpec | None = None,
    premoderation: bool = False,
) -> Meeting:
    """Create a draft meeting with an agenda from ``agenda`` or else from ``template``."""
    if theme.dialogue.is_archived:
        raise ValidationError(_l("The dialogue is archived."), field="theme")
    title = check_title(title)
    place = check_optional_text(place, field="place", max_length=PLACE_MAX)
    video_url = check_video_url(video_url)
    intro = check_optional_text(intro, field="intro", max_length=INTRO_MAX)
    intros = check_translations(intro_translations, field="intro", max_length=INTRO_MAX)
    starts_at = check_starts_at(starts_at)
    phases = (
        check_agenda(agenda) if agenda is not None else template_phases(check_template(template))
    )
    method, dots, cap, results = check_voting(voting or VotingSpec())
    for position, phase in enumerate(phases):
        phase.position = position
    meeting = Meeting(
        theme=theme,
        title=title,
        starts_at=starts_at,
        place=place,
        is_digital=is_digital,
        video_url=video_url,
        intro=intro,
        intro_translations=intros,
        join_code=new_join_code(),
        voting_method=method,
        voting_dots=dots,
        voting_cap=cap,
        voting_results=results,
        premoderation=premoderation,
        phases=phases,
    )
    session().add(meeting)
    session().flush()
    return meeting


def update_meeting(
    meeting: Meeting,
    *,
    title: str,
    starts_at: dt.datetime | None,
    place: str | None,
    is_digital: bool,
    video_url: str | None = None,
    intro: str | None = None,
    intro_translations: Mapping[str, str] | None = None,
    premoderation: bool | None = None,
) -> Meeting:
    """``video_url``, ``intro``, ``intro_translations`` and ``premoderation`` stay as they
    are when ``None``.

    A change to what a calendar entry shows (title, time, place, call link) counts up
    ``calendar_sequence``, so calendars that imported the meeting take the new version.
    """
    title = check_title(title)
    place = check_optional_text(place, field="place", max_length=PLACE_MAX)
    video = meeting.video_url if video_url is None else check_video_url(video_url)
    new_intro = (
        None if intro is None else check_optional_text(intro, field="intro", max_length=INTRO_MAX)
    )
    intros = (
        None
        if intro_translations is None
        else check_translations(intro_translations, field="intro", max_length=INTRO_MAX)
    )
    starts_at = check_starts_at(starts_at)
    before = _calendar_fields(meeting)
    meeting.title = title
    meeting.place = place
    meeting.video_url = video
    if new_intro is not None:
        meeting.intro = new_intro
    if intros is not None:
        meeting.intro_translations = intros
    meeting.starts_at = starts_at
    meeting.is_digital = is_digital
    if _calendar_fields(meeting) != before:
        meeting.calendar_sequence += 1
    if premoderation is not None:
        meeting.premoderation = premoderation
    session().flush()
    content_changed.send(meeting)
    return meeting


def set_premoderation(meeting: Meeting, on: bool) -> Meeting:
    """Switch pre-moderation, also during the meeting. Switched on, residents' writing
    from now on waits for approval; switched off, new writing shows at once, and what
    already waits keeps waiting until staff approve or hide it: nothing is shown that
    nobody let through."""
    if meeting.premoderation != on:
        meeting.premoderation = on
        session().flush()
        content_changed.send(meeting)
    return meeting


def _calendar_fields(meeting: Meeting) -> tuple[object, ...]:
    starts_at = None if meeting.starts_at is None else meeting.starts_at.astimezone(dt.UTC)
    return (meeting.title, starts_at, meeting.place, meeting.is_digital, meeting.video_url)


def set_voting(meeting: Meeting, spec: VotingSpec) -> Meeting:
    method, dots, cap, results = check_voting(spec)
    if meeting.voting_status is not None:
        # Ballots already cast were cast under these rules; changing them would recount them.
        raise Conflict(
            _l("The voting settings are fixed once a vote has opened."),
            code="voting_started",
            field="voting.method",
        )
    meeting.voting_method = method
    meeting.voting_dots = dots
    meeting.voting_cap = cap
    meeting.voting_results = results
    session().flush()
    return meeting


def set_meeting_archived(meeting: Meeting, archived: bool) -> None:
    meeting.is_archived = archived
    session().flush()


def _renumber(phases: Iterable[Phase]) -> None:
    for position, phase in enumerate(phases):
        phase.position = position


def add_phase(meeting: Meeting, spec: PhaseSpec) -> Phase:
    if len(meeting.phases) >= MAX_PHASES:
        raise ValidationError(_l("At most %(max)d phases.", max=MAX_PHASES), field="agenda")
    phase = check_phase(spec, field="phase")
    phase.position = len(meeting.phases)
    meeting.phases.append(phase)
    session().flush()
    content_changed.send(meeting)
    return phase


def update_phase(phase: Phase, spec: PhaseSpec) -> Phase:
    checked = check_phase(spec, field="phase")
    phase.title = checked.title
    phase.prompt = checked.prompt
    phase.prompt_translations = checked.prompt_translations
    phase.title_translations = checked.title_translations
    phase.minutes = checked.minutes
    phase.kind = checked.kind
    session().flush()
    content_changed.send(phase.meeting)
    return phase


def check_agenda_order_open(meeting: Meeting) -> None:
    """Refuse to reorder or remove steps once the meeting has opened.

    Contributions and the room's current step point at a step by its position
    (``Contribution.phase``, ``Meeting.current_phase``, and the protocol's indexes), so a
    move or a removal would put what was said under another step, live and in the report
    of a closed meeting alike. Wording, minutes and steps added at the end stay free.

    The status is read again under a row lock: the room opens a meeting by updating this
    row, so an opening that commits while this request runs is seen here (PostgreSQL's
    read committed would otherwise let the reorder land after the first contributions).
    """
    status = session().scalar(
        sa.select(Meeting.status).where(Meeting.id == meeting.id).with_for_update()
    )
    if status is not MeetingStatus.draft:
        raise Conflict(
            _l("The order of the steps is fixed once the meeting has opened."),
            code="agenda_locked",
            field="agenda",
        )


def remove_phase(phase: Phase) -> None:
    meeting = phase.meeting
    check_agenda_order_open(meeting)
    if len(meeting.phases) <= 1:
        raise ValidationError(_l("The agenda needs at least one phase."), field="agenda")
    meeting.phases.remove(phase)
    _renumber(meeting.phases)
    session().flush()
    content_changed.send(meeting)


def move_phase(phase: Phase, offset: int) -> None:
    """Move a phase ``offset`` places earlier (negative) or later in its agenda."""
    check_agenda_order_open(phase.meeting)
    phases = list(phase.meeting.phases)
    index = phases.index(phase)
    target = max(0, min(len(phases) - 1, index + offset))
    phases.insert(target, phases.pop(index))
    _renumber(phases)
    phase.meeting.phases[:] = phases
    session().flush()
    content_changed.send(phase.meeting)
