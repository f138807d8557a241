"""Staff login and logout."""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_user, logout_user
from werkzeug.wrappers import Response

from facilitate.db import session
from facilitate.extensions import limiter, login_manager
from facilitate.i18n import safe_next

from . import operations
from .forms import LoginForm
from .models import Role, User
from .permissions import public, requires

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    user = session().get(User, int(user_id))
    return user if user is not None and user.active else None


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
@public
def login() -> str | Response:
    form = LoginForm()
    if form.validate_on_submit():
        user = operations.authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            login_user(user)
            return redirect(
                safe_next(request.args.get("next"))
                if request.args.get("next")
                else url_for("dialogues.dashboard")
            )
        form.password.errors = [
            _("Wrong e-mail or password, or the account is locked for a while.")
        ]
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@requires(Role.observer)
def logout() -> Response:
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    app.jinja_env.globals["Role"] = Role
    app.register_blueprint(bp)
