"""Archive, then purge: the record is complete first, then people are let go of."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from pdf_text import pdf_text

from facilitate.actions.models import ActionItem
from facilitate.auth.models import User
from facilitate.db import session
from facilitate.live.models import Contribution, Participant
from facilitate.proposals.models import Proposal, Vote
from facilitate.retention import months_before


def age_everything(app: Flask, days: int) -> None:
    """Pretend the meeting happened ``days`` ago."""
    then = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    with app.app_context():
        session().execute(sa.update(Contribution).values(created_at=then))
        session().execute(sa.update(Participant).values(joined_at=then))
        session().execute(sa.update(Proposal).values(created_at=then))
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


def test_dialogue_commands_unknown_id_fail(runner: FlaskCliRunner) -> None:
    for command in ("archive", "purge"):
        result = runner.invoke(args=["dialogue", command, "999"])
        assert result.exit_code == 1
        assert "No dialogue with the id 999." in result.output
