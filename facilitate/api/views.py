"""JSON API v1: dialogues, themes and meetings for scripts and integrations.

Every view takes a bearer token (see ``auth``); bodies are checked against the
models in ``schemas`` and then by the same operations the pages use. Errors are
``{"error": {"code", "message", "field"?}}`` throughout.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from apiflask import APIBlueprint
from apiflask.exceptions import HTTPError
from apiflask.schemas import FileSchema
from flask import jsonify, request
from flask_babel import lazy_gettext as _l
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wrappers import Response

from facilitate.actions import downloads
from facilitate.actions import operations as action_ops
from facilitate.actions.models import ActionItem
from facilitate.auth.models import Role
from facilitate.auth.permissions import public
from facilitate.baseline import operations as baseline_ops
from facilitate.db import rollback, session
from facilitate.dialogues import operations as dialogue_ops
from facilitate.dialogues.models import Dialogue, Theme
from facilitate.errors import DomainError, NotFound, ValidationError
from facilitate.intake import operations as intake_ops
from facilitate.intake.models import Conversation, Note
from facilitate.live import participants
from facilitate.live.join_limits import count_failure
from facilitate.meetings import operations as meeting_ops
from facilitate.meetings.links import join_url
from facilitate.meetings.models import Meeting
from facilitate.perspectives import operations as perspectives_ops
from facilitate.perspectives import views as perspectives_views
from facilitate.proposals import operations as proposal_ops
from facilitate.reporting.trail import trail, trail_json

from .auth import current_api_user_id, current_participant, token_or_participant, token_required
from .schemas import (
    ActionOut,
    ActionPatch,
    ActionRef,
    AreaOut,
    CommonGroundOut,
    ConversationIn,
    ConversationOut,
    ConversationPatch,
    DialogueIn,
    DialogueOut,
    ImportOut,
    JoinIn,
    JoinOut,
    MeetingIn,
    MeetingOut,
    MeetingPatch,
    NoteOut,
    NoteThemesIn,
    NoteTrailOut,
    PhaseOut,
    PolisImportOut,
    ProposalOut,
    ThemeIn,
    ThemeOut,
    ThemeRef,
    TrailOut,
    VotingOut,
)

bp = APIBlueprint("api", __name__, url_prefix="/api/v1", tag="API v1")


#: Error responses of the views that take a body, besides the generated 401, 404 and 422.
WRITE_ERRORS = {
    400: "The body is not JSON.",
    403: "The token's role is too low for this.",
    415: "The body is sent under a `Content-Type` other than `application/json` "
    "(a `charset=utf-8` parameter is allowed; JSON is UTF-8).",
}


class UnsupportedMediaType(DomainError):
    status = 415
    code = "unsupported_media_type"


def check_json_type() -> None:
    """Refuse a body that does not say it is JSON (415).

    The type is the client's statement of what it sends: read as JSON whatever it says, a
    form post or an uploaded file that happens to parse would be taken as meant, and a
    client sending the wrong type would only find out from a proxy that goes by it. JSON
    is always UTF-8 (RFC 8259), so another charset would be misread: refused too.
    """
    if not request.get_data(cache=True):
        return  # nothing to read: the view's own check answers 400
    params = {key.lower(): value.lower() for key, value in request.mimetype_params.items()}
    if request.mimetype != "application/json" or params not in ({}, {"charset": "utf-8"}):
        raise UnsupportedMediaType(
            _l("Send the body as JSON, with the header Content-Type: application/json.")
        )


@bp.errorhandler(HTTPError)
def _http_error(error: HTTPError) -> tuple[Response, int]:
    """Request validation errors (and any other APIFlask error) in the API's error shape."""
    rollback()
    status = error.status_code
    body: dict[str, Any] = {
        "code": HTTP_STATUS_CODES.get(status, "error").lower().replace(" ", "_"),
        "message": error.message or HTTP_STATUS_CODES.get(status, "Error"),
    }
    if status == 422:
        # detail is {location: {"field.path": [messages]}}; report the first problem
        problems = [item for fields in (error.detail or {}).values() for item in fields.items()]
        body["code"] = ValidationError.code
        if problems:
            field, messages = problems[0]
            body["message"] = "; ".join(m.removeprefix("Value error, ") for m in messages)
            if field != "_schema":  # the body as a whole, e.g. not an object
                body["field"] = field
    return jsonify({"error": body}), status


F = TypeVar("F", bound=Callable[..., Any])


def json_object(view: F) -> F:
    """Refuse a body under another type than JSON (415) and a JSON body that is not an
    object (422), under the token check and above ``bp.input``.

    APIFlask reads a ``null`` body as ``{}``, so a PATCH of ``null`` would change nothing
    and answer 200; other non-objects get this message rather than Pydantic's untranslated
    one.
    """

    @functools.wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        check_json_type()
        # A body that is not JSON at all raises the documented 400 right here.
        if not isinstance(request.get_json(force=True), dict):
            raise ValidationError(_l("Send the body as a JSON object."))
        return view(*args, **kwargs)

    return cast(F, checked)


# -- serialisation -------------------------------------------------------------------------


def theme_out(theme: Theme) -> ThemeOut:
    return ThemeOut(
        id=theme.id,
        dialogue_id=theme.dialogue_id,
        title=theme.title,
        description=theme.description,
        position=theme.position,
        status=theme.status.value,
        is_archived=theme.is_archived,
    )


def dialogue_out(dialogue: Dialogue) -> DialogueOut:
    areas = sorted((a for a in dialogue.areas if not a.is_archived), key=lambda a: a.name)
    return DialogueOut(
        id=dialogue.id,
        title=dialogue.title,
        description=dialogue.description,
        period_start=dialogue.period_start,
        period_end=dialogue.period_end,
        action_deadline=dialogue.action_deadline,
        retention_months=dialogue.retention_months,
        status=dialogue.status.value,
        areas=[AreaOut(id=a.id, name=a.name) for a in areas],
        themes=[theme_out(t) for t in sorted(dialogue.themes, key=lambda t: t.position)],
    )


def meeting_out(meeting: Meeting) -> MeetingOut:
    return MeetingOut(
        id=meeting.id,
        theme_id=meeting.theme_id,
        title=meeting.title,
        # as stored (UTC), also right after creation, when it still holds the given offset
        starts_at=None if meeting.starts_at is None else meeting.starts_at.astimezone(dt.UTC),
        place=meeting.place,
        is_digital=meeting.is_digital,
        video_url=meeting.video_url,
        intro=meeting.intro,
        intro_translations=dict(meeting.intro_translations),
        status=meeting.status.value,
        join_code=meeting.join_code,
        join_url=join_url(meeting),
        agenda=[
            PhaseOut(
                id=p.id,
                position=p.position,
                title=p.title,
                title_translations=dict(p.title_translations),
                prompt=p.prompt,
                prompt_translations=dict(p.prompt_translations),
                minutes=p.minutes,
                kind=p.kind.value,
            )
            for p in sorted(meeting.phases, key=lambda p: p.position)
        ],
        voting=VotingOut(
            method=meeting.voting_method.value,
            dots=meeting.voting_dots,
            cap=meeting.voting_cap,
            results=meeting.voting_results.value,
        ),
        premoderation=meeting.premoderation,
    )


# -- dialogues and themes ------------------------------------------------------------------


@bp.get("/dialogues")
@token_required(bp, Role.observer)
@bp.output(list[DialogueOut])  # type: ignore[arg-type]  # APIFlask takes list[Model]
def list_dialogues() -> list[DialogueOut]:
    """All dialogues, with their districts and themes

    Archived dialogues are included; see `status`.
    """
    dialogues = session().scalars(sa.select(Dialogue).order_by(Dialogue.id))
    return [dialogue_out(d) for d in dialogues]


@bp.post("/dialogues")
@token_required(bp, Role.facilitator)
@json_object
@bp.input(DialogueIn)
@bp.output(DialogueOut, status_code=201)
@bp.doc(responses=WRITE_ERRORS)
def create_dialogue(json_data: DialogueIn) -> DialogueOut:
    """Create a dialogue with its districts"""
    dialogue = dialogue_ops.create_dialogue(
        json_data.title,
        description=json_data.description,
        period_start=json_data.period_start,
        period_end=json_data.period_end,
        action_deadline=json_data.action_deadline,
        retention_months=json_data.retention_months,
        areas=json_data.areas,
    )
    return dialogue_out(dialogue)


@bp.post("/dialogues/<int:dialogue_id>/themes")
@token_required(bp, Role.facilitator)
@json_object
@bp.input(ThemeIn)
@bp.output(ThemeOut, status_code=201)
@bp.doc(responses=WRITE_ERRORS)
def create_theme(dialogue_id: int, json_data: ThemeIn) -> ThemeOut:
    """Add a theme at the end of a dialogue's themes"""
    dialogue = dialogue_ops.get_dialogue(dialogue_id)
    theme = dialogue_ops.create_theme(dialogue, json_data.title, description=json_data.description)
    return theme_out(theme)


# -- meetings ------------------------------------------------------------------------------


@bp.post("/themes/<int:theme_id>/meetings")
@token_required(bp, Role.facilitator)
@json_object
@bp.input(MeetingIn)
@bp.output(MeetingOut, status_code=201)
@bp.doc(responses=WRITE_ERRORS)
def create_meeting(theme_id: int, json_data: MeetingIn) -> MeetingOut:
    """Plan a meeting on a theme

    The agenda comes from `agenda` if given, else from `template` (or the default
    template); giving both is refused. The meeting starts as a draft.
    """
    theme = dialogue_ops.get_theme(theme_id)
    if json_data.template is not None and json_data.agenda is not None:
        raise ValidationError(_l("Give either a template or an agenda, not both."), field="agenda")
    voting = json_data.voting
    meeting = meeting_ops.create_meeting(
        theme,
        json_data.title,
        starts_at=json_data.starts_at,
        place=json_data.place,
        is_digital=json_data.is_digital,
        video_url=json_data.video_url,
        intro=json_data.intro,
        intro_translations=json_data.intro_translations,
        template=json_data.template,
        agenda=None
        if json_data.agenda is None
        else [
            meeting_ops.PhaseSpec(**p.model_dump())  # the same fields, by design
            for p in json_data.agenda
        ],
        voting=None
        if voting is None
        else meeting_ops.VotingSpec(
            method=voting.method, dots=voting.dots, cap=voting.cap, results=voting.results
        ),
        premoderation=json_data.premoderation,
    )
    return meeting_out(meeting)


@bp.get("/meetings/<int:meeting_id>")
@token_required(bp, Role.observer)
@bp.output(MeetingOut)
def get_meeting(meeting_id: int) -> MeetingOut:
    """A meeting with its agenda, voting settings and join link"""
    return meeting_out(meeting_ops.get_meeting(meeting_id))


# -- joining -------------------------------------------------------------------------------


@bp.post("/join")
@public
@json_object
@bp.input(JoinIn)
@bp.output(JoinOut, status_code=201)
@bp.doc(
    responses={
        400: WRITE_ERRORS[400],
        415: WRITE_ERRORS[415],
        404: "No open meeting has this code (unknown, malformed, draft or closed).",
        409: "The meeting is full (`meeting_full`).",
        429: "Too many failed joins from this address; successful joins are never limited so.",
    },
)
def join(json_data: JoinIn) -> JoinOut:
    """Join an open meeting as a resident: no account, a participant token instead"""
    try:
        meeting = participants.meeting_for_code(json_data.join_code)
    except NotFound:
        count_failure()
        raise
    participant, token = participants.join(
        meeting,
        display_name=json_data.display_name,
        area=json_data.area,
        age_band=json_data.age_band,
    )
    return JoinOut(participant_token=token, meeting_id=participant.meeting_id)


# -- meeting changes, proposals and the action list ----------------------------------------


@bp.patch("/meetings/<int:meeting_id>")
@token_required(bp, Role.facilitator)
@json_object
@bp.input(MeetingPatch)
@bp.output(MeetingOut)
@bp.doc(responses={**WRITE_ERRORS, 409: "`voting` is given and a vote has opened."})
def update_meeting(meeting_id: int, json_data: MeetingPatch) -> MeetingOut:
    """Change a meeting's details or its voting settings

    Only the fields given change. The voting settings can change until the first vote
    opens. A refusal changes nothing, also of the fields that were fine.
    """
    meeting = meeting_ops.get_meeting(meeting_id)
    patch = json_data
    if patch.model_fields_set - {"voting"}:
        # The edit page's operation with the current values for what is not given, so
        # the API checks exactly what the page checks.
        meeting_ops.update_meeting(
            meeting,
            title=meeting.title if patch.title is None else patch.title,
            starts_at=patch.starts_at
            if "starts_at" in patch.model_fields_set
            else meeting.starts_at,
            place=meeting.place if patch.place is None else patch.place,
            is_digital=meeting.is_digital if patch.is_digital is None else patch.is_digital,
            video_url=patch.video_url,
            intro=patch.intro,
            intro_translations=patch.intro_translations,
            premoderation=patch.premoderation,
        )
    if patch.voting is not None:
        voting = patch.voting
        spec = meeting_ops.VotingSpec(
            method=voting.method, dots=voting.dots, cap=voting.cap, results=voting.results
        )
        meeting_ops.set_voting(meeting, spec)
    return meeting_out(meeting)


@bp.get("/meetings/<int:meeting_id>/proposals")
@token_or_participant(bp)
@bp.output(list[ProposalOut])  # type: ignore[arg-type]  # APIFlask takes list[Model]
def list_proposals(meeting_id: int) -> list[ProposalOut]:
    """A meeting's proposals (merged ones left out), each with its tally.

    Staff tokens always get the counts. A participant token of this meeting gets them
    once results are public (live results, or after the vote closed); `null` before.
    """
    meeting = meeting_ops.get_meeting(meeting_id)
    resident = current_participant()
    if resident is not None and resident.meeting_id != meeting.id:
        raise NotFound(_l("No such meeting."))
    counts = (
        proposal_ops.staff_tally(meeting)
        if resident is None
        else proposal_ops.public_tally(meeting)
    )
    by_id = counts["proposals"] if counts is not None else {}
    return [
        ProposalOut(**proposal_ops.proposal_json(p), tally=by_id.get(str(p.id)))
        for p in proposal_ops.visible_proposals(meeting)
    ]


@bp.get("/meetings/<int:meeting_id>/common-ground")
@token_required(bp, Role.observer)
@bp.output(CommonGroundOut)
def common_ground(meeting_id: int) -> CommonGroundOut:
    """A meeting's perspectives: opinion groups with their members, common ground, what
    sets each group apart, divisive statements (staff only).

    The analysis the room last saw (recomputed at most every few seconds while answers
    come); analysed now when there is none yet.
    """
    meeting = meeting_ops.get_meeting(meeting_id)
    view = perspectives_ops.staff_view(
        perspectives_ops.current_data(meeting), perspectives_ops.deck(meeting)
    )
    view.pop("dots")
    return CommonGroundOut(**view)


#: The Pol.is import takes two files (multipart/form-data); ``facilitate.api`` documents it.
POLIS_IMPORT = "/api/v1/meetings/{meeting_id}/polis-import"


@bp.post("/meetings/<int:meeting_id>/polis-import")
@token_required(bp, Role.facilitator)
@bp.output(PolisImportOut, status_code=201)
@bp.doc(
    responses={
        403: "The token's role is too low for this.",
        409: "The meeting has no perspectives step (`no_perspectives_step`), already holds "
        "an imported conversation (`already_imported`), or is archived.",
        413: "The request is larger than both files may be together.",
        415: "The body is not `multipart/form-data`.",
        422: "The files are refused and nothing was imported: a file too large or missing, "
        "not UTF-8, a header without the needed columns, or bad lines (each listed in "
        "`problems` with its file, line number and the reason), e.g. a vote other than "
        "1, -1 or 0, or on a comment-id that comments.csv lacks.",
    }
)
def polis_import(meeting_id: int) -> PolisImportOut:
    """Import a Pol.is conversation into the meeting's perspectives step

    The files of Pol.is's open data (`comments.csv`, `votes.csv`). Comments become the
    step's statements (moderated out, `-1`: hidden), voters become anonymous participants
    marked as imported (never counted as joined), and each voter's last vote per comment
    an answer. The room's analysis is made again at once. The meeting need not be open.
    """
    perspectives_views.allow_upload()
    meeting = meeting_ops.get_meeting(meeting_id)
    if request.mimetype != "multipart/form-data":
        raise UnsupportedMediaType(
            _l("Send the files as multipart/form-data, in the fields comments and votes.")
        )
    step = perspectives_views.step_of(meeting, request.form.get("step"))
    perspectives_ops.import_step(meeting, step)
    made = perspectives_ops.import_polis(meeting, perspectives_views.read_upload(), step=step)
    perspectives_views.log_import(meeting, made)
    return PolisImportOut(
        meeting_id=meeting.id,
        statements=made.statements,
        votes=made.votes,
        participants={str(voter): pid for voter, pid in made.participants.items()},
    )


@bp.get("/meetings/<int:meeting_id>/polis-export.zip")
@token_required(bp, Role.observer)
@bp.output(
    FileSchema(),
    content_type="application/zip",
    description="`comments.csv` and `votes.csv` as in Pol.is's open data.",
)
def polis_export(meeting_id: int) -> Response:
    """A meeting's statements and answers in Pol.is's open-data format

    Only the statements of its perspectives steps and the answers to them. Comments are
    numbered from 0 in the order written, voters from 0 in the order they joined: no ids
    of ours, no names. A statement the room did not see is `moderated` -1, without its
    words.
    """
    return perspectives_views.export_response(meeting_ops.get_meeting(meeting_id))


@bp.get("/dialogues/<int:dialogue_id>/actions")
@token_required(bp, Role.observer)
@bp.output(list[ActionOut])  # type: ignore[arg-type]  # APIFlask takes list[Model]
def list_actions(dialogue_id: int) -> list[ActionOut]:
    """A dialogue's action items, by due date, each traceable to its meeting and sources"""
    dialogue = dialogue_ops.get_dialogue(dialogue_id)
    return [ActionOut(**action_ops.item_json(i)) for i in action_ops.list_items(dialogue)]


@bp.patch("/actions/<int:action_id>")
@token_required(bp, Role.facilitator)
@json_object
@bp.input(ActionPatch)
@bp.output(ActionOut)
@bp.doc(responses=WRITE_ERRORS)
def update_action(action_id: int, json_data: ActionPatch) -> ActionOut:
    """Change an action item: owner, contact, due date, status, next step, public note"""
    item = action_ops.get_item(action_id)
    given = json_data.model_fields_set
    changes = action_ops.ItemChanges(
        title=json_data.title,
        description=json_data.description,
        owner=json_data.owner,
        contact=json_data.contact,
        due_date=json_data.due_date,
        clear_due_date="due_date" in given and json_data.due_date is None,
        status=json_data.status,
        next_step=json_data.next_step,
        public_note=json_data.public_note,
    )
    action_ops.update_item(item, changes, user_id=current_api_user_id())
    return ActionOut(**action_ops.item_json(item))


@bp.get("/actions/<int:action_id>/trail")
@token_required(bp, Role.observer)
@bp.output(TrailOut)
def action_trail(action_id: int) -> TrailOut:
    """The whole chain behind an action item

    From the notes of the first conversations (counts and marked quotes) through the
    theme, its meetings, the contributions, the proposal, the vote and the decision to
    every status change. Nothing personal: the public feedback page shows the same.
    """
    return TrailOut(**trail_json(trail(action_ops.get_item(action_id))))


# -- intake --------------------------------------------------------------------------------


def note_out(note: Note) -> NoteOut:
    return NoteOut(
        id=note.id,
        text=note.text,
        theme_ids=note.theme_ids,
        representative_in=[link.theme_id for link in note.links if link.representative],
    )


def conversation_out(conversation: Conversation) -> ConversationOut:
    return ConversationOut(
        id=conversation.id,
        dialogue_id=conversation.dialogue_id,
        date=conversation.held_on,
        channel=conversation.channel.value,
        area=conversation.area.name if conversation.area is not None else None,
        age_band=conversation.age_band.value if conversation.age_band is not None else None,
        role=conversation.role.value if conversation.role is not None else None,
        notes=[note_out(n) for n in conversation.notes],
    )


@bp.post("/dialogues/<int:dialogue_id>/conversations")
@token_required(bp, Role.facilitator)
@json_object
@bp.input(ConversationIn)
@bp.output(ConversationOut, status_code=201)
@bp.doc(responses={**WRITE_ERRORS, 409: "The dialogue is archived."})
def create_conversation(dialogue_id: int, json_data: ConversationIn) -> ConversationOut:
    """Record a conversation of the first phase with its notes

    An unknown channel, district, age band or theme is refused with 422 and nothing
    is stored.
    """
    dialogue = dialogue_ops.get_dialogue(dialogue_id)
    conversation = intake_ops.record_conversation(
        dialogue,
        intake_ops.ConversationSpec(
            held_on=json_data.date,
            channel=json_data.channel,
            area=json_data.area,
            age_band=json_data.age_band,
            role=json_data.role,
            notes=json_data.notes,
            theme_ids=json_data.theme_ids,
        ),
        user_id=current_api_user_id(),
    )
    return conversation_out(conversation)


@bp.patch("/conversations/<int:conversation_id>")
@token_required(bp, Role.facilitator)
@json_object
@bp.input(ConversationPatch)
@bp.output(ConversationOut)
@bp.doc(responses={**WRITE_ERRORS, 409: "The dialogue is archived."})
def update_conversation(conversation_id: int, json_data: ConversationPatch) -> ConversationOut:
    """Correct a recorded conversation: its details and its notes' texts

    Only the fields given change, and every note keeps its themes. The checks are those of
    recording one; a refusal (422) changes nothing, also of the fields that were fine.
    """
    conversation = intake_ops.get_conversation(conversation_id)
    given = json_data.model_fields_set
    band, role = conversation.age_band, conversation.role
    notes = json_data.notes or []
    intake_ops.update_conversation(
        conversation,
        intake_ops.ConversationChanges(
            # The edit page's operation with the current values for what is not given.
            held_on=json_data.date if "date" in given else conversation.held_on,
            channel=json_data.channel if "channel" in given else conversation.channel.value,
            area_id=None if "area" in given else conversation.area_id,
            area=json_data.area,
            age_band=json_data.age_band if "age_band" in given else band and band.value,
            role=json_data.role if "role" in given else role and role.value,
            texts={note.id: note.text for note in notes if note.id is not None},
            new_notes=[note.text for note in notes if note.id is None],
        ),
    )
    return conversation_out(conversation)


@bp.get("/dialogues/<int:dialogue_id>/conversations")
@token_required(bp, Role.observer)
@bp.output(list[ConversationOut])  # type: ignore[arg-type]  # APIFlask takes list[Model]
def list_conversations(dialogue_id: int) -> list[ConversationOut]:
    """A dialogue's conversations with their notes, newest first"""
    dialogue = dialogue_ops.get_dialogue(dialogue_id)
    return [conversation_out(c) for c in intake_ops.list_conversations(dialogue)]


@bp.get("/notes/<int:note_id>")
@token_required(bp, Role.observer)
@bp.output(NoteTrailOut)
def get_note(note_id: int) -> NoteTrailOut:
    """A note, its themes, and the action items those themes led to"""
    note = intake_ops.get_note(note_id)
    theme_ids = note.theme_ids
    themes = [dialogue_ops.get_theme(t) for t in theme_ids]
    items = session().scalars(
        sa.select(ActionItem).where(ActionItem.theme_id.in_(theme_ids)).order_by(ActionItem.id)
    )
    return NoteTrailOut(
        note=note_out(note),
        conversation_id=note.conversation_id,
        themes=[ThemeRef(id=t.id, title=t.title) for t in themes],
        actions=[ActionRef(id=i.id, title=i.title, status=i.status.value) for i in items],
    )


@bp.put("/notes/<int:note_id>/themes")
@token_required(bp, Role.facilitator)
@json_object
@bp.input(NoteThemesIn)
@bp.output(NoteOut)
@bp.doc(responses=WRITE_ERRORS)
def set_note_themes(note_id: int, json_data: NoteThemesIn) -> NoteOut:
    """Set the themes a note supports; a theme it keeps keeps its quote mark"""
    note = intake_ops.get_note(note_id)
    intake_ops.set_note_themes(note, json_data.theme_ids)
    return note_out(note)


def _actions_file(dialogue_id: int, fmt: str) -> Response:
    dialogue = dialogue_ops.get_dialogue(dialogue_id)
    return downloads.download(dialogue, action_ops.Filters(), fmt)


@bp.get("/dialogues/<int:dialogue_id>/actions.csv")
@token_required(bp, Role.observer)
@bp.output(FileSchema(), content_type="text/csv", description="UTF-8 with BOM, `;`-separated.")
def actions_csv(dialogue_id: int) -> Response:
    """The action list for spreadsheets (formulas neutralised)"""
    return _actions_file(dialogue_id, "csv")


@bp.get("/dialogues/<int:dialogue_id>/actions.xlsx")
@token_required(bp, Role.observer)
@bp.output(FileSchema(), content_type=downloads.MIMETYPES["xlsx"])
def actions_xlsx(dialogue_id: int) -> Response:
    """The action list as an Excel workbook with typed columns and filters"""
    return _actions_file(dialogue_id, "xlsx")


@bp.get("/dialogues/<int:dialogue_id>/actions.pdf")
@token_required(bp, Role.observer)
@bp.output(FileSchema(), content_type="application/pdf")
def actions_pdf(dialogue_id: int) -> Response:
    """The action list to print, grouped by theme"""
    return _actions_file(dialogue_id, "pdf")


# -- the population and outcome indicators ------------------------------------------------

#: The operations that take a file (multipart/form-data, the field ``file``): the document
#: gets their request body from ``facilitate.api`` (APIFlask describes JSON bodies only).
UPLOADS = {
    "/api/v1/dialogues/{dialogue_id}/population",
    "/api/v1/dialogues/{dialogue_id}/indicators",
}
UPLOAD_ERRORS = {
    403: "The token's role is too low for this.",
    409: "The dialogue is archived.",
    415: "The body is not `multipart/form-data`.",
    422: "The file is refused and nothing was imported: not CSV or XLSX, a wrong header "
    "row, or bad lines (each listed in `problems` with its line number and the reason).",
}


def _upload() -> tuple[str, bytes]:
    if request.mimetype != "multipart/form-data":
        raise UnsupportedMediaType(
            _l("Send the file as multipart/form-data, in the field named file.")
        )
    upload = request.files.get("file")
    if upload is None:
        raise ValidationError(_l("Send the file in the field named file."), field="file")
    return upload.filename or "", upload.read()


@bp.post("/dialogues/<int:dialogue_id>/population")
@token_required(bp, Role.facilitator)
@bp.output(ImportOut, status_code=201)
@bp.doc(responses=UPLOAD_ERRORS)
def import_population(dialogue_id: int) -> ImportOut:
    """Import the residents per district and age band (CSV or XLSX)

    Columns `district`, `age_band`, `count`, and optionally `year` and `source`. Age bands
    that fit inside ours (`0-15 år`, `25-29`, `65+`) are counted there, others refused;
    rows of one district and band are added up. A new import replaces the earlier one.
    """
    dialogue = dialogue_ops.get_dialogue(dialogue_id)
    result = baseline_ops.import_population(dialogue, *_upload())
    return ImportOut(rows=result.rows, replaced=result.before)


@bp.post("/dialogues/<int:dialogue_id>/indicators")
@token_required(bp, Role.facilitator)
@bp.output(ImportOut, status_code=201)
@bp.doc(responses=UPLOAD_ERRORS)
def import_indicators(dialogue_id: int) -> ImportOut:
    """Import outcome indicators by district and year (CSV or XLSX)

    Columns `indicator`, `district` (empty for the whole town), `year`, `value`, and
    optionally `theme` (its number or title) and `source`. A new import replaces the
    earlier one.
    """
    dialogue = dialogue_ops.get_dialogue(dialogue_id)
    result = baseline_ops.import_indicators(dialogue, *_upload())
    return ImportOut(rows=result.rows, replaced=result.before)
