"""Bulk import of conversations gathered on paper, from a CSV or XLSX file.

One row per note. Columns (header row required, any order, names case-insensitive;
documented in docs/intake.md and on the import page):

``date``          required, YYYY-MM-DD (or a date cell in XLSX)
``channel``       required: street, shop, door, digital, meeting, other
``district``      optional: a district of the dialogue, by name
``age_band``      optional: -15, 16-19, 20-29, 30-44, 45-64, 65-
``role``          optional: resident or staff
``note``          required: the note or quote
``themes``        optional: theme numbers (as on the dialogue page) or titles, ``;``-separated
``conversation``  optional: rows with the same value form one conversation

Every row is checked before anything is written; one bad row and nothing is imported,
and every bad row is reported with its line number and the reason.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from openpyxl import load_workbook

from facilitate.dialogues.models import Dialogue, Theme
from facilitate.errors import DomainError, ValidationError
from facilitate.live.models import AgeBand
from facilitate.validation import clean_text

from . import operations as ops
from .models import Channel, Conversation, SpeakerRole

COLUMNS = ("date", "channel", "district", "age_band", "role", "note", "themes", "conversation")
REQUIRED = ("date", "channel", "note")
MAX_BYTES = 2 * 1024 * 1024  # as MAX_CONTENT_LENGTH: a larger upload never gets here
MAX_ROWS = 10_000


class ImportRejected(ValidationError):
    """The file as a whole: ``problems`` lists (line, message) for every bad row."""

    code = "import_rejected"

    def __init__(self, problems: list[tuple[int, str]]) -> None:
        super().__init__(_l("Nothing was imported: fix the rows below and try again."))
        self.problems = problems

    def as_dict(self) -> dict[str, Any]:
        return {
            **super().as_dict(),
            "problems": [{"line": line, "message": message} for line, message in self.problems],
        }


@dataclass
class ImportResult:
    conversations: list[Conversation] = field(default_factory=list)

    @property
    def notes(self) -> int:
        return sum(len(c.notes) for c in self.conversations)


Row = tuple[int, dict[str, object]]  # line number (1 is the header), cells by column


def _csv_rows(data: bytes) -> Iterator[list[object]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on a Swedish Windows saves "CSV" in Windows-1252.
        text = data.decode("cp1252", errors="replace")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _xlsx_rows(data: bytes) -> Iterator[list[object]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ValidationError(
            _l("The file is not a readable XLSX workbook."), field="file"
        ) from None
    try:
        sheet = book.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield ["" if v is None else v for v in values]
    finally:
        book.close()


def read_rows(
    filename: str,
    data: bytes,
    *,
    columns: tuple[str, ...] = COLUMNS,
    required: tuple[str, ...] = REQUIRED,
) -> list[Row]:
    """The file's data rows keyed by column; header problems refuse the whole file.
    Other imports (the population, indicators) read their files here with their columns."""
    if len(data) > MAX_BYTES:
        raise ValidationError(
            _l("The file is too large (at most %(max)d MB).", max=MAX_BYTES // 1024 // 1024),
            field="file",
        )
    name = filename.lower()
    if name.endswith(".xlsx"):
        lines = _xlsx_rows(data)
    elif name.endswith((".csv", ".txt")):
        lines = _csv_rows(data)
    else:
        raise ValidationError(_l("Upload a .csv or .xlsx file."), field="file")
    header: list[str] | None = None
    rows: list[Row] = []
    for number, values in enumerate(lines, start=1):
        if header is None:
            header = [clean_text(str(v)).lower().replace(" ", "_") for v in values]
            while header and not header[-1]:
                header.pop()
            unknown = [h for h in header if h not in columns]
            missing = [c for c in required if c not in header]
            if unknown or missing or len(set(header)) != len(header):
                raise ImportRejected(
                    [
                        (
                            1,
                            str(
                                _l(
                                    "The header row must name the columns %(columns)s "
                                    "(required: %(required)s).",
                                    columns=", ".join(columns),
                                    required=", ".join(required),
                                )
                            ),
                        )
                    ]
                )
            continue
        if not any(clean_text(str(v)) for v in values):
            continue  # blank lines between blocks of paper notes
        if len(rows) >= MAX_ROWS:
            raise ValidationError(_l("At most %(max)d rows per file.", max=MAX_ROWS), field="file")
        if any(clean_text(str(v)) for v in values[len(header) :]):
            rows.append((number, {"": _l("The row has more cells than the header has columns.")}))
            continue
        rows.append((number, dict(zip(header, values, strict=False))))
    if header is None:
        raise ValidationError(_l("The file is empty."), field="file")
    if not rows:
        raise ValidationError(_l("The file has no rows under its header."), field="file")
    return rows


def _text(row: dict[str, object], column: str) -> str:
    value = row.get(column, "")
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number cell such as a conversation number
    return clean_text(str(value))


def _date(row: dict[str, object]) -> dt.date:
    value = row.get("date")
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(_text(row, "date"))
    except ValueError:
        raise ValidationError(_l("Give the date as YYYY-MM-DD."), field="date") from None


def _themes(dialogue: Dialogue, cell: str) -> list[int]:
    themes = [t for t in dialogue.themes if not t.is_archived]
    by_number = {str(i): t for i, t in enumerate(sorted(themes, key=lambda t: t.position), 1)}
    by_title = {t.title.casefold(): t for t in themes}
    found: list[Theme] = []
    for part in (p.strip() for p in cell.split(";")):
        if not part:
            continue
        theme = by_number.get(part) or by_title.get(part.casefold())
        if theme is None:
            raise ValidationError(_l("Unknown theme %(name)s.", name=part), field="themes")
        found.append(theme)
    return [t.id for t in found]


@dataclass
class _Group:
    line: int
    first: ops.CheckedConversation
    notes: list[tuple[str, list[Theme]]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)

    def same_conversation(self, other: ops.CheckedConversation) -> bool:
        def key(c: ops.CheckedConversation) -> tuple[object, ...]:
            return (c.held_on, c.channel, c.area, c.age_band, c.role)

        return key(self.first) == key(other)


@dataclass(frozen=True)
class PreviewRow:
    """One note as the import would store it, with the line it came from."""

    line: int
    conversation: int  # its conversation's number within the file, from 1
    held_on: dt.date
    channel: Channel
    area: str | None
    age_band: AgeBand | None
    role: SpeakerRole | None
    text: str
    themes: list[str]


@dataclass
class ImportPlan:
    """A file read and checked against the dialogue: what importing it would create.

    Nothing is written until ``write_plan``, so it is also the preview.
    """

    groups: list[_Group]

    @property
    def conversations(self) -> int:
        return len(self.groups)

    @property
    def notes(self) -> int:
        return sum(len(g.notes) for g in self.groups)

    # The preview counts are exact, small groups included, unlike every other count of
    # conversations by district (suppression.py): they describe the file the staff member
    # has just uploaded and holds anyway, they are shown only to that facilitator, before
    # anything is stored, and hiding them would hide mistakes (a row typed into the wrong
    # district shows as a count of 1). Nothing here is shown after the import.

    def by_channel(self) -> list[tuple[Channel, int]]:
        counts = Counter(g.first.channel for g in self.groups)
        return [(channel, counts[channel]) for channel in Channel if counts[channel]]

    def by_area(self) -> list[tuple[str | None, int]]:
        """By district name; conversations without one last, as None."""
        counts = Counter(g.first.area.name if g.first.area else None for g in self.groups)
        named = sorted((name, n) for name, n in counts.items() if name is not None)
        return named + ([(None, counts[None])] if counts[None] else [])

    def rows(self, limit: int) -> list[PreviewRow]:
        rows = [
            PreviewRow(
                line=line,
                conversation=number,
                held_on=group.first.held_on,
                channel=group.first.channel,
                area=group.first.area.name if group.first.area else None,
                age_band=group.first.age_band,
                role=group.first.role,
                text=text,
                themes=[t.title for t in themes],
            )
            for number, group in enumerate(self.groups, 1)
            for line, (text, themes) in zip(group.lines, group.notes, strict=True)
        ]
        return sorted(rows, key=lambda row: row.line)[:limit]

    def digest(self) -> str:
        """What would be written, as a fingerprint: confirming imports only the plan the
        preview showed, not one the dialogue's themes or districts have changed since."""
        shape = [
            [
                g.first.held_on.isoformat(),
                g.first.channel.value,
                g.first.area.id if g.first.area else None,
                g.first.age_band.value if g.first.age_band else None,
                g.first.role.value if g.first.role else None,
                [[text, [t.id for t in themes]] for text, themes in g.notes],
            ]
            for g in self.groups
        ]
        return hashlib.sha256(json.dumps(shape, ensure_ascii=False).encode()).hexdigest()


def plan_import(dialogue: Dialogue, filename: str, data: bytes) -> ImportPlan:
    """Read and check every row; writes nothing. One bad row refuses the file
    (``ImportRejected`` lists them all)."""
    groups: dict[str, _Group] = {}
    problems: list[tuple[int, str]] = []
    for line, row in read_rows(filename, data):
        if "" in row:  # a row read_rows already found wrong
            problems.append((line, str(row[""])))
            continue
        try:
            checked = ops.check_conversation(
                dialogue,
                ops.ConversationSpec(
                    held_on=_date(row),
                    channel=_text(row, "channel").lower(),
                    area=_text(row, "district"),
                    age_band=_text(row, "age_band"),
                    role=_text(row, "role").lower(),
                    notes=[_text(row, "note")],
                    theme_ids=_themes(dialogue, _text(row, "themes")),
                ),
            )
        except DomainError as error:
            problems.append((line, str(error.message)))
            continue
        key = _text(row, "conversation") or f"\0line {line}"  # no key: a conversation alone
        group = groups.setdefault(key, _Group(line, checked))
        if not group.same_conversation(checked):
            message = _l(
                "Date, channel, district, age band and role differ from line %(line)d "
                "of the same conversation.",
                line=group.line,
            )
            problems.append((line, str(message)))
            continue
        group.notes.append((checked.notes[0], checked.themes))
        group.lines.append(line)
    if problems:
        raise ImportRejected(problems)
    return ImportPlan(list(groups.values()))


def write_plan(dialogue: Dialogue, plan: ImportPlan, *, user_id: int | None) -> ImportResult:
    result = ImportResult()
    for group in plan.groups:
        result.conversations.append(
            ops.do_record_conversation(dialogue, group.first, user_id=user_id, notes=group.notes)
        )
    return result


def import_conversations(
    dialogue: Dialogue, filename: str, data: bytes, *, user_id: int | None
) -> ImportResult:
    return write_plan(dialogue, plan_import(dialogue, filename, data), user_id=user_id)
