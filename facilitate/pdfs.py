"""What every PDF we make shares: a bundled font with å, ä, ö and Arabic, shaped.

fpdf2 keeps each TrueType file open until the font object is collected; ``finish``
closes them as soon as the document is written, so no file handle outlives a request.
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

from facilitate import charts
from facilitate.charts import Chart

FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVu"


def use_fonts(pdf: FPDF) -> None:
    """The bundled font, regular and bold; shaping joins Arabic letters and sets
    right-to-left runs in order."""
    pdf.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_text_shaping(True)


def close_fonts(pdf: FPDF) -> None:
    for font in pdf.fonts.values():
        ttfont = getattr(font, "ttfont", None)
        if ttfont is not None:
            ttfont.close()


def finish(pdf: FPDF) -> bytes:
    try:
        return bytes(pdf.output())
    finally:
        close_fonts(pdf)


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def draw_chart(pdf: FPDF, chart: Chart, *, width: float = 90.0) -> None:
    """A chart as on the page, drawn in the PDF's own lines at the cursor, its title above
    and its table's rows as text below, so a reader of the PDF's text gets the numbers."""
    scale = width / chart.drawing.width
    # Title, picture, legend and notes on one page: a legend's swatch torn from its label,
    # or a title left at a page's foot, reads as nothing.
    whole = 5 + chart.drawing.height * scale + 4 + 5 * len(chart.legend) + 4.5 * len(chart.notes)
    if whole < pdf.eph and pdf.will_page_break(whole):
        pdf.add_page()
    pdf.set_font(FAMILY, "B", 10)
    pdf.multi_cell(0, 5, chart.title, new_x="LMARGIN", new_y="NEXT")
    if pdf.will_page_break(chart.drawing.height * scale + 4):
        pdf.add_page()
    left, top = pdf.l_margin, pdf.get_y() + 2
    pdf.set_draw_color(*_rgb(charts.INK))
    for s in chart.drawing.shapes:
        if isinstance(s, charts.Rect):
            pdf.set_fill_color(*_rgb(s.fill))
            pdf.set_line_width(0.2)
            pdf.rect(left + s.x * scale, top + s.y * scale, s.width * scale, s.height * scale, "DF")
        elif isinstance(s, charts.Text):
            pdf.set_font(FAMILY, "B" if s.bold else "", s.size * scale * 72 / 25.4)
            text_width = pdf.get_string_width(s.text)
            shift = {"start": 0.0, "middle": text_width / 2, "end": text_width}[s.anchor]
            pdf.text(left + s.x * scale - shift, top + s.y * scale, s.text)
        elif isinstance(s, charts.Line):
            pdf.set_draw_color(*_rgb(s.colour))
            pdf.set_line_width(s.width * scale)
            pdf.set_dash_pattern(dash=1.2, gap=0.9) if s.dashed else pdf.set_dash_pattern()
            pdf.line(
                left + s.x1 * scale, top + s.y1 * scale, left + s.x2 * scale, top + s.y2 * scale
            )
            pdf.set_dash_pattern()
            pdf.set_draw_color(*_rgb(charts.INK))
        else:
            pdf.set_fill_color(*_rgb(s.fill))
            pdf.set_line_width(0.2)
            x, y, r = left + s.x * scale, top + s.y * scale, s.r * scale
            if s.diamond:
                pdf.polygon([(x, y - r), (x + r, y), (x, y + r), (x - r, y)], style="DF")
            else:
                pdf.circle(x, y, r, style="DF")
    pdf.set_y(top + chart.drawing.height * scale + 2)
    pdf.set_font(FAMILY, "", 8)
    for colour, label in chart.legend:
        pdf.set_fill_color(*_rgb(colour))
        pdf.rect(pdf.l_margin, pdf.get_y() + 1, 3, 3, "DF")
        pdf.set_x(pdf.l_margin + 4)
        pdf.multi_cell(0, 5, label, new_x="LMARGIN", new_y="NEXT")
    for note in chart.notes:
        pdf.multi_cell(0, 4.5, note, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
