"""Tests for the printable join QR code and handout PDF."""

from __future__ import annotations

import re

import pytest
import segno
from pdf_text import pdf_text

from facilitate.live.handout import handout_pdf, qr_svg

URL = "https://example.org/join"

TEXTS = [
    {
        "heading": "Var med i samtalet",
        "scan": "Skanna koden med mobilkameran",
        "or_visit": "eller gå till",
        "and_enter": "och skriv koden",
    },
    {
        "heading": "Take part in the dialogue",
        "scan": "Scan the code with your phone camera",
        "or_visit": "or go to",
        "and_enter": "and enter the code",
    },
]

PAGE = re.compile(rb"/Type\s*/Page\b(?!s)")


def _pdf(title: str = "Trygghet i Fröslunda") -> bytes:
    return handout_pdf(title=title, code="ABCD2345", url=URL, texts=TEXTS, compress=False)


def test_qr_svg_is_scalable_svg() -> None:
    svg = qr_svg(URL)

    assert svg.startswith((b"<?xml", b"<svg"))
    assert b"viewBox" in svg
    assert b"<title>QR</title>" in svg
    assert not re.search(rb"<svg[^>]*\swidth=", svg)


def test_qr_svg_viewbox_matches_symbol_with_border() -> None:
    svg = qr_svg(URL)
    match = re.search(rb'viewBox="0 0 (\d+) (\d+)"', svg)

    assert match is not None
    expected = segno.make(URL, error="m").symbol_size(scale=1, border=0)[0] + 2 * 2
    assert int(match.group(1)) == expected
    assert int(match.group(2)) == expected


def test_handout_pdf_is_single_page_pdf() -> None:
    pdf = _pdf()

    assert pdf.startswith(b"%PDF-")
    assert len(PAGE.findall(pdf)) == 1


def test_handout_pdf_contains_code_and_headings() -> None:
    text = pdf_text(_pdf())

    assert "ABCD 2345" in text
    assert "Var med i samtalet" in text
    assert "Take part in the dialogue" in text
    assert URL in text


def test_handout_pdf_keeps_swedish_letters_in_title() -> None:
    assert "Trygghet i Fröslunda" in pdf_text(_pdf())


def test_handout_pdf_arabic_title_shaped_on_one_page() -> None:
    pdf = _pdf("مرحبا – möte")

    assert len(PAGE.findall(pdf)) == 1
    text = pdf_text(pdf)
    assert "möte" in text
    assert any("\u0600" <= ch <= "\u06ff" for ch in text)  # Arabic letters, shaped


def test_handout_pdf_five_languages_fit_one_page() -> None:
    texts = [dict(TEXTS[0], heading=f"{TEXTS[0]['heading']} {n}") for n in range(5)]
    pdf = handout_pdf(title="Trygghet", code="ABCD2345", url=URL, texts=texts, compress=False)
    assert len(PAGE.findall(pdf)) == 1
    assert "Var med i samtalet 4" in pdf_text(pdf)


def test_handout_pdf_too_many_texts_refused() -> None:
    with pytest.raises(ValueError, match="one page"):
        handout_pdf(title="T", code="ABCD2345", url=URL, texts=TEXTS * 6, compress=False)
