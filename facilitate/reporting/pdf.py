"""The meeting report as a PDF, in the bundled Unicode font."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from fpdf import FPDF

from facilitate.pdfs import draw_chart, finish, use_fonts

from .labels import tally_label


class _Report(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", size=8)
        self.cell(0, 8, f"{self.page_no()} / {{nb}}", align="C")


def _counts(counts: dict[str, int] | None) -> str:
    if not counts:
        return ""
    return ", ".join(f"{tally_label(key)}: {value}" for key, value in counts.items())


def meeting_report(context: dict[str, Any], *, compress: bool = True) -> bytes:
    meeting = context["meeting"]
    doc = _Report(orientation="portrait", unit="mm", format="A4")
    doc.set_compression(compress)

    use_fonts(doc)
    doc.set_title(meeting.title)
    doc.alias_nb_pages()
    doc.add_page()

    def heading(text: str, size: int = 13) -> None:
        doc.ln(3)
        doc.set_font("DejaVu", "B", size)
        doc.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        doc.set_font("DejaVu", "", 10)

    def line(text: str) -> None:
        doc.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")

    heading(meeting.title, 16)
    line(f"{meeting.theme.dialogue.title} · {meeting.theme.title}")
    if meeting.place:
        line(meeting.place)
    heading(_("What the first conversations said"))
    evidence = context["evidence"]
    if evidence.notes:
        line(
            _(
                "%(notes)d notes from %(conversations)d conversations support this theme.",
                notes=evidence.notes,
                conversations=evidence.conversations,
            )
        )
        for quote in evidence.quotes:
            line(f"“{quote}”")
    else:
        line(_("No notes recorded for this theme."))
    heading(_("Agenda"))
    for number, phase in enumerate(meeting.phases, start=1):
        line(f"{number}. {phase.title}")
    heading(_("Participation"))
    participation = context["participation"]
    if participation.joined is not None:  # fewer than 5 would pin the counts below
        line(_("Joined: %(num)d", num=participation.joined))
    if participation.with_paper:
        line(_("These counts include people who took part on paper, counted by staff."))
    for title, counts in (
        (_("By district"), participation.by_area),
        (_("By age"), participation.by_age),
    ):
        if counts:
            line(
                title
                + ": "
                + ", ".join(
                    f"{c.label} {c.number if c.number is not None else context['fewer']}"
                    for c in counts
                )
            )
    for chart in context["charts"]:
        draw_chart(doc, chart)
    heading(_("What was said"))
    for phase in context["phases"]:
        if not phase.contributions:
            continue
        doc.set_font("DejaVu", "B", 10)
        line(phase.title)
        doc.set_font("DejaVu", "", 10)
        for text, reactions in phase.contributions:
            suffix = f" (+{reactions})" if reactions else ""
            line(f"• {text}{suffix}")
    if context["proposals"]:
        heading(_("Proposals"))
        for proposal in context["proposals"]:
            status = context["statuses"].get(proposal["status"], proposal["status"])
            doc.set_font("DejaVu", "B", 10)
            line(f"{proposal['title']} · {status}")
            doc.set_font("DejaVu", "", 10)
            if proposal["tally"]:
                line(_counts(proposal["tally"]))
            if proposal["note"]:
                line(proposal["note"])
    return finish(doc)
