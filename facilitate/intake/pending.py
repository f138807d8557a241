"""An uploaded import file kept between its preview and the facilitator's "Import".

The file stays on the server, under ``imports/`` in the instance folder, named by a random
key; the page carries only a token signed with the app's secret that names the key, the
dialogue, the uploader, the file's hash and the fingerprint of the plan the preview showed.
A token that was altered, is older than ``MAX_AGE``, or belongs to another dialogue or user
is refused, and so is a file changed on disk. The client never holds the rows themselves.

The file holds residents' words, so it lives no longer than it must: confirming or
cancelling removes it, and every new upload sweeps away files older than ``MAX_AGE``.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadData, URLSafeTimedSerializer

from facilitate.errors import ValidationError

#: How long a preview can be confirmed, in seconds.
MAX_AGE = 30 * 60
SALT = "facilitate.intake.import-preview"
KEY = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class Upload:
    """A file waiting for confirmation, as its token describes it."""

    key: str
    dialogue_id: int
    user_id: int | None
    filename: str
    sha256: str
    plan: str  # ImportPlan.digest() of what the preview showed


def _folder() -> Path:
    return Path(current_app.config["INSTANCE_PATH"]) / "imports"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _expired() -> ValidationError:
    return ValidationError(
        _l("This preview has expired or was already used: upload the file again."),
        field="file",
    )


def _sweep(folder: Path) -> None:
    cutoff = time.time() - MAX_AGE
    for path in folder.iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:  # another request swept it first
            pass


def keep(data: bytes, *, dialogue_id: int, user_id: int | None, filename: str, plan: str) -> str:
    """Store ``data`` and return the token that gets it back."""
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    _sweep(folder)
    key = secrets.token_hex(16)
    path = folder / key
    temporary = path.with_suffix(".part")
    temporary.write_bytes(data)
    temporary.replace(path)  # whole or not at all
    payload = {
        "key": key,
        "dialogue": dialogue_id,
        "user": user_id,
        "name": filename,
        "sha256": hashlib.sha256(data).hexdigest(),
        "plan": plan,
    }
    return str(_serializer().dumps(payload))


def upload_of(token: str, *, dialogue_id: int, user_id: int | None) -> Upload:
    """What a token names, if it is genuine, fresh, and for this dialogue and user."""
    try:
        payload = _serializer().loads(token, max_age=MAX_AGE)
        upload = Upload(
            key=str(payload["key"]),
            dialogue_id=int(payload["dialogue"]),
            user_id=None if payload["user"] is None else int(payload["user"]),
            filename=str(payload["name"]),
            sha256=str(payload["sha256"]),
            plan=str(payload["plan"]),
        )
    except (BadData, KeyError, TypeError, ValueError):
        raise _expired() from None
    if (
        not KEY.fullmatch(upload.key)
        or upload.dialogue_id != dialogue_id
        or upload.user_id != user_id
    ):
        raise _expired()
    return upload


def take(upload: Upload) -> bytes:
    """The file's bytes, removed from the folder: of two confirmations sent together
    (a double click), only one gets them."""
    claimed = _folder() / f"{upload.key}.{secrets.token_hex(8)}.taken"
    try:
        (_folder() / upload.key).rename(claimed)
    except FileNotFoundError:
        raise _expired() from None
    try:
        data = claimed.read_bytes()
    finally:
        claimed.unlink()
    if hashlib.sha256(data).hexdigest() != upload.sha256:
        raise _expired()
    return data


def discard(upload: Upload) -> None:
    (_folder() / upload.key).unlink(missing_ok=True)


def confirmed(
    token: str, *, cancel: bool, dialogue_id: int, user_id: int | None
) -> tuple[Upload, bytes] | None:
    """A preview's answer: the file its token names, taken for importing, or ``None`` when
    the preview was cancelled (the file is then discarded)."""
    upload = upload_of(token, dialogue_id=dialogue_id, user_id=user_id)
    if cancel:
        discard(upload)
        return None
    return upload, take(upload)
