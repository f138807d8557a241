"""What every PDF we make shares: a bundled font with å, ä, ö and Arabic, shaped.

fpdf2 keeps each TrueType file open until the font object is collected; ``finish``
closes them as soon as the document is written, so no file handle outlives a request.
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

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
