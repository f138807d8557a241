"""The feedback page as an Atom feed (RFC 4287): one entry per action item.

Built with the standard library's ElementTree, which escapes every text and attribute, so
a title or note with ``<`` or ``&`` in it stays text. An entry's ``updated`` is the latest
of the item's creation, its status changes and the last edit of its public note
(``public.feed_entry``), so a feed reader shows it as new exactly when what residents
follow has moved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from xml.etree import ElementTree as ET

from .public import FeedEntry

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _stamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    child = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        child.text = text
    return child


def feed(
    *,
    title: str,
    subtitle: str,
    author: str,
    language: str,
    self_url: str,
    page_url: str,
    created: dt.datetime,
    entries: Sequence[FeedEntry],
    entry_text: Callable[[FeedEntry], str],
    statuses: Mapping[str, str],
) -> bytes:
    """``page_url`` is the feedback page: the feed's id, and with ``#item-<id>`` each
    entry's (ids stay as long as the page's address does)."""
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed", {XML_LANG: language})
    _add(root, "id", page_url)
    _add(root, "title", title)
    _add(root, "subtitle", subtitle)
    newest = max((e.updated for e in entries), default=created)
    _add(root, "updated", _stamp(newest))
    _add(_add(root, "author"), "name", author)
    _add(root, "link", rel="self", type="application/atom+xml", href=self_url)
    _add(root, "link", rel="alternate", type="text/html", href=page_url)
    for entry in sorted(entries, key=lambda e: (e.updated, e.item.id), reverse=True):
        item = entry.item
        node = _add(root, "entry")
        anchor = f"{page_url}#item-{item.id}"
        _add(node, "id", anchor)
        _add(node, "title", item.title)
        _add(node, "published", _stamp(item.created_at))
        _add(node, "updated", _stamp(entry.updated))
        _add(node, "link", rel="alternate", type="text/html", href=anchor)
        _add(node, "category", term=item.status.value, label=statuses[item.status.value])
        _add(node, "content", entry_text(entry), type="text")
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))
