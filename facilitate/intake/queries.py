"""Reading the intake: a theme's evidence, and theme suggestions for untagged notes."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sqlalchemy as sa
from rapidfuzz import utils
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
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


def _vectors(texts: Sequence[str]) -> sparse.csr_array:
    """TF-IDF over the dialogue's own notes, one unit row per text: words every note has weigh
    little. The terms are character 3- and 4-grams within words: compound words and
    inflections of Swedish ("belysning", "gatubelysningen") share them, and they need no word
    lists, so any script works."""
    vectorizer = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(3, 4),
        preprocessor=utils.default_process,
        sublinear_tf=True,
        dtype=np.float64,
    )
    try:
        return sparse.csr_array(vectorizer.fit_transform(texts))
    except ValueError:  # no text has a word to count
        return sparse.csr_array((len(texts), 1))


def _unit(rows: sparse.csr_array) -> sparse.csr_array:
    norms = np.sqrt(np.asarray(rows.multiply(rows).sum(axis=1))).ravel()
    return sparse.csr_array(sparse.diags_array(1 / np.where(norms > 0, norms, 1)) @ rows)


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
    theme_ids = sorted({theme_id for _, theme_id in tagged})
    # Each theme's centroid: the sum of its notes' unit vectors, made a unit vector again.
    rows = np.arange(len(tagged))
    columns = np.searchsorted(theme_ids, [theme_id for _, theme_id in tagged])
    belongs = sparse.csr_array(
        (np.ones(len(tagged)), (columns, rows)), shape=(len(theme_ids), vectors.shape[0])
    )
    centroids = _unit(belongs @ vectors)
    similarity = (vectors[len(tagged) :] @ centroids.T).toarray()
    themes = {t.id: t for t in dialogue.themes}
    result: dict[int, list[tuple[Theme, float]]] = {}
    for note, scores in zip(targets, similarity, strict=True):
        best = sorted(range(len(theme_ids)), key=lambda i: (-scores[i], i))[:SUGGEST_MAX]
        result[note.id] = [
            (themes[theme_ids[i]], float(scores[i])) for i in best if scores[i] >= SUGGEST_MIN
        ]
    return result
