"""Text out of the PDFs we make, for tests: fpdf2 writes glyph codes, and each embedded
font's ToUnicode map turns them back into characters."""

from __future__ import annotations

import re
import zlib

OBJECT = re.compile(rb"(\d+) 0 obj\n(.*?)\nendobj", re.S)
ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _objects(data: bytes) -> dict[int, bytes]:
    """Each object's body, its stream inflated when it was compressed."""
    objects = {}
    for number, body in OBJECT.findall(data):
        if b"/FlateDecode" in body and b"stream\n" in body:
            head, _, rest = body.partition(b"stream\n")
            raw = rest.rsplit(b"\nendstream", 1)[0]
            body = head + b"stream\n" + zlib.decompress(raw) + b"\nendstream"
        objects[int(number)] = body
    return objects


def _unicode_maps(objects: dict[int, bytes]) -> dict[bytes, dict[int, str]]:
    """Font resource name (``F1``) → glyph code → text."""
    fonts: dict[bytes, dict[int, str]] = {}
    for body in objects.values():
        for name, ref in re.findall(rb"/(F\d+) (\d+) 0 R", body):
            font = objects.get(int(ref), b"")
            cmap_ref = re.search(rb"/ToUnicode (\d+) 0 R", font)
            if cmap_ref is None:
                continue
            cmap = objects[int(cmap_ref.group(1))]
            table = {
                int(code, 16): bytes.fromhex(text.decode()).decode("utf-16-be")
                for code, text in re.findall(rb"<([0-9A-F]{4})> <([0-9A-F]+)>", cmap)
            }
            fonts[name] = table
    return fonts


def _literal(raw: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(raw):
        if raw[i : i + 1] == b"\\":
            nxt = raw[i + 1 : i + 2]
            if nxt.isdigit():
                octal = re.match(rb"[0-7]{1,3}", raw[i + 1 :])
                assert octal is not None
                out.append(int(octal.group(), 8))
                i += 1 + len(octal.group())
                continue
            out += ESCAPES.get(nxt, nxt)
            i += 2
        else:
            out.append(raw[i])
            i += 1
    return bytes(out)


def pdf_text(data: bytes) -> str:
    """The text of every text object, one per line (glyphs in drawing order)."""
    objects = _objects(data)
    fonts = _unicode_maps(objects)
    lines = []
    for body in objects.values():
        if b"stream\n" not in body:
            continue
        current: dict[int, str] = {}
        for block in re.findall(rb"\bBT\b(.*?)\bET\b", body, re.S):
            pieces = []
            for font, string in re.findall(
                rb"/(F\d+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj", block, re.S
            ):
                if font:
                    current = fonts.get(font, {})
                    continue
                codes = _literal(string)
                pieces.append(
                    "".join(
                        current.get(int.from_bytes(codes[i : i + 2], "big"), "")
                        for i in range(0, len(codes) - 1, 2)
                    )
                )
            if pieces:
                lines.append("".join(pieces))
    return "\n".join(lines)
