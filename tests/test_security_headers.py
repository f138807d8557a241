"""Every page carries a strict Content-Security-Policy and the other security headers, and
no page needs what the policy forbids: no inline script, no inline event handler."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient
from test_translations import STAFF_PAGES

#: Pages anyone may open; the phone's own page is reached by joining first.
PUBLIC_PAGES = ("/join", "/privacy", "/login", "/d/1/feedback")
#: A script element the browser would run: no src, and not a JSON data block.
INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.IGNORECASE
)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def directives(response: Any) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())


def check_headers(response: Any, path: str) -> None:
    policy = directives(response)
    assert policy["default-src"] == "'self'", path
    assert policy["script-src"] == "'self'", path  # no 'unsafe-inline', no other origin
    assert policy["connect-src"] == "'self'", path  # the app and its own WebSocket only
    assert policy["frame-ancestors"] == "'none'", path
    assert "unsafe" not in response.headers["Content-Security-Policy"], path
    assert response.headers["X-Content-Type-Options"] == "nosniff", path
    assert response.headers["Referrer-Policy"] == "same-origin", path
    if response.mimetype == "text/html":
        html = response.get_data(as_text=True)
        assert INLINE_SCRIPT.findall(html) == [], path
        assert INLINE_HANDLER.findall(html) == [], path


def test_public_pages_strict_and_cacheable_by_nobody_else(client: FlaskClient, demo: None) -> None:
    for path in PUBLIC_PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        check_headers(response, path)
        assert "private" not in response.headers.get("Cache-Control", ""), path
    code = client.get("/api/v1/openapi.json")
    check_headers(code, "/api/v1/openapi.json")


def test_phone_page_strict_and_private(client: FlaskClient, demo_join_path: str) -> None:
    joined = client.post(demo_join_path, data={})
    assert joined.status_code == 302
    response = client.get(joined.headers["Location"])
    assert response.status_code == 200
    check_headers(response, "phone")
    assert response.headers["Cache-Control"] == "private, no-store"


def test_staff_pages_strict_and_private(
    client: FlaskClient,
    demo: None,
    make_user: Callable[..., Any],
    login: Callable[..., None],
) -> None:
    login(make_user("admin"))
    for path in STAFF_PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        check_headers(response, path)
        assert response.headers["Cache-Control"] == "private, no-store", path


def test_inline_script_check_catches_one() -> None:
    assert INLINE_SCRIPT.findall('<script>alert(1)</script><script src="/a.js"></script>') == [
        "<script>"
    ]
    assert INLINE_SCRIPT.findall('<script type="application/json" id="c">{}</script>') == []
    assert INLINE_HANDLER.findall('<img src="x" onerror="alert(1)">') != []
    assert INLINE_HANDLER.findall('<a href="/x" data-one="1">') == []
