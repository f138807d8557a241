"""The write path for staff users and API tokens."""

from __future__ import annotations

import hashlib
import math
import re
import secrets

import sqlalchemy as sa
from flask_babel import LazyString, lazy_ngettext
from flask_babel import lazy_gettext as _l

from facilitate.db import session
from facilitate.errors import Conflict, DomainError, NotFound, ValidationError
from facilitate.validation import check_title, clean_text

from . import passwords, throttle
from .models import ApiToken, Role, User

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TOKEN_PREFIX = "fct_"  # noqa: S105 -- a marker that tells tokens apart, not a secret


def check_email(email: str | None) -> str:
    value = clean_text(email).lower()
    if not EMAIL_RE.match(value) or len(value) > 254:
        raise ValidationError(_l("Enter a valid e-mail address."), field="email")
    return value


def check_password(password: str | None) -> str:
    value = password or ""
    if len(value) < passwords.MIN_LENGTH:
        raise ValidationError(
            _l("The password needs at least %(min)d characters.", min=passwords.MIN_LENGTH),
            field="password",
        )
    if len(value) > passwords.MAX_LENGTH:
        raise ValidationError(
            _l("At most %(max)d characters.", max=passwords.MAX_LENGTH), field="password"
        )
    return value


def check_role(role: str | Role) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise ValidationError(_l("Unknown role."), field="role") from None


def get_user_by_email(email: str) -> User | None:
    return session().scalar(sa.select(User).where(User.email == clean_text(email).lower()))


def create_user(email: str, *, name: str | None, password: str, role: str | Role) -> User:
    """Create a staff user; the e-mail must be new."""
    email = check_email(email)
    display = check_title(name or email.split("@")[0], field="name", max_length=120)
    role = check_role(role)
    password = check_password(password)
    if get_user_by_email(email) is not None:
        raise Conflict(_l("A user with this e-mail already exists."), field="email")
    user = User(
        email=email, name=display, role=role, password_hash=passwords.hash_password(password)
    )
    session().add(user)
    session().flush()
    return user


def update_user(
    user: User,
    *,
    name: str | None = None,
    role: str | Role | None = None,
    active: bool | None = None,
    actor: User | None = None,
) -> User:
    """Change a user's name, role or active flag.

    An admin cannot demote or deactivate themselves: that is how a team ends up
    with nobody able to manage users.
    """
    if name is not None:
        user.name = check_title(name, field="name", max_length=120)
    if role is not None:
        new_role = check_role(role)
        if actor is not None and actor.id == user.id and new_role is not user.role:
            raise ValidationError(_l("You cannot change your own role."), field="role")
        user.role = new_role
    if active is not None:
        if actor is not None and actor.id == user.id and not active:
            raise ValidationError(_l("You cannot deactivate yourself."), field="active")
        user.active = active
    session().flush()
    return user


def set_password(user: User, password: str) -> None:
    user.password_hash = passwords.hash_password(check_password(password))
    session().flush()


class TooManyAttempts(DomainError):
    """Guesses at one account from one address come too fast; ``wait`` seconds are left."""

    status = 429
    code = "rate_limited"

    def __init__(self, wait: int) -> None:
        super().__init__(wait_message(wait), field="password")
        self.wait = wait


def wait_message(wait: int) -> LazyString:
    """When to try again: in seconds under a minute, else in whole minutes, rounded up."""
    if wait < 60:
        return lazy_ngettext(
            "Too many attempts from here. Try again in %(num)d second.",
            "Too many attempts from here. Try again in %(num)d seconds.",
            wait,
        )
    return lazy_ngettext(
        "Too many attempts from here. Try again in %(num)d minute.",
        "Too many attempts from here. Try again in %(num)d minutes.",
        math.ceil(wait / 60),
    )


def wait_before_guess(email: str, address: str) -> int:
    """Seconds before a password for ``email`` from ``address`` is checked again; 0: now."""
    return throttle.throttle().wait(clean_text(email).lower(), address)


def authenticate(email: str, password: str, *, address: str) -> User | None:
    """Return the active user with these credentials, or ``None``.

    Wrong passwords are counted per account and client ``address`` (``throttle.py``):
    after a few in a row, the next guess from that address must wait, and one made too
    soon raises ``TooManyAttempts`` before the password is checked. Unknown e-mails are
    counted alike, so neither the answer nor its timing tells who has an account.
    Nothing is written to the database unless a stored hash is upgraded.
    """
    email = clean_text(email).lower()
    guesses = throttle.throttle()
    if wait := guesses.begin(email, address):  # counts this guess as wrong until it is not
        raise TooManyAttempts(wait)
    user = get_user_by_email(email)
    if user is None:
        passwords.verify_password(passwords.DUMMY_HASH, password)
        return None
    if not passwords.verify_password(user.password_hash, password) or not user.active:
        return None
    guesses.succeeded(email, address)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    session().flush()
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_api_token(user: User) -> str:
    """Mint a new API token for ``user`` and return it; only its hash is kept."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session().add(ApiToken(user=user, token_hash=_token_hash(token)))
    session().flush()
    return token


def user_for_token(token: str) -> User | None:
    """The active user an API token belongs to, or ``None``."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    user = session().scalar(
        sa.select(User).join(ApiToken).where(ApiToken.token_hash == _token_hash(token))
    )
    return user if user is not None and user.active else None


def get_user(user_id: int) -> User:
    user = session().get(User, user_id)
    if user is None:
        raise NotFound(_l("No such user."))
    return user
