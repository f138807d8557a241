"""The export writers, read back: CSV with the csv module, XLSX as its XML, PDF as bytes."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from xml.etree import ElementTree as ET

from pdf_text import pdf_text

from facilitate.actions.exports import Column, to_csv, to_pdf, to_xlsx

COLUMNS = [Column("title", "Rubrik"), Column("area", "Stadsdel"), Column("due", "Klart senast")]
ROWS = [
    {
        "title": "Gång- och cykelväg vid Åsenskolan",
        "area": "Fröslunda",
        "due": dt.date(2027, 5, 31),
    },
    {"title": '=HYPERLINK("x")', "area": "+1", "due": None},
    {"title": "-2", "area": "@SUM(A1)", "due": 5},
]
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def test_csv_bom_semicolons_swedish_and_neutralised_formulas() -> None:
    data = to_csv(ROWS, COLUMNS)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows == [
        ["Rubrik", "Stadsdel", "Klart senast"],
        ["Gång- och cykelväg vid Åsenskolan", "Fröslunda", "2027-05-31"],
        ['\'=HYPERLINK("x")', "'+1", ""],
        ["'-2", "'@SUM(A1)", "5"],
    ]


def _sheet(data: bytes) -> tuple[list[str], ET.Element]:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        strings = ET.fromstring(book.read("xl/sharedStrings.xml"))
        sheet = ET.fromstring(book.read("xl/worksheets/sheet1.xml"))
    texts = ["".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t")) for si in strings]
    return texts, sheet


def test_xlsx_typed_cells_filter_and_no_formulas() -> None:
    texts, sheet = _sheet(to_xlsx(ROWS, COLUMNS, sheet="Åtgärder: 2027"))
    assert {"Rubrik", "Fröslunda", '=HYPERLINK("x")', "@SUM(A1)"} <= set(texts)
    assert sheet.find("m:autoFilter", NS) is not None
    assert not list(sheet.iter(f"{{{NS['m']}}}f"))  # text stayed text
    cells = {c.get("r"): c for c in sheet.iter(f"{{{NS['m']}}}c")}
    due = cells["C2"]
    assert due.get("t") is None  # a number with a date format, not a string
    assert due.findtext("m:v", namespaces=NS) == "46538"  # 2027-05-31 as an Excel serial
    assert cells["C4"].findtext("m:v", namespaces=NS) == "5"


def _pages(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", data))


def test_pdf_unicode_font_embedded_and_pages_grow() -> None:
    arabic = {"title": "تحسين الإضاءة في الحديقة", "area": "Fröslunda", "due": None}
    one = to_pdf([("Belysning", ROWS[:1])], COLUMNS, title="Trygghet i Fröslunda")
    assert one.startswith(b"%PDF-")
    assert b"/FontFile2" in one
    assert b"DejaVu" in one
    many = to_pdf(
        [("Belysning", [ROWS[0]] * 40), ("Mötesplatser", [arabic] * 40)],
        COLUMNS,
        title="Trygghet",
        subtitle="Åtgärdslista",
    )
    assert _pages(one) == 1
    assert _pages(many) > 1
    text = pdf_text(many)
    for expected in (
        "Trygghet",
        "Åtgärdslista",
        "Mötesplatser",
        "Gång- och cykelväg vid Åsenskolan",
    ):
        assert expected in text
    assert text.count("Rubrik") > 2  # the header repeats on every page of a table
    assert any("\u0600" <= ch <= "\u06ff" for ch in text)  # Arabic letters, shaped
