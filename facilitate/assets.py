"""Static files for phones on slow networks: fingerprinted, compressed, cached for a year.

At start the app copies every file in ``static/`` to a name carrying its content hash
(``css/app.css`` -> ``css/app.3f2a….css``) in ``STATIC_BUILD_DIR``, beside a gzip copy,
and ``url_for("static", ...)`` hands out the hashed name. WhiteNoise serves both names
before the request reaches Flask: it picks the gzip copy for clients that accept it and
sends ``Vary``, ``ETag`` and ranges itself. Only hashed URLs are cached as immutable; the
plain ones stay valid with a short cache so pages cached before a deploy still load.

Computed here rather than by a build step so a file edited in ``static/`` is never served
stale, whoever starts the app and however. The build directory is content-addressed and
every file lands by an atomic rename, so processes starting together may share it.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from flask import Flask
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

#: Set on hashed URLs. A year is what RFC 9111 suggests as "never expires"; ``immutable``
#: spares the revalidation a reload would otherwise send over 3G.
IMMUTABLE = "public, max-age=31536000, immutable"
#: Plain URLs: only old pages and hand-typed links use them, so a short cache is enough.
SHORT_MAX_AGE = 60
HASH_LENGTH = 16
HASHED_NAME = re.compile(rf"\.[0-9a-f]{{{HASH_LENGTH}}}(\.[0-9A-Za-z]+)?$")


def hashed_name(relative: str, data: bytes) -> str:
    """``css/app.css`` -> ``css/app.<hash>.css``: the name changes when the content does."""
    digest = hashlib.sha256(data).hexdigest()[:HASH_LENGTH]
    stem, dot, suffix = relative.rpartition(".")
    if not dot or not suffix.isalnum():  # no extension, as in vendor/socket.io-LICENSE
        return f"{relative}.{digest}"
    return f"{stem}.{digest}.{suffix}"


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def build(source: Path, target: Path) -> dict[str, str]:
    """Copy each file under ``source`` to its hashed name under ``target`` with a gzip
    copy beside it where that is smaller; return ``{plain name: hashed name}``."""
    compressor = Compressor(use_gzip=True, use_brotli=False, quiet=True)
    manifest: dict[str, str] = {}
    for path in sorted(source.rglob("*")):
        if not path.is_file() or path.name.startswith("."):
            continue
        relative = path.relative_to(source).as_posix()
        data = path.read_bytes()
        name = hashed_name(relative, data)
        manifest[relative] = name
        built = target / name
        if built.exists():
            continue  # same name, same content: built by an earlier start
        if compressor.should_compress(relative):
            packed = compressor.compress_gzip(data)
            if compressor.is_compressed_effectively("Gzip", relative, len(data), packed):
                # The variant first: a server that sees the file also finds its gzip copy.
                _write_atomically(built.with_name(built.name + ".gz"), packed)
        _write_atomically(built, data)
    return manifest


def _headers(headers: Any, path: str, url: str) -> None:
    # These responses never pass Flask's after_request, which sets nosniff on the rest.
    headers["X-Content-Type-Options"] = "nosniff"
    if HASHED_NAME.search(url):
        headers["Cache-Control"] = IMMUTABLE


def init_app(app: Flask) -> None:
    """Build the hashed files, route ``url_for("static")`` to them and serve them.

    Call after every other WSGI middleware (Socket.IO's) is in place, so static
    requests are answered first.
    """
    if app.static_folder is None or app.static_url_path is None:
        raise RuntimeError("the app has no static folder to serve")
    source = Path(app.static_folder)
    # Beside static/ by default (git ignores build/); a deployment whose code directory
    # is read-only points STATIC_BUILD_DIR somewhere writable.
    target = Path(app.config.get("STATIC_BUILD_DIR") or source.parent / "build" / "static")
    manifest = build(source, target)

    @app.url_defaults
    def _fingerprint(endpoint: str, values: dict[str, Any]) -> None:
        # Flask lets url_defaults rewrite values in place; every template keeps its
        # plain url_for('static', filename=...) and still gets the hashed URL.
        if endpoint == "static" and "filename" in values:
            values["filename"] = manifest.get(values["filename"], values["filename"])

    server = WhiteNoise(
        app.wsgi_app,
        max_age=SHORT_MAX_AGE,
        allow_all_origins=False,  # nothing but this site loads these files
        add_headers_function=_headers,
    )
    prefix = app.static_url_path.rstrip("/") + "/"
    for plain, hashed in manifest.items():
        path = str(target / hashed)
        server.add_file_to_dictionary(prefix + hashed, path)
        server.add_file_to_dictionary(prefix + plain, path)
    app.wsgi_app = server  # type: ignore[method-assign]
