"""The meeting report as a PDF, in the bundled Unicode font."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from fpdf import FPDF

from facilitate.pdfs import draw_chart, finish, use_fonts
from facilitate.web import local_percent

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


def _shares(scores: dict[str, Any], side: str) -> str:
    """The shown groups' shares on one side, on one line, as the page has them."""
    if side == "agree":
        return " · ".join(
            _(
                "Group %(label)s: %(share)s agree",
                label=g["label"],
                share=local_percent(100 * g["agree_share"]),
            )
            for g in scores["groups"]
        )
    return " · ".join(
        _(
            "Group %(label)s: %(share)s disagree",
            label=g["label"],
            share=local_percent(100 * g["disagree_share"]),
        )
        for g in scores["groups"]
    )


def _perspectives(
    doc: FPDF,
    view: dict[str, Any],
    min_group: int,
    heading: Callable[..., None],
    line: Callable[[str], None],
) -> None:
    """The common-ground section, with the page's words and rules (``report_view``)."""
    heading(_("Perspectives"))
    line(
        _(
            "%(participants)s people answered %(answers)s times; %(placed)s placed",
            participants=view["participants"],
            answers=view["answers"],
            placed=view["placed"],
        )
    )
    heading(_("Opinion groups"), 11)
    for group in view["groups"]:
        line(
            ngettext(
                "Group %(label)s: %(num)s person",
                "Group %(label)s: %(num)s people",
                group["size"],
                label=group["label"],
            )
        )
    if not view["groups"] and not view["unshown"]:
        line(_("No opinion groups: too few people were placed, or their answers did not differ."))
    if view["unshown"]:
        line(_("%(num)d people were placed in groups too small to show.", num=view["unshown"]))
    line(
        _(
            "Groups under %(num)d people are not shown as groups, and no one's answers are shown.",
            num=min_group,
        )
    )
    for title, scores, side in (
        (_("Common ground"), view["common_ground"], "agree"),
        (_("Common disagreement"), view["common_disagreement"], "disagree"),
        (_("Divisive"), view["divisive"], "agree"),
    ):
        heading(title, 11)
        for score in scores:
            line(f"• {score['text']}")
            counts = _(
                "Agree %(agree)s · Disagree %(disagree)s · Pass %(pass)s",
                agree=score["agree"],
                disagree=score["disagree"],
                **{"pass": score["passed"]},
            )
            line(f"  {counts}")
            if score["groups"]:
                line(f"  {_shares(score, side)}")
        if not scores:
            line(_("None."))
    for chart in view["charts"]:
        draw_chart(doc, chart)
    for group in view["groups"]:
        heading(_("What sets group %(label)s apart", label=group["label"]), 11)
        for score in group["distinct"]:
            share = local_percent(100 * score["share"])
            said = (
                _("%(share)s of the group agree", share=share)
                if score["side"] == "agree"
                else _("%(share)s of the group disagree", share=share)
            )
            line(f"• {score['text']} ({said})")
        if not group["distinct"]:
            line(_("None."))


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
        line(_("Took part: %(num)d", num=participation.joined))
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
    if context["perspectives"] is not None:
        _perspectives(doc, context["perspectives"], context["min_group"], heading, line)
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
