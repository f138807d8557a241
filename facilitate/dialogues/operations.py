"""The write path for dialogues, districts and themes. Functions flush, never commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from facilitate.db import session
from facilitate.errors import Conflict, NotFound, ValidationError
from facilitate.validation import (
    check_int_range,
    check_optional_text,
    check_period,
    check_title,
    clean_text,
)

from .models import (
    AREA_NAME_MAX,
    DESCRIPTION_MAX,
    TITLE_MAX,
    Area,
    Dialogue,
    DialogueStatus,
    Theme,
    ThemeStatus,
)

RETENTION_MIN, RETENTION_MAX = 1, 120


def get_dialogue(dialogue_id: int) -> Dialogue:
    dialogue = session().get(Dialogue, dialogue_id)
    if dialogue is None:
        raise NotFound(_l("No such dialogue."))
    return dialogue


def get_theme(theme_id: int, *, dialogue: Dialogue | None = None) -> Theme:
    """Load a theme; with ``dialogue``, one of another dialogue counts as missing."""
    theme = session().get(Theme, theme_id)
    if theme is None or (dialogue is not None and theme.dialogue_id != dialogue.id):
        raise NotFound(_l("No such theme."))
    return theme


def get_area(area_id: int, *, dialogue: Dialogue) -> Area:
    area = session().get(Area, area_id)
    if area is None or area.dialogue_id != dialogue.id:
        raise NotFound(_l("No such district."))
    return area


def check_area_names(names: Iterable[str]) -> list[str]:
    """Clean a list of district names; refuse blanks and duplicates (case-insensitive)."""
    cleaned: list[str] = []
    seen: set[str] = set()
    for raw in names:
        name = check_title(raw, field="areas", max_length=AREA_NAME_MAX)
        key = name.casefold()
        if key in seen:
            raise ValidationError(
                _l("The district %(name)s is listed twice.", name=name), field="areas"
            )
        seen.add(key)
        cleaned.append(name)
    return cleaned


def check_retention(months: int) -> int:
    return check_int_range(months, field="retention_months", low=RETENTION_MIN, high=RETENTION_MAX)


def create_dialogue(
    title: str,
    *,
    description: str | None = None,
    period_start: dt.date | None = None,
    period_end: dt.date | None = None,
    action_deadline: dt.date | None = None,
    retention_months: int = 24,
    areas: Iterable[str] = (),
) -> Dialogue:
    """Create a dialogue with its districts. Everything is checked before anything is written."""
    title = check_title(title, max_length=TITLE_MAX)
    description = check_optional_text(description, field="description", max_length=DESCRIPTION_MAX)
    check_period(period_start, period_end)
    retention_months = check_retention(retention_months)
    area_names = check_area_names(areas)
    dialogue = Dialogue(
        title=title,
        description=description,
        period_start=period_start,
        period_end=period_end,
        action_deadline=action_deadline,
        retention_months=retention_months,
        areas=[Area(name=name) for name in area_names],
    )
    session().add(dialogue)
    session().flush()
    return dialogue


def update_dialogue(
    dialogue: Dialogue,
    *,
    title: str,
    description: str | None,
    period_start: dt.date | None,
    period_end: dt.date | None,
    action_deadline: dt.date | None,
    retention_months: int,
) -> Dialogue:
    title = check_title(title, max_length=TITLE_MAX)
    description = check_optional_text(description, field="description", max_length=DESCRIPTION_MAX)
    check_period(period_start, period_end)
    dialogue.retention_months = check_retention(retention_months)
    dialogue.title = title
    dialogue.description = description
    dialogue.period_start = period_start
    dialogue.period_end = period_end
    dialogue.action_deadline = action_deadline
    session().flush()
    return dialogue


def archive_dialogue(dialogue: Dialogue) -> None:
    dialogue.status = DialogueStatus.archived
    session().flush()


def restore_dialogue(dialogue: Dialogue) -> None:
    dialogue.status = DialogueStatus.active
    session().flush()


def _area_name_taken(dialogue: Dialogue, name: str, *, except_id: int | None = None) -> bool:
    return any(a.name.casefold() == name.casefold() and a.id != except_id for a in dialogue.areas)


def add_area(dialogue: Dialogue, name: str) -> Area:
    name = check_title(name, field="name", max_length=AREA_NAME_MAX)
    if _area_name_taken(dialogue, name):
        raise Conflict(_l("The district %(name)s is listed twice.", name=name), field="name")
    area = Area(dialogue=dialogue, name=name)
    session().add(area)
    session().flush()
    return area


def rename_area(area: Area, name: str) -> Area:
    name = check_title(name, field="name", max_length=AREA_NAME_MAX)
    if _area_name_taken(area.dialogue, name, except_id=area.id):
        raise Conflict(_l("The district %(name)s is listed twice.", name=name), field="name")
    area.name = name
    session().flush()
    return area


def set_area_archived(area: Area, archived: bool) -> None:
    area.is_archived = archived
    session().flush()


def find_area(dialogue: Dialogue, name: str) -> Area:
    """The district of ``dialogue`` with this name, as people type it (case and
    surrounding spaces ignored); the refusal lists the districts there are."""
    cleaned = clean_text(name)
    for area in dialogue.areas:
        if area.name.casefold() == cleaned.casefold() and not area.is_archived:
            return area
    known = ", ".join(sorted(a.name for a in dialogue.areas if not a.is_archived))
    raise ValidationError(
        _l("Unknown district %(name)s; known: %(values)s.", name=cleaned, values=known),
        field="area",
    )


def _next_theme_position(dialogue: Dialogue) -> int:
    current = session().scalar(
        sa.select(sa.func.max(Theme.position)).where(Theme.dialogue_id == dialogue.id)
    )
    return 0 if current is None else current + 1


def check_theme_status(status: str | ThemeStatus) -> ThemeStatus:
    try:
        return ThemeStatus(status)
    except ValueError:
        raise ValidationError(_l("Unknown status."), field="status") from None


def create_theme(
    dialogue: Dialogue,
    title: str,
    *,
    description: str | None = None,
    status: str | ThemeStatus = ThemeStatus.planned,
) -> Theme:
    title = check_title(title, max_length=TITLE_MAX)
    description = check_optional_text(description, field="description", max_length=DESCRIPTION_MAX)
    theme = Theme(
        dialogue=dialogue,
        title=title,
        description=description,
        status=check_theme_status(status),
        position=_next_theme_position(dialogue),
    )
    session().add(theme)
    session().flush()
    return theme


def update_theme(
    theme: Theme, *, title: str, description: str | None, status: str | ThemeStatus
) -> Theme:
    theme.title = check_title(title, max_length=TITLE_MAX)
    theme.description = check_optional_text(
        description, field="description", max_length=DESCRIPTION_MAX
    )
    theme.status = check_theme_status(status)
    session().flush()
    return theme


def set_theme_status(theme: Theme, status: str | ThemeStatus) -> None:
    theme.status = check_theme_status(status)
    session().flush()


def set_theme_archived(theme: Theme, archived: bool) -> None:
    theme.is_archived = archived
    session().flush()


def move_theme(theme: Theme, offset: int) -> None:
    """Move a theme ``offset`` places up (negative) or down in its dialogue's order."""
    themes = list(theme.dialogue.themes)
    index = themes.index(theme)
    target = max(0, min(len(themes) - 1, index + offset))
    themes.insert(target, themes.pop(index))
    for position, item in enumerate(themes):
        item.position = position
    session().flush()
