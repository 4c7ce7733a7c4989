"""Accounts administration: create, change role, deactivate, reset a password."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from ..current import knowledge_base
from ..services.accounts import AccountError, create_user, end_sessions, new_password, set_password
from ..models import User
from .forms import ROLE_CHOICES, UserCreateForm, UserUpdateForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _page(create_form: UserCreateForm | None = None, shown_password: tuple[str, str] | None = None, status: int = 200):
    kb = knowledge_base()
    with kb.db.session() as db:
        users = list(db.scalars(select(User).order_by(User.username)))
    return render_template("admin_users.html", users=users, form=create_form or UserCreateForm(),
                           roles=ROLE_CHOICES, shown_password=shown_password), status


@bp.get("/users")
def users():
    return _page()


@bp.post("/users")
def create_user_view():
    kb = knowledge_base()
    form = UserCreateForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    password = new_password()
    with kb.db.session() as db:
        try:
            user = create_user(db, form.username.data, password, form.role.data, provisional=True)
        except AccountError as exc:
            form.username.errors = [str(exc)]
            return _page(form, status=400)
        db.commit()
        username = user.username
    kb.audit(current_user.username, "user-created", detail=f"{username} ({form.role.data})")
    # Shown once, in this answer only: never flashed (the session cookie is signed, not encrypted).
    # The form starts empty again, for the next account.
    return _page(UserCreateForm(formdata=None), shown_password=(username, password))


@bp.post("/users/<int:user_id>")
def update_user(user_id: int):
    kb = knowledge_base()
    form = UserUpdateForm()
    if not form.validate_on_submit():
        abort(400)
    with kb.db.session() as db:
        user = db.get(User, user_id) or abort(404)
        demoting = user.role == "admin" and (form.role.data != "admin" or not form.active.data)
        admins = db.scalar(select(func.count(User.id)).where(User.role == "admin", User.active.is_(True)))
        if demoting and admins <= 1:
            flash("Il doit rester au moins un administrateur actif.")
            return redirect(url_for("admin.users"))
        if (user.role, user.active) != (form.role.data, bool(form.active.data)):
            end_sessions(db, user.id)  # the account logs in again, with its new role or not at all
        user.role, user.active = form.role.data, bool(form.active.data)
        db.commit()
        detail = f"{user.username}: {user.role}, {'actif' if user.active else 'désactivé'}"
    kb.audit(current_user.username, "user-updated", detail=detail)
    flash("Compte mis à jour.")
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/password")
def reset_password(user_id: int):
    kb = knowledge_base()  # CSRFProtect checks the token of every POST
    password = new_password()
    with kb.db.session() as db:
        user = db.get(User, user_id) or abort(404)
        set_password(user, password, provisional=True)
        end_sessions(db, user.id)
        db.commit()
        username = user.username
    kb.audit(current_user.username, "password-reset", detail=username)
    return _page(shown_password=(username, password))
