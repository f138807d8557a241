"""Did anything move: each outcome indicator as a small line chart per district over the
years, with the dates the action items of its theme were done marked on it.

For the public pages. An item's district is known only through the resident who proposed
it (the action list's district filter), which a public page must not tell, so an
indicator's chart marks the items of its theme, or of the whole dialogue when the
indicator names no theme, in every district alike.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from flask_babel import format_date
from flask_babel import gettext as _

from facilitate import charts
from facilitate.actions.models import ActionItem, ActionStatus
from facilitate.baseline import operations as baseline_ops
from facilitate.baseline.models import Indicator
from facilitate.dialogues.models import Dialogue
from facilitate.web import local_number, local_zone


def done_on(item: ActionItem) -> dt.date | None:
    """The day the item was last marked done, in the town's time; None if it is not done."""
    if item.status is not ActionStatus.done:
        return None
    changes = [c.at for c in item.history if c.to_status == ActionStatus.done.value]
    moment = max(changes, default=item.updated_at)
    return moment.astimezone(local_zone()).date()


def _at(day: dt.date) -> float:
    """A date as a fraction of years, as the chart's time axis runs."""
    start = dt.date(day.year, 1, 1)
    length = (dt.date(day.year + 1, 1, 1) - start).days
    return day.year + (day - start).days / length


def outcome_charts(
    dialogue: Dialogue, items: list[ActionItem]
) -> dict[int | None, list[charts.Chart]]:
    """Charts by theme id (None: indicators that name no theme); within a theme, by
    indicator, the whole town first and then each district."""
    series: dict[tuple[int | None, str, str], list[Indicator]] = defaultdict(list)
    whole_town = _("Whole town")
    for row in baseline_ops.indicators(dialogue):
        place = row.area.name if row.area is not None else ""
        series[(row.theme_id, row.name, place)].append(row)
    result: dict[int | None, list[charts.Chart]] = defaultdict(list)
    for (theme_id, name, place), rows in sorted(
        series.items(), key=lambda kv: (kv[0][1].casefold(), kv[0][2] != "", kv[0][2].casefold())
    ):
        markers = [
            charts.Marker(_at(day), format_date(day, "short"), _("Done: %(title)s", title=i.title))
            for i in items
            if (theme_id is None or i.theme_id == theme_id) and (day := done_on(i)) is not None
        ]
        chart = charts.line(
            f"{name} · {place or whole_town}",
            [(r.year, r.value) for r in rows],
            markers=sorted(markers, key=lambda m: m.at),
            number=local_number,
            header=(_("Year"), name),
        )
        sources = sorted({r.source for r in rows if r.source})
        notes = [_("Source: %(source)s", source=", ".join(sources))] if sources else []
        if markers:
            notes.append(_("A dashed line with a diamond: an action item was done that day."))
        result[theme_id].append(
            charts.Chart(chart.title, chart.drawing, chart.table, tuple(notes), chart.legend)
        )
    return dict(result)
