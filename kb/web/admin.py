"""Accounts administration: create, change role, deactivate, reset a password (kb/services/users.py)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ..current import knowledge_base
from ..services import users as accounts
from ..services.accounts import AccountError
from .forms import ROLE_CHOICES, UserCreateForm, UserUpdateForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _page(create_form: UserCreateForm | None = None, shown_password: tuple[str, str] | None = None, status: int = 200):
    return render_template("admin_users.html", users=accounts.all_users(knowledge_base()),
                           form=create_form or UserCreateForm(), roles=ROLE_CHOICES,
                           shown_password=shown_password), status


@bp.get("/users")
def users():
    return _page()


@bp.post("/users")
def create_user_view():
    form = UserCreateForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    try:
        shown = accounts.add(knowledge_base(), current_user.username, form.username.data, form.role.data)
    except AccountError as exc:
        form.username.errors = [str(exc)]
        return _page(form, status=400)
    # Shown once, in this answer only: never flashed (the session cookie is signed, not encrypted).
    # The form starts empty again, for the next account.
    return _page(UserCreateForm(formdata=None), shown_password=shown)


@bp.post("/users/<int:user_id>")
def update_user(user_id: int):
    form = UserUpdateForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        accounts.update(knowledge_base(), current_user.username, user_id, form.role.data, bool(form.active.data))
    except AccountError as exc:
        flash(str(exc))
    else:
        flash("Compte mis à jour.")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/password")
def reset_password(user_id: int):
    # CSRFProtect checks the token of every POST
    return _page(shown_password=accounts.reset_password(knowledge_base(), current_user.username, user_id))
