"""Bearer-token authentication for the JSON API.

Only ``Authorization: Bearer fct_…`` counts: a logged-in browser session is not
accepted here, which is why the API can go without CSRF tokens.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from apiflask import APIBlueprint, HTTPTokenAuth
from apiflask.exceptions import HTTPError
from flask import Response, jsonify
from flask_babel import gettext as _

from facilitate.auth.models import Role, User
from facilitate.auth.operations import user_for_token
from facilitate.auth.permissions import ATTRIBUTE
from facilitate.live.models import Participant
from facilitate.live.participants import TOKEN_PREFIX, participant_for_token

F = TypeVar("F", bound=Callable[..., Any])

auth = HTTPTokenAuth(
    scheme="Bearer",
    description="An API token (fct_…) from `flask users token`; its user's role applies.",
)


TOO_LOW = "The token's role is too low for this (a participant token only reads proposals)."
#: The role a participant token (``fcp_…``) has: below every staff role.
PARTICIPANT = "participant"


@auth.verify_token  # type: ignore[untyped-decorator]
def _verify(token: str) -> User | Participant | None:
    if not token:
        return None
    if token.startswith(TOKEN_PREFIX):
        return participant_for_token(token)
    return user_for_token(token)


@auth.get_user_roles  # type: ignore[untyped-decorator]
def _roles(user: User | Participant) -> list[str]:
    """Every role the user's role includes, so requiring "observer" lets an admin in."""
    if isinstance(user, Participant):
        return [PARTICIPANT]
    return [role.value for role in Role if user.has_role(role)]


@auth.error_processor
def _refused(error: HTTPError) -> tuple[Response, int]:
    if error.status_code == 401:
        body = {"code": "unauthorized", "message": _("A valid bearer token is required.")}
    else:
        body = {"code": "forbidden", "message": _("You do not have permission to do this.")}
    return jsonify({"error": body}), error.status_code


def token_required(bp: APIBlueprint, role: Role) -> Callable[[F], F]:
    """Let only holders of a valid token with at least ``role`` through (401, 403).

    Put it right under the route decorator: it declares the permission on the
    view Flask calls, and it refuses before the body is even read.
    """

    def decorate(view: F) -> F:
        protected = bp.auth_required(auth, roles=[role.value])(view)
        # Every such view refuses some valid token with 403: a lower role, or a
        # participant token (those read only their meeting's proposals).
        responses = dict(getattr(protected, "_spec", {}).get("responses") or {})
        responses.setdefault(403, TOO_LOW)
        bp.doc(responses=responses)(protected)
        setattr(protected, ATTRIBUTE, role)
        return protected

    return decorate


def current_api_user_id() -> int | None:
    """The id of the token's user in the view running now (for history records)."""
    user = auth.current_user
    return user.id if isinstance(user, User) else None


def token_or_participant(bp: APIBlueprint) -> Callable[[F], F]:
    """Staff tokens (observer and up) and participant tokens; the view checks the meeting."""

    def decorate(view: F) -> F:
        # Staff roles include observer (see _roles), so these two let every staff token in.
        protected = bp.auth_required(auth, roles=[PARTICIPANT, Role.observer.value])(view)
        setattr(protected, ATTRIBUTE, Role.observer)
        return protected

    return decorate


def current_participant() -> Participant | None:
    user = auth.current_user
    return user if isinstance(user, Participant) else None
