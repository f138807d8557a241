"""The public page of a dialogue (/d/<id>), its calendar files and the feedback page's
Atom feed: through HTTP, each file read back by real parsers."""

from __future__ import annotations

import datetime as dt
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

import feedparser
import icalendar
import pytest
import vobject
from flask import Flask
from flask.testing import FlaskClient

from facilitate.actions import operations as action_ops
from facilitate.actions.models import ActionItem
from facilitate.db import session
from facilitate.dialogues import operations as dialogue_ops
from facilitate.dialogues.models import Dialogue, DialogueStatus
from facilitate.meetings import operations as meeting_ops
from facilitate.meetings.models import MeetingStatus

STOCKHOLM = ZoneInfo("Europe/Stockholm")
ATOM = "{http://www.w3.org/2005/Atom}"
#: A summer evening (CEST, +02:00) and a winter one (CET, +01:00).
SUMMER = dt.datetime(2030, 6, 12, 18, 0, tzinfo=STOCKHOLM)
WINTER = dt.datetime(2030, 12, 4, 17, 30, tzinfo=STOCKHOLM)
CALL = "https://meet.jit.si/Trygghet-Froslunda"


@pytest.fixture
def planned(app: Flask, agreed: dict[str, int]) -> dict[str, int]:
    """Beside ``agreed``'s open meeting (no time set): a meeting in a school, a digital one
    with a call link in other languages, one with no time, an archived one, one closed in
    the past, and one on an archived theme."""
    with app.app_context():
        dialogue = session().get(Dialogue, agreed["dialogue"])
        assert dialogue is not None
        dialogue.description = "Hur känns det att gå hem på kvällen?"
        theme = dialogue.themes[0]
        school = meeting_ops.create_meeting(
            theme,
            "Kväll i skolan",
            starts_at=SUMMER,
            place="Fröslundaskolan, aulan",
            agenda=[meeting_ops.PhaseSpec("Samtal", "Vad behövs?", 90)],
        )
        digital = meeting_ops.create_meeting(
            theme,
            "Digitalt samtal",
            starts_at=WINTER,
            is_digital=True,
            video_url=CALL,
            intro="Välkommen",
            intro_translations={"ar": "أهلا", "so": "Soo dhawoow"},
            agenda=[meeting_ops.PhaseSpec("Samtal", "Vad behövs?", 60, "share", {"en": "Needs?"})],
        )
        meeting_ops.create_meeting(theme, "Utan tid", place="Någonstans")
        archived = meeting_ops.create_meeting(theme, "Arkiverat möte", starts_at=SUMMER)
        meeting_ops.set_meeting_archived(archived, True)
        past = meeting_ops.create_meeting(
            theme, "Gammalt möte", starts_at=dt.datetime(2020, 3, 1, 18, tzinfo=STOCKHOLM)
        )
        past.status = MeetingStatus.closed
        gone = dialogue_ops.create_theme(dialogue, "Gammalt tema")
        meeting_ops.create_meeting(gone, "Möte på gammalt tema", starts_at=SUMMER)
        gone.is_archived = True
        session().commit()
        return {
            **agreed,
            "school": school.id,
            "digital": digital.id,
            "archived": archived.id,
            "past": past.id,
        }


def test_dialogue_page_shows_what_it_is_about_and_coming_meetings(
    client: FlaskClient, planned: dict[str, int]
) -> None:
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "sv"
    response = client.get(f"/d/{planned['dialogue']}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for shown in (
        "Trygghet",
        "Hur känns det att gå hem på kvällen?",
        "Belysning",  # the theme
        "Kväll i skolan",
        "Fröslundaskolan, aulan",
        "onsdag 12 juni 2030<br>18:00",
        'datetime="2030-06-12T16:00:00+00:00"',
        "Digitalt samtal",
        "onsdag 4 december 2030<br>17:30",
        "Digitalt möte",
        f"/d/{planned['dialogue']}/feedback",
        f"/d/{planned['dialogue']}/calendar.ics",
        f"/d/{planned['dialogue']}/meetings/{planned['school']}.ics",
        f"/d/{planned['dialogue']}/feedback.atom",
    ):
        assert shown in page, shown
    # Languages: Swedish, and every translation of its welcome text and questions.
    digital = page[page.index("Digitalt samtal") :]
    digital = digital[: digital.index("Lägg till i min kalender")]
    for code, name in (("sv", "Svenska"), ("en", "English"), ("ar", "العربية"), ("so", "Soomaali")):
        assert f'<li lang="{code}" dir="auto">{name}</li>' in digital
    assert 'lang="fi"' not in digital
    school = page[page.index("Kväll i skolan") :]
    school = school[: school.index("Lägg till i min kalender")]
    assert '<ul class="languages"><li lang="sv" dir="auto">Svenska</li></ul>' in school
    # Drafts (no time), archived meetings and themes, closed and past ones: never.
    for hidden in ("Utan tid", "Arkiverat möte", "Gammalt möte", "Gammalt tema", "Kväll<"):
        assert hidden not in page, hidden
    # No personal data: who took part and what they said stay out.
    for private in ("Anna", "Det är mörkt vid skolan", "Belys skolvägen"):
        assert private not in page


def test_dialogue_page_unknown_or_archived_is_404(
    app: Flask, client: FlaskClient, agreed: dict[str, int]
) -> None:
    assert client.get("/d/999").status_code == 404
    assert client.get("/d/999/calendar.ics").status_code == 404
    assert client.get("/d/999/feedback.atom").status_code == 404
    with app.app_context():
        dialogue = session().get(Dialogue, agreed["dialogue"])
        assert dialogue is not None
        dialogue.status = DialogueStatus.archived
        session().commit()
    for path in ("", "/calendar.ics", "/feedback.atom"):
        assert client.get(f"/d/{agreed['dialogue']}{path}").status_code == 404


def test_dialogue_page_without_meetings_says_so(
    client: FlaskClient, agreed: dict[str, int]
) -> None:
    page = client.get(f"/d/{agreed['dialogue']}").get_data(as_text=True)
    assert "No meetings are planned right now." in page


def _events(body: bytes) -> dict[str, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(body)
    return {str(e["summary"]): e for e in cal.walk("VEVENT")}


def test_calendar_feed_has_every_scheduled_meeting_in_stockholm_time(
    client: FlaskClient, planned: dict[str, int]
) -> None:
    response = client.get(f"/d/{planned['dialogue']}/calendar.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.mimetype_params["charset"] == "utf-8"
    body = response.data
    assert b"\r\n" in body  # RFC 5545 line endings
    cal = icalendar.Calendar.from_ical(body)
    assert str(cal["version"]) == "2.0"
    assert str(cal["method"]) == "PUBLISH"
    assert str(cal["x-wr-calname"]) == "Trygghet"
    assert [str(z["tzid"]) for z in cal.walk("VTIMEZONE")] == ["Europe/Stockholm"]
    events = _events(body)
    # Past and closed meetings stay (a calendar keeps its history); drafts without a time,
    # archived meetings and themes do not.
    assert set(events) == {"Kväll i skolan", "Digitalt samtal", "Gammalt möte"}
    school = events["Kväll i skolan"]
    assert b"DTSTART;TZID=Europe/Stockholm:20300612T180000" in body
    assert school.decoded("dtstart") == SUMMER
    assert school.decoded("dtend") == SUMMER + dt.timedelta(minutes=90)
    assert school.decoded("dtstart").utcoffset() == dt.timedelta(hours=2)
    assert str(school["location"]) == "Fröslundaskolan, aulan"
    digital = events["Digitalt samtal"]
    assert digital.decoded("dtstart") == WINTER
    assert digital.decoded("dtstart").utcoffset() == dt.timedelta(hours=1)
    assert str(digital["location"]) == CALL  # a digital meeting's place is its call
    assert CALL in str(digital["description"])
    assert len({str(e["uid"]) for e in events.values()}) == 3


def test_calendar_files_read_by_a_second_parser(
    client: FlaskClient, planned: dict[str, int]
) -> None:
    """vobject, an independent iCalendar implementation, reads the same times and texts."""
    for path in (
        f"/d/{planned['dialogue']}/calendar.ics",
        f"/d/{planned['dialogue']}/meetings/{planned['digital']}.ics",
    ):
        parsed = vobject.readOne(client.get(path).get_data(as_text=True))
        by_title = {e.summary.value: e for e in parsed.vevent_list}
        digital = by_title["Digitalt samtal"]
        assert digital.dtstart.value == WINTER
        assert digital.dtstart.value.utcoffset() == dt.timedelta(hours=1)
        assert digital.location.value == CALL
        assert digital.uid.value.endswith("@facilitate")


def test_meeting_file_is_the_feed_entry_and_a_move_updates_it(
    app: Flask, client: FlaskClient, planned: dict[str, int]
) -> None:
    path = f"/d/{planned['dialogue']}/meetings/{planned['school']}.ics"
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        f'inline; filename="meeting-{planned["school"]}.ics"'
    )
    [before] = _events(response.data).values()
    feed = _events(client.get(f"/d/{planned['dialogue']}/calendar.ics").data)
    assert str(feed["Kväll i skolan"]["uid"]) == str(before["uid"])
    with app.app_context():
        meeting = meeting_ops.get_meeting(planned["school"])
        meeting_ops.update_meeting(
            meeting,
            title=meeting.title,
            starts_at=SUMMER + dt.timedelta(days=1),
            place="Myrtorps bibliotek",
            is_digital=False,
        )
        session().commit()
    [after] = _events(client.get(path).data).values()
    assert str(after["uid"]) == str(before["uid"])  # the same entry, moved
    assert int(after["sequence"]) > int(before["sequence"])
    assert after.decoded("dtstart") == SUMMER + dt.timedelta(days=1)
    assert str(after["location"]) == "Myrtorps bibliotek"
    with app.app_context():  # an edit the entry does not show leaves the sequence be
        meeting = meeting_ops.get_meeting(planned["school"])
        meeting_ops.update_meeting(
            meeting,
            title=meeting.title,
            starts_at=meeting.starts_at,
            place=meeting.place,
            is_digital=False,
            intro="Ny välkomsttext",
        )
        session().commit()
    [again] = _events(client.get(path).data).values()
    assert int(again["sequence"]) == int(after["sequence"])


@pytest.mark.parametrize("which", ["archived", "meeting"])
def test_meeting_file_of_a_hidden_meeting_is_404(
    client: FlaskClient, planned: dict[str, int], which: str
) -> None:
    # archived; and "meeting", agreed's, which has no time
    assert client.get(f"/d/{planned['dialogue']}/meetings/{planned[which]}.ics").status_code == 404


def test_meeting_file_only_under_its_own_dialogue(
    app: Flask, client: FlaskClient, planned: dict[str, int]
) -> None:
    with app.app_context():
        other = dialogue_ops.create_dialogue("Annan dialog")
        session().commit()
        other_id = other.id
    assert client.get(f"/d/{other_id}/meetings/{planned['school']}.ics").status_code == 404


def _feed(client: FlaskClient, dialogue_id: int) -> ET.Element:
    response = client.get(f"/d/{dialogue_id}/feedback.atom")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.data)
    assert root.tag == f"{ATOM}feed"
    # RFC 4287's required elements, of the feed and of each entry
    for tag in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{tag}") is not None, tag
    for entry in root.iter(f"{ATOM}entry"):
        for tag in ("id", "title", "updated", "link", "content"):
            assert entry.find(f"{ATOM}{tag}") is not None, tag
    return root


def _updated(root: ET.Element) -> str:
    [entry] = root.iter(f"{ATOM}entry")
    text = entry.findtext(f"{ATOM}updated")
    assert text is not None
    return text


def test_feedback_feed_has_an_entry_per_action_item(
    client: FlaskClient, agreed: dict[str, int]
) -> None:
    root = _feed(client, agreed["dialogue"])
    [entry] = root.iter(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "Belys skolvägen"
    link = entry.find(f"{ATOM}link")
    assert link is not None
    assert (
        link.get("href")
        == f"http://localhost/d/{agreed['dialogue']}/feedback#item-{agreed['item']}"
    )
    page = client.get(f"/d/{agreed['dialogue']}/feedback").get_data(as_text=True)
    assert f'id="item-{agreed["item"]}"' in page
    parsed = feedparser.parse(client.get(f"/d/{agreed['dialogue']}/feedback.atom").data)
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.version == "atom10"
    assert [e.title for e in parsed.entries] == ["Belys skolvägen"]
    assert parsed.feed.title.startswith("Trygghet")


def test_feedback_feed_entry_updated_by_status_and_note_only(
    app: Flask, client: FlaskClient, agreed: dict[str, int]
) -> None:
    def change(at: dt.datetime, **changes: str) -> str:
        with app.app_context():
            item = session().get(ActionItem, agreed["item"])
            assert item is not None
            item.created_at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
            for status_change in item.history:
                status_change.at = min(status_change.at, dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
            if item.public_note_at is not None:
                item.public_note_at = min(
                    item.public_note_at, dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
                )
            action_ops.update_item(item, action_ops.ItemChanges(**changes), user_id=None)
            for status_change in item.history:
                if status_change.at > dt.datetime(2026, 1, 2, tzinfo=dt.UTC):
                    status_change.at = at
            if item.public_note_at is not None and item.public_note_at > dt.datetime(
                2026, 1, 2, tzinfo=dt.UTC
            ):
                item.public_note_at = at
            session().commit()
        return _updated(_feed(client, agreed["dialogue"]))

    assert change(dt.datetime(2026, 2, 1, tzinfo=dt.UTC), owner="Parkförvaltningen") == (
        "2026-01-01T00:00:00Z"
    )
    assert change(dt.datetime(2026, 3, 1, tzinfo=dt.UTC), status="accepted") == (
        "2026-03-01T00:00:00Z"
    )
    assert change(dt.datetime(2026, 4, 1, tzinfo=dt.UTC), public_note="Lampor i maj.") == (
        "2026-04-01T00:00:00Z"
    )
    # The same note again is no news.
    assert change(dt.datetime(2026, 5, 1, tzinfo=dt.UTC), public_note="Lampor i maj.") == (
        "2026-01-01T00:00:00Z"
    )


def test_feedback_feed_escapes_what_staff_wrote(
    app: Flask, client: FlaskClient, agreed: dict[str, int]
) -> None:
    with app.app_context():
        item = session().get(ActionItem, agreed["item"])
        assert item is not None
        item.title = "Lampor & <b>bänkar</b>"
        item.public_note = "]]> <script>alert(1)</script> &amp;"
        session().commit()
    root = _feed(client, agreed["dialogue"])
    [entry] = root.iter(f"{ATOM}entry")
    assert entry.findtext(f"{ATOM}title") == "Lampor & <b>bänkar</b>"
    content = entry.find(f"{ATOM}content")
    assert content is not None
    assert content.get("type") == "text"
    assert "]]> <script>alert(1)</script> &amp;" in (content.text or "")
    assert len(list(content)) == 0  # text, not markup
