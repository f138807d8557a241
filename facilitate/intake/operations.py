"""The write path for conversations, notes and their themes: check_*, then act; flush only.

A note is linked to a theme at most once (the link is the primary key), so tagging,
moving and merging can never count a note twice under one theme.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from facilitate.db import Base, session
from facilitate.dialogues.models import Area, Dialogue, Theme
from facilitate.dialogues.operations import find_area
from facilitate.errors import Conflict, NotFound, ValidationError
from facilitate.live.models import AgeBand
from facilitate.live.participants import check_age_band
from facilitate.validation import clean_text

from .models import NOTE_MAX, NOTES_MAX, Channel, Conversation, Note, NoteTheme, SpeakerRole

CHANNEL_LABELS = {
    Channel.street: _l("In the street"),
    Channel.shop: _l("Outside a shop"),
    Channel.door: _l("At the door"),
    Channel.digital: _l("Digital meeting"),
    Channel.meeting: _l("Meeting"),
    Channel.other: _l("Other"),
}
ROLE_LABELS = {
    SpeakerRole.resident: _l("Lives in the area"),
    SpeakerRole.staff: _l("Works in the area"),
}
#: A conversation recorded with a date this far ahead is a typing mistake.
FUTURE_SLACK = dt.timedelta(days=1)


# -- checks --------------------------------------------------------------------------------


def check_channel(value: str | None) -> Channel:
    try:
        return Channel(value or "")
    except ValueError:
        raise ValidationError(
            _l("Unknown channel; one of: %(values)s.", values=", ".join(c.value for c in Channel)),
            field="channel",
        ) from None


def check_role(value: str | None) -> SpeakerRole | None:
    if not value:
        return None
    try:
        return SpeakerRole(value)
    except ValueError:
        raise ValidationError(
            _l("The role is resident or staff."),
            field="role",
        ) from None


def check_held_on(value: dt.date | None) -> dt.date:
    if value is None:
        raise ValidationError(_l("Give the date of the conversation."), field="date")
    if value > dt.datetime.now(dt.UTC).date() + FUTURE_SLACK:
        raise ValidationError(_l("The date is in the future."), field="date")
    return value


def check_area_id(dialogue: Dialogue, area_id: int | None) -> Area | None:
    if area_id is None:
        return None
    for area in dialogue.areas:
        if area.id == area_id and not area.is_archived:
            return area
    raise ValidationError(_l("No such district."), field="area")


def check_note_text(value: str | None, *, field: str = "notes") -> str:
    text = clean_text(value)
    if not text:
        raise ValidationError(_l("A note cannot be empty."), field=field)
    if len(text) > NOTE_MAX:
        raise ValidationError(_l("At most %(max)d characters.", max=NOTE_MAX), field=field)
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in text):
        raise ValidationError(_l("Control characters are not allowed."), field=field)
    return text


def check_notes(values: Sequence[str]) -> list[str]:
    texts = [check_note_text(v) for v in values if clean_text(v)]
    if not texts:
        raise ValidationError(_l("Write at least one note or quote."), field="notes")
    if len(texts) > NOTES_MAX:
        raise ValidationError(
            _l("At most %(max)d notes per conversation.", max=NOTES_MAX), field="notes"
        )
    return texts


def check_themes(dialogue: Dialogue, theme_ids: Iterable[int]) -> list[Theme]:
    """Themes of this dialogue that are still in use, in the order given, once each."""
    themes: list[Theme] = []
    for theme_id in dict.fromkeys(theme_ids):
        theme = session().get(Theme, theme_id)
        if theme is None or theme.dialogue_id != dialogue.id or theme.is_archived:
            raise ValidationError(_l("No such theme."), field="theme_ids")
        themes.append(theme)
    return themes


@dataclass
class ConversationSpec:
    """A conversation as a client gives it: names and codes, not yet checked."""

    held_on: dt.date | None
    channel: str | None
    area: str | None = None  # the district's name
    area_id: int | None = None  # or its id (forms)
    age_band: str | None = None
    role: str | None = None
    notes: Sequence[str] = ()
    theme_ids: Sequence[int] = field(default_factory=list)


@dataclass(frozen=True)
class CheckedConversation:
    held_on: dt.date
    channel: Channel
    area: Area | None
    age_band: AgeBand | None
    role: SpeakerRole | None
    notes: list[str]
    themes: list[Theme]


def check_conversation(dialogue: Dialogue, spec: ConversationSpec) -> CheckedConversation:
    """Every rule, before anything is written: a refused conversation leaves no trace."""
    if dialogue.is_archived:
        raise Conflict(_l("The dialogue is archived."), code="archived")
    if spec.area_id is not None:
        area = check_area_id(dialogue, spec.area_id)
    else:
        area = find_area(dialogue, spec.area or "") if clean_text(spec.area) else None
    return CheckedConversation(
        held_on=check_held_on(spec.held_on),
        channel=check_channel(spec.channel),
        area=area,
        age_band=check_age_band(spec.age_band),
        role=check_role(spec.role),
        notes=check_notes(spec.notes),
        themes=check_themes(dialogue, spec.theme_ids),
    )


# -- conversations -------------------------------------------------------------------------


def do_record_conversation(
    dialogue: Dialogue,
    checked: CheckedConversation,
    *,
    user_id: int | None,
    notes: Sequence[tuple[str, Sequence[Theme]]] | None = None,
) -> Conversation:
    """Write a checked conversation; ``notes`` (text, themes) overrides the checked notes
    when each note has themes of its own, as rows of an import do."""
    if notes is None:
        notes = [(text, checked.themes) for text in checked.notes]
    conversation = Conversation(
        dialogue=dialogue,
        held_on=checked.held_on,
        channel=checked.channel,
        area=checked.area,
        age_band=checked.age_band,
        role=checked.role,
        recorded_by=user_id,
        notes=[
            Note(text=text, links=[NoteTheme(theme_id=t.id) for t in themes])
            for text, themes in notes
        ],
    )
    session().add(conversation)
    session().flush()
    return conversation


def record_conversation(
    dialogue: Dialogue, spec: ConversationSpec, *, user_id: int | None
) -> Conversation:
    return do_record_conversation(dialogue, check_conversation(dialogue, spec), user_id=user_id)


@dataclass
class ConversationChanges:
    """An edit of a recorded conversation, every field given: the edit page sends the whole
    form, and the API fills what its body leaves out with the current values."""

    held_on: dt.date | None
    channel: str | None
    area_id: int | None = None  # the district's id (forms, or the API's current one)
    area: str | None = None  # or its name (the API)
    age_band: str | None = None
    role: str | None = None
    #: New texts of existing notes by note id; a note not named keeps its text.
    texts: Mapping[int, str] = field(default_factory=dict)
    #: Notes to add (blank ones are skipped, as when recording); they start without themes.
    new_notes: Sequence[str] = ()


def update_conversation(conversation: Conversation, changes: ConversationChanges) -> Conversation:
    """Change what was recorded; every note keeps its themes and quote marks.

    The checks are the recording's (``check_conversation``), run on the conversation as it
    would be after the edit, and all of them before the first change. Two differences: a
    district archived since keeps its conversations (it stays possible only where it
    already was), and an existing note cannot be emptied: that would drop its themes
    unseen, so removing a note is its own action (``delete_note``).
    """
    notes = {note.id: note for note in conversation.notes}
    if set(changes.texts) - set(notes):
        raise ValidationError(_l("No such note."), field="notes")
    edited = {
        note_id: check_note_text(text, field=f"notes.{note_id}")
        for note_id, text in changes.texts.items()
    }
    kept = [edited.get(note.id, note.text) for note in conversation.notes]
    current = conversation.area
    keep_area = current is not None and (
        changes.area_id == current.id
        or (
            changes.area_id is None
            and clean_text(changes.area).casefold() == current.name.casefold()
        )
    )
    checked = check_conversation(
        conversation.dialogue,
        ConversationSpec(
            held_on=changes.held_on,
            channel=changes.channel,
            area=None if keep_area else changes.area,
            area_id=None if keep_area else changes.area_id,
            age_band=changes.age_band,
            role=changes.role,
            notes=[*kept, *changes.new_notes],
        ),
    )
    conversation.held_on = checked.held_on
    conversation.channel = checked.channel
    conversation.area = current if keep_area else checked.area
    conversation.age_band = checked.age_band
    conversation.role = checked.role
    for note_id, text in edited.items():
        notes[note_id].text = text
    # check_notes skipped only blank texts, and the kept ones are not: the rest are new.
    conversation.notes.extend(Note(text=text) for text in checked.notes[len(kept) :])
    session().flush()
    return conversation


def get_conversation(conversation_id: int, *, dialogue: Dialogue | None = None) -> Conversation:
    conversation = session().get(Conversation, conversation_id)
    if conversation is None or (dialogue is not None and conversation.dialogue_id != dialogue.id):
        raise NotFound(_l("No such conversation."))
    return conversation


def delete_conversation(conversation: Conversation) -> None:
    """Remove a record entirely, e.g. when it turns out to hold personal details."""
    session().delete(conversation)
    session().flush()


def list_conversations(
    dialogue: Dialogue,
    *,
    theme_id: int | None = None,
    untagged: bool = False,
    channel: str | None = None,
    area_id: int | None = None,
) -> list[Conversation]:
    """Newest first, with notes and their themes loaded; filters narrow by any note."""
    query = (
        sa.select(Conversation)
        .where(Conversation.dialogue_id == dialogue.id)
        .options(
            selectinload(Conversation.notes).selectinload(Note.links),
            selectinload(Conversation.area),
        )
        .order_by(Conversation.held_on.desc(), Conversation.id.desc())
    )
    if channel:
        query = query.where(Conversation.channel == check_channel(channel))
    if area_id is not None:
        query = query.where(Conversation.area_id == area_id)
    if theme_id is not None:
        tagged = (
            sa.select(Note.conversation_id).join(NoteTheme).where(NoteTheme.theme_id == theme_id)
        )
        query = query.where(Conversation.id.in_(tagged))
    if untagged:
        bare = sa.select(Note.conversation_id).where(~Note.links.any())
        query = query.where(Conversation.id.in_(bare))
    return list(session().scalars(query))


# -- notes and themes ----------------------------------------------------------------------


def get_note(note_id: int) -> Note:
    note = session().get(Note, note_id)
    if note is None:
        raise NotFound(_l("No such note."))
    return note


def note_dialogue(note: Note) -> Dialogue:
    return note.conversation.dialogue


def _link(note: Note, theme: Theme) -> NoteTheme | None:
    return next((link for link in note.links if link.theme_id == theme.id), None)


def _check_same_dialogue(note: Note, theme: Theme) -> None:
    if theme.dialogue_id != note.conversation.dialogue_id or theme.is_archived:
        raise ValidationError(_l("No such theme."), field="theme_id")


def tag_note(note: Note, theme: Theme) -> NoteTheme:
    """Link a note to a theme; tagging twice changes nothing."""
    _check_same_dialogue(note, theme)
    link = _link(note, theme)
    if link is None:
        link = NoteTheme(theme_id=theme.id)
        note.links.append(link)
        session().flush()
    return link


def untag_note(note: Note, theme: Theme) -> None:
    link = _link(note, theme)
    if link is not None:
        note.links.remove(link)
        session().flush()


def set_note_themes(note: Note, theme_ids: Iterable[int]) -> None:
    """Replace a note's themes; a theme it keeps keeps its representative mark."""
    themes = check_themes(note_dialogue(note), theme_ids)
    keep = {t.id for t in themes}
    for link in [link for link in note.links if link.theme_id not in keep]:
        note.links.remove(link)
    for theme in themes:
        if _link(note, theme) is None:
            note.links.append(NoteTheme(theme_id=theme.id))
    session().flush()


def set_representative(note: Note, theme: Theme, representative: bool) -> None:
    link = _link(note, theme)
    if link is None:
        raise ValidationError(_l("The note is not part of this theme."), field="theme_id")
    link.representative = representative
    session().flush()


def move_note(note: Note, source: Theme, target: Theme) -> None:
    """Move a note from one theme to another as the analysis changes; it keeps its mark."""
    link = _link(note, source)
    if link is None:
        raise ValidationError(_l("The note is not part of this theme."), field="theme_id")
    _check_same_dialogue(note, target)
    if target.id == source.id:
        return
    existing = _link(note, target)
    if existing is None:
        note.links.append(NoteTheme(theme_id=target.id, representative=link.representative))
    else:
        existing.representative = existing.representative or link.representative
    note.links.remove(link)
    session().flush()


def delete_note(note: Note) -> None:
    """Remove one note; a conversation left without notes goes with it."""
    conversation = note.conversation
    conversation.notes.remove(note)  # delete-orphan: the note goes at the flush
    if not conversation.notes:
        session().delete(conversation)
    session().flush()


def merge_themes(source: Theme, target: Theme) -> Theme:
    """Fold ``source`` into ``target``: notes, meetings, proposals and action items move,
    a note in both is kept once, and ``source`` is archived with a pointer to ``target``."""
    if source.id == target.id:
        raise ValidationError(_l("Choose another theme to merge into."), field="target")
    if source.dialogue_id != target.dialogue_id or target.is_archived:
        raise ValidationError(_l("No such theme."), field="target")
    if source.is_archived:
        raise Conflict(_l("The theme is archived."), code="archived")
    db = session()
    in_target = sa.select(NoteTheme.note_id).where(NoteTheme.theme_id == target.id)
    # A note in both keeps the target's link, marked if either link was.
    db.execute(
        sa.update(NoteTheme)
        .where(
            NoteTheme.theme_id == target.id,
            NoteTheme.note_id.in_(
                sa.select(NoteTheme.note_id).where(
                    NoteTheme.theme_id == source.id, NoteTheme.representative.is_(True)
                )
            ),
        )
        .values(representative=True)
    )
    db.execute(
        sa.delete(NoteTheme).where(
            NoteTheme.theme_id == source.id, NoteTheme.note_id.in_(in_target)
        )
    )
    db.execute(
        sa.update(NoteTheme).where(NoteTheme.theme_id == source.id).values(theme_id=target.id)
    )
    # Everything else that belongs to a theme follows it (meetings, proposals, action
    # items…), found by its column rather than named, so intake needs no import of the
    # domains above it and a new model with a theme cannot be forgotten here.
    for mapper in Base.registry.mappers:
        table = mapper.local_table
        if (
            isinstance(table, sa.Table)
            and "theme_id" in table.c
            and table is not NoteTheme.__table__
        ):
            db.execute(
                sa.update(table).where(table.c.theme_id == source.id).values(theme_id=target.id)
            )
    source.is_archived = True
    source.merged_into_id = target.id
    db.flush()
    db.expire_all()  # relationships loaded before the bulk updates are stale now
    return target
