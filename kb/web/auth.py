"""Logging in and out, and changing one's own password."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user

from ..current import knowledge_base
from ..services.accounts import MIN_PASSWORD, AccountError, authenticate, end_session, end_sessions, set_password, verify_password
from ..models import User
from . import limits
from .forms import LoginForm, PasswordForm
from .security import log_in, safe_target

bp = Blueprint("auth", __name__)
FAILED = "Identifiant ou mot de passe incorrect."


@bp.route("/login", methods=["GET", "POST"])
def login():
    kb = knowledge_base()
    form = LoginForm()
    target = safe_target(request.args.get("next"), url_for("search.index"))  # checked before anything is recorded
    if form.validate_on_submit():
        with kb.db.session() as db:
            limits.check(db, form.username.data)  # 429 before any password is checked
            user = authenticate(db, form.username.data, form.password.data)
            if user is None:
                limits.record_failure(db, form.username.data)
                db.commit()
                known = db.query(User.id).filter(User.username == form.username.data.strip().lower()).scalar()
                kb.audit(form.username.data.strip().lower() if known else "(inconnu)", "login-failed")
                form.password.errors = [FAILED]
                return render_template("login.html", form=form), 401
            limits.forget_failures(db, form.username.data)
            log_in(db, user)
            db.commit()
            kb.audit(user.username, "login")
            if user.must_change_password:
                return redirect(url_for("auth.password"))
        return redirect(target)
    return render_template("login.html", form=form)


@bp.post("/logout")
def logout():
    kb = knowledge_base()
    with kb.db.session() as db:  # the login's row goes: a copy of the cookie opens nothing any more
        end_session(db, current_user.get_id())
        db.commit()
    kb.audit(current_user.username, "logout")
    logout_user()
    session.clear()
    flash("Vous êtes déconnecté.")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
def password():
    kb = knowledge_base()
    form = PasswordForm()
    if form.validate_on_submit():
        with kb.db.session() as db:
            user = db.get(User, current_user.user_id)
            limits.check(db, user.username)  # the same limits as the login: this page also checks a password
            if not verify_password(user.password_hash, form.current.data):
                limits.record_failure(db, user.username)
                db.commit()
                form.current.errors = ["Mot de passe actuel incorrect."]
                return password_page(form, 400)
            if form.new.data == form.current.data:
                form.new.errors = ["Le nouveau mot de passe doit être différent de l'actuel."]
                return password_page(form, 400)
            try:
                set_password(user, form.new.data)
            except AccountError as exc:
                form.new.errors = [str(exc)]
                return password_page(form, 400)
            end_sessions(db, user.id)  # every other login, and every copy of this one's cookie
            log_in(db, user)
            db.commit()
        kb.audit(current_user.username, "password-changed")
        flash("Votre mot de passe a été changé.")
        return redirect(url_for("search.index"))
    return password_page(form)


def password_page(form: PasswordForm, status: int = 200):
    rules = (f"Au moins {MIN_PASSWORD} caractères, ni un mot de passe courant ni une de ses variantes : "
             "une phrase de quelques mots convient bien.")
    return render_template("password.html", form=form, rules=rules,
                           provisional=current_user.must_change_password), status
