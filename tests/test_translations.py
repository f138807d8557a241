"""Every user-facing string is in both catalogs, translated, with its placeholders intact."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from flask.testing import FlaskClient

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = ROOT / "facilitate" / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


@pytest.fixture(scope="module")
def source_ids(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The message ids in the code and templates now, extracted as `make messages` does."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    pybabel = Path(sys.executable).parent / "pybabel"
    subprocess.run(
        [
            str(pybabel),
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_ngettext:1,2",
            "--no-location",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return {_key(m.id) for m in read(pot) if m.id}


def _key(message_id: str | tuple[str, ...]) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


@pytest.mark.parametrize("locale", ["sv", "en"])
def test_catalog_has_every_source_message(source_ids: set[str], locale: str) -> None:
    catalog = read(CATALOGS / locale / "LC_MESSAGES" / "messages.po", locale)
    assert len(source_ids) > 100  # the extraction really found the UI's strings
    missing = sorted(source_ids - {_key(m.id) for m in catalog if m.id})
    assert missing == [], "run `make messages` and translate"


@pytest.mark.parametrize("locale", ["sv", "en"])
def test_catalog_fully_translated_with_placeholders(locale: str) -> None:
    catalog = read(CATALOGS / locale / "LC_MESSAGES" / "messages.po", locale)
    problems = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(("untranslated", ids[0]))
            continue
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            if set(PLACEHOLDER.findall(string)) != wanted:
                problems.append(("placeholders", ids[0]))
    assert problems == []


def test_ui_swedish_by_default(client: FlaskClient) -> None:
    del client.environ_base["HTTP_ACCEPT_LANGUAGE"]
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="sv" dir="ltr">' in html
    assert "Logga in" in html
    assert "Log in" not in html


def test_ui_english_on_request(client: FlaskClient) -> None:
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in html
    assert "Log in" in html
