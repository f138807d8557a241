"""Writers for the action list: CSV for spreadsheets, XLSX with types, PDF to print.

Pure functions from rows to bytes, so the page and the API download the same files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import xlsxwriter
from fpdf import FPDF
from fpdf.fonts import FontFace

from facilitate.charts import Chart
from facilitate.pdfs import draw_chart, finish, use_fonts

#: A cell starting with one of these is a formula to a spreadsheet program (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
SHEET_FORBIDDEN = "[]:*?/\\"


@dataclass(frozen=True)
class Column:
    key: str
    header: str


Row = Mapping[str, object]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _neutral(value: object) -> object:
    """Text a spreadsheet would run as a formula gets a leading apostrophe; numbers stay."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = _text(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def to_csv(rows: Sequence[Row], columns: Sequence[Column]) -> bytes:
    """UTF-8 with a BOM and ``;``: what Swedish Excel opens without an import dialog."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([_neutral(c.header) for c in columns])
    for row in rows:
        writer.writerow([_neutral(row.get(c.key)) for c in columns])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def _sheet_name(name: str) -> str:
    cleaned = "".join("_" if ch in SHEET_FORBIDDEN else ch for ch in name).strip("'")
    return (cleaned or "Sheet")[:31]


def to_xlsx(rows: Sequence[Row], columns: Sequence[Column], *, sheet: str) -> bytes:
    """Typed cells (dates as dates), filters on the header, text never turned into formulas."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    page = book.add_worksheet(_sheet_name(sheet))
    bold = book.add_format({"bold": True})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    widths = [len(c.header) for c in columns]
    for col, column in enumerate(columns):
        page.write_string(0, col, column.header, bold)
    for line, row in enumerate(rows, start=1):
        for col, column in enumerate(columns):
            value = row.get(column.key)
            if value is None:
                page.write_blank(line, col, None)
            elif isinstance(value, dt.date):
                page.write_datetime(line, col, dt.datetime.combine(value, dt.time()), date)
                widths[col] = max(widths[col], 10)
            elif isinstance(value, int) and not isinstance(value, bool):
                page.write_number(line, col, value)
            else:
                text = str(value)
                page.write_string(line, col, text, wrap)
                widths[col] = max(widths[col], min(len(text), 60))
    for col, width in enumerate(widths):
        page.set_column(col, col, min(width + 2, 60))
    page.freeze_panes(1, 0)
    page.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)
    book.close()
    return out.getvalue()


class _Pdf(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", size=8)
        self.cell(0, 8, f"{self.page_no()} / {{nb}}", align="C")


def to_pdf(
    groups: Sequence[tuple[str, Sequence[Row]]],
    columns: Sequence[Column],
    *,
    title: str,
    subtitle: str = "",
    notes: Mapping[str, str] | None = None,
    charts: Sequence[Chart] = (),
    compress: bool = True,
) -> bytes:
    """A4 landscape, one table per group (a theme) after its note if any, in a bundled
    font that has å, ä, ö and Arabic; text shaping joins Arabic letters and sets
    right-to-left runs in order."""
    pdf = _Pdf(orientation="landscape", unit="mm", format="A4")
    pdf.set_compression(compress)
    use_fonts(pdf)
    pdf.set_title(title)
    pdf.alias_nb_pages()
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    if subtitle:
        pdf.set_font("DejaVu", "", 10)
        pdf.multi_cell(0, 6, subtitle, new_x="LMARGIN", new_y="NEXT")
    for chart in charts:
        pdf.ln(3)
        draw_chart(pdf, chart)
    for heading, rows in groups:
        pdf.ln(4)
        pdf.set_font("DejaVu", "B", 12)
        pdf.multi_cell(0, 7, heading, new_x="LMARGIN", new_y="NEXT")
        if notes and notes.get(heading):
            pdf.set_font("DejaVu", "", 9)
            pdf.multi_cell(0, 5, notes[heading], new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        pdf.set_font("DejaVu", "", 8)
        with pdf.table(
            headings_style=FontFace(emphasis="BOLD"),
            repeat_headings=1,
            line_height=4.5,
        ) as table:
            head = table.row()
            for column in columns:
                head.cell(column.header)
            for row in rows:
                cells = table.row()
                for column in columns:
                    cells.cell(_text(row.get(column.key)))
    return finish(pdf)
