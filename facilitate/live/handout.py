"""Printable material for the door: the join QR code as SVG and an A4 handout PDF."""

from __future__ import annotations

import io

import segno
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from facilitate.pdfs import close_fonts, finish, use_fonts

_QR_ERROR = "m"
_QR_BORDER = 2
#: Big enough to scan from a metre away; smaller when many languages share the page.
_QR_WIDTH_MM = 110
_QR_WIDTH_MANY_MM = 70


def _group_code(code: str) -> str:
    """Split the code into groups of four, which is easier to read aloud and type."""
    compact = "".join(code.split())
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def qr_svg(url: str) -> bytes:
    """The join URL as a scalable SVG QR code, black on white, titled "QR"."""
    buffer = io.BytesIO()
    segno.make(url, error=_QR_ERROR).save(
        buffer,
        kind="svg",
        scale=1,
        border=_QR_BORDER,
        dark="#000",
        light="#fff",
        title="QR",
        # Without width/height the SVG scales to whatever box the page gives it.
        omitsize=True,
    )
    return buffer.getvalue()


def _qr_png(url: str) -> io.BytesIO:
    buffer = io.BytesIO()
    segno.make(url, error=_QR_ERROR).save(
        buffer, kind="png", scale=10, border=_QR_BORDER, dark="#000", light="#fff"
    )
    buffer.seek(0)
    return buffer


def handout_pdf(
    *,
    title: str,
    code: str,
    url: str,
    texts: list[dict[str, str]],
    start_url: str | None = None,
    compress: bool = True,
) -> bytes:
    """A printable A4 portrait page with the title, QR code, join code, URL and instructions.

    `texts` holds one dict per language with the keys "heading", "scan", "or_visit" and
    "and_enter". ``url`` is in the QR code; ``start_url``, shorter to type, is where the
    code can be entered by hand (default ``url``). ``compress=False`` leaves the page streams
    readable, which tests rely on.
    """
    grouped = _group_code(code)
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_compression(compress)
    use_fonts(pdf)
    pdf.set_title(title)
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(15, 12)
    pdf.add_page()
    width = pdf.epw
    many = len(texts) > 2
    qr_width = _QR_WIDTH_MANY_MM if many else _QR_WIDTH_MM

    pdf.set_font("DejaVu", style="B", size=18 if many else 20)
    pdf.multi_cell(width, 9, title, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)

    pdf.image(_qr_png(url), x=(pdf.w - qr_width) / 2, w=qr_width, h=qr_width)
    pdf.ln(2)

    pdf.set_font("DejaVu", style="B", size=36 if many else 40)
    pdf.cell(width, 15, grouped, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", size=13)
    pdf.cell(width, 7, url, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    where = start_url or url
    for text in texts:
        pdf.ln(3 if many else 6)
        pdf.set_font("DejaVu", style="B", size=14 if many else 16)
        pdf.multi_cell(
            width, 7, text["heading"], align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        pdf.set_font("DejaVu", size=10 if many else 12)
        line = f"{text['scan']} \u2014 {text['or_visit']} {where} {text['and_enter']} {grouped}"
        pdf.multi_cell(width, 5, line, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    if pdf.get_y() > pdf.h - 10:
        close_fonts(pdf)
        raise ValueError("The handout's texts do not fit one page.")

    return finish(pdf)
