"""Tests for the printable join QR code and handout PDF."""

from __future__ import annotations

import re

import segno

from facilitate.live.handout import _latin1, handout_pdf, qr_svg

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
    pdf = _pdf()

    assert b"ABCD 2345" in pdf
    assert b"Var med i samtalet" in pdf
    assert b"Take part in the dialogue" in pdf
    assert URL.encode() in pdf


def test_handout_pdf_keeps_swedish_letters_in_title() -> None:
    assert b"Fr\xf6slunda" in _pdf()


def test_handout_pdf_non_latin1_title_still_renders() -> None:
    pdf = _pdf("مرحبا 🎉 – möte")

    assert pdf.startswith(b"%PDF-")
    assert len(PAGE.findall(pdf)) == 1
    assert b"- m\xf6te" in pdf


def test_latin1_typographic_characters_fold_to_ascii() -> None:
    assert _latin1("“a” – ‘b’ — c… •") == "\"a\" - 'b' - c... *"
    assert _latin1("åäö 🎉") == "åäö ?"
