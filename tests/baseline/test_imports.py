"""Importing the population and outcome indicators: the staff pages and the API, good
files and bad ones (nothing imported, every bad line named), replacing, and who may."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa
import xlsxwriter
from api.test_openapi import Api, error_of
from flask import Flask
from flask.testing import FlaskClient

from facilitate.auth.models import Role, User
from facilitate.baseline.models import Indicator, Population
from facilitate.baseline.operations import age_band
from facilitate.db import session
from facilitate.dialogues import operations as dialogue_ops

POPULATION = (
    "district;age_band;count;year;source\n"
    "Fröslunda;0-15 år;1 200;2025;SCB\n"
    "Fröslunda;16–19;300;2025;SCB\n"
    "Fröslunda;20-24;400;2025;SCB\n"
    "Fröslunda;25-29;350;2025;SCB\n"
    "Myrtorp;65+;900;2025;SCB\n"
    "myrtorp;45-64;1100;2025;SCB\n"
)
INDICATORS = (
    "indicator,district,theme,year,value,source\n"
    "Trygghetsindex,,,2023,55.5,Medborgarundersökningen\n"
    "Trygghetsindex,,,2024,57,Medborgarundersökningen\n"
    'Trygghetsindex,Fröslunda,Belysning,2023,"48,5",Medborgarundersökningen\n'
    "Trygghetsindex,Fröslunda,Belysning,2024,51,Medborgarundersökningen\n"
)


def _rows(app: Flask, model: type[Any]) -> list[Any]:
    with app.app_context():
        rows = list(session().scalars(sa.select(model).order_by(model.id)))
        session().expunge_all()
        return rows


def _post(client: FlaskClient, url: str, name: str, body: bytes) -> Any:
    """Upload: the preview (200) or the refusal (422); nothing is stored either way."""
    return client.post(
        url, data={"file": (io.BytesIO(body), name)}, content_type="multipart/form-data"
    )


def import_through_page(client: FlaskClient, url: str, name: str, body: bytes) -> Any:
    """Upload, see the preview, press Import: the confirmation's answer."""
    preview = _post(client, url, name, body)
    assert preview.status_code == 200, preview.get_data(as_text=True)
    return client.post(f"{url}/confirm", data={"token": _token(preview), "confirm": "1"})


def _token(response: Any) -> str:
    found = re.search(r'name="token" type="hidden" value="([^"]+)"', response.get_data(True))
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize(
    ("cell", "band"),
    [
        ("-15", "-15"),
        ("0-15 år", "-15"),
        ("0–4", "-15"),
        ("16–19", "16-19"),
        ("20-24 years", "20-29"),
        ("45 - 64", "45-64"),
        ("65+", "65-"),
        ("85-w", "65-"),
        ("100+ år", "65-"),
        ("17", "16-19"),
    ],
)
def test_age_bands_fit_inside_ours(cell: str, band: str) -> None:
    assert age_band(cell).value == band


@pytest.mark.parametrize("cell", ["15-19", "60-69", "", "barn", "19-16", "0-100"])
def test_age_bands_across_ours_refused(app: Flask, cell: str) -> None:
    from facilitate.errors import ValidationError

    with app.test_request_context(), pytest.raises(ValidationError) as refused:
        age_band(cell)
    assert "-15, 16-19, 20-29, 30-44, 45-64, 65-" in str(refused.value.message)


def test_population_page_imports_and_replaces(
    app: Flask, client: FlaskClient, facilitator: User, intake: dict[str, int]
) -> None:
    url = f"/dialogues/{intake['dialogue']}/population"
    page = client.get(url).get_data(as_text=True)
    assert "Nothing imported yet." in page
    assert "Myrtorp" in page  # the districts the file may name
    preview = _post(client, url, "scb.csv", POPULATION.encode()).get_data(as_text=True)
    assert "Nothing has been saved yet." in preview
    assert "6 rows" in preview
    assert "<td>20-29</td><td>750</td>" in preview  # 20-24 and 25-29 added up
    assert _rows(app, Population) == []
    response = import_through_page(client, url, "scb.csv", POPULATION.encode())
    assert response.status_code == 302
    stored = {(p.area_id, p.age_band.value): p.count for p in _rows(app, Population)}
    with app.app_context():
        areas = {a.name: a.id for a in dialogue_ops.get_dialogue(intake["dialogue"]).areas}
    # 20-24 and 25-29 add up inside 20-29; "myrtorp" is Myrtorp.
    assert stored == {
        (areas["Fröslunda"], "-15"): 1200,
        (areas["Fröslunda"], "16-19"): 300,
        (areas["Fröslunda"], "20-29"): 750,
        (areas["Myrtorp"], "65-"): 900,
        (areas["Myrtorp"], "45-64"): 1100,
    }
    page = client.get(url).get_data(as_text=True)
    assert "Imported 6 rows." in page
    assert "750" in page
    assert "SCB" in page
    again = _post(client, url, "scb.csv", b"district,age_band,count\nLagersberg,30-44,80\n")
    assert "It replaces the 5 rows imported before." in again.get_data(as_text=True)
    token = _token(again)
    cancelled = client.post(f"{url}/confirm", data={"token": token, "cancel": "1"})
    assert cancelled.status_code == 302
    assert len(_rows(app, Population)) == 5
    # A token for the population is no indicator file.
    again = _post(client, url, "scb.csv", b"district,age_band,count\nLagersberg,30-44,80\n")
    other = f"/dialogues/{intake['dialogue']}/indicators/confirm"
    assert client.post(other, data={"token": _token(again), "confirm": "1"}).status_code == 422
    again = import_through_page(
        client, url, "scb.csv", b"district,age_band,count\nLagersberg,30-44,80\n"
    )
    assert again.status_code == 302
    assert [(p.area_id, p.count) for p in _rows(app, Population)] == [(areas["Lagersberg"], 80)]
    assert "they replace the 5 rows imported before" in client.get(url).get_data(as_text=True)


def test_population_page_lists_every_bad_line_and_imports_nothing(
    app: Flask, client: FlaskClient, facilitator: User, intake: dict[str, int]
) -> None:
    url = f"/dialogues/{intake['dialogue']}/population"
    assert import_through_page(client, url, "scb.csv", POPULATION.encode()).status_code == 302
    bad = (
        "district;age_band;count\n"
        "Fröslunda;20-29;12\n"
        "Söderby;20-29;12\n"
        "Myrtorp;15-19;12\n"
        "Myrtorp;30-44;många\n"
        "Myrtorp;30-44;-3\n"
        ";30-44;3\n"
    )
    response = _post(client, url, "bad.csv", bad.encode())
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Nothing was imported" in page
    for line, reason in [
        (3, "Unknown district Söderby"),
        (4, "The age band 15-19 does not fit inside one of ours"),
        (5, "count must be a number."),
        (6, "count must be a whole number from 0 to 10000000."),
        (7, "Give the district."),
    ]:
        assert f"<td>{line}</td><td>{reason}" in page, line
    assert "<td>2</td>" not in page
    assert len(_rows(app, Population)) == 5  # the earlier import stands
    header = _post(client, url, "x.csv", b"district;band;count\nMyrtorp;20-29;3\n")
    assert header.status_code == 422
    assert "The header row must name the columns district, age_band, count, year, source" in (
        header.get_data(as_text=True)
    )
    assert _post(client, url, "x.pdf", b"%PDF").status_code == 422
    assert len(_rows(app, Population)) == 5


def test_indicator_page_imports_xlsx(
    app: Flask, client: FlaskClient, facilitator: User, intake: dict[str, int]
) -> None:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet()
    for row, values in enumerate(
        [
            ("indicator", "district", "theme", "year", "value", "source"),
            ("Trygghetsindex", "Myrtorp", "1", 2024, 61.25, "SCB"),
            ("Trygghetsindex", "", "Polisen", 2025, 63, ""),
        ]
    ):
        sheet.write_row(row, 0, values)
    book.close()
    url = f"/dialogues/{intake['dialogue']}/indicators"
    assert import_through_page(client, url, "index.xlsx", out.getvalue()).status_code == 302
    rows = _rows(app, Indicator)
    assert [(r.name, r.year, r.value, r.theme_id) for r in rows] == [
        ("Trygghetsindex", 2024, 61.25, intake["light"]),
        ("Trygghetsindex", 2025, 63.0, intake["police"]),
    ]
    assert rows[1].area_id is None  # the whole town
    page = client.get(url).get_data(as_text=True)
    assert "Whole town" in page
    assert "61.25" in page


def test_indicator_page_refuses_bad_lines(
    app: Flask, client: FlaskClient, facilitator: User, intake: dict[str, int]
) -> None:
    bad = INDICATORS + (
        "Trygghetsindex,Fröslunda,Belysning,2024,52,again\n"
        ",Myrtorp,,2024,3,\n"
        "Trygghetsindex,Myrtorp,Okänt,2024,3,\n"
        "Trygghetsindex,Myrtorp,,tjugo,3,\n"
        "Trygghetsindex,Myrtorp,,2024,inf,\n"
    )
    response = _post(client, f"/dialogues/{intake['dialogue']}/indicators", "i.csv", bad.encode())
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    for line, reason in [
        (7, "Name the indicator."),
        (8, "Unknown theme Okänt."),
        (9, "year must be a number."),
        (10, "value must be a number."),
    ]:
        assert f"<td>{line}</td><td>{reason}" in page, line
    assert _rows(app, Indicator) == []
    # Duplicates are found once every line is fine on its own.
    dup = INDICATORS + "Trygghetsindex,Fröslunda,Belysning,2024,52,again\n"
    response = _post(client, f"/dialogues/{intake['dialogue']}/indicators", "i.csv", dup.encode())
    assert response.status_code == 422
    assert "<td>6</td><td>Line 5 has the same indicator, district, theme and year." in (
        response.get_data(as_text=True)
    )
    assert _rows(app, Indicator) == []


def test_observer_sees_the_pages_but_cannot_import(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., User],
    login: Callable[[User], None],
    intake: dict[str, int],
) -> None:
    login(make_user(Role.observer))
    for kind in ("population", "indicators"):
        url = f"/dialogues/{intake['dialogue']}/{kind}"
        page = client.get(url)
        assert page.status_code == 200
        assert 'enctype="multipart/form-data"' not in page.get_data(as_text=True)
        assert _post(client, url, "x.csv", POPULATION.encode()).status_code == 403
    assert _rows(app, Population) == []


# -- the API -------------------------------------------------------------------------------


def test_api_imports_population_and_indicators(
    app: Flask, as_role: Callable[[Role], Api], intake: dict[str, int]
) -> None:
    api = as_role(Role.facilitator)
    dialogue = intake["dialogue"]
    response = api.upload(f"/dialogues/{dialogue}/population", "p.csv", POPULATION.encode())
    assert response.status_code == 201
    assert response.get_json() == {"rows": 6, "replaced": 0}
    response = api.upload(f"/dialogues/{dialogue}/population", "p.csv", POPULATION.encode())
    assert response.get_json() == {"rows": 6, "replaced": 5}
    response = api.upload(f"/dialogues/{dialogue}/indicators", "i.csv", INDICATORS.encode())
    assert response.status_code == 201
    assert response.get_json() == {"rows": 4, "replaced": 0}
    assert len(_rows(app, Indicator)) == 4


def test_api_refuses_bad_files_with_their_lines(
    app: Flask, as_role: Callable[[Role], Api], intake: dict[str, int]
) -> None:
    api = as_role(Role.facilitator)
    path = f"/dialogues/{intake['dialogue']}/population"
    bad = "district,age_band,count\nMyrtorp,15-19,3\nMyrtorp,20-29,3\nNowhere,20-29,1\n"
    response = api.upload(path, "p.csv", bad.encode())
    error_of(response, 422, "import_rejected")
    problems = response.get_json()["error"]["problems"]
    assert [p["line"] for p in problems] == [2, 4]
    assert problems[1]["message"].startswith("Unknown district Nowhere")
    error_of(api.upload(path, "p.txt.exe", b"x"), 422, "validation_error", "file")
    error_of(api.upload(path, None), 422, "validation_error", "file")
    response = api.client.post(
        "/api/v1" + path,
        data="district,age_band,count\n",
        content_type="text/csv",
        headers={"Authorization": f"Bearer {api.token}"},
    )
    api.validate("POST", "/api/v1" + path, response)
    error_of(response, 415, "unsupported_media_type")
    assert _rows(app, Population) == []
    observer = as_role(Role.observer)
    response = observer.upload(path, "p.csv", POPULATION.encode())
    assert response.status_code == 403
    with app.app_context():
        dialogue_ops.archive_dialogue(dialogue_ops.get_dialogue(intake["dialogue"]))
        session().commit()
    error_of(api.upload(path, "p.csv", POPULATION.encode()), 409, "archived")
    assert _rows(app, Population) == []


def test_openapi_documents_the_imports(as_role: Callable[[Role], Api]) -> None:
    doc = as_role(Role.observer).doc
    for kind in ("population", "indicators"):
        operation = doc["paths"][f"/api/v1/dialogues/{{dialogue_id}}/{kind}"]["post"]
        assert {"201", "401", "403", "404", "409", "415", "422"} <= set(operation["responses"])
        body = operation["requestBody"]
        assert body["required"] is True
        schema = body["content"]["multipart/form-data"]["schema"]
        assert schema["required"] == ["file"]
        assert schema["properties"]["file"]["format"] == "binary"
        created = operation["responses"]["201"]["content"]["application/json"]["schema"]
        assert created == {"$ref": "#/components/schemas/ImportOut"}


def test_dialogue_page_links_both_imports(
    client: FlaskClient, facilitator: User, intake: dict[str, int]
) -> None:
    page = client.get(f"/dialogues/{intake['dialogue']}").get_data(as_text=True)
    for kind in ("population", "indicators"):
        assert f'href="/dialogues/{intake["dialogue"]}/{kind}"' in page
