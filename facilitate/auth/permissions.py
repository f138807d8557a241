"""Who may reach what: every view declares its permission, and a test checks that none forgot.

``PUBLIC`` marks views anyone may open (login, the join page, static help); any
other value is the least role needed. Roles nest (see ``Role.includes``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Final, TypeVar, cast

from flask import abort
from flask_login import current_user

from .models import Role

F = TypeVar("F", bound=Callable[..., Any])
PUBLIC: Final = "public"
ATTRIBUTE = "__permission__"


def public(view: F) -> F:
    """Declare that ``view`` needs no login."""
    setattr(view, ATTRIBUTE, PUBLIC)
    return view


def requires(role: Role) -> Callable[[F], F]:
    """Let only logged-in staff with at least ``role`` through; others get 401/403."""

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                from facilitate.extensions import login_manager

                return login_manager.unauthorized()
            if not current_user.has_role(role):
                abort(403)
            return view(*args, **kwargs)

        setattr(wrapper, ATTRIBUTE, role)
        return cast(F, wrapper)

    return decorate


def declared_permission(view: Callable[..., Any]) -> str | Role | None:
    return cast(str | Role | None, getattr(view, ATTRIBUTE, None))
