"""The meeting report (HTML and PDF) and the public "you said – we did" page."""

from __future__ import annotations

import dataclasses
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _

from facilitate import charts
from facilitate.actions.operations import STATUS_LABELS, get_item
from facilitate.actions.progress import progress_chart
from facilitate.auth.models import Role
from facilitate.auth.permissions import public, requires
from facilitate.db import session
from facilitate.dialogues import operations as dialogue_ops
from facilitate.dialogues.models import Dialogue
from facilitate.i18n import current_language
from facilitate.intake.forms import channel_choices, role_choices, theme_choices
from facilitate.intake.models import Channel, SpeakerRole
from facilitate.intake.queries import theme_evidence
from facilitate.meetings import operations as meeting_ops
from facilitate.meetings import queries as meeting_queries
from facilitate.meetings.forms import method_choices
from facilitate.meetings.models import Meeting
from facilitate.perspectives import operations as perspectives_ops
from facilitate.perspectives import queries as perspectives_queries
from facilitate.web import local_percent, local_zone

from . import atom, pdf, queries, shares
from . import public as public_reads
from .calendar import calendar
from .labels import tally_label
from .outcomes import outcome_charts
from .trail import trail

bp = Blueprint("reporting", __name__)
bp.add_app_template_global(tally_label)


def proposal_status_labels() -> dict[str, str]:
    return {
        "open": _("Proposed"),
        "voting": _("In the vote"),
        "agreed": _("Agreed"),
        "not_agreed": _("Not agreed"),
        "parked": _("Parked"),
    }


def participation_charts(participation: queries.Participation) -> list[charts.Chart]:
    """The report's counts by district and by age as bars; a hidden count is said, not drawn."""
    return [
        charts.bars(
            title,
            [(c.label, c.number) for c in counts],
            hidden=_("not shown"),
            header=(header, _("People")),
        )
        for title, header, counts in (
            (_("By district"), _("District"), participation.by_area),
            (_("By age"), _("Age"), participation.by_age),
        )
        if counts
    ]


def shares_chart(title: str, scores: list[dict[str, Any]]) -> charts.Chart | None:
    """Each statement's agree share by shown group (by everyone who answered when no
    group is shown), on a scale to 100 %; None without statements."""
    if not scores:
        return None
    labels = [g["label"] for g in scores[0]["groups"]]
    if labels:
        series = [
            (
                _("Group %(num)s", num=label),
                [
                    round(100 * g["agree_share"], 1)
                    for s in scores
                    for g in s["groups"]
                    if g["label"] == label
                ],
            )
            for label in labels
        ]
    else:
        series = [(_("Everyone who answered"), [round(100 * s["agree_share"], 1) for s in scores])]
    chart = charts.grouped(
        title,
        [s["text"] for s in scores],
        series,
        number=local_percent,
        corner=_("Statement"),
        top=100,
    )
    return dataclasses.replace(chart, notes=(_("The bars are the share who agree."),))


def perspectives_section(meeting: Meeting) -> dict[str, Any] | None:
    """Common ground for the report, by ``report_view``'s rules (no ids, no small
    groups); None when the meeting has no perspectives step or nobody answered. The
    analysis the room last saw, as the API gives it."""
    if not perspectives_queries.perspectives_steps(meeting):
        return None
    data = perspectives_ops.current_data(meeting)
    if not data["answers"]:
        return None
    view = perspectives_ops.report_view(data, perspectives_ops.deck(meeting))
    made = (
        shares_chart(_("Common ground"), view["common_ground"]),
        shares_chart(_("Divisive"), view["divisive"]),
    )
    view["charts"] = [chart for chart in made if chart is not None]
    return view


def report_context(meeting: Meeting) -> dict[str, Any]:
    participation = queries.participation(
        meeting, no_area=_("No district given"), no_age=_("No age given")
    )
    return {
        "meeting": meeting,
        "participation": participation,
        "charts": participation_charts(participation),
        "phases": queries.contributions_by_phase(meeting),
        "evidence": theme_evidence(meeting.theme_id),
        "proposals": queries.proposals_with_tally(meeting),
        "statuses": proposal_status_labels(),
        "method": dict(method_choices()).get(meeting.voting_method.value, ""),
        "fewer": _("not shown"),
        "perspectives": perspectives_section(meeting),
        "min_group": perspectives_ops.MIN_GROUP,
    }


@bp.route("/meetings/<int:meeting_id>/report")
@requires(Role.observer)
def report(meeting_id: int) -> str:
    meeting = meeting_ops.get_meeting(meeting_id)
    return render_template("reporting/report.html", **report_context(meeting))


@bp.route("/meetings/<int:meeting_id>/report.pdf")
@requires(Role.observer)
def report_pdf(meeting_id: int) -> Response:
    meeting = meeting_ops.get_meeting(meeting_id)
    body = pdf.meeting_report(report_context(meeting))
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="report-{meeting.id}.pdf"'
    return response


def _public_dialogue(dialogue_id: int) -> Dialogue:
    dialogue = session().get(Dialogue, dialogue_id)
    if dialogue is None or dialogue.is_archived:
        abort(404)
    return dialogue


@bp.route("/d/<int:dialogue_id>")
@public
def dialogue_page(dialogue_id: int) -> str:
    """What the dialogue is about, its themes, its coming meetings and the way to what came
    of it. No login and no personal data."""
    dialogue = _public_dialogue(dialogue_id)
    meetings = public_reads.upcoming_meetings(dialogue)
    feedback = queries.feedback(dialogue)
    return render_template(
        "reporting/dialogue.html",
        dialogue=dialogue,
        outcomes=outcome_charts(dialogue, [i for t in feedback for i in t.items]),
        theme_titles={t.theme.id: t.theme.title for t in feedback},
        themes=meeting_queries.public_themes(dialogue),
        meetings=meetings,
        offered={m.id: public_reads.meeting_languages(m) for m in meetings},
    )


def _ics(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@bp.route("/d/<int:dialogue_id>/calendar.ics")
@public
def dialogue_calendar(dialogue_id: int) -> Response:
    """Every scheduled meeting of the dialogue, past ones too (a subscribed calendar keeps
    them); calendar apps subscribe to this address."""
    dialogue = _public_dialogue(dialogue_id)
    body = calendar(
        dialogue.title,
        meeting_queries.scheduled(dialogue),
        page_url=url_for(".dialogue_page", dialogue_id=dialogue.id, _external=True),
        zone=local_zone(),
    )
    return _ics(body, f"dialogue-{dialogue.id}.ics")


@bp.route("/d/<int:dialogue_id>/meetings/<int:meeting_id>.ics")
@public
def meeting_calendar(dialogue_id: int, meeting_id: int) -> Response:
    """One meeting, to add to a calendar; the same entry (UID) as in the feed."""
    dialogue = _public_dialogue(dialogue_id)
    meeting = next((m for m in meeting_queries.scheduled(dialogue) if m.id == meeting_id), None)
    if meeting is None:
        abort(404)
    body = calendar(
        meeting.title,
        [meeting],
        page_url=url_for(".dialogue_page", dialogue_id=dialogue.id, _external=True),
        zone=local_zone(),
    )
    return _ics(body, f"meeting-{meeting.id}.ics")


@bp.route("/d/<int:dialogue_id>/feedback.atom")
@public
def feedback_feed(dialogue_id: int) -> Response:
    """The feedback page as a feed: an entry per action item, new when its status or its
    public note changes."""
    dialogue = _public_dialogue(dialogue_id)
    statuses = {k.value: str(v) for k, v in STATUS_LABELS.items()}

    def text(entry: public_reads.FeedEntry) -> str:
        item = entry.item
        lines = [f"{_('Status')}: {statuses[item.status.value]}", item.theme.title]
        if item.owner:
            lines.append(f"{_('Who acts')}: {item.owner}")
        if item.due_date:
            lines.append(f"{_('Due date')}: {format_date(item.due_date, 'long')}")
        if item.public_note:
            lines += ["", item.public_note]
        return "\n".join(lines)

    body = atom.feed(
        title=f"{dialogue.title} · {_('You said – we did')}",
        subtitle=_("You said – we did: what came of the dialogues, theme by theme."),
        author=dialogue.title,
        language=current_language(),
        self_url=url_for(".feedback_feed", dialogue_id=dialogue.id, _external=True),
        page_url=url_for(".feedback", dialogue_id=dialogue.id, _external=True),
        created=dialogue.created_at,
        entries=[public_reads.feed_entry(i) for t in queries.feedback(dialogue) for i in t.items],
        entry_text=text,
        statuses=statuses,
    )
    return Response(body, mimetype="application/atom+xml")


@bp.route("/d/<int:dialogue_id>/feedback")
@public
def feedback(dialogue_id: int) -> str:
    """No login and no personal data: themes, initiatives, who acts, how it goes."""
    dialogue = _public_dialogue(dialogue_id)
    themes = queries.feedback(dialogue)
    items = [i for t in themes for i in t.items]
    return render_template(
        "reporting/feedback.html",
        dialogue=dialogue,
        themes=themes,
        progress=progress_chart([t.theme for t in themes], items),
        outcomes=outcome_charts(dialogue, items),
        trails={item.id: trail(item) for entry in themes for item in entry.items},
        statuses={k.value: str(v) for k, v in STATUS_LABELS.items()},
    )


@bp.route("/actions/<int:item_id>")
@requires(Role.observer)
def trail_page(item_id: int) -> str:
    """An action item with its whole chain, for the team."""
    return render_template(
        "reporting/trail.html",
        trail=trail(get_item(item_id)),
        statuses={k.value: str(v) for k, v in STATUS_LABELS.items()},
    )


@bp.route("/dialogues/<int:dialogue_id>/participation")
@requires(Role.observer)
def participation(dialogue_id: int) -> str:
    """Who took part where: the conversations, each meeting and the votes side by side."""
    dialogue = dialogue_ops.get_dialogue(dialogue_id)
    theme_arg = request.args.get("theme", "")
    theme_id = int(theme_arg) if theme_arg.isdigit() else None
    if theme_id is not None and theme_id not in {t.id for t in dialogue.themes}:
        theme_id = None
    channel = request.args.get("channel") or None
    if channel not in {c.value for c in Channel}:
        channel = None
    role = request.args.get("role") or None
    if role not in {r.value for r in SpeakerRole}:
        role = None
    filters = queries.RepresentationFilters(theme_id=theme_id, channel=channel, role=role)
    table = queries.representation(
        dialogue,
        filters,
        labels={
            "conversations": _("Conversations"),
            "all_meetings": _("All meetings"),
            "on_paper": _("On paper"),
            "voted": _("Voted"),
            "no_area": _("Not given"),
            "no_age": _("Not given"),
        },
    )
    by_area, by_age = shares.with_population(dialogue, table, _("Population"))
    return render_template(
        "reporting/participation.html",
        dialogue=dialogue,
        by_area=by_area,
        by_age=by_age,
        charts=[
            charts.grouped(
                title,
                side.labels,
                side.charted(),
                hidden=_("not shown"),
                number=local_percent,
                corner=corner,
            )
            for title, corner, side in (
                (_("Shares by district"), _("District"), by_area),
                (_("Shares by age"), _("Age"), by_age),
            )
        ],
        expected_min=shares.EXPECTED_MIN,
        filters=filters,
        themes=theme_choices(dialogue),
        channels=channel_choices(),
        roles=role_choices()[1:],
        fewer=_("not shown"),
    )
