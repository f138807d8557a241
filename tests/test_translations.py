"""Every user-facing string is in every catalog, translated, with its placeholders intact;
the resident flow shows no untranslated text in any language, easy Swedish included."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from facilitate.db import session
from facilitate.languages import LANGUAGES
from facilitate.live import operations as live_ops
from facilitate.live.models import Participant
from facilitate.live.views_json import Viewer, ViewerRole
from facilitate.meetings import operations as meeting_ops
from facilitate.meetings.models import MeetingStatus
from facilitate.proposals import operations as proposal_ops

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = ROOT / "facilitate" / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
#: gettext's plural count per language (Arabic: zero, one, two, few, many, other).
PLURALS = {"sv": 2, "en": 2, "fi": 2, "ar": 6, "so": 2}
#: Written without a native speaker: each says so in its header until one has reviewed it.
NEEDS_REVIEW = ("fi", "ar", "so")
#: The templates of the resident flow: joining, the phone, privacy, the public feedback.
RESIDENT_SOURCES = (
    "templates/base.html",
    "templates/error.html",
    "templates/live/start.html",
    "templates/live/join.html",
    "templates/live/phone.html",
    "templates/live/privacy.html",
    "templates/live/_room.html",
    "templates/live/_shared_screen.html",
    # perspectives on the phone: statements one at a time, where you stand
    "templates/perspectives/_phone.html",
    "templates/perspectives/_strings.html",
    "templates/reporting/feedback.html",
    "templates/reporting/_trail.html",
    # what the feedback page draws: its charts and the indicators beside the action items
    "templates/reporting/_outcomes.html",
    "templates/macros/charts.html",
    # following a dialogue by e-mail: the sign-up, its confirmation and its end
    "templates/mail/_form.html",
    "templates/mail/_follow.html",
    "templates/mail/follow.html",
    "templates/mail/asked.html",
    "templates/mail/confirm.html",
    "templates/mail/confirmed.html",
    "templates/mail/unsubscribe.html",
    "templates/mail/unsubscribed.html",
    "facilitate/mail/forms.py",
    # the join form's labels and choices, and the refusals of joining
    "facilitate/live/forms.py",
    "facilitate/live/participants.py",
    "facilitate/live/join_limits.py",
    "facilitate/live/views.py",
)
EASY = CATALOGS / "sv" / "LC_MESSAGES" / "easy.po"


def read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """The messages in the code and templates now, extracted as `make messages` does."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    pybabel = Path(sys.executable).parent / "pybabel"
    # The Makefile's own keywords: a helper that marks texts (plural_forms, say) is
    # extracted here exactly when `make messages` extracts it.
    found = re.search(r"^BABEL_KEYWORDS := (.+)$", (ROOT / "Makefile").read_text(), re.M)
    assert found
    subprocess.run(
        [str(pybabel), "extract", "-F", "babel.cfg", *found.group(1).split(), "-o", str(pot), "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return read(pot)


@pytest.fixture(scope="module")
def source_ids(source: Catalog) -> set[str]:
    return {_key(m.id) for m in source if m.id}


@pytest.fixture(scope="module")
def resident_ids(source: Catalog) -> set[str]:
    """The fixed texts of the resident flow: what its templates, scripts and join form show."""
    found = {
        _key(m.id)
        for m in source
        if m.id and any(path in RESIDENT_SOURCES for path, _ in m.locations)
    }
    assert len(found) > 80
    return found


def _key(message_id: str | tuple[str, ...]) -> str:
    return message_id if isinstance(message_id, str) else message_id[0]


@pytest.mark.parametrize("locale", LANGUAGES)
def test_catalog_has_every_source_message(source_ids: set[str], locale: str) -> None:
    catalog = read(CATALOGS / locale / "LC_MESSAGES" / "messages.po", locale)
    assert len(source_ids) > 100  # the extraction really found the UI's strings
    missing = sorted(source_ids - {_key(m.id) for m in catalog if m.id})
    assert missing == [], "run `make messages` and translate"


def _problems(catalog: Catalog, only: set[str] | None = None) -> list[tuple[str, str]]:
    problems = []
    for message in catalog:
        if not message.id or (only is not None and _key(message.id) not in only):
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(("untranslated", ids[0]))
            continue
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            found = set(PLACEHOLDER.findall(string))
            # A plural form may leave the number out where the language names it in words.
            if found != wanted and not (len(ids) > 1 and found < wanted):
                problems.append(("placeholders", ids[0]))
    return problems


@pytest.mark.parametrize("locale", LANGUAGES)
def test_catalog_fully_translated_with_placeholders(locale: str) -> None:
    catalog = read(CATALOGS / locale / "LC_MESSAGES" / "messages.po", locale)
    assert _problems(catalog) == []


@pytest.mark.parametrize("locale", LANGUAGES)
def test_catalog_plural_forms_and_review_note(locale: str) -> None:
    path = CATALOGS / locale / "LC_MESSAGES" / "messages.po"
    catalog = read(path, locale)
    assert catalog.num_plurals == PLURALS[locale]
    header = path.read_text(encoding="utf-8").split("msgid", 1)[0]
    assert ("needs review by a native speaker" in header) == (locale in NEEDS_REVIEW)


def test_catalog_check_catches_a_broken_placeholder() -> None:
    catalog = Catalog(locale="fi")
    catalog.add("Step %(num)s of %(total)s", "Vaihe %(num)s")
    catalog.add("Send", "")
    assert _problems(catalog) == [
        ("placeholders", "Step %(num)s of %(total)s"),
        ("untranslated", "Send"),
    ]


def test_easy_swedish_covers_resident_flow(resident_ids: set[str], source_ids: set[str]) -> None:
    easy = read(EASY, "sv")
    ids = {_key(m.id) for m in easy if m.id}
    assert sorted(resident_ids - ids) == [], "write these in easy Swedish (docs/translating.md)"
    assert sorted(ids - source_ids) == [], "no longer in the code: remove from easy.po"
    assert _problems(easy) == []
    assert not easy.fuzzy  # pybabel compile skips a catalog marked fuzzy
    assert "needs review" in EASY.read_text(encoding="utf-8").split("msgid", 1)[0]


# -- the resident flow, rendered -----------------------------------------------------------


class _Texts(HTMLParser):
    """Every text node, the texts in attributes people read, and the script's strings."""

    ATTRIBUTES = ("aria-label", "placeholder", "title", "alt")

    def __init__(self) -> None:
        super().__init__()
        self.texts: set[str] = set()
        self._strings = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._strings = tag == "script" and ("id", "room-strings") in attrs
        for name, value in attrs:
            if name in self.ATTRIBUTES and value:
                self.texts.add(value.strip())

    def handle_data(self, data: str) -> None:
        if self._strings:
            for value in json.loads(data).values():
                forms = value.values() if isinstance(value, dict) else [value]  # a plural's
                self.texts.update(str(form).strip() for form in forms)
        elif data.strip():
            self.texts.add(" ".join(data.split()))

    def handle_endtag(self, tag: str) -> None:
        self._strings = False


def texts_of(html: str) -> set[str]:
    parser = _Texts()
    parser.feed(html)
    return parser.texts


@pytest.fixture
def resident_pages(app: Flask, runner: object) -> dict[str, str]:
    """Paths of every resident page, with a live meeting whose phone has things to show."""
    assert runner.invoke(args=["demo"]).exit_code == 0  # type: ignore[attr-defined]
    with app.test_request_context():
        meeting = meeting_ops.get_meeting(1)
        meeting.status = MeetingStatus.open
        meeting.current_phase = 0
        session().commit()
        code = meeting.join_code
    return {
        "start": "/join",
        "join": f"/j/{code}",
        "privacy": "/privacy",
        "feedback": "/d/1/feedback",
    }


def _catalog(choice: str) -> dict[str, str]:
    if choice == "sv-easy":
        texts = _catalog("sv")
        texts.update({_key(m.id): m.string for m in read(EASY, "sv") if m.id and m.string})
        return texts
    catalog = read(CATALOGS / choice / "LC_MESSAGES" / "messages.po", choice)
    return {_key(m.id): m.string for m in catalog if m.id and isinstance(m.string, str)}


@pytest.mark.parametrize("choice", [*LANGUAGES, "sv-easy"])
def test_resident_flow_shows_no_untranslated_text(
    app: Flask, resident_pages: dict[str, str], resident_ids: set[str], choice: str
) -> None:
    translated = _catalog(choice)
    # A fixed text that should read differently in this language must not show as is.
    english = {
        msgid
        for msgid in resident_ids
        if not PLACEHOLDER.search(msgid) and translated.get(msgid, "") != msgid
    }
    if choice == "sv-easy":  # and easy Swedish must not fall back to ordinary Swedish
        ordinary = _catalog("sv")
        easy = {_key(m.id): m.string for m in read(EASY, "sv") if m.id}
        english |= {
            ordinary[m] for m in resident_ids if m in ordinary and easy.get(m) != ordinary[m]
        }
    phone = app.test_client()
    phone.set_cookie("lang", choice)
    shown = {}
    pages = dict(resident_pages)
    before = texts_of(phone.get(pages["join"]).get_data(as_text=True))  # once joined, it redirects
    shown["join form"] = sorted(before & english)
    joined = phone.post(pages.pop("join"), data={})
    assert joined.status_code == 302
    pages["phone"] = joined.headers["Location"]
    with app.test_request_context():
        meeting = meeting_ops.get_meeting(1)
        author = session().query(Participant).filter_by(meeting_id=1).first()
        viewer = Viewer(1, ViewerRole.participant, participant_id=author.id if author else None)
        live_ops.add_contribution(meeting, viewer, author, "Mörkt vid busshållplatsen")
        proposal_ops.add_proposal(meeting, viewer, author, "Bättre belysning")
        session().commit()
    pages["not found"] = "/no-such-page"
    for name, path in pages.items():
        response = phone.get(path)
        assert response.status_code == (404 if name == "not found" else 200), name
        html = response.get_data(as_text=True)
        lang = choice.split("-")[0]
        assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}">' in html
        shown[name] = sorted(texts_of(html) & english)
    assert shown == {name: [] for name in shown}


def room_strings(html: str) -> dict[str, Any]:
    found = re.search(
        r'<script type="application/json" id="room-strings">(.*?)</script>', html, re.S
    )
    assert found
    strings: dict[str, Any] = json.loads(found.group(1))
    return strings


@pytest.mark.parametrize(
    ("choice", "text", "forms"),
    [
        ("sv", "%(num)s dots", {"one": "%(num)s prick", "other": "%(num)s prickar"}),
        ("en", "%(num)s have voted", {"one": "%(num)s has voted", "other": "%(num)s have voted"}),
        (
            "sv-easy",
            "%(num)s have voted",
            {"one": "%(num)s person har röstat", "other": "%(num)s personer har röstat"},
        ),
        (
            "ar",
            "%(num)s dots",
            {
                "zero": "%(num)s نقطة",
                "one": "%(num)s نقطة",
                "two": "%(num)s نقطة",
                "few": "%(num)s نقاط",
                "many": "%(num)s نقطة",
                "other": "%(num)s نقطة",
            },
        ),
    ],
)
def test_phone_scripts_get_a_count_s_text_in_each_plural_form(
    app: Flask, resident_pages: dict[str, str], choice: str, text: str, forms: dict[str, str]
) -> None:
    """A text with a count reaches the phone's scripts in each plural category of its
    language (CLDR's, as the browser's ``Intl.PluralRules`` names them): not "1 dots"."""
    phone = app.test_client()
    phone.set_cookie("lang", choice)
    joined = phone.post(resident_pages["join"], data={})
    assert joined.status_code == 302
    strings = room_strings(phone.get(joined.headers["Location"]).get_data(as_text=True))
    assert strings[text] == forms


def test_resident_flow_check_catches_an_english_text() -> None:
    html = (
        '<p>Join</p><button aria-label="Send">→</button>'
        '<script type="application/json" id="room-strings">{"Me too": "Me too"}</script>'
    )
    assert texts_of(html) >= {"Join", "Send", "Me too"}


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


@pytest.mark.parametrize(
    ("code", "lang", "direction"),
    [("fi", "fi", "ltr"), ("ar", "ar", "rtl"), ("so", "so", "ltr"), ("sv-easy", "sv", "ltr")],
)
def test_language_switch_remembered_per_browser(
    client: FlaskClient, code: str, lang: str, direction: str
) -> None:
    response = client.get(f"/language/{code}?next=/join")
    assert response.status_code == 302
    assert response.headers["Location"] == "/join"
    assert f"lang={code}" in response.headers["Set-Cookie"]
    html = client.get("/join").get_data(as_text=True)
    assert f'<html lang="{lang}" dir="{direction}">' in html
    assert f'<span aria-current="true" lang="{lang}">' in html


def test_easy_swedish_offered_to_residents_not_on_staff_pages(client: FlaskClient) -> None:
    assert "/language/sv-easy" in client.get("/join").get_data(as_text=True)
    assert "/language/sv-easy" not in client.get("/login").get_data(as_text=True)


def test_easy_swedish_replaces_resident_texts_and_keeps_the_rest_swedish(
    client: FlaskClient,
) -> None:
    easy = {_key(m.id): m.string for m in read(EASY, "sv") if m.id}
    ordinary = _catalog("sv")
    client.set_cookie("lang", "sv-easy")
    html = client.get("/join").get_data(as_text=True)
    assert easy["Join a meeting"] in html
    if easy["Join a meeting"] != ordinary["Join a meeting"]:
        assert ordinary["Join a meeting"] not in html
    login = client.get("/login").get_data(as_text=True)
    assert ordinary["Log in"] in login  # not a resident text: ordinary Swedish, not English


STAFF_PAGES = (
    "/",
    "/dialogues/1",
    "/dialogues/1/edit",
    "/dialogues/1/themes/new",
    "/themes/1",
    "/themes/1/edit",
    "/themes/1/evidence",
    "/themes/1/meetings/new",
    "/meetings/1",
    "/meetings/1/edit",
    "/meetings/1/voting",
    "/meetings/1/console",
    "/meetings/1/screen",
    "/meetings/1/notes",
    "/meetings/1/report",
    "/meetings/1/people",
    "/dialogues/1/actions",
    "/dialogues/1/conversations",
    "/dialogues/1/conversations/new",
    "/dialogues/1/conversations/import",
    "/conversations/1",
    "/conversations/1/edit",
    "/dialogues/1/participation",
    "/admin/users",
    "/admin/users/new",
    "/admin/accessibility",
    "/accessibility",
)


@pytest.mark.parametrize("language", LANGUAGES)
def test_staff_pages_show_no_untranslated_text(
    app: Flask,
    client: FlaskClient,
    runner: object,
    source_ids: set[str],
    make_user: Callable[..., Any],
    login: Callable[..., None],
    language: str,
) -> None:
    assert runner.invoke(args=["demo"]).exit_code == 0  # type: ignore[attr-defined]
    login(make_user("admin"))
    client.set_cookie("lang", language)
    translated = _catalog(language)
    english = {
        msgid
        for msgid in source_ids
        if not PLACEHOLDER.search(msgid) and translated.get(msgid, "") != msgid
    }
    shown = {}
    for path in STAFF_PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert f'<html lang="{language}"' in html, path
        shown[path] = sorted(texts_of(html) & english)
    # The import preview answers the upload, a POST.
    preview = client.post(
        "/dialogues/1/conversations/import",
        data={"file": (io.BytesIO(b"date;channel;note\n2021-03-01;door;X\n"), "samtal.csv")},
        content_type="multipart/form-data",
    )
    assert preview.status_code == 200
    shown["import preview"] = sorted(texts_of(preview.get_data(as_text=True)) & english)
    assert shown == {path: [] for path in shown}
