"""Reading the intake: a theme's evidence, and theme suggestions for untagged notes."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from rapidfuzz import utils
from sqlalchemy.orm import selectinload

from facilitate.db import session
from facilitate.dialogues.models import Dialogue, Theme
from facilitate.suppression import Column, suppress

from .models import Channel, Conversation, Note, NoteTheme


@dataclass(frozen=True)
class Evidence:
    theme: Theme
    notes: list[Note]  # marked quotes first, then newest first
    representative: list[Note]
    conversations: int
    by_channel: list[tuple[Channel, int]]
    by_area: Column


def theme_notes(theme: Theme) -> list[tuple[Note, bool]]:
    """A theme's notes with their representative mark, marked ones first."""
    rows = session().execute(
        sa.select(Note, NoteTheme.representative)
        .join(NoteTheme, NoteTheme.note_id == Note.id)
        .join(Conversation, Conversation.id == Note.conversation_id)
        .where(NoteTheme.theme_id == theme.id)
        .options(
            selectinload(Note.conversation).selectinload(Conversation.area),
            selectinload(Note.links),
        )
        .order_by(NoteTheme.representative.desc(), Conversation.held_on.desc(), Note.id)
    )
    return [(note, marked) for note, marked in rows]


def evidence(theme: Theme, *, no_area: str) -> Evidence:
    pairs = theme_notes(theme)
    notes = [note for note, _ in pairs]
    conversations = {note.conversation.id: note.conversation for note in notes}
    channels = Counter(c.channel for c in conversations.values())
    areas = Counter(c.area.name if c.area else no_area for c in conversations.values())
    order = sorted(a.name for a in theme.dialogue.areas if not a.is_archived)
    order += [*sorted(set(areas) - set(order) - {no_area}), no_area]
    return Evidence(
        theme=theme,
        notes=notes,
        # A purged note keeps its place in the counts but has no words left to quote.
        representative=[note for note, marked in pairs if marked and note.text],
        conversations=len(conversations),
        by_channel=[(channel, channels[channel]) for channel in Channel if channels[channel]],
        by_area=suppress(areas, order),
    )


#: The quotes a trail shows; the rest are counted.
QUOTES_MAX = 5


@dataclass(frozen=True)
class ThemeEvidence:
    notes: int
    conversations: int
    quotes: list[str]


def theme_evidence(theme_id: int) -> ThemeEvidence:
    """Counts and the quotes the team marked, for any theme (trail, exports, report)."""
    counts = (
        session()
        .execute(
            sa.select(sa.func.count(Note.id), sa.func.count(sa.distinct(Note.conversation_id)))
            .join(NoteTheme, NoteTheme.note_id == Note.id)
            .where(NoteTheme.theme_id == theme_id)
        )
        .one()
    )
    quotes = session().scalars(
        sa.select(Note.text)
        .join(NoteTheme, NoteTheme.note_id == Note.id)
        .where(NoteTheme.theme_id == theme_id, NoteTheme.representative.is_(True), Note.text != "")
        .order_by(Note.id)
        .limit(QUOTES_MAX)
    )
    return ThemeEvidence(notes=counts[0], conversations=counts[1], quotes=list(quotes))


# -- suggestions ---------------------------------------------------------------------------

#: Below this cosine similarity a theme is not worth suggesting.
SUGGEST_MIN = 0.08
SUGGEST_MAX = 3

Vector = dict[str, float]


def _grams(text: str) -> Counter[str]:
    """Character 3- and 4-grams within words: compound words and inflections of Swedish
    ("belysning", "gatubelysningen") share them, and they need no word lists, so any
    script works."""
    grams: Counter[str] = Counter()
    for word in utils.default_process(text).split():
        padded = f" {word} "
        for size in (3, 4):
            grams.update(padded[i : i + size] for i in range(len(padded) - size + 1))
    return grams


def _normalised(vector: Vector) -> Vector:
    norm = math.sqrt(sum(x * x for x in vector.values())) or 1.0
    return {g: x / norm for g, x in vector.items()}


def _vectors(texts: Sequence[str]) -> list[Vector]:
    """TF-IDF over the dialogue's own notes: words every note has weigh little."""
    counts = [_grams(t) for t in texts]
    df = Counter(g for c in counts for g in c)
    n = len(texts)
    return [
        _normalised({g: (1 + math.log(k)) * math.log(1 + n / df[g]) for g, k in c.items()})
        for c in counts
    ]


def _cosine(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(g, 0.0) for g, x in a.items())


def suggestions(dialogue: Dialogue, notes: Sequence[Note]) -> dict[int, list[tuple[Theme, float]]]:
    """For each untagged note among ``notes``: the themes whose notes read most like it.

    Only ever shown; a person applies one with a click.
    """
    targets = [n for n in notes if not n.links]
    if not targets:
        return {}
    tagged = list(
        session().execute(
            sa.select(Note.text, NoteTheme.theme_id)
            .join(NoteTheme, NoteTheme.note_id == Note.id)
            .join(Theme, Theme.id == NoteTheme.theme_id)
            .where(Theme.dialogue_id == dialogue.id, Theme.is_archived.is_(False))
        )
    )
    if not tagged:
        return {}
    vectors = _vectors([text for text, _ in tagged] + [n.text for n in targets])
    centroids: dict[int, Counter[str]] = {}
    for (_, theme_id), vector in zip(tagged, vectors, strict=False):
        centroids.setdefault(theme_id, Counter()).update(vector)
    themes = {t.id: t for t in dialogue.themes}
    unit = {theme_id: _normalised(dict(c)) for theme_id, c in centroids.items()}
    result: dict[int, list[tuple[Theme, float]]] = {}
    for note, vector in zip(targets, vectors[len(tagged) :], strict=True):
        scored = sorted(
            ((themes[tid], _cosine(vector, c)) for tid, c in unit.items()),
            key=lambda pair: -pair[1],
        )
        result[note.id] = [(t, s) for t, s in scored[:SUGGEST_MAX] if s >= SUGGEST_MIN]
    return result
