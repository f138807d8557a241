"""The charts on the pages: action items by status per theme (action list, its PDF, the
feedback page) and outcome indicators beside the items on the public pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from baseline.test_imports import import_through_page
from flask import Flask
from flask.testing import FlaskClient
from pdf_text import pdf_text

from facilitate.actions.models import ActionItem, ActionStatus, ActionStatusChange
from facilitate.auth.models import User
from facilitate.db import session
from facilitate.dialogues import operations as dialogue_ops

INDICATORS = (
    "indicator;district;theme;year;value;source\n"
    "Trygghetsindex;;;2024;55,5;Medborgarundersökningen\n"
    "Trygghetsindex;;;2025;57;Medborgarundersökningen\n"
    "Trygghetsindex;Fröslunda;Belysning;2024;48;Medborgarundersökningen\n"
    "Trygghetsindex;Fröslunda;Belysning;2025;51,5;Medborgarundersökningen\n"
    "Trygghetsindex;Myrtorp;Belysning;2025;60;Medborgarundersökningen\n"
)


@pytest.fixture
def items(app: Flask, intake: dict[str, int]) -> dict[str, int]:
    """Belysning: 2 proposed, 1 in progress, 3 done (one done on 1 July 2024); Polisen: 1
    declined; Arbete none."""
    with app.app_context():
        dialogue = dialogue_ops.get_dialogue(intake["dialogue"])
        plan = [
            (intake["light"], ActionStatus.proposed),
            (intake["light"], ActionStatus.proposed),
            (intake["light"], ActionStatus.in_progress),
            (intake["light"], ActionStatus.done),
            (intake["light"], ActionStatus.done),
            (intake["light"], ActionStatus.done),
            (intake["police"], ActionStatus.declined),
        ]
        for number, (theme_id, status) in enumerate(plan):
            item = ActionItem(
                dialogue_id=dialogue.id,
                theme_id=theme_id,
                title=f"Åtgärd {number}",
                status=status,
                public_note="Avböjd: polisen beslutar." if status is ActionStatus.declined else "",
            )
            if status is ActionStatus.done:
                at = dt.datetime(2024, 7, 1, 10, tzinfo=dt.UTC) + dt.timedelta(
                    days=30 * (number - 3)
                )
                item.history.append(ActionStatusChange(to_status="done", at=at))
            session().add(item)
        session().commit()
    return intake


def _svgs(page: str) -> list[str]:
    return re.findall(r'<svg [^>]*class="svg-chart".*?</svg>', page, re.S)


def test_action_list_charts_items_by_status_per_theme(
    client: FlaskClient, facilitator: User, items: dict[str, int]
) -> None:
    page = client.get(f"/dialogues/{items['dialogue']}/actions").get_data(as_text=True)
    assert "Action items by status and theme" in page
    (svg,) = _svgs(page)
    values = [int(v) for v in re.findall(r'data-value="(\d+)"', svg)]
    assert values == [2, 1, 3, 1]  # Belysning: proposed, in progress, done; Polisen: declined
    assert "Proposed 2 · In progress 1 · Done 3" in svg
    assert "Declined 1" in svg
    assert ">Arbete<" not in svg  # a theme without items has no bar
    # The same numbers as a table, whose header names every status.
    table = page.split('<details class="chart-table">', 1)[1].split("</details>", 1)[0]
    counts = "".join(f"<td><bdi>{n}</bdi></td>" for n in (2, 0, 1, 3, 0, 6))
    assert '<th scope="row"><bdi>Belysning</bdi></th>' + counts in table
    # A filter charts what the list shows.
    page = client.get(f"/dialogues/{items['dialogue']}/actions?status=done").get_data(as_text=True)
    assert [int(v) for v in re.findall(r'data-value="(\d+)"', _svgs(page)[0])] == [3]


def test_action_list_pdf_draws_the_chart(
    client: FlaskClient, facilitator: User, items: dict[str, int]
) -> None:
    data = client.get(f"/dialogues/{items['dialogue']}/actions.pdf").data
    lines = pdf_text(data).splitlines()
    assert "Action items by status and theme" in lines
    assert "Proposed 2 · In progress 1 · Done 3" in lines
    assert "Declined 1" in lines
    assert "6" in lines
    assert "1" in lines  # the totals beside the bars


def test_feedback_page_charts_progress_and_what_moved(
    client: FlaskClient, facilitator: User, items: dict[str, int]
) -> None:
    url = f"/dialogues/{items['dialogue']}/indicators"
    assert import_through_page(client, url, "index.csv", INDICATORS.encode()).status_code == 302
    client.get("/logout")
    page = client.get(f"/d/{items['dialogue']}/feedback").get_data(as_text=True)
    svgs = _svgs(page)
    # Progress, then Belysning's indicator in Fröslunda and Myrtorp, then the whole town.
    assert len(svgs) == 4
    assert "Indicators show change, not its cause" in page
    belysning = page.split('id="outcomes-' + str(items["light"]) + '-h"', 1)[1]
    belysning = belysning.split("</section>", 1)[0]
    assert "Trygghetsindex · Fröslunda" in belysning
    assert "Trygghetsindex · Myrtorp" in belysning
    froslunda = _svgs(belysning)[0]
    assert re.findall(r'<circle[^>]*data-value="([\d.]+)"', froslunda) == ["48.0", "51.5"]
    assert ">48<" in froslunda
    assert ">51.5<" in froslunda
    # Three items done: three dashed lines with a diamond, each dated in the table.
    assert froslunda.count("stroke-dasharray") == 3
    assert froslunda.count("<polygon") == 3
    assert "Done: Åtgärd 3" in belysning
    whole = page.split('id="outcomes-h"', 1)[1]
    assert "What moved in the whole dialogue" in whole
    assert "Trygghetsindex · Whole town" in whole
    assert "Source: Medborgarundersökningen" in whole
    # The public dialogue page shows them too, under the theme's name.
    page = client.get(f"/d/{items['dialogue']}").get_data(as_text=True)
    assert "What moved: Belysning" in page
    assert len(_svgs(page)) == 3


def test_feedback_page_in_swedish_writes_decimal_commas(
    client: FlaskClient, facilitator: User, items: dict[str, int]
) -> None:
    url = f"/dialogues/{items['dialogue']}/indicators"
    assert import_through_page(client, url, "index.csv", INDICATORS.encode()).status_code == 302
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "sv"
    page = client.get(f"/d/{items['dialogue']}/feedback").get_data(as_text=True)
    assert ">51,5<" in page
    assert ">55,5<" in page
