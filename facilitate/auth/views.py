"""Staff login and logout, and the admin's user management."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from facilitate.db import session
from facilitate.errors import DomainError
from facilitate.extensions import limiter, login_manager
from facilitate.i18n import safe_next
from facilitate.web import refuse, register_labels, show_form

from . import operations, throttle
from .forms import EditUserForm, LoginForm, NewUserForm
from .models import Role, User
from .permissions import public, requires

bp = Blueprint("auth", __name__)
register_labels(
    (Role.observer, _l("Observer")),
    (Role.facilitator, _l("Facilitator")),
    (Role.admin, _l("Admin")),
)


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    user = session().get(User, int(user_id))
    return user if user is not None and user.active else None


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
@public
def login() -> str | Response | tuple[str, int, dict[str, str]]:
    form = LoginForm()
    if form.validate_on_submit():
        email, address = form.email.data or "", get_remote_address()
        try:
            user = operations.authenticate(email, form.password.data or "", address=address)
        except operations.TooManyAttempts as refused:
            # Refused before the password was checked: this says nothing about it.
            form.password.errors = [str(refused.message)]
            page = render_template("auth/login.html", form=form)
            return page, refused.status, {"Retry-After": str(refused.wait)}
        if user is not None:
            login_user(user)
            return redirect(
                safe_next(request.args.get("next"))
                if request.args.get("next")
                else url_for("dialogues.dashboard")
            )
        form.password.errors = [_("Wrong e-mail or password.")]
        if wait := operations.wait_before_guess(email, address):
            form.password.errors.append(str(operations.wait_message(wait)))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@requires(Role.observer)
def logout() -> Response:
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/admin/users")
@requires(Role.admin)
def users() -> str:
    staff = session().scalars(sa.select(User).order_by(User.active.desc(), User.name))
    return render_template("auth/users.html", users=list(staff))


@bp.route("/admin/users/new", methods=["GET", "POST"])
@requires(Role.admin)
def new_user() -> str | Response | tuple[str, int]:
    form = NewUserForm()
    if not form.validate_on_submit():
        return show_form("auth/user_form.html", form)
    try:
        user = operations.create_user(
            form.email.data or "",
            name=form.name.data,
            password=form.password.data or "",
            role=form.role.data or "",
        )
    except DomainError as error:
        return refuse("auth/user_form.html", form, error)
    flash(_("%(name)s can now log in.", name=user.name), "success")
    return redirect(url_for(".users"))


@bp.route("/admin/users/<int:user_id>/edit", methods=["GET", "POST"])
@requires(Role.admin)
def edit_user(user_id: int) -> str | Response | tuple[str, int]:
    user = operations.get_user(user_id)
    form = EditUserForm(obj=user, role=user.role.value)
    if not form.validate_on_submit():
        return show_form("auth/user_form.html", form, user=user)
    try:
        operations.update_user(
            user,
            name=form.name.data,
            role=form.role.data or "",
            active=form.active.data,
            actor=current_user,
        )
        if form.password.data:
            operations.set_password(user, form.password.data)
    except DomainError as error:
        return refuse("auth/user_form.html", form, error, user=user)
    flash(_("The user was saved."), "success")
    return redirect(url_for(".users"))


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    app.jinja_env.globals["Role"] = Role
    throttle.init_app(app)
    app.register_blueprint(bp)
