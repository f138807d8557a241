"""Archive, then purge: the record is complete first, then people are let go of."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import every_word_column, holding, on_disk
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from pdf_text import pdf_text

from facilitate import db as db_module
from facilitate import retention
from facilitate.actions.models import ActionItem
from facilitate.auth.models import User
from facilitate.db import session, word_models
from facilitate.intake.models import Conversation, Note
from facilitate.live import operations as live_ops
from facilitate.live.models import Contribution, Participant
from facilitate.live.views_json import Viewer, ViewerRole
from facilitate.meetings import operations as meeting_ops
from facilitate.proposals.models import Proposal, Vote
from facilitate.retention import months_before

#: Said by Anna, translated, given as the reason it was hidden, and noted at her door.
PHRASE = "Ove på Storgatan 5 slår sin hund"


def age_everything(app: Flask, days: int) -> None:
    """Pretend the meeting happened ``days`` ago."""
    then = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    with app.app_context():
        session().execute(sa.update(Contribution).values(created_at=then))
        session().execute(sa.update(Participant).values(joined_at=then))
        session().execute(sa.update(Proposal).values(created_at=then))
        session().execute(sa.update(Conversation).values(created_at=then))
        session().commit()


def test_months_before_clamps_to_month_end() -> None:
    moment = dt.datetime(2027, 3, 31, 12, tzinfo=dt.UTC)
    assert months_before(moment, 1) == dt.datetime(2027, 2, 28, 12, tzinfo=dt.UTC)
    assert months_before(moment, 24) == dt.datetime(2025, 3, 31, 12, tzinfo=dt.UTC)
    assert months_before(moment, 15).month == 12


def test_dialogue_archive_writes_json_and_pdf(
    runner: FlaskCliRunner, agreed: dict[str, int], tmp_path: Path
) -> None:
    result = runner.invoke(
        args=["dialogue", "archive", str(agreed["dialogue"]), "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    json_path, pdf_path = (Path(line) for line in result.output.split())
    data = json.loads(json_path.read_text())
    (meeting,) = data["meetings"]
    assert [c["text"] for c in meeting["contributions"]] == ["Det är mörkt vid skolan"]
    assert meeting["participants"][0]["name"] == "Anna"
    assert data["actions"][0]["title"] == "Belys skolvägen"
    assert "votes" not in json.dumps(meeting)  # who voted what is never archived
    assert "Det är mörkt vid skolan" in pdf_text(pdf_path.read_bytes())


def test_dialogue_purge_keeps_aggregates_and_action_list(
    app: Flask, runner: FlaskCliRunner, agreed: dict[str, int]
) -> None:
    fresh = runner.invoke(args=["dialogue", "purge", str(agreed["dialogue"])])
    assert "Purged 0 contributions, 0 participants" in fresh.output  # all still recent
    age_everything(app, days=3 * 366)  # older than the default 24 months
    result = runner.invoke(args=["dialogue", "purge", str(agreed["dialogue"])])
    assert result.exit_code == 0, result.output
    assert "Purged 1 contributions, 1 participants" in result.output
    with app.app_context():
        (said,) = session().scalars(sa.select(Contribution))
        assert (said.text, said.participant_id) == ("", None)
        (person,) = session().scalars(sa.select(Participant))
        assert person.display_name == ""
        assert person.area is not None  # districts and ages stay, for the figures
        assert session().scalar(sa.select(sa.func.count(Vote.id))) == 1  # the tally stays
        assert session().scalar(sa.select(sa.func.count(ActionItem.id))) == 1
        assert session().scalar(sa.select(Proposal.participant_id)) is None


def test_purged_words_leave_reports_and_action_list_clean(
    app: Flask,
    runner: FlaskCliRunner,
    agreed: dict[str, int],
    client: FlaskClient,
    facilitator: User,
) -> None:
    age_everything(app, days=3 * 366)
    runner.invoke(args=["dialogue", "purge", str(agreed["dialogue"])])
    report = client.get(f"/meetings/{agreed['meeting']}/report").get_data(as_text=True)
    assert '<li><span dir="auto"></span>' not in report
    (item,) = (
        client.get(f"/dialogues/{agreed['dialogue']}/actions")
        .get_data(as_text=True)
        .split("Belys skolvägen")[1:2]
    )
    assert "What was said" not in item


@pytest.fixture
def said(
    app: Flask, client: FlaskClient, facilitator: User, agreed: dict[str, int]
) -> dict[str, int]:
    """``agreed``, with PHRASE in every column that holds residents' words: by Anna, then
    by staff."""
    with app.app_context():
        meeting = meeting_ops.get_meeting(agreed["meeting"])
        anna = session().scalars(sa.select(Participant)).one()
        phone = Viewer(meeting.id, ViewerRole.participant, participant_id=anna.id)
        said = live_ops.add_contribution(meeting, phone, anna, PHRASE)
        live_ops.translate_contribution(meeting, said.id, PHRASE, "en")
        live_ops.hide_contribution(meeting, said.id, PHRASE)
        session().commit()
    response = client.post(
        f"/dialogues/{agreed['dialogue']}/conversations/new",
        data={"held_on": "2021-02-01", "channel": "door", "notes": PHRASE},
    )
    assert response.status_code == 302
    assert holding(app, PHRASE) == every_word_column()
    return agreed


def purged(app: Flask, runner: FlaskCliRunner, dialogue: int) -> str:
    """Purge once everything is older than the retention period; the command's output."""
    age_everything(app, days=3 * 366)
    result = runner.invoke(args=["dialogue", "purge", str(dialogue)])
    assert result.exit_code == 0, result.output
    assert holding(app, PHRASE) == set()
    return result.output


def test_dialogue_purge_clears_every_copy_of_residents_words_from_the_files_too(
    app: Flask, runner: FlaskCliRunner, said: dict[str, int]
) -> None:
    assert on_disk(app, PHRASE)  # the byte search sees them while they are kept
    output = purged(app, runner, said["dialogue"])
    # Not even in the database's files: in the WAL, or in a page's free space.
    assert on_disk(app, PHRASE) == []
    assert "Purged 2 contributions, 1 participants" in output
    assert "1 conversation notes, 0 e-mail addresses older than 24 months" in output
    with app.app_context():
        conversation = session().scalars(sa.select(Conversation)).one()
        assert [note.text for note in conversation.notes] == [""]  # counted still, unsaid


def test_dialogue_purge_run_again_rewrites_nothing(
    app: Flask, runner: FlaskCliRunner, said: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    scrubbed: list[dict[str, bool]] = []
    monkeypatch.setattr(db_module, "scrub", lambda _, tables: scrubbed.append(tables))
    purged(app, runner, said["dialogue"])
    assert scrubbed == [{"contributions": True, "notes": True, "participants": True}]
    again = runner.invoke(args=["dialogue", "purge", str(said["dialogue"])])
    assert "Purged 0 contributions, 1 participants" in again.output  # new token hashes
    assert len(scrubbed) == 1  # nothing said or named was left to push off the disk


def test_dialogue_purge_refuses_a_model_with_words_it_cannot_date(
    runner: FlaskCliRunner, agreed: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert set(word_models()) <= set(retention.OLDER)
    monkeypatch.delitem(retention.OLDER, Note)
    result = runner.invoke(args=["dialogue", "purge", str(agreed["dialogue"])])
    assert result.exit_code == 1
    assert isinstance(result.exception, LookupError)
    assert "Note" in str(result.exception)


def test_dialogue_commands_unknown_id_fail(runner: FlaskCliRunner) -> None:
    for command in ("archive", "purge"):
        result = runner.invoke(args=["dialogue", command, "999"])
        assert result.exit_code == 1
        assert "No dialogue with the id 999." in result.output
