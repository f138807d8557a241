"""Charts drawn on the server: one drawing, given to the page as SVG and to a PDF as lines.

A chart is a list of plain shapes in its own units (``Drawing``) and the same numbers as a
table (``Chart.table``), so the picture, its text equivalent and the printed copy cannot
disagree. No JavaScript and nothing fetched: a cheap phone shows it as it loads.

The builders lay out for a narrow screen first (the label of each row on a line of its
own above its bar), so the text stays legible when a phone scales the picture down.
Right to left, the whole drawing is mirrored: bars grow from the inline start.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

#: The drawing's width in its own units; pages scale it to the column, so keep near a phone.
WIDTH = 340.0
FONT = 14.0
SMALL = 12.5
#: Series colours, each at least 3:1 against white (WCAG 1.4.11) and told apart by more than
#: hue: every bar has a dark outline and its number beside it.
PALETTE = ("#0b5cad", "#b35900", "#1a7f37", "#6f42c1", "#57606a", "#a1153f")
INK = "#1b1f23"
GRID = "#8c959f"

Number = float | int


def plain_number(value: Number) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}"
    return str(int(value))


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    fill: str
    #: The number the rectangle stands for (a bar), for tests and the PDF's reader.
    value: Number | None = None


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # baseline
    text: str
    anchor: str = "start"  # start, middle or end, physical: left, centre, right
    size: float = FONT
    bold: bool = False


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    colour: str = GRID
    dashed: bool = False
    width: float = 1.0


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    r: float
    fill: str
    value: Number | None = None
    diamond: bool = False


Shape = Rect | Text | Line | Dot


@dataclass(frozen=True)
class Drawing:
    width: float
    height: float
    shapes: tuple[Shape, ...]

    def mirrored(self) -> Drawing:
        """The same drawing right to left: what starts at the left starts at the right."""
        flip = {"start": "end", "end": "start", "middle": "middle"}
        w = self.width
        shapes: list[Shape] = []
        for s in self.shapes:
            if isinstance(s, Rect):
                shapes.append(dataclasses.replace(s, x=w - s.x - s.width))
            elif isinstance(s, Text):
                shapes.append(dataclasses.replace(s, x=w - s.x, anchor=flip[s.anchor]))
            elif isinstance(s, Line):
                shapes.append(dataclasses.replace(s, x1=w - s.x1, x2=w - s.x2))
            else:
                shapes.append(dataclasses.replace(s, x=w - s.x))
        return Drawing(w, self.height, tuple(shapes))


@dataclass(frozen=True)
class Table:
    """The chart's numbers as rows: the screen reader's and the printed text's version."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Chart:
    title: str
    drawing: Drawing
    table: Table
    #: Words under the picture: what a mark means, where numbers are hidden.
    notes: tuple[str, ...] = ()
    legend: tuple[tuple[str, str], ...] = ()  # (colour, label)


@dataclass
class _Canvas:
    shapes: list[Shape] = field(default_factory=list)
    y: float = 0.0

    def text(self, x: float, text: str, **kwargs: object) -> None:
        self.shapes.append(Text(x, self.y, text, **kwargs))  # type: ignore[arg-type]

    def label(self, text: str) -> None:
        """A row's label above its bar, on as many lines as it needs: SVG text does not
        wrap, and a theme's title can be longer than a phone is wide."""
        for part in wrap(text, FONT):
            self.y += FONT + 2
            self.text(0, part)


def _scale(
    values: Sequence[Number | None], room: float, top: Number | None = None
) -> Callable[[Number], float]:
    """Lengths for values in ``room``, the largest value (or ``top``) filling it."""
    if top is None:
        top = max((v for v in values if v is not None), default=0)
    if top <= 0:
        return lambda _v: 0.0
    return lambda v: room * max(v, 0) / top


def _estimate(text: str, size: float) -> float:
    """A text's width, roughly: enough to keep a number clear of the next thing."""
    return len(text) * size * 0.58


def wrap(text: str, size: float, width: float = WIDTH) -> list[str]:
    """``text`` in lines that fit ``width`` by the estimate, broken between words (a word
    longer than a line stands alone)."""
    lines: list[str] = []
    for word in text.split():
        if lines and _estimate(f"{lines[-1]} {word}", size) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


ROW_GAP = 14.0
BAR = 16.0


def bars(
    title: str,
    rows: Sequence[tuple[str, Number | None]],
    *,
    hidden: str = "not shown",
    number: Callable[[Number], str] = plain_number,
    header: tuple[str, str] = ("", ""),
    colour: str = PALETTE[0],
) -> Chart:
    """Horizontal bars, one per row; ``None`` is a hidden number: no bar, the word says so."""
    canvas = _Canvas(y=0.0)
    texts = [number(v) if v is not None else hidden for _, v in rows]
    room = WIDTH - max((_estimate(t, FONT) for t in texts), default=0) - 8
    length = _scale([v for _, v in rows], room)
    for (label, value), text in zip(rows, texts, strict=True):
        canvas.label(label)
        top = canvas.y + 4
        width = length(value) if value is not None else 0.0
        if value is not None:
            canvas.shapes.append(Rect(0, top, width, BAR, colour, value))
        canvas.y = top + BAR - 3
        canvas.text(width + 4, text, bold=value is not None)
        canvas.y = top + BAR + ROW_GAP - FONT
    table = Table(
        header, tuple((label, text) for (label, _), text in zip(rows, texts, strict=True))
    )
    return Chart(title, Drawing(WIDTH, canvas.y + FONT, tuple(canvas.shapes)), table)


def grouped(
    title: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Number | None]]],
    *,
    hidden: str = "not shown",
    number: Callable[[Number], str] = plain_number,
    corner: str = "",
    top: Number | None = None,
) -> Chart:
    """For each category a thin bar per series, all on one scale (shares side by side).
    Each bar is named beside its number, so no bar depends on its colour to be read.
    ``top`` is the value a full bar stands for (100 for percentages), the largest if None."""
    canvas = _Canvas()
    all_values = [v for _, values in series for v in values]
    texts = [[number(v) if v is not None else hidden for v in values] for _, values in series]
    names = [name for name, _ in series]
    widest = max(
        (_estimate(f"{t} · {names[s]}", SMALL) for s, row in enumerate(texts) for t in row),
        default=0,
    )
    length = _scale(all_values, WIDTH - widest - 8, top)
    thin = 12.0
    for index, category in enumerate(categories):
        canvas.label(category)
        canvas.y += 3
        for number_of, (_, values) in enumerate(series):
            value = values[index]
            colour = PALETTE[number_of % len(PALETTE)]
            width = length(value) if value is not None else 0.0
            if value is not None:
                canvas.shapes.append(Rect(0, canvas.y, width, thin, colour, value))
            label = f"{texts[number_of][index]} · {names[number_of]}"
            canvas.shapes.append(Text(width + 4, canvas.y + thin - 1.5, label, size=SMALL))
            canvas.y += thin + 2
        canvas.y += ROW_GAP - FONT
    rows = tuple(
        (category, *(texts[s][i] for s in range(len(series))))
        for i, category in enumerate(categories)
    )
    legend = tuple((PALETTE[i % len(PALETTE)], name) for i, (name, _) in enumerate(series))
    table = Table((corner, *(name for name, _ in series)), rows)
    return Chart(title, Drawing(WIDTH, canvas.y + FONT, tuple(canvas.shapes)), table, (), legend)


def stacked(
    title: str,
    rows: Sequence[tuple[str, Sequence[int]]],
    segments: Sequence[str],
    *,
    total_label: str = "Total",
    corner: str = "",
) -> Chart:
    """A bar per row split into its segments (action items by status per theme), long as
    the row's total; under each bar its numbers by segment, so no number hides in a colour."""
    canvas = _Canvas()
    totals = [sum(values) for _, values in rows]
    room = WIDTH - _estimate(str(max(totals, default=0)), FONT) - 8
    length = _scale(totals, room)
    for (label, values), total in zip(rows, totals, strict=True):
        canvas.label(label)
        top = canvas.y + 4
        x = 0.0
        for index, value in enumerate(values):
            if value:
                width = length(value)
                canvas.shapes.append(Rect(x, top, width, BAR, PALETTE[index % len(PALETTE)], value))
                x += width
        canvas.y = top + BAR - 3
        canvas.text(x + 4, str(total), bold=True)
        parts = [f"{segments[i]} {v}" for i, v in enumerate(values) if v]
        canvas.y = top + BAR + SMALL + 2
        canvas.text(0, " · ".join(parts), size=SMALL)
        canvas.y += ROW_GAP - 4
    legend = tuple((PALETTE[i % len(PALETTE)], name) for i, name in enumerate(segments))
    table = Table(
        (corner, *segments, total_label),
        tuple(
            (label, *(str(v) for v in values), str(total))
            for (label, values), total in zip(rows, totals, strict=True)
        ),
    )
    return Chart(title, Drawing(WIDTH, canvas.y + FONT, tuple(canvas.shapes)), table, (), legend)


@dataclass(frozen=True)
class Marker:
    """A moment on a line chart's time axis (an action item done), as a fraction of years."""

    at: float
    label: str  # the date
    what: str  # the action item


def line(
    title: str,
    points: Sequence[tuple[int, Number]],
    *,
    markers: Sequence[Marker] = (),
    number: Callable[[Number], str] = plain_number,
    header: tuple[str, str] = ("", ""),
) -> Chart:
    """Values by year joined by a line, each with its number above it; markers are dashed
    upright lines with a diamond, dated in the table. A year's value sits mid-year."""
    height = 150.0
    top, bottom, side = 22.0, 22.0, 14.0
    points = sorted(points)
    years = [y for y, _ in points]
    first = min([*years, *(math.floor(m.at) for m in markers)], default=0)
    last = max([*years, *(math.floor(m.at) for m in markers)], default=0) + 1
    span = max(last - first, 1)

    def x_of(at: float) -> float:
        return side + (WIDTH - 2 * side) * (at - first) / span

    values = [v for _, v in points]
    low, high = min(values, default=0), max(values, default=0)
    if high == low:
        low, high = low - 1, high + 1
    # Room under the lowest point, so it does not sit on the axis as if it were zero.
    low -= (high - low) * 0.2

    def y_of(value: Number) -> float:
        return top + (height - top - bottom) * (high - value) / (high - low)

    shapes: list[Shape] = [
        Line(side, height - bottom, WIDTH - side, height - bottom, INK),
    ]
    for year in range(first, last):
        shapes.append(Text(x_of(year + 0.5), height - 6, str(year), anchor="middle", size=SMALL))
        shapes.append(Line(x_of(year), height - bottom, x_of(year), height - bottom + 4, INK))
    for marker in markers:
        x = x_of(marker.at)
        shapes.append(Line(x, top - 10, x, height - bottom, PALETTE[1], dashed=True, width=1.5))
        shapes.append(Dot(x, top - 12, 4.5, PALETTE[1], diamond=True))
    previous: tuple[float, float] | None = None
    for year, value in points:
        spot = (x_of(year + 0.5), y_of(value))
        if previous is not None:
            shapes.append(Line(*previous, *spot, PALETTE[0], width=2))
        previous = spot
    for year, value in points:
        x, y = x_of(year + 0.5), y_of(value)
        shapes.append(Dot(x, y, 4, PALETTE[0], value))
        shapes.append(Text(x, y - 8, number(value), anchor="middle", size=SMALL, bold=True))
    rows = [(str(year), number(value)) for year, value in points]
    rows += [(marker.label, marker.what) for marker in markers]
    return Chart(title, Drawing(WIDTH, height, tuple(shapes)), Table(header, tuple(rows)))


# -- SVG -----------------------------------------------------------------------------------


def _n(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def svg(drawing: Drawing, *, rtl: bool = False) -> str:
    """The drawing as an inline SVG element, hidden from screen readers: its table beside it
    says the same. Every bar has a dark outline, so its edge shows in any colour scheme."""
    if rtl:
        drawing = drawing.mirrored()
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(drawing.width)} '
        f'{_n(drawing.height)}" class="svg-chart" aria-hidden="true" focusable="false" '
        f'direction="ltr" font-size="{_n(FONT)}">'
    ]
    for s in drawing.shapes:
        if isinstance(s, Rect):
            value = "" if s.value is None else f' data-value="{s.value}"'
            parts.append(
                f'<rect x="{_n(s.x)}" y="{_n(s.y)}" width="{_n(s.width)}" '
                f'height="{_n(s.height)}" fill="{s.fill}" stroke="{INK}" '
                f'stroke-width="1"{value}/>'
            )
        elif isinstance(s, Text):
            weight = ' font-weight="700"' if s.bold else ""
            size = f' font-size="{_n(s.size)}"' if s.size != FONT else ""
            parts.append(
                f'<text x="{_n(s.x)}" y="{_n(s.y)}" text-anchor="{s.anchor}" fill="{INK}"'
                f'{size}{weight} unicode-bidi="plaintext">{escape(s.text)}</text>'
            )
        elif isinstance(s, Line):
            dash = ' stroke-dasharray="4 3"' if s.dashed else ""
            parts.append(
                f'<line x1="{_n(s.x1)}" y1="{_n(s.y1)}" x2="{_n(s.x2)}" y2="{_n(s.y2)}" '
                f'stroke="{s.colour}" stroke-width="{_n(s.width)}"{dash}/>'
            )
        else:
            value = "" if s.value is None else f' data-value="{s.value}"'
            if s.diamond:
                corners = ((s.x, s.y - s.r), (s.x + s.r, s.y), (s.x, s.y + s.r), (s.x - s.r, s.y))
                spots = " ".join(f"{_n(a)},{_n(b)}" for a, b in corners)
                parts.append(f'<polygon points="{spots}" fill="{s.fill}" stroke="{INK}"/>')
            else:
                parts.append(
                    f'<circle cx="{_n(s.x)}" cy="{_n(s.y)}" r="{_n(s.r)}" fill="{s.fill}" '
                    f'stroke="{INK}"{value}/>'
                )
    parts.append("</svg>")
    return "".join(parts)


def legend_swatch(colour: str) -> str:
    """A legend's colour square, as the bars are drawn (outlined)."""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 12 12" width="12" height="12" '
        f'aria-hidden="true" focusable="false"><rect x="0.5" y="0.5" width="11" height="11" '
        f"fill={quoteattr(colour)} stroke={quoteattr(INK)}/></svg>"
    )
