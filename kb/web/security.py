"""Who may open what, and the headers and limits every response gets.

Every endpoint needs a rule in ACCESS (the least role that may use it) or must be public;
an endpoint without a rule is refused, and the access-matrix test fails until it gets one.
"""
from __future__ import annotations

import os
import unicodedata
from datetime import timedelta
from typing import Protocol
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, jsonify, redirect, request, url_for
from flask import session as flask_session
from flask_login import LoginManager, UserMixin, current_user, login_user
from werkzeug.middleware.proxy_fix import ProxyFix

from ..current import knowledge_base
from ..services.accounts import SESSION_HOURS, live_login
from ..services.login_limits import Attempt
from ..models import ROLE_LABELS, ROLES

PUBLIC = {"auth.login", "static"}
# All that a login with a provisional password may open until it has been changed.
WHILE_PROVISIONAL = {"auth.password", "auth.logout"}
ACCESS: dict[str, str] = {
    "search.index": "volunteer",
    "search.api_search": "volunteer",
    "cases.show": "volunteer",
    "cases.show_json": "volunteer",
    "auth.logout": "volunteer",
    "auth.password": "volunteer",
    "intake.new": "bureau",
    "intake.save": "bureau",
    "cases.edit": "bureau",
    "cases.delete": "bureau",
    "bureau.dashboard": "bureau",
    "bureau.report": "bureau",
    "bureau.report_export": "bureau",
    "bureau.report_summary": "bureau",
    "bureau.themes": "bureau",
    "bureau.allowlist": "bureau",
    "drafts.index": "bureau",
    "drafts.upload": "bureau",
    "drafts.review": "bureau",
    "drafts.approve": "bureau",
    "drafts.reject": "bureau",
    "drafts.import_previewed": "bureau",
    "intake.model_status": "bureau",
    "bureau.theme_action": "bureau",
    "selections.index": "trainer",
    "selections.create": "trainer",
    "selections.show": "trainer",
    "selections.edit": "trainer",
    "selections.delete": "trainer",
    "selections.duplicate": "trainer",
    "selections.add_item": "trainer",
    "selections.add_to_chosen": "trainer",
    "selections.update_item": "trainer",
    "selections.move_item": "trainer",
    "selections.remove_item": "trainer",
    "selections.export": "trainer",
    "admin.users": "admin",
    "admin.create_user_view": "admin",
    "admin.update_user": "admin",
    "admin.reset_password": "admin",
}
IDLE_MINUTES = 60  # a login also ends after this long without a request (KB_IDLE_MINUTES)
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")

login_manager = LoginManager()


class Account(Protocol):
    """A User row or its columns read without the ORM (the per-request look-up)."""
    id: int
    username: str
    role: str
    must_change_password: bool


class SessionUser(UserMixin):
    """The logged-in user as this request knows it. Its id, kept in the session cookie, is the
    login's random token; the database holds the token's hash (LoginSession), checked on every request."""

    def __init__(self, user: Account, token: str) -> None:
        self.user_id = user.id
        self.username = user.username
        self.role = user.role
        self.must_change_password = bool(user.must_change_password)
        self.id = token

    def can(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


def remember(user: Account, token: str) -> SessionUser:
    """Put a login session just started (kb/services/accounts.py) in a new cookie."""
    session_user = SessionUser(user, token)
    flask_session.clear()  # a new cookie: nothing from before the login carries over
    flask_session.permanent = True
    login_user(session_user)
    return session_user


def attempt(username: str) -> Attempt:
    """This request's password attempt, for the login limits: the account typed and the client's
    address (the proxy's for KB_PROXY_HOPS hops, see ProxyFix below)."""
    return Attempt.of(current_app.config["SECRET_KEY"], username, request.remote_addr or "",
                      counted=bool(current_app.config.get("RATELIMIT_ENABLED", True)))


def idle_limit() -> timedelta:
    return timedelta(minutes=current_app.config["KB_IDLE_MINUTES"])


@login_manager.user_loader
def load_user(token: str) -> SessionUser | None:
    """Every request: the login session must still be alive (kb/services/accounts.py: live_login)."""
    row = live_login(knowledge_base(), token, idle_limit())
    if row is None:
        return None
    return SessionUser(row, token)


MAX_TARGET = 2000


def safe_target(target: str | None, default: str) -> str:
    """`target` if it is a path on this site, else `default`: the one check for every return address
    a request carries (the login's `next`, the selections' `next`).

    Accepted: a relative path starting with a single "/", without a backslash, a scheme or a host,
    and without control, format or space characters (browsers drop a tab or a newline, so
    "/\t/evil.example" would become "//evil.example"; CR or LF would break the Location header)."""
    if not target or len(target) > MAX_TARGET or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(unicodedata.category(char)[0] in "CZ" for char in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def init_security(app: Flask) -> None:
    app.config.setdefault("KB_IDLE_MINUTES", int(os.environ.get("KB_IDLE_MINUTES") or IDLE_MINUTES))
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=SESSION_HOURS)
    # Behind HTTPS (KB_HTTPS=1), the session cookie is never sent over plain HTTP.
    app.config["SESSION_COOKIE_SECURE"] = bool(app.config.get("KB_HTTPS"))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Connectez-vous pour accéder à la base de cas."
    login_manager.session_protection = "strong"
    # Behind KB_PROXY_HOPS reverse proxies, the client's address is the one they put in
    # X-Forwarded-For; with 0 (the default) that header is ignored, so it cannot be spoofed.
    hops = int(app.config.get("KB_PROXY_HOPS", os.environ.get("KB_PROXY_HOPS") or 0))
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops)
    app.before_request(enforce_access)
    app.after_request(security_headers)
    app.jinja_env.globals["role_labels"] = ROLE_LABELS


def enforce_access():
    endpoint = request.endpoint
    if endpoint is None or endpoint in PUBLIC:
        return None
    role = ACCESS.get(endpoint)
    if role is None:
        abort(403)  # deny by default: a route nobody gave a rule to
    if not current_user.is_authenticated:
        if request.path.startswith("/api/") or request.path.endswith(".json"):
            return jsonify({"error": "login required"}), 401
        return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))
    if current_user.must_change_password and endpoint not in WHILE_PROVISIONAL:
        if request.path.startswith("/api/") or request.path.endswith(".json"):
            return jsonify({"error": "password change required"}), 403
        return redirect(url_for("auth.password"))
    if not current_user.can(role):
        abort(403)
    if current_user.can("bureau"):
        # an edit or a deletion of this user (or another editor) may be purging the old text from the
        # index: no editor goes on before it is gone from every file (volunteers' searches never wait)
        knowledge_base().wait_for_purge()
    return None


def security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "no-store")
    return response
