"""Who is in the room: conversations, meetings and votes side by side, suppressed after
every filter (property-based over random people and filter combinations)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facilitate.auth.models import User
from facilitate.db import session
from facilitate.dialogues import operations as dialogue_ops
from facilitate.dialogues.models import Dialogue
from facilitate.intake import operations as intake_ops
from facilitate.live import operations as live_ops
from facilitate.live import participants
from facilitate.live.views_json import Viewer, ViewerRole
from facilitate.meetings import operations as meeting_ops
from facilitate.meetings.models import Meeting, MeetingStatus
from facilitate.proposals import operations as proposal_ops
from facilitate.proposals.models import Vote
from facilitate.suppression import SMALL_GROUP

AREAS = ["Fröslunda", "Myrtorp", "Lagersberg"]
BANDS = ["16-19", "30-44", "65-"]
person = st.tuples(st.sampled_from([*AREAS, None]), st.sampled_from([*BANDS, None]))


def _setup(app: Flask) -> dict[str, int]:
    with app.app_context():
        dialogue = dialogue_ops.create_dialogue("Trygghet", areas=AREAS)
        light = dialogue_ops.create_theme(dialogue, "Belysning")
        work = dialogue_ops.create_theme(dialogue, "Arbete")
        session().commit()
        return {"dialogue": dialogue.id, "light": light.id, "work": work.id}


def _fill(
    app: Flask,
    ids: dict[str, int],
    talks: list[tuple[str | None, str | None]],
    joins: list[tuple[str | None, str | None]],
    voters: int,
) -> None:
    with app.app_context():
        dialogue = session().get(Dialogue, ids["dialogue"])
        assert dialogue is not None
        for n, (area, band) in enumerate(talks):
            intake_ops.record_conversation(
                dialogue,
                intake_ops.ConversationSpec(
                    held_on=dt.date(2021, 3, 1),
                    channel="street" if n % 2 else "door",
                    area=area,
                    age_band=band,
                    role="resident" if n % 3 else "staff",
                    notes=[f"Anteckning {n}"],
                    theme_ids=[ids["light"] if n % 2 else ids["work"]],
                ),
                user_id=None,
            )
        theme = dialogue_ops.get_theme(ids["light"])
        meeting = meeting_ops.create_meeting(theme, "Kväll", template="in_depth_90")
        meeting_ops.set_voting(
            meeting, meeting_ops.VotingSpec(method="approval", dots=None, cap=None, results=None)
        )
        meeting.status = MeetingStatus.open
        people = [participants.join(meeting, area=a, age_band=b)[0] for a, b in joins]
        if people:
            staff = Viewer(meeting.id, ViewerRole.facilitator)
            proposal = proposal_ops.add_proposal(meeting, staff, None, "Fler lampor")
            proposal_ops.open_voting(meeting)
            for resident in people[:voters]:
                proposal_ops.vote(resident.id, proposal.id, 1)
        session().commit()


#: A count (or "not shown"), then its share and the under-representation mark, if any.
CELL = re.compile(
    r"<td(?: class=\"under\")?>"
    r"(?:<span class=\"muted\">([^<]+)</span>|<strong>(\d+)</strong>|(\d+))"
    r"(?:\s*<small[^>]*>.*?</small>)*</td>"
)


def tables(page: str) -> str:
    """The page's two participation tables, without the charts' tables of shares."""
    return "".join(re.findall(r'<table class="participation">.*?</table>', page, re.S))


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    talks=st.lists(person, max_size=25),
    joins=st.lists(person, max_size=25),
    voters=st.integers(min_value=0, max_value=25),
    theme=st.sampled_from([None, "light", "work"]),
    channel=st.sampled_from(["", "street", "door"]),
    role=st.sampled_from(["", "resident", "staff"]),
)
def test_participation_never_shows_a_small_group(
    app: Flask,
    client: FlaskClient,
    observer_login: User,
    talks: list[tuple[str | None, str | None]],
    joins: list[tuple[str | None, str | None]],
    voters: int,
    theme: str | None,
    channel: str,
    role: str,
) -> None:
    with app.app_context():
        session().execute(sa.text("DELETE FROM dialogues"))
        session().commit()
    ids = _setup(app)
    _fill(app, ids, talks, joins, voters)
    query = f"?channel={channel}&role={role}" + (f"&theme={ids[theme]}" if theme else "")
    page = client.get(f"/dialogues/{ids['dialogue']}/participation{query}").get_data(as_text=True)
    numbers = [int(a or b) for _, a, b in CELL.findall(page) if (a or b)]
    assert numbers, page
    for number in numbers:
        assert number == 0 or number >= SMALL_GROUP


def _side_by_side(app: Flask) -> dict[str, int]:
    """Conversations: 6 from Fröslunda aged 65-, 5 from Myrtorp; the meeting: 7 from
    Fröslunda and 6 from nowhere given, all 30-44, 5 of them voted."""
    ids = _setup(app)
    _fill(
        app,
        ids,
        talks=[("Fröslunda", "65-")] * 6 + [("Myrtorp", None)] * 5,
        joins=[("Fröslunda", "30-44")] * 7 + [(None, "30-44")] * 6,
        voters=5,
    )
    return ids


def test_participation_columns_side_by_side(
    app: Flask, client: FlaskClient, observer_login: User
) -> None:
    ids = _side_by_side(app)
    page = client.get(f"/dialogues/{ids['dialogue']}/participation").get_data(as_text=True)
    assert "Who is in the room" in page
    heads = re.findall(r'<th scope="col" dir="auto">([^<]+)</th>', page)
    assert heads[:5] == ["Conversations", "Kväll", "All meetings", "On paper", "Voted"]
    rows = {
        label: [a or b or c for a, b, c in CELL.findall(cells)]
        for label, cells in re.findall(
            r'<tr><th scope="row"><bdi>([^<]+)</bdi></th>(.*?)</tr>', tables(page), re.S
        )
    }
    # 5 of Fröslunda's 7 voted: showing 5 would reveal the 2 who did not
    assert rows["Fröslunda"][:5] == ["6", "7", "7", "0", "not shown"]
    assert rows["Myrtorp"][:3] == ["5", "0", "0"]
    assert rows["Lagersberg"][:2] == ["0", "0"]  # nobody from Lagersberg: the gap to see
    assert rows["30-44"][:3] == ["0", "13", "13"]
    # only conversations with staff: 11 people, 4 of them staff (n % 3 == 0) -> hidden
    page = client.get(f"/dialogues/{ids['dialogue']}/participation?role=staff").get_data(
        as_text=True
    )
    assert "not shown" in page


@pytest.mark.parametrize("path", ["/dialogues/1/participation"])
def test_participation_needs_login(client: FlaskClient, path: str) -> None:
    assert client.get(path).status_code == 302


def _paper(
    app: Flask, client: FlaskClient, counts: dict[tuple[str | None, str | None], int]
) -> None:
    """Paper counts for the meeting "Kväll", through the staff form."""
    with app.app_context():
        meeting = session().scalars(sa.select(Meeting).where(Meeting.title == "Kväll")).one()
        areas = {a.name: a.id for a in meeting.theme.dialogue.areas}
        meeting_id = meeting.id
    data = {
        f"paper-{areas[a] if a else 'none'}-{b or 'none'}": str(n) for (a, b), n in counts.items()
    }
    assert client.post(f"/meetings/{meeting_id}/paper", data=data).status_code == 302


def _rows(page: str) -> dict[str, list[str]]:
    return {
        label: [a or b or c for a, b, c in CELL.findall(cells)]
        for label, cells in re.findall(
            r'<tr><th scope="row">(?:<bdi>)?([^<]+)(?:</bdi>)?</th>(.*?)</tr>', tables(page), re.S
        )
    }


def test_people_on_paper_are_counted_and_marked(
    app: Flask, client: FlaskClient, observer_login: User
) -> None:
    """10 phones from Fröslunda and 5 from Myrtorp (30-44), 5 of Fröslunda's voted; on
    paper 6 from Fröslunda and 5 from Myrtorp, all 65 or older."""
    ids = _setup(app)
    joins = [("Fröslunda", "30-44")] * 10 + [("Myrtorp", "30-44")] * 5
    _fill(app, ids, talks=[], joins=joins, voters=5)
    _paper(app, client, {("Fröslunda", "65-"): 6, ("Myrtorp", "65-"): 5})
    page = client.get(f"/dialogues/{ids['dialogue']}/participation").get_data(as_text=True)
    assert "count people who took part on paper too" in page
    heads = re.findall(r'<th scope="col" dir="auto">([^<]+)</th>', page)
    assert heads == ["Conversations", "Kväll", "All meetings", "On paper", "Voted"] * 2
    rows = _rows(page)
    # columns: conversations, Kväll, all meetings, on paper, voted
    assert rows["Fröslunda"][:5] == ["0", "16", "16", "6", "5"]
    assert rows["Myrtorp"][:5] == ["0", "10", "10", "5", "0"]
    assert rows["30-44"][:5] == ["0", "15", "15", "0", "5"]
    assert rows["65-"][:5] == ["0", "11", "11", "11", "0"]
    assert rows["Total"][:5] == ["0", "26", "26", "11", "5"]
    # the other theme's page has no meetings: paper is no more there than phones
    work = client.get(f"/dialogues/{ids['dialogue']}/participation?theme={ids['work']}")
    assert _rows(work.get_data(as_text=True))["Total"][:4] == ["0", "0", "0", "0"]


def test_voted_leaves_out_a_blocked_resident_as_the_tally_does(
    app: Flask, client: FlaskClient, observer_login: User
) -> None:
    """20 phones from Fröslunda (30-44), 15 of them voted; staff then blocked 5 of those.
    They were there, but their votes count in no tally, so they are not among who voted."""
    ids = _setup(app)
    _fill(app, ids, talks=[], joins=[("Fröslunda", "30-44")] * 20, voters=15)
    with app.app_context():
        meeting = session().scalars(sa.select(Meeting)).one()
        voters = session().scalars(
            sa.select(Vote.participant_id).order_by(Vote.participant_id).limit(5)
        )
        for participant_id in list(voters):
            live_ops.block_participant(meeting, participant_id)
        session().commit()
    page = client.get(f"/dialogues/{ids['dialogue']}/participation").get_data(as_text=True)
    rows = _rows(page)
    # columns: conversations, Kväll, all meetings, on paper, voted
    assert rows["Fröslunda"][:5] == ["0", "20", "20", "0", "10"]
    assert rows["Total"][:5] == ["0", "20", "20", "0", "10"]


def test_a_small_paper_count_is_hidden_and_so_is_what_would_give_it_away(
    app: Flask, client: FlaskClient, observer_login: User
) -> None:
    """3 from Myrtorp on paper: hidden; with "On paper" partly hidden the phones are not
    known cell by cell, so "Voted", a part of the phones, is hidden too."""
    ids = _setup(app)
    joins = [("Fröslunda", "30-44")] * 10 + [("Myrtorp", "30-44")] * 5
    _fill(app, ids, talks=[], joins=joins, voters=5)
    _paper(app, client, {("Fröslunda", "65-"): 6, ("Myrtorp", "65-"): 3})
    rows = _rows(client.get(f"/dialogues/{ids['dialogue']}/participation").get_data(as_text=True))
    assert rows["Myrtorp"][:3] == ["0", "8", "8"]
    assert rows["Myrtorp"][3] == "not shown"
    # Fröslunda's 6 would give Myrtorp's 3 away from the total of 9
    assert rows["Fröslunda"][3] == "not shown"
    assert rows["Total"][:4] == ["0", "24", "24", "9"]
    assert rows["Fröslunda"][4] == rows["Total"][4] == "not shown"


def test_shares_beside_the_population_and_the_missing_marked(
    app: Flask, client: FlaskClient, observer_login: User
) -> None:
    """Population 10,000: Fröslunda and Myrtorp 1,000 each, Lagersberg 8,000. The meeting's
    13 would have 10.4 from Lagersberg and has none: marked. The conversations' 11 would
    have 8.8, under 10: too few to tell, not marked."""
    ids = _side_by_side(app)
    page = client.get(f"/dialogues/{ids['dialogue']}/participation").get_data(as_text=True)
    assert "Import the population" not in page  # observers do not import
    assert "Clearly under-represented" not in page
    from facilitate.baseline import operations as baseline_ops

    with app.test_request_context():
        dialogue = session().get(Dialogue, ids["dialogue"])
        assert dialogue is not None
        table = (
            "district,age_band,count\n"
            "Fröslunda,30-44,1000\nMyrtorp,0-15,1000\nLagersberg,65+,8000\n"
        )
        baseline_ops.import_population(dialogue, "scb.csv", table.encode())
        session().commit()
    page = client.get(f"/dialogues/{ids['dialogue']}/participation").get_data(as_text=True)
    heads = re.findall(r'<th scope="col" dir="auto"[^>]*>([^<]+)</th>', tables(page))
    assert heads[:6] == [
        "Population",
        "Conversations",
        "Kväll",
        "All meetings",
        "On paper",
        "Voted",
    ]
    cells = dict(
        re.findall(r'<tr><th scope="row"><bdi>([^<]+)</bdi></th>(.*?)</tr>', tables(page), re.S)
    )
    lagersberg = re.findall(r"<td[^>]*>.*?</td>", cells["Lagersberg"])
    assert lagersberg[0] == '<td>8000 <small class="share">80%</small></td>'
    assert lagersberg[1] == '<td>0 <small class="share">0%</small></td>'  # 8.8 expected
    assert lagersberg[2].startswith('<td class="under">0 <small class="share">0%</small>')
    assert "clearly under-represented" in lagersberg[2]
    froslunda = re.findall(r"<td[^>]*>.*?</td>", cells["Fröslunda"])
    assert froslunda[1] == '<td>6 <small class="share">55%</small></td>'  # 6 of 11
    assert froslunda[2] == '<td>7 <small class="share">54%</small></td>'  # 7 of 13
    assert froslunda[5] == '<td><span class="muted">not shown</span></td>'  # no share either
    assert "Clearly under-represented" in page
    # The charts: population beside conversations, all meetings and voters, as shares.
    svgs = re.findall(r'<svg [^>]*class="svg-chart".*?</svg>', page, re.S)
    assert len(svgs) == 2
    values = [float(v) for v in re.findall(r'data-value="([\d.]+)"', svgs[0])]
    # Fröslunda: 10 %, 6/11, 7/13, Voted hidden; Myrtorp: 10 %, 5/11, 0, 0 ... (zeros drawn)
    assert values[:3] == pytest.approx([10, 600 / 11, 700 / 13])
    assert ">80% · Population<" in svgs[0]
    assert ">not shown · Voted<" in svgs[0]
