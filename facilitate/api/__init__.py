"""JSON API v1: token-authenticated, documented at /api/v1/openapi.json."""

from __future__ import annotations

from typing import Any

from apiflask import APIFlask

from facilitate.extensions import csrf


def init_app(app: APIFlask) -> None:
    from . import views
    from .schemas import ERROR_SCHEMA

    # Bearer tokens, never cookies, authenticate the API: there is nothing for CSRF to forge.
    csrf.exempt(views.bp)
    # The generated 401/404/422 responses in the document carry the API's error shape.
    app.config["HTTP_ERROR_SCHEMA"] = ERROR_SCHEMA
    app.config["VALIDATION_ERROR_SCHEMA"] = ERROR_SCHEMA
    app.register_blueprint(views.bp)
    app.spec_processor(_document_what_apiflask_leaves_out)


#: The answer while the database is away (``errors_web._database_unavailable``).
UNAVAILABLE: dict[str, Any] = {
    "description": "The database is unavailable for a moment: nothing was saved "
    "(`unavailable`). Try again after `Retry-After` seconds.",
    "headers": {
        "Retry-After": {
            "description": "Seconds to wait before trying again.",
            "schema": {"type": "integer", "minimum": 1},
        }
    },
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HTTPError"}}},
}


#: The body of an import: the file, CSV or XLSX by its name's ending.
UPLOAD_BODY: dict[str, Any] = {
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {
                    "file": {
                        "type": "string",
                        "format": "binary",
                        "description": "A .csv (UTF-8 or Windows-1252, `;` or `,`) or .xlsx "
                        "file with a header row.",
                    }
                },
            }
        }
    }
}


def _csv_file(description: str) -> dict[str, Any]:
    return {"type": "string", "format": "binary", "description": description}


#: The body of a Pol.is import: both files of the conversation's open data.
POLIS_BODY: dict[str, Any] = {
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["comments", "votes"],
                "properties": {
                    "comments": _csv_file(
                        "comments.csv (UTF-8): columns comment-id, author-id, moderated "
                        "(1, 0 or -1), comment-body, optionally timestamp; others ignored."
                    ),
                    "votes": _csv_file(
                        "votes.csv (UTF-8): columns timestamp (epoch ms), comment-id, "
                        "voter-id, vote (1 agree, -1 disagree, 0 pass); the later vote wins."
                    ),
                    "step": {
                        "type": "integer",
                        "minimum": 0,
                        "description": "The perspectives step's `position` in the agenda; "
                        "the meeting's first perspectives step when left out.",
                    },
                },
            }
        }
    }
}


def _document_what_apiflask_leaves_out(spec: dict[str, Any] | str) -> dict[str, Any] | str:
    """Say what APIFlask's generated document leaves open, so that clients (and tests
    generated from it) know: every body is required, path ids are row ids, and any
    operation may meet the database away (503)."""
    from facilitate.db import ID_MAX

    if isinstance(spec, str):  # YAML, which this app never serves (SPEC_FORMAT is json)
        return spec
    from .views import POLIS_IMPORT, UPLOADS

    for path in UPLOADS:
        spec["paths"][path]["post"]["requestBody"] = UPLOAD_BODY
    spec["paths"][POLIS_IMPORT]["post"]["requestBody"] = POLIS_BODY
    for operations in spec["paths"].values():
        for operation in operations.values():
            # Every operation reads the database, the token check first (errors_web.py).
            operation["responses"].setdefault("503", UNAVAILABLE)
            if "requestBody" in operation:
                # Each view reads a JSON object (400 without) or a file (415 or 422).
                operation["requestBody"]["required"] = True
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["schema"] == {"type": "integer"}:
                    # <int:…> takes no sign; past ID_MAX the API answers 404 (see views).
                    parameter["schema"] = {
                        "type": "integer",
                        "format": "int64",
                        "minimum": 1,
                        "maximum": ID_MAX,
                    }
    return spec
