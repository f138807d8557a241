"""Printable material for the door: the join QR code as SVG and an A4 handout PDF."""

from __future__ import annotations

import io

import segno
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

_QR_ERROR = "m"
_QR_BORDER = 2

# Core PDF fonts only cover latin-1, so typographic punctuation is folded to ASCII
# rather than lost as "?".
_TYPOGRAPHIC = str.maketrans(
    {
        "\u2013": "-",
        "\u2014": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2026": "...",
        "\u2022": "*",
    }
)

_QR_WIDTH_MM = 110


def _latin1(text: str) -> str:
    """Make text safe for the core fonts, which raise on anything outside latin-1."""
    folded = text.translate(_TYPOGRAPHIC)
    return folded.encode("latin-1", errors="replace").decode("latin-1")


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
    safe_url = _latin1(url)

    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_compression(compress)
    pdf.set_title(_latin1(title))
    pdf.set_auto_page_break(auto=False)
    pdf.add_page()
    width = pdf.epw

    pdf.set_font("Helvetica", style="B", size=20)
    pdf.multi_cell(width, 9, _latin1(title), align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)

    pdf.image(_qr_png(url), x=(pdf.w - _QR_WIDTH_MM) / 2, w=_QR_WIDTH_MM, h=_QR_WIDTH_MM)
    pdf.ln(4)

    pdf.set_font("Helvetica", style="B", size=40)
    pdf.cell(width, 16, _latin1(grouped), align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", size=14)
    pdf.cell(width, 8, safe_url, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    for text in texts:
        pdf.ln(6)
        pdf.set_font("Helvetica", style="B", size=16)
        pdf.multi_cell(
            width, 8, _latin1(text["heading"]), align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        pdf.set_font("Helvetica", size=12)
        where = start_url or url
        line = f"{text['scan']} \u2014 {text['or_visit']} {where} {text['and_enter']} {grouped}"
        pdf.multi_cell(width, 6, _latin1(line), align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    return bytes(pdf.output())
