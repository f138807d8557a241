"""iCalendar (RFC 5545) files of a dialogue's meetings: one per meeting, and a feed of all
of them that calendar apps subscribe to, made with the ``icalendar`` library.

Each meeting's entry keeps one UID for its whole life, and its SEQUENCE counts the changes
to what the entry shows (``Meeting.calendar_sequence``), so a moved meeting replaces the
old entry wherever the file was imported or the feed is followed. Times are wall-clock
times in the service's zone (Europe/Stockholm) with its VTIMEZONE in the file, so they
stay right across daylight saving and in any calendar's own zone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from icalendar import Calendar, Event

from facilitate.db import utcnow
from facilitate.meetings.models import Meeting

from .public import ends_at

PRODID = "-//Facilitate//Citizen dialogues//EN"
#: How often a subscribed calendar should look for changes (Apple, Outlook and Google read
#: one or the other of these).
REFRESH = dt.timedelta(hours=6)


def meeting_uid(meeting: Meeting) -> str:
    """Stable for the meeting's life, whatever is edited, and not tied to the host name the
    file was fetched under (a new address must not duplicate every entry)."""
    created = meeting.created_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"meeting-{meeting.id}-{created}@facilitate"


def location(meeting: Meeting) -> str:
    """The place, or the call link for a digital meeting that has one."""
    if meeting.is_digital and meeting.video_url:
        return meeting.video_url
    return meeting.place


def meeting_event(meeting: Meeting, *, page_url: str, zone: ZoneInfo, stamp: dt.datetime) -> Event:
    if meeting.starts_at is None:
        raise ValueError("an unscheduled meeting has no calendar entry")
    event = Event()
    event.add("uid", meeting_uid(meeting))
    event.add("dtstamp", stamp)
    event.add("sequence", meeting.calendar_sequence)
    event.add("dtstart", meeting.starts_at.astimezone(zone))
    event.add("dtend", ends_at(meeting).astimezone(zone))
    event.add("summary", meeting.title)
    where = location(meeting)
    if where:
        event.add("location", where)
    if meeting.video_url:
        event.add("conference", meeting.video_url, parameters={"VALUE": "URI"})
    lines = [meeting.theme.title]
    if meeting.is_digital:
        lines.append(_("Digital meeting"))
    if meeting.video_url:
        lines.append(_("Join the call: %(url)s", url=meeting.video_url))
    if meeting.is_digital and meeting.place:
        lines.append(meeting.place)
    lines.append(_("About the dialogue: %(url)s", url=page_url))
    event.add("description", "\n".join(lines))
    event.add("url", page_url)
    event.add("status", "CONFIRMED")
    return event


def calendar(name: str, meetings: Iterable[Meeting], *, page_url: str, zone: ZoneInfo) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("name", name)
    cal.add("x-wr-timezone", zone.key)
    cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", REFRESH)
    stamp = utcnow().replace(microsecond=0)
    years = []
    for meeting in meetings:
        cal.add_component(meeting_event(meeting, page_url=page_url, zone=zone, stamp=stamp))
        if meeting.starts_at is not None:
            years.append(meeting.starts_at.astimezone(zone).year)
    if years:
        # The zone's rules for the years the entries fall in, not 1970 to 2038.
        cal.add_missing_timezones(
            first_date=dt.date(min(years), 1, 1), last_date=dt.date(max(years) + 1, 12, 31)
        )
    return bytes(cal.to_ical())
