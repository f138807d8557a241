"""Pol.is's open-data format: a conversation's ``comments.csv`` and ``votes.csv`` read for
import, and a meeting's statements and answers written the same way for export.

The format is that of Pol.is's published open data (github.com/compdemocracy/openData):

``comments.csv``  ``timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,
                  comment-body``; ``moderated`` 1 accepted, 0 not yet moderated (both
                  shown), -1 moderated out (hidden, and left out of the analysis).
``votes.csv``     ``timestamp,datetime,comment-id,voter-id,vote``; ``vote`` 1 agree, -1
                  disagree, 0 pass (our ``AGREE``, ``DISAGREE``, ``PASS``); a later vote
                  of a voter on a comment replaces an earlier one.

Reading needs only ``comment-id``, ``author-id``, ``moderated`` and ``comment-body``, and
``timestamp``, ``comment-id``, ``voter-id`` and ``vote``; other columns, in any order, are
ignored (older exports have ``is-meta`` and no ``datetime``). Every line is checked before
anything is written; one bad line refuses both files, every bad line listed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from facilitate.errors import ValidationError
from facilitate.intake.imports import ImportRejected
from facilitate.live.models import TEXT_MAX
from facilitate.validation import clean_text

from .models import VALUES

COMMENTS, VOTES = "comments.csv", "votes.csv"
COMMENT_COLUMNS = ("comment-id", "author-id", "moderated", "comment-body")
VOTE_COLUMNS = ("timestamp", "comment-id", "voter-id", "vote")
EXPORT_COMMENT_COLUMNS = (
    "timestamp",
    "datetime",
    "comment-id",
    "author-id",
    "agrees",
    "disagrees",
    "moderated",
    "comment-body",
)
EXPORT_VOTE_COLUMNS = ("timestamp", "datetime", "comment-id", "voter-id", "vote")
MODERATED_OUT, UNMODERATED, ACCEPTED = -1, 0, 1
#: Problems listed at most: a file wrong throughout says so in its first lines.
PROBLEMS_MAX = 100
#: Ids and epoch milliseconds; Pol.is's are far below (a voter-id is a small number).
NUMBER_MAX = 10**15
#: Epoch milliseconds that are a plausible time (1970 to 2100).
TIME_MAX = 4_102_444_800_000

Problem = tuple[str, int, str]


class PolisRejected(ImportRejected):
    """Both files refused: ``problems`` lists (file, line, message) for every bad line
    (line 1 is the header row)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__([(line, message) for _, line, message in problems])
        self.file_problems = problems[:PROBLEMS_MAX]
        self.more = max(0, len(problems) - PROBLEMS_MAX)

    def as_dict(self) -> dict[str, Any]:
        return {
            **super().as_dict(),
            "problems": [
                {"file": file, "line": line, "message": message}
                for file, line, message in self.file_problems
            ],
            **({"more_problems": self.more} if self.more else {}),
        }


@dataclass(frozen=True)
class Comment:
    id: int
    author: int | None
    moderated: int
    body: str
    at: dt.datetime | None


@dataclass(frozen=True)
class Conversation:
    """Both files read and checked: what an import would store."""

    comments: list[Comment]  # by comment-id
    #: (voter, comment) → (vote, when): each voter's last vote on each comment.
    votes: dict[tuple[int, int], tuple[int, dt.datetime]]
    voters: list[int]  # every voter and author, by id

    def first_seen(self) -> dict[int, dt.datetime]:
        """When each voter or author first did anything, as their time of joining."""
        seen: dict[int, dt.datetime] = {}
        for (voter, _), (_, at) in self.votes.items():
            if voter not in seen or at < seen[voter]:
                seen[voter] = at
        for comment in self.comments:
            author, written = comment.author, comment.at
            if author is None or written is None:
                continue
            if author not in seen or written < seen[author]:
                seen[author] = written
        return seen


class _Bad(Exception):
    """One cell wrong: the message for its line."""


def _whole(row: dict[str, str], column: str, *, low: int = 0) -> int:
    text = row.get(column, "").strip()
    if not re.fullmatch(r"-?\d+", text) or not low <= int(text) <= NUMBER_MAX:
        raise _Bad(
            str(
                _l(
                    "%(column)s must be a whole number, not %(value)s.",
                    column=column,
                    value=text[:40] or "–",
                )
            )
        )
    return int(text)


def _time(row: dict[str, str]) -> dt.datetime:
    """Epoch milliseconds, as Pol.is writes ``timestamp``."""
    ms = _whole(row, "timestamp")
    if ms > TIME_MAX:
        raise _Bad(str(_l("timestamp must be milliseconds since 1970, not %(value)s.", value=ms)))
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC)


def _rows(
    file: str, data: bytes, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> Iterator[tuple[int, dict[str, str]]]:
    """The data rows keyed by column (``optional`` ones only where the header has them),
    with the line each starts on; a header without the required columns, an empty file or
    one that is not UTF-8 refuses the file at once."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise PolisRejected(
            [(file, line, str(_l("The file is not UTF-8 text (Pol.is exports are).")))]
        ) from None
    # Some exports hold long comment bodies, past the csv module's default field limit.
    csv.field_size_limit(max(csv.field_size_limit(), len(text)))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise PolisRejected([(file, 1, str(_l("The file is empty.")))]) from None
    except csv.Error as error:
        raise PolisRejected([(file, 1, str(error))]) from None
    missing = [c for c in required if c not in header]
    if missing:
        message = _l(
            "The header row lacks the columns %(missing)s (needed: %(required)s).",
            missing=", ".join(missing),
            required=", ".join(required),
        )
        raise PolisRejected([(file, 1, str(message))])
    where = {name: header.index(name) for name in (*required, *optional) if name in header}
    end = reader.line_num
    while True:
        start = end + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise PolisRejected([(file, start, str(error))]) from None
        end = reader.line_num
        if not any(v.strip() for v in values):
            continue
        yield start, {name: values[i] if i < len(values) else "" for name, i in where.items()}


def _comment(row: dict[str, str]) -> Comment:
    comment_id = _whole(row, "comment-id")
    author = _whole(row, "author-id") if row["author-id"].strip() else None
    moderated = _whole(row, "moderated", low=-1)
    if moderated not in (MODERATED_OUT, UNMODERATED, ACCEPTED):
        raise _Bad(str(_l("moderated must be 1, 0 or -1, not %(value)s.", value=moderated)))
    body = clean_text(row["comment-body"])
    if len(body) > TEXT_MAX:
        # Pol.is allows longer comments than a statement here: the start of it, marked as
        # cut, rather than a whole conversation refused for one long comment.
        body = body[: TEXT_MAX - 1].rstrip() + "…"
    if not body and moderated != MODERATED_OUT:
        raise _Bad(str(_l("The comment is empty.")))
    at = _time(row) if row.get("timestamp", "").strip() else None
    return Comment(comment_id, author, moderated, body, at)


def read(comments: bytes, votes: bytes, *, max_bytes: int) -> Conversation:
    """Both files checked line by line; writes nothing. Any problem refuses both."""
    problems: list[Problem] = []
    for file, data in ((COMMENTS, comments), (VOTES, votes)):
        if len(data) > max_bytes:
            raise ValidationError(
                _l(
                    "%(file)s is too large (at most %(max)d MB).",
                    file=file,
                    max=max_bytes // 1024 // 1024,
                ),
                field=file.removesuffix(".csv"),
            )
    by_id: dict[int, tuple[int, Comment]] = {}
    refused: set[int] = set()
    for line, row in _rows(COMMENTS, comments, COMMENT_COLUMNS, ("timestamp",)):
        try:
            comment = _comment(row)
        except _Bad as bad:
            problems.append((COMMENTS, line, str(bad)))
            # Votes on it are not "unknown" too: the line to fix is this one.
            if re.fullmatch(r"\d+", row["comment-id"].strip()):
                refused.add(int(row["comment-id"]))
            continue
        if comment.id in by_id:
            message = _l(
                "Comment %(id)d is on line %(line)d already.",
                id=comment.id,
                line=by_id[comment.id][0],
            )
            problems.append((COMMENTS, line, str(message)))
            continue
        by_id[comment.id] = (line, comment)
    if not by_id and not problems:
        problems.append((COMMENTS, 2, str(_l("The file has no comments."))))
    # Votes: the later timestamp wins per voter and comment; on a tie, the later line.
    last: dict[tuple[int, int], tuple[int, dt.datetime]] = {}
    for line, row in _rows(VOTES, votes, VOTE_COLUMNS):
        try:
            at = _time(row)
            comment_id = _whole(row, "comment-id")
            voter = _whole(row, "voter-id")
            value = _whole(row, "vote", low=-1)
            if value not in VALUES:
                raise _Bad(str(_l("vote must be 1, -1 or 0, not %(value)s.", value=value)))
            if comment_id in refused:
                continue
            if comment_id not in by_id:
                raise _Bad(str(_l("No comment %(id)d in comments.csv.", id=comment_id)))
        except _Bad as bad:
            problems.append((VOTES, line, str(bad)))
            continue
        key = (voter, comment_id)
        if key not in last or at >= last[key][1]:
            last[key] = (value, at)
    if problems:
        raise PolisRejected(problems)
    ordered = [c for _, c in sorted(by_id.values(), key=lambda lc: lc[1].id)]
    voters = {voter for voter, _ in last} | {c.author for c in ordered if c.author is not None}
    return Conversation(ordered, last, sorted(voters))


# -- export --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    """A statement as exported: its text, who wrote it, whether the room saw it."""

    id: int  # the contribution's; renumbered in the file
    author: int | None  # participant id
    shown: bool
    text: str
    at: dt.datetime


def _ms(at: dt.datetime) -> int:
    return round(at.timestamp() * 1000)


def _datetime(at: dt.datetime) -> str:
    """As Pol.is's ``datetime`` column (Java's ``Date.toString``), in UTC."""
    return at.astimezone(dt.UTC).strftime("%a %b %d %H:%M:%S UTC %Y")


def _csv(header: tuple[str, ...], rows: Sequence[Sequence[object]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def export(statements: list[Statement], answers: list[tuple[int, int, int, dt.datetime]]) -> bytes:
    """A zip of ``comments.csv`` and ``votes.csv`` in the open-data format.

    Comments are numbered from 0 in the order they were written, voters from 0 in the
    order they joined: neither is an id of ours, and no name or other free text is in
    it beyond the statements. A statement the room did not see (hidden, or waiting for
    approval) is ``moderated`` -1 and its words are left out: they were kept from the
    room for a reason."""
    comment_of = {s.id: n for n, s in enumerate(statements)}
    answers = [a for a in answers if a[1] in comment_of]
    people = sorted(
        {p for p, _, _, _ in answers} | {s.author for s in statements if s.author is not None}
    )
    voter_of = {p: n for n, p in enumerate(people)}
    agrees: dict[int, int] = {}
    disagrees: dict[int, int] = {}
    for _, statement, value, _ in answers:
        if value == 1:
            agrees[statement] = agrees.get(statement, 0) + 1
        elif value == -1:
            disagrees[statement] = disagrees.get(statement, 0) + 1
    comments = [
        [
            _ms(s.at),
            _datetime(s.at),
            comment_of[s.id],
            "" if s.author is None else voter_of[s.author],
            agrees.get(s.id, 0),
            disagrees.get(s.id, 0),
            ACCEPTED if s.shown else MODERATED_OUT,
            s.text if s.shown else "",
        ]
        for s in statements
    ]
    votes = [
        [_ms(at), _datetime(at), comment_of[statement], voter_of[participant], value]
        for participant, statement, value, at in sorted(answers, key=lambda a: (a[3], a[0], a[1]))
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(COMMENTS, _csv(EXPORT_COMMENT_COLUMNS, comments))
        archive.writestr(VOTES, _csv(EXPORT_VOTE_COLUMNS, votes))
    return buffer.getvalue()
