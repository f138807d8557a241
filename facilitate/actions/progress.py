"""How far the action items have come: by status per theme, as one chart for the action
list, its PDF and the public feedback page."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from flask_babel import gettext as _

from facilitate import charts
from facilitate.dialogues.models import Theme

from .models import ActionItem, ActionStatus
from .operations import STATUS_LABELS


def progress_chart(themes: Sequence[Theme], items: Sequence[ActionItem]) -> charts.Chart | None:
    """A bar per theme that has items, split by status in the order work goes; ``None``
    when there are no items to draw."""
    counts = Counter((item.theme_id, item.status) for item in items)
    rows = [
        (theme.title, [counts[(theme.id, status)] for status in ActionStatus])
        for theme in themes
        if any(counts[(theme.id, status)] for status in ActionStatus)
    ]
    # Themes archived or merged since keep their items: counted under their own title.
    known = {theme.id for theme in themes}
    for item in items:
        if item.theme_id not in known:
            known.add(item.theme_id)
            rows.append(
                (item.theme.title, [counts[(item.theme_id, status)] for status in ActionStatus])
            )
    if not rows:
        return None
    return charts.stacked(
        _("Action items by status and theme"),
        rows,
        [str(STATUS_LABELS[status]) for status in ActionStatus],
        total_label=_("Total"),
        corner=_("Theme"),
    )
