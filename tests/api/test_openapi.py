"""The OpenAPI document: its structure, and that the API answers what it documents.

``Api`` is the client every API test uses: each response it gets is checked
against the response schema the document gives for that path, method and status.
Neither ``jsonschema`` nor ``openapi-spec-validator`` is installed, so ``check``
below validates the JSON Schema subset the document uses and refuses any keyword
it does not know, rather than passing it silently.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlparse

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from facilitate.auth.models import Role, User
from facilitate.extensions import db

SPEC_PATH = "/api/v1/openapi.json"
ANNOTATIONS = {"title", "description", "default", "examples"}
JSON_TYPES: dict[str, Callable[[Any], bool]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


def _format_ok(fmt: str, value: str) -> bool:
    if fmt == "date":
        return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value)) and bool(
            dt.date.fromisoformat(value)
        )
    if fmt == "date-time":  # RFC 3339: an offset is required
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return "T" in value and parsed.tzinfo is not None
    if fmt == "uri":
        parts = urlparse(value)
        return bool(parts.scheme and parts.netloc)
    raise AssertionError(f"unknown format {fmt!r}")


def check(schema: dict[str, Any], value: Any, doc: dict[str, Any], where: str = "$") -> None:
    """Assert that ``value`` satisfies ``schema`` (with ``$ref`` into ``doc``)."""
    unknown = (
        set(schema)
        - ANNOTATIONS
        - {
            "$ref",
            "type",
            "properties",
            "required",
            "additionalProperties",
            "items",
            "anyOf",
            "enum",
            "format",
            "maxLength",
            "minimum",
            "maximum",
        }
    )
    assert not unknown, f"{where}: validator does not know {unknown}"
    if "$ref" in schema:
        prefix = "#/components/schemas/"
        assert schema["$ref"].startswith(prefix), schema["$ref"]
        target = doc["components"]["schemas"][schema["$ref"].removeprefix(prefix)]
        check(target, value, doc, where)
    if "anyOf" in schema:
        failures = []
        for option in schema["anyOf"]:
            try:
                check(option, value, doc, where)
            except AssertionError as error:
                failures.append(str(error))
            else:
                break
        else:
            raise AssertionError(f"{where}: matches no option: {failures}")
    if "type" in schema:
        assert JSON_TYPES[schema["type"]](value), f"{where}: {value!r} is not {schema['type']}"
    if "enum" in schema:
        assert value in schema["enum"], f"{where}: {value!r} not in {schema['enum']}"
    if isinstance(value, str):
        if "format" in schema:
            assert _format_ok(schema["format"], value), f"{where}: {value!r} not {schema['format']}"
        if "maxLength" in schema:
            assert len(value) <= schema["maxLength"], where
    if isinstance(value, int | float) and not isinstance(value, bool):
        assert value >= schema.get("minimum", value), where
        assert value <= schema.get("maximum", value), where
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        missing = set(schema.get("required", [])) - set(value)
        assert not missing, f"{where}: missing {missing}"
        if schema.get("additionalProperties") is False:
            extra = set(value) - set(properties)
            assert not extra, f"{where}: undocumented {extra}"
        for key, item in value.items():
            if key in properties:
                check(properties[key], item, doc, f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            check(schema["items"], item, doc, f"{where}[{index}]")


def operation_for(doc: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    for template, operations in doc["paths"].items():
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, path) and method.lower() in operations:
            return dict(operations[method.lower()])
    raise AssertionError(f"{method} {path} is not in the OpenAPI document")


class Api:
    """A test client for /api/v1 that checks every answer against the document."""

    def __init__(self, client: FlaskClient, token: str | None = None) -> None:
        self.client = client
        self.token = token
        self._doc: dict[str, Any] | None = None
        self.checked: list[tuple[str, str, int]] = []

    @property
    def doc(self) -> dict[str, Any]:
        if self._doc is None:
            response = self.client.get(SPEC_PATH)
            assert response.status_code == 200
            self._doc = response.get_json()
        return self._doc

    def call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: str | None = None,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> TestResponse:
        all_headers = dict(headers or {})
        if data is not None and "Content-Type" not in all_headers:
            all_headers["Content-Type"] = "application/json"  # a raw body, said to be JSON
        bearer = token if token is not None else self.token
        if bearer is not None and "Authorization" not in all_headers:
            all_headers["Authorization"] = f"Bearer {bearer}"
        response = self.client.open(
            "/api/v1" + path, method=method, json=json, data=data, headers=all_headers
        )
        self.validate(method, "/api/v1" + path, response)
        return response

    def upload(self, path: str, filename: str | None, body: bytes = b"") -> TestResponse:
        """POST a file as multipart/form-data in the field ``file`` (no file: an empty form)."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        data = {"file": (io.BytesIO(body), filename)} if filename is not None else {}
        response = self.client.post(
            "/api/v1" + path, data=data, content_type="multipart/form-data", headers=headers
        )
        self.validate("POST", "/api/v1" + path, response)
        return response

    def upload_files(self, path: str, files: dict[str, bytes]) -> TestResponse:
        """POST files as multipart/form-data, each in the field of its name (``.csv`` added)."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        data = {name: (io.BytesIO(body), f"{name}.csv") for name, body in files.items()}
        response = self.client.post(
            "/api/v1" + path, data=data, content_type="multipart/form-data", headers=headers
        )
        self.validate("POST", "/api/v1" + path, response)
        return response

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.call("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> TestResponse:
        return self.call("POST", path, **kwargs)

    def validate(self, method: str, path: str, response: TestResponse) -> None:
        operation = operation_for(self.doc, method, path)
        status = str(response.status_code)
        assert status in operation["responses"], (method, path, status, response.data[:300])
        documented = operation["responses"][status]
        if response.mimetype != "application/json":  # a download: its type is documented
            assert response.mimetype in documented["content"], (path, response.mimetype)
            self.checked.append((method, path, response.status_code))
            return
        schema = documented["content"]["application/json"]["schema"]
        check(schema, response.get_json(), self.doc)
        self.checked.append((method, path, response.status_code))


@contextlib.contextmanager
def database_away(app: Flask) -> Iterator[None]:
    """Every statement fails as when the database is down, until the block ends."""

    def refuse(*_: Any) -> None:
        raise sa.exc.OperationalError("(statement)", {}, ConnectionError("database away"))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", refuse)
    try:
        yield
    finally:
        sa.event.remove(engine, "before_cursor_execute", refuse)


def error_of(response: TestResponse, status: int, code: str, field: str | None = None) -> str:
    """Assert the error shape, status, code and field; return the message."""
    assert response.status_code == status, response.get_json()
    body = response.get_json()
    assert set(body) == {"error"}
    error = body["error"]
    assert error["code"] == code, error
    assert error.get("field") == field, error
    assert isinstance(error["message"], str)
    assert error["message"].strip()
    return str(error["message"])


# -- the document --------------------------------------------------------------------------


@pytest.fixture
def doc(client: FlaskClient) -> dict[str, Any]:
    return Api(client).doc


def test_openapi_document_served_without_token(client: FlaskClient) -> None:
    response = client.get(SPEC_PATH)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json()["openapi"].startswith("3.")


def test_openapi_document_structure_valid(doc: dict[str, Any]) -> None:
    assert re.fullmatch(r"3\.\d+\.\d+", doc["openapi"])
    assert doc["info"] == {"title": "Facilitate API", "version": "1"}
    schemas = doc["components"]["schemas"]
    for path, operations in doc["paths"].items():
        parameters = set(re.findall(r"\{([^}]+)\}", path))
        for method, operation in operations.items():
            assert method in {"get", "post", "put", "patch", "delete"}
            declared = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
            assert declared == parameters, (method, path)
            assert all(p["required"] for p in operation["parameters"] if p["in"] == "path")
            assert operation["summary"]
            for status, response in operation["responses"].items():
                assert re.fullmatch(r"[1-5]\d\d", status)
                assert response["description"]
    # every $ref in the document resolves
    refs = re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', json.dumps(doc))
    assert refs
    assert set(refs) <= set(schemas)
    for name in schemas:
        assert re.fullmatch(r"[A-Za-z0-9._-]+", name)


def test_openapi_document_lists_every_api_route(app: Flask, doc: dict[str, Any]) -> None:
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
                routes.add((method.lower(), path))
    documented = {(m, p) for p, ops in doc["paths"].items() for m in ops}
    assert routes == documented
    assert routes == {
        ("get", "/api/v1/dialogues"),
        ("post", "/api/v1/dialogues"),
        ("post", "/api/v1/dialogues/{dialogue_id}/themes"),
        ("post", "/api/v1/themes/{theme_id}/meetings"),
        ("get", "/api/v1/meetings/{meeting_id}"),
        ("post", "/api/v1/join"),
        ("patch", "/api/v1/meetings/{meeting_id}"),
        ("get", "/api/v1/meetings/{meeting_id}/proposals"),
        ("get", "/api/v1/meetings/{meeting_id}/common-ground"),
        ("get", "/api/v1/dialogues/{dialogue_id}/actions"),
        ("patch", "/api/v1/actions/{action_id}"),
        ("get", "/api/v1/dialogues/{dialogue_id}/actions.csv"),
        ("get", "/api/v1/dialogues/{dialogue_id}/actions.xlsx"),
        ("get", "/api/v1/dialogues/{dialogue_id}/actions.pdf"),
        ("get", "/api/v1/actions/{action_id}/trail"),
        ("post", "/api/v1/dialogues/{dialogue_id}/conversations"),
        ("get", "/api/v1/dialogues/{dialogue_id}/conversations"),
        ("patch", "/api/v1/conversations/{conversation_id}"),
        ("get", "/api/v1/notes/{note_id}"),
        ("put", "/api/v1/notes/{note_id}/themes"),
        ("post", "/api/v1/dialogues/{dialogue_id}/population"),
        ("post", "/api/v1/dialogues/{dialogue_id}/indicators"),
        ("post", "/api/v1/meetings/{meeting_id}/polis-import"),
        ("get", "/api/v1/meetings/{meeting_id}/polis-export.zip"),
    }


def agreed_item(app: Flask, meeting_id: int) -> int:
    """A proposal voted on and agreed, through the domain: returns its action item's id."""
    from facilitate.actions import operations as action_ops
    from facilitate.db import session
    from facilitate.live.views_json import Viewer, ViewerRole
    from facilitate.meetings.models import Meeting, MeetingStatus
    from facilitate.proposals import operations as proposal_ops

    with app.app_context():
        meeting = session().get(Meeting, meeting_id)
        assert meeting is not None
        meeting.status = MeetingStatus.open
        staff = Viewer(meeting_id, ViewerRole.facilitator)
        proposal = proposal_ops.add_proposal(meeting, staff, None, "Belysning vid skolan")
        proposal_ops.open_voting(meeting)
        proposal_ops.close_voting(meeting)
        item = action_ops.decide(meeting, staff, proposal.id, "agreed")
        assert item is not None
        session().commit()
        return item.id


def test_openapi_bearer_scheme_on_every_operation(doc: dict[str, Any]) -> None:
    assert doc["components"]["securitySchemes"] == {
        "BearerAuth": {
            "type": "http",
            "scheme": "bearer",
            "description": doc["components"]["securitySchemes"]["BearerAuth"]["description"],
        }
    }
    roles = {
        ("get", "/api/v1/dialogues"): "observer",
        ("post", "/api/v1/dialogues"): "facilitator",
        ("post", "/api/v1/dialogues/{dialogue_id}/themes"): "facilitator",
        ("post", "/api/v1/themes/{theme_id}/meetings"): "facilitator",
        ("get", "/api/v1/meetings/{meeting_id}"): "observer",
        ("patch", "/api/v1/meetings/{meeting_id}"): "facilitator",
        ("get", "/api/v1/meetings/{meeting_id}/proposals"): "observer",
        ("get", "/api/v1/meetings/{meeting_id}/common-ground"): "observer",
        ("get", "/api/v1/dialogues/{dialogue_id}/actions"): "observer",
        ("patch", "/api/v1/actions/{action_id}"): "facilitator",
        ("get", "/api/v1/dialogues/{dialogue_id}/actions.csv"): "observer",
        ("get", "/api/v1/dialogues/{dialogue_id}/actions.xlsx"): "observer",
        ("get", "/api/v1/dialogues/{dialogue_id}/actions.pdf"): "observer",
        ("get", "/api/v1/actions/{action_id}/trail"): "observer",
        ("post", "/api/v1/dialogues/{dialogue_id}/conversations"): "facilitator",
        ("get", "/api/v1/dialogues/{dialogue_id}/conversations"): "observer",
        ("patch", "/api/v1/conversations/{conversation_id}"): "facilitator",
        ("get", "/api/v1/notes/{note_id}"): "observer",
        ("put", "/api/v1/notes/{note_id}/themes"): "facilitator",
        ("post", "/api/v1/dialogues/{dialogue_id}/population"): "facilitator",
        ("post", "/api/v1/dialogues/{dialogue_id}/indicators"): "facilitator",
        ("post", "/api/v1/meetings/{meeting_id}/polis-import"): "facilitator",
        ("get", "/api/v1/meetings/{meeting_id}/polis-export.zip"): "observer",
    }
    # Proposals are readable with a participant token too (tallies once results are public).
    shared = {("get", "/api/v1/meetings/{meeting_id}/proposals")}
    for (method, path), role in roles.items():
        operation = doc["paths"][path][method]
        granted = ["participant", role] if (method, path) in shared else [role]
        assert operation["security"] == [{"BearerAuth": granted}]
        assert "401" in operation["responses"]
        # Below observer there are participant tokens, so 403 is possible everywhere
        # except where they are let in (another meeting's proposals are simply not found).
        assert ("403" in operation["responses"]) == ((method, path) not in shared)
    # Joining is the one public operation: residents have no account.
    paths = doc["paths"].items()
    secured = {(m, p) for p, ops in paths for m, op in ops.items() if "security" in op}
    assert secured == set(roles)


def test_openapi_error_responses_use_error_shape(doc: dict[str, Any]) -> None:
    for operations in doc["paths"].values():
        for operation in operations.values():
            for status, response in operation["responses"].items():
                if not status.startswith("4"):
                    continue
                schema = response["content"]["application/json"]["schema"]
                sample = {"error": {"code": "x", "message": "y", "field": "title"}}
                check(schema, sample, doc)
                with pytest.raises(AssertionError):
                    check(schema, {"message": "y", "detail": {}}, doc)


def test_openapi_request_bodies_reject_unknown_keys(doc: dict[str, Any]) -> None:
    bodies = [
        operation["requestBody"]["content"]["application/json"]["schema"]
        for operations in doc["paths"].values()
        for operation in operations.values()
        if "application/json" in operation.get("requestBody", {}).get("content", {})
    ]
    assert len(bodies) == 9  # and the two imports, which take a file (tests/baseline)
    required = {
        "JoinIn": ["join_code"],
        "MeetingPatch": None,
        "ActionPatch": None,
        "ConversationIn": ["date", "channel", "notes"],
        "ConversationPatch": None,
        "NoteThemesIn": ["theme_ids"],
    }
    for body in bodies:
        name = body["$ref"].rsplit("/", 1)[1]
        schema = doc["components"]["schemas"][name]
        assert schema["additionalProperties"] is False
        assert schema.get("required") == required.get(name, ["title"])


def test_openapi_meeting_input_documents_choices(doc: dict[str, Any]) -> None:
    schemas = doc["components"]["schemas"]
    meeting = schemas["MeetingIn"]["properties"]
    assert "in_depth_90" in meeting["template"]["anyOf"][0]["enum"]
    phase = schemas["MeetingIn.PhaseIn"]["properties"]
    assert set(phase["kind"]["enum"]) >= {"welcome", "share", "close"}
    voting = schemas["MeetingIn.VotingIn"]
    assert voting["required"] == ["method"]
    assert set(voting["properties"]["method"]["enum"]) == {"approval", "agree", "dots", "consent"}


# -- the validator itself, so a pass means something ---------------------------------------


def test_check_refuses_mismatches(doc: dict[str, Any]) -> None:
    meeting_ref = {"$ref": "#/components/schemas/MeetingOut"}
    with pytest.raises(AssertionError, match="missing"):
        check(meeting_ref, {"id": 1}, doc)
    with pytest.raises(AssertionError, match="not integer"):
        check({"type": "integer"}, True, doc)
    with pytest.raises(AssertionError, match="not date-time"):
        check({"type": "string", "format": "date-time"}, "2025-05-01T18:00:00", doc)
    with pytest.raises(AssertionError, match="undocumented"):
        check(
            {"$ref": "#/components/schemas/DialogueOut.AreaOut"},
            {"id": 1, "name": "x", "y": 2},
            doc,
        )
    with pytest.raises(AssertionError, match="does not know"):
        check({"pattern": "x"}, "x", doc)


# -- every endpoint answers as documented, for each documented status ----------------------


@pytest.mark.parametrize(
    "app_config",
    [
        {
            "MAX_PARTICIPANTS": 1,
            "RATELIMIT_ENABLED": True,
            "JOIN_FAILURE_LIMIT": "2 per minute",
            "POLIS_MAX_BYTES": 4096,
        }
    ],
    indirect=True,
)
def test_openapi_responses_match_document_for_every_status(
    app: Flask,
    client: FlaskClient,
    make_user: Callable[..., User],
    api_token: Callable[[User], str],
) -> None:
    facilitator = Api(client, api_token(make_user(Role.facilitator)))
    observer = Api(client, api_token(make_user(Role.observer)))
    anonymous = Api(client)

    dialogue = facilitator.post("/dialogues", json={"title": "Trygghet", "areas": ["Myrtorp"]})
    assert dialogue.status_code == 201
    dialogue_id = dialogue.get_json()["id"]
    theme = facilitator.post(f"/dialogues/{dialogue_id}/themes", json={"title": "Belysning"})
    assert theme.status_code == 201
    theme_id = theme.get_json()["id"]
    meeting = facilitator.post(
        f"/themes/{theme_id}/meetings",
        json={"title": "Kväll", "starts_at": "2025-05-01T18:00:00+02:00"},
    )
    assert meeting.status_code == 201
    meeting_id = meeting.get_json()["id"]
    assert facilitator.get("/dialogues").status_code == 200
    assert observer.get(f"/meetings/{meeting_id}").status_code == 200

    for path, body in [
        ("/dialogues", {"title": "x"}),
        (f"/dialogues/{dialogue_id}/themes", {"title": "x"}),
        (f"/themes/{theme_id}/meetings", {"title": "x"}),
    ]:
        assert anonymous.post(path, json=body).status_code == 401
        assert observer.post(path, json=body).status_code == 403
        assert facilitator.post(path, json={"title": ""}).status_code == 422
        assert facilitator.post(path, json={"title": 1}).status_code == 422
        assert facilitator.post(path, data='{"title": ').status_code == 400
    assert anonymous.get("/dialogues").status_code == 401
    assert anonymous.get(f"/meetings/{meeting_id}").status_code == 401
    assert facilitator.get("/meetings/999").status_code == 404
    assert facilitator.post("/dialogues/999/themes", json={"title": "x"}).status_code == 404
    assert facilitator.post("/themes/999/meetings", json={"title": "x"}).status_code == 404

    # Joining, the public operation: in, full, bad, unknown, unknown too often, not JSON.
    with app.app_context():
        from facilitate.db import session
        from facilitate.meetings.models import Meeting, MeetingStatus

        stored = session().get(Meeting, meeting_id)
        assert stored is not None
        stored.status = MeetingStatus.open
        code = stored.join_code
        session().commit()
    joined = anonymous.post("/join", json={"join_code": code})
    assert joined.status_code == 201
    resident = Api(client, joined.get_json()["participant_token"])
    assert anonymous.post("/join", json={"join_code": code}).status_code == 409
    assert anonymous.post("/join", json={"join_code": code, "age_band": "x"}).status_code == 422
    assert anonymous.post("/join", data='{"join_code": ').status_code == 400
    statuses = [anonymous.post("/join", json={"join_code": "ZZZZ2222"}).status_code for _ in "abc"]
    assert statuses == [404, 404, 429]

    # Voting settings, proposals and the action list.
    voting = {"voting": {"method": "approval"}}
    assert facilitator.call("PATCH", f"/meetings/{meeting_id}", json=voting).status_code == 200
    assert anonymous.call("PATCH", f"/meetings/{meeting_id}", json=voting).status_code == 401
    assert observer.call("PATCH", f"/meetings/{meeting_id}", json=voting).status_code == 403
    bad_voting = {"voting": {"method": "lottery"}}
    assert facilitator.call("PATCH", f"/meetings/{meeting_id}", json=bad_voting).status_code == 422
    assert facilitator.call("PATCH", "/meetings/999", json=voting).status_code == 404
    broken = facilitator.call("PATCH", f"/meetings/{meeting_id}", data='{"voting": ')
    assert broken.status_code == 400
    item_id = agreed_item(app, meeting_id)
    assert facilitator.call("PATCH", f"/meetings/{meeting_id}", json=voting).status_code == 409
    assert observer.get(f"/meetings/{meeting_id}/proposals").status_code == 200
    assert anonymous.get(f"/meetings/{meeting_id}/proposals").status_code == 401
    assert observer.get("/meetings/999/proposals").status_code == 404
    assert observer.get(f"/dialogues/{dialogue_id}/actions").status_code == 200
    assert anonymous.get(f"/dialogues/{dialogue_id}/actions").status_code == 401
    assert observer.get("/dialogues/999/actions").status_code == 404
    change = {"owner": "Tekniska förvaltningen", "status": "accepted"}
    assert facilitator.call("PATCH", f"/actions/{item_id}", json=change).status_code == 200
    assert anonymous.call("PATCH", f"/actions/{item_id}", json=change).status_code == 401
    assert observer.call("PATCH", f"/actions/{item_id}", json=change).status_code == 403
    assert facilitator.call("PATCH", "/actions/999", json=change).status_code == 404
    declined = {"status": "declined"}
    assert facilitator.call("PATCH", f"/actions/{item_id}", json=declined).status_code == 422
    assert facilitator.call("PATCH", f"/actions/{item_id}", data="{").status_code == 400
    # A participant token reads its meeting's proposals and nothing else.
    assert resident.get(f"/meetings/{meeting_id}/proposals").status_code == 200
    for path in (
        "/dialogues",
        f"/meetings/{meeting_id}",
        f"/dialogues/{dialogue_id}/actions",
        *(f"/dialogues/{dialogue_id}/actions.{fmt}" for fmt in ("csv", "xlsx", "pdf")),
        f"/meetings/{meeting_id}/common-ground",
    ):
        assert resident.get(path).status_code == 403, path
    assert observer.get(f"/meetings/{meeting_id}/common-ground").status_code == 200
    assert anonymous.get(f"/meetings/{meeting_id}/common-ground").status_code == 401
    assert observer.get("/meetings/999/common-ground").status_code == 404
    for fmt in ("csv", "xlsx", "pdf"):
        assert observer.get(f"/dialogues/{dialogue_id}/actions.{fmt}").status_code == 200
        assert anonymous.get(f"/dialogues/{dialogue_id}/actions.{fmt}").status_code == 401
        assert observer.get(f"/dialogues/999/actions.{fmt}").status_code == 404

    # Intake: conversations, notes, and the trail behind an action item.
    talks = f"/dialogues/{dialogue_id}/conversations"
    said = {"date": "2021-03-01", "channel": "door", "notes": ["Mörkt vid skolan"]}
    made = facilitator.post(talks, json=said)
    assert made.status_code == 201
    note_id = made.get_json()["notes"][0]["id"]
    assert facilitator.post(talks, json={**said, "channel": "bus"}).status_code == 422
    assert facilitator.post(talks, data='{"date": ').status_code == 400
    assert observer.post(talks, json=said).status_code == 403
    assert anonymous.post(talks, json=said).status_code == 401
    assert facilitator.post("/dialogues/999/conversations", json=said).status_code == 404
    talk = f"/conversations/{made.get_json()['id']}"
    assert facilitator.call("PATCH", talk, json={"channel": "street"}).status_code == 200
    assert facilitator.call("PATCH", talk, json={"channel": "bus"}).status_code == 422
    assert facilitator.call("PATCH", talk, data="{").status_code == 400
    assert observer.call("PATCH", talk, json={}).status_code == 403
    assert anonymous.call("PATCH", talk, json={}).status_code == 401
    assert facilitator.call("PATCH", "/conversations/999", json={}).status_code == 404
    for path in (talks, f"/notes/{note_id}", f"/actions/{item_id}/trail"):
        assert observer.get(path).status_code == 200, path
        assert anonymous.get(path).status_code == 401, path
        assert resident.get(path).status_code == 403, path
    for path in ("/dialogues/999/conversations", "/notes/999", "/actions/999/trail"):
        assert observer.get(path).status_code == 404, path
    themes = f"/notes/{note_id}/themes"
    assert facilitator.call("PUT", themes, json={"theme_ids": []}).status_code == 200
    assert facilitator.call("PUT", themes, json={"theme_ids": [999]}).status_code == 422
    assert facilitator.call("PUT", themes, data="{").status_code == 400
    assert observer.call("PUT", themes, json={"theme_ids": []}).status_code == 403
    assert anonymous.call("PUT", themes, json={"theme_ids": []}).status_code == 401
    assert facilitator.call("PUT", "/notes/999/themes", json={"theme_ids": []}).status_code == 404
    # The population and indicators: a file each, refused lines, no file, unknown dialogue.
    for kind, table in (
        ("population", b"district,age_band,count\nMyrtorp,65+,120\n"),
        ("indicators", b"indicator,district,year,value\nTrygghetsindex,,2024,55\n"),
    ):
        path = f"/dialogues/{dialogue_id}/{kind}"
        assert facilitator.upload(path, "table.csv", table).status_code == 201
        assert facilitator.upload(path, "table.csv", table + b"x,y,z,w\n").status_code == 422
        assert facilitator.upload(path, None).status_code == 422
        assert observer.upload(path, "table.csv", table).status_code == 403
        assert anonymous.upload(path, "table.csv", table).status_code == 401
        assert facilitator.upload(f"/dialogues/999/{kind}", "t.csv", table).status_code == 404
    # A Pol.is conversation in (once), refused files, too large a body; and out again.
    polis = facilitator.post(
        f"/themes/{theme_id}/meetings", json={"title": "Pol.is", "template": "common_ground_90"}
    )
    polis_id = polis.get_json()["id"]
    conversation = {
        "comments": b"comment-id,author-id,moderated,comment-body\n0,0,1,Mer ljus\n",
        "votes": b"timestamp,comment-id,voter-id,vote\n1500000000000,0,0,1\n",
    }
    into = f"/meetings/{polis_id}/polis-import"
    wrong = {**conversation, "votes": conversation["votes"] + b"1500000000001,7,0,1\n"}
    assert facilitator.upload_files(into, wrong).status_code == 422
    assert facilitator.upload_files(into, conversation).status_code == 201
    assert facilitator.upload_files(into, conversation).status_code == 409
    assert observer.upload_files(into, conversation).status_code == 403
    assert anonymous.upload_files(into, conversation).status_code == 401
    assert facilitator.upload_files("/meetings/999/polis-import", conversation).status_code == 404
    huge = {name: body * 1000 for name, body in conversation.items()}
    assert facilitator.upload_files(into, huge).status_code == 413
    out = f"/meetings/{polis_id}/polis-export.zip"
    assert observer.get(out).status_code == 200
    assert anonymous.get(out).status_code == 401
    assert resident.get(out).status_code == 403
    assert observer.get("/meetings/999/polis-export.zip").status_code == 404
    with app.app_context():
        from facilitate.db import session
        from facilitate.dialogues.models import Dialogue, DialogueStatus

        archived = session().get(Dialogue, dialogue_id)
        assert archived is not None
        archived.status = DialogueStatus.archived
        session().commit()
    assert facilitator.post(talks, json=said).status_code == 409
    assert facilitator.call("PATCH", talk, json={}).status_code == 409
    for kind in ("population", "indicators"):
        refused = facilitator.upload(f"/dialogues/{dialogue_id}/{kind}", "t.csv", b"district\n")
        assert refused.status_code == 409

    # Every operation: a body under another type than JSON, and the database away.
    for path, operations in facilitator.doc["paths"].items():
        for method, operation in operations.items():
            concrete = re.sub(r"\{\w+\}", "1", path.removeprefix("/api/v1"))
            public = "security" not in operation
            caller = anonymous if public else facilitator
            body: Any = None
            if "requestBody" in operation:
                text = {"Content-Type": "text/plain"}
                refused = caller.call(method.upper(), concrete, data="{}", headers=text)
                assert refused.status_code == 415, (method, path)
                body = {"join_code": "ZZZZ2222"} if public else {}
            with database_away(app):
                away = caller.call(method.upper(), concrete, json=body)
            assert away.status_code == 503, (method, path)
            assert away.headers["Retry-After"] == "5"

    seen = {(m, re.sub(r"/\d+", "/{id}", p), s) for m, p, s in facilitator.checked}
    seen |= {(m, re.sub(r"/\d+", "/{id}", p), s) for m, p, s in observer.checked}
    seen |= {(m, re.sub(r"/\d+", "/{id}", p), s) for m, p, s in anonymous.checked}
    seen |= {(m, re.sub(r"/\d+", "/{id}", p), s) for m, p, s in resident.checked}
    documented = {
        (method.upper(), re.sub(r"\{\w+\}", "{id}", path), int(status))
        for path, operations in facilitator.doc["paths"].items()
        for method, operation in operations.items()
        for status in operation["responses"]
    }
    assert seen == documented
