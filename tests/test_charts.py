"""Server-drawn charts: the bars are as long as their numbers, every number is in the text,
right to left mirrors the picture, and a PDF draws and says the same values."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from fpdf import FPDF
from pdf_text import _objects, pdf_text

from facilitate import charts
from facilitate.pdfs import draw_chart, finish, use_fonts

SVG = "{http://www.w3.org/2000/svg}"


def parse(chart: charts.Chart, *, rtl: bool = False) -> ET.Element:
    return ET.fromstring(charts.svg(chart.drawing, rtl=rtl))


def bars_of(root: ET.Element) -> list[tuple[float, float, float]]:
    """(x, width, value) of every bar that stands for a number."""
    return [
        (float(r.get("x", 0)), float(r.get("width", 0)), float(r.get("data-value", 0)))
        for r in root.iter(SVG + "rect")
        if r.get("data-value") is not None
    ]


def texts_of(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(SVG + "text")]


def assert_proportional(found: list[tuple[float, float, float]]) -> None:
    assert found
    # Drawn to a hundredth of a unit: equal to a thousandth.
    ratios = [width / value for _, width, value in found if value]
    assert ratios == pytest.approx([ratios[0]] * len(ratios), rel=1e-3), found


def test_bars_long_as_their_numbers_and_every_number_written() -> None:
    chart = charts.bars("Deltagare", [("Fröslunda", 12), ("Myrtorp", None), ("Lagersberg", 5)])
    root = parse(chart)
    found = bars_of(root)
    assert [value for _, _, value in found] == [12, 5]
    assert_proportional(found)
    assert all(x == 0 for x, _, _ in found)  # left to right, bars start at the left edge
    texts = texts_of(root)
    assert {"Fröslunda", "12", "Myrtorp", "not shown", "Lagersberg", "5"} <= set(texts)
    assert chart.table.rows == (("Fröslunda", "12"), ("Myrtorp", "not shown"), ("Lagersberg", "5"))
    # The longest bar and its number fit in the drawing.
    assert max(x + w for x, w, _ in found) < charts.WIDTH - 8
    assert root.get("aria-hidden") == "true"


def test_right_to_left_bars_grow_from_the_right() -> None:
    chart = charts.bars("المشاركون", [("Fröslunda", 12), ("Myrtorp", 3)])
    found = bars_of(parse(chart, rtl=True))
    assert [x + w for x, w, _ in found] == pytest.approx([charts.WIDTH, charts.WIDTH], abs=0.01)
    assert_proportional(found)
    anchors = {t.get("text-anchor") for t in parse(chart, rtl=True).iter(SVG + "text")}
    assert anchors == {"end"}


def test_grouped_bars_share_one_scale() -> None:
    chart = charts.grouped(
        "Andel",
        ["Fröslunda", "Myrtorp"],
        [("Befolkning", [40.5, 59.5]), ("Samtal", [70, None]), ("Möten", [25, 75])],
        number=lambda v: f"{v} %",
    )
    root = parse(chart)
    found = bars_of(root)
    assert [v for _, _, v in found] == [40.5, 70, 25, 59.5, 75]
    assert_proportional(found)
    texts = texts_of(root)
    for text in (
        "40.5 % · Befolkning",
        "70 % · Samtal",
        "25 % · Möten",
        "59.5 % · Befolkning",
        "not shown · Samtal",
        "75 % · Möten",
    ):
        assert text in texts
    assert chart.table.headers == ("", "Befolkning", "Samtal", "Möten")
    assert chart.table.rows[1] == ("Myrtorp", "59.5 %", "not shown", "75 %")
    assert [label for _, label in chart.legend] == ["Befolkning", "Samtal", "Möten"]


def test_stacked_bars_split_by_segment_with_numbers_under_them() -> None:
    chart = charts.stacked(
        "Status", [("Belysning", [1, 0, 2, 3, 0]), ("Polisen", [0, 0, 0, 1, 1])], list("ABCDE")
    )
    root = parse(chart)
    found = bars_of(root)
    assert [v for _, _, v in found] == [1, 2, 3, 1, 1]
    assert_proportional(found)
    # Segments of one bar follow each other without gaps.
    first = found[:3]
    starts = [x for x, _, _ in first]
    assert starts == pytest.approx([0, first[0][1], first[0][1] + first[1][1]], abs=0.02)
    texts = texts_of(root)
    assert "A 1 · C 2 · D 3" in texts
    assert "D 1 · E 1" in texts
    assert "6" in texts
    assert "2" in texts  # the totals
    assert chart.table.rows == (
        ("Belysning", "1", "0", "2", "3", "0", "6"),
        ("Polisen", "0", "0", "0", "1", "1", "2"),
    )


def test_line_chart_places_years_values_and_markers() -> None:
    chart = charts.line(
        "Trygghetsindex",
        [(2024, 57), (2022, 51), (2023, 55.5)],
        markers=[charts.Marker(2023.5, "2023-07-02", "Done: Belysning")],
        header=("Year", "Index"),
    )
    root = parse(chart)
    dots = [
        (float(c.get("cx", 0)), float(c.get("cy", 0)), float(c.get("data-value", 0)))
        for c in root.iter(SVG + "circle")
    ]
    assert [v for _, _, v in dots] == [51, 55.5, 57]
    xs = [x for x, _, _ in dots]
    assert xs[1] - xs[0] == pytest.approx(xs[2] - xs[1])  # a year is a year wide
    # Higher values higher up, in proportion.
    (_, y0, v0), (_, y1, v1), (_, y2, v2) = dots
    assert (y0 - y1) / (v1 - v0) == pytest.approx((y1 - y2) / (v2 - v1), rel=1e-3)
    texts = texts_of(root)
    assert {"51", "55.5", "57", "2022", "2023", "2024"} <= set(texts)
    # The marker, mid-2023, where 2023's value sits (a year's value is drawn mid-year).
    dashed = [ln for ln in root.iter(SVG + "line") if ln.get("stroke-dasharray")]
    assert len(dashed) == 1
    assert float(dashed[0].get("x1", 0)) == pytest.approx(xs[1])
    assert len(list(root.iter(SVG + "polygon"))) == 1
    assert chart.table.rows == (
        ("2022", "51"),
        ("2023", "55.5"),
        ("2024", "57"),
        ("2023-07-02", "Done: Belysning"),
    )


def test_text_is_escaped() -> None:
    chart = charts.bars("x", [("<script>&", 3)])
    assert "<script>" not in charts.svg(chart.drawing)
    assert "<script>&" in texts_of(parse(chart))


def pdf_rects(data: bytes) -> list[tuple[float, float]]:
    """(x, width) of every filled rectangle drawn in the PDF's pages."""
    found = []
    for body in _objects(data).values():
        for x, _y, w, _h in re.findall(rb"([\d.]+) ([\d.-]+) ([\d.]+) ([\d.-]+) re B", body):
            found.append((float(x), float(w)))
    return found


def test_pdf_draws_the_same_bars_and_says_the_numbers() -> None:
    chart = charts.bars(
        "Deltagare i Fröslunda", [("Fröslunda", 12), ("Myrtorp", None), ("Öster", 4)]
    )
    pdf = FPDF()
    pdf.set_compression(False)
    use_fonts(pdf)
    pdf.add_page()
    draw_chart(pdf, chart)
    data = finish(pdf)
    text = pdf_text(data)
    for expected in (
        "Deltagare i Fröslunda",
        "Fröslunda",
        "12",
        "Myrtorp",
        "not shown",
        "Öster",
        "4",
    ):
        assert expected in text.splitlines(), expected
    widths = [w for _, w in pdf_rects(data)]
    assert len(widths) == 2
    assert widths[0] / widths[1] == pytest.approx(12 / 4, rel=1e-3)


def test_long_labels_wrap_inside_the_drawing() -> None:
    title = "Arbete ger egenvärde och egen makt – entreprenörskap och innovation i stadsdelarna"
    chart = charts.stacked("Status", [(title, [1, 2, 0, 0, 0])], list("ABCDE"))
    texts = texts_of(parse(chart))
    lines = [t for t in texts if t and t in title]
    assert len(lines) >= 2
    assert " ".join(lines) == title
    assert all(charts._estimate(line, charts.FONT) <= charts.WIDTH for line in lines)
