"""The action list as CSV, XLSX and PDF: the same rows for the page and the API."""

from __future__ import annotations

import datetime as dt

from flask import Response, abort
from flask_babel import gettext as _

from facilitate.dialogues.models import Dialogue
from facilitate.intake.queries import ThemeEvidence, theme_evidence
from facilitate.web import local_zone

from . import exports
from . import operations as ops
from .progress import progress_chart

FORMATS = ("csv", "xlsx", "pdf")
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def columns() -> list[exports.Column]:
    return [
        exports.Column("theme", _("Theme")),
        exports.Column("title", _("Title")),
        exports.Column("description", _("Description")),
        exports.Column("owner", _("Owner")),
        exports.Column("contact", _("Contact")),
        exports.Column("due_date", _("Due date")),
        exports.Column("status", _("Status")),
        exports.Column("next_step", _("Next step")),
        exports.Column("public_note", _("Public note")),
        exports.Column("meeting", _("Meeting")),
        exports.Column("sources", _("What was said")),
        exports.Column("evidence", _("First conversations")),
        exports.Column("tally", _("Votes")),
    ]


def evidence_text(evidence: ThemeEvidence) -> str:
    """A theme's evidence in one cell: counts, then the quotes the team marked."""
    if not evidence.notes:
        return ""
    counts = _(
        "%(notes)d notes from %(conversations)d conversations",
        notes=evidence.notes,
        conversations=evidence.conversations,
    )
    return " | ".join([counts, *(f"“{quote}”" for quote in evidence.quotes)])


def rows(dialogue: Dialogue, filters: ops.Filters) -> list[dict[str, object]]:
    result: list[dict[str, object]] = []
    evidence: dict[int, str] = {}
    for item in ops.list_items(dialogue, filters):
        if item.theme_id not in evidence:
            evidence[item.theme_id] = evidence_text(theme_evidence(item.theme_id))
        tally = item.tally or {}
        result.append(
            {
                "theme": item.theme.title,
                "title": item.title,
                "description": item.description,
                "owner": item.owner,
                "contact": item.contact,
                "due_date": item.due_date,
                "status": str(ops.STATUS_LABELS[item.status]),
                "next_step": item.next_step,
                "public_note": item.public_note,
                "meeting": item.meeting.title if item.meeting is not None else "",
                "sources": " | ".join(ops.sources(item)),
                "evidence": evidence[item.theme_id],
                "tally": ", ".join(f"{key}: {value}" for key, value in tally.items()),
            }
        )
    return result


def download(dialogue: Dialogue, filters: ops.Filters, fmt: str) -> Response:
    if fmt not in FORMATS:
        abort(404)
    data = rows(dialogue, filters)
    cols = columns()
    if fmt == "csv":
        body = exports.to_csv(data, cols)
    elif fmt == "xlsx":
        body = exports.to_xlsx(data, cols, sheet=_("Action list"))
    else:
        groups: dict[str, list[dict[str, object]]] = {}
        for row in data:
            groups.setdefault(str(row["theme"]), []).append(row)
        items = ops.list_items(dialogue, filters)
        themes = sorted(dialogue.themes, key=lambda t: t.position)
        progress = progress_chart([t for t in themes if not t.is_archived], items)
        body = exports.to_pdf(
            list(groups.items()),
            # Evidence is the theme's, so it stands once under each theme's heading.
            [c for c in cols if c.key not in {"theme", "evidence"}],
            title=dialogue.title,
            subtitle=_("Action list, %(date)s", date=dt.datetime.now(local_zone()).date()),
            notes={str(row["theme"]): str(row["evidence"]) for row in data},
            charts=[progress] if progress is not None else [],
        )
    response = Response(body, mimetype=MIMETYPES[fmt])
    name = f"actions-{dialogue.id}.{fmt}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
