"""Page weight for a resident on a cheap phone on 3G: the start, join, phone and public
dialogue pages each load in at most 100 KB over the wire (HTML, CSS, JavaScript, fonts,
images), ask no other host for anything, and reference every asset by a fingerprinted,
immutably cached name.

Measured 2026-11-25 (gzip; docs/performance.md has the bytes per file): start page
6,131 B, join page 7,663 B, phone page 35,752 B (the Socket.IO client 14,767 of it);
the budget is 102,400 B per page. The public dialogue page (/d/1, added 2026-12-05):
12,152 B.
Run: .venv/bin/pytest -q tests/test_page_weight.py -s (``-s`` prints the table).
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from facilitate.assets import HASHED_NAME, IMMUTABLE

BUDGET = 100 * 1024
ORIGIN = "http://localhost/"
#: Elements and attributes the browser fetches while drawing the first screen.
FETCHED = {("link", "href"), ("script", "src"), ("img", "src"), ("source", "src")}
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""")


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and (tag, name) in FETCHED:
                self.found.append(value)
            if value and name == "srcset":
                self.found += [part.split()[0] for part in value.split(",") if part.strip()]


def html_references(html: str) -> list[str]:
    parser = _References()
    parser.feed(html)
    return parser.found


def css_references(css: str) -> list[str]:
    return [match.group(2) or match.group(4) for match in CSS_URL.finditer(css)]


def same_origin(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "data" or (parts.scheme, parts.netloc) == ("http", "localhost")


@dataclass
class Weight:
    """Bytes over the wire for one page: the page itself and each asset it pulls in."""

    page: str
    sizes: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.sizes.values())


def weigh(client: FlaskClient, path: str) -> Weight:
    """Fetch ``path`` and, recursively, everything it references, as a gzip-accepting
    phone would; check each asset's name, cache and encoding on the way."""
    headers = {"Accept-Encoding": "gzip"}
    page = client.get(path, headers=headers, buffered=True)
    assert page.status_code == 200, path
    weight = Weight(path, {path: len(page.data)})
    base = urljoin(ORIGIN, path)
    pending = [(urljoin(base, ref), base) for ref in html_references(page.get_data(as_text=True))]
    while pending:
        url, referrer = pending.pop()
        assert same_origin(url), f"{referrer} asks another host for {url}"
        if urlsplit(url).scheme == "data" or url in weight.sizes:
            continue  # inline in the page, or already counted: the browser fetches it once
        # buffered: read and close, as a server does, the file WhiteNoise opened.
        response = client.get(url, headers=headers, buffered=True)
        assert response.status_code == 200, url
        assert HASHED_NAME.search(urlsplit(url).path), f"{url} is not fingerprinted"
        assert response.headers["Cache-Control"] == IMMUTABLE, url
        body = response.data
        raw = client.get(url, buffered=True).data  # what a client that takes no gzip gets
        if response.headers.get("Content-Encoding") == "gzip":
            assert gzip.decompress(body) == raw, url
            assert len(body) < len(raw), url
        else:
            # WhiteNoise keeps no gzip copy only where gzip saves too little to matter.
            assert len(raw) < 1024 or not response.mimetype.startswith("text/"), url
        weight.sizes[urlsplit(url).path] = len(body)
        if response.mimetype == "text/css":
            pending += [(urljoin(url, ref), url) for ref in css_references(raw.decode())]
    return weight


def test_resident_pages_within_budget(client: FlaskClient, demo_join_path: str) -> None:
    start = weigh(client, "/join")
    join = weigh(client, demo_join_path)
    joined = client.post(demo_join_path, data={})
    assert joined.status_code == 302
    phone = weigh(client, joined.headers["Location"])
    dialogue = weigh(client, "/d/1")  # the public page of the demo's dialogue
    for weight in (start, join, phone, dialogue):
        print(f"\n{weight.page}: {weight.total:,} B")
        for url, size in weight.sizes.items():
            print(f"  {size:>7,}  {url}")
        assert len(weight.sizes) > 1, weight.page  # a page with no CSS was not measured
        assert weight.total <= BUDGET, (weight.page, weight.total, weight.sizes)


def test_plain_names_still_served_briefly_cached(client: FlaskClient) -> None:
    # A page cached before a deploy still names the files without a hash.
    response = client.get("/static/css/app.css", headers={"Accept-Encoding": "gzip"}, buffered=True)
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert "immutable" not in response.headers["Cache-Control"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Vary"] == "Accept-Encoding"


def test_the_measure_counts_what_it_should(app: Flask, client: FlaskClient) -> None:
    """The check itself: an oversized asset is counted, other hosts and unhashed names fail."""
    with app.test_request_context():
        from flask import url_for

        css = url_for("static", filename="css/app.css")
        script = url_for("static", filename="vendor/socket.io-4.8.4.min.js")
    filler = "".join(f"{n:08x}" for n in range(20_000))  # 160 KB of text
    pages = {
        "/heavy": f'<link rel="stylesheet" href="{css}"><script src="{script}"></script>'
        f'<link rel="icon" href="data:,"><p>{filler}</p>',
        "/cdn": '<script src="https://cdn.example.org/x.js"></script>',
        "/protocol-relative": '<img src="//cdn.example.org/x.png">',
        "/unhashed": '<link rel="stylesheet" href="/static/css/app.css">',
    }
    for path, html in pages.items():
        app.add_url_rule(path, path, lambda html=html: html)

    heavy = weigh(client, "/heavy")
    assert set(heavy.sizes) == {"/heavy", css, script}
    assert heavy.total > BUDGET
    for path in ("/cdn", "/protocol-relative", "/unhashed"):
        with pytest.raises(AssertionError):
            weigh(client, path)
    assert css_references('a{background:url("/f.woff2")} @import "b.css"; i{src:url(x.png)}') == [
        "/f.woff2",
        "b.css",
        "x.png",
    ]
