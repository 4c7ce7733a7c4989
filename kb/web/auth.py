"""Logging in and out, and changing one's own password (kb/services/accounts.py)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user

from ..current import knowledge_base
from ..services import accounts
from ..services.accounts import MIN_PASSWORD, AccountError
from .forms import LoginForm, PasswordForm
from .security import attempt, remember, safe_target

bp = Blueprint("auth", __name__)
FAILED = "Identifiant ou mot de passe incorrect."


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    target = safe_target(request.args.get("next"), url_for("search.index"))  # checked before anything is recorded
    if form.validate_on_submit():
        done = accounts.log_in(knowledge_base(), form.username.data, form.password.data, attempt(form.username.data))
        if done is None:
            form.password.errors = [FAILED]
            return render_template("login.html", form=form), 401
        user = remember(*done)
        if user.must_change_password:
            return redirect(url_for("auth.password"))
        return redirect(target)
    return render_template("login.html", form=form)


@bp.post("/logout")
def logout():
    accounts.log_out(knowledge_base(), current_user.get_id(), current_user.username)
    logout_user()
    session.clear()
    flash("Vous êtes déconnecté.")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            done = accounts.change_password(knowledge_base(), current_user.user_id, form.current.data, form.new.data,
                                            attempt(current_user.username))
        except AccountError as exc:
            field = form.current if str(exc) == accounts.WRONG_CURRENT else form.new
            field.errors = [str(exc)]
            return password_page(form, 400)
        remember(*done)
        flash("Votre mot de passe a été changé.")
        return redirect(url_for("search.index"))
    return password_page(form)


def password_page(form: PasswordForm, status: int = 200):
    rules = (f"Au moins {MIN_PASSWORD} caractères, ni un mot de passe courant ni une de ses variantes : "
             "une phrase de quelques mots convient bien.")
    return render_template("password.html", form=form, rules=rules,
                           provisional=current_user.must_change_password), status
