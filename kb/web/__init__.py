"""The Flask application factory (as in Flask's tutorial): settings, the knowledge base, blueprints."""
from __future__ import annotations

import io
import logging
import os
import secrets
import traceback
from functools import cache
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, make_response, render_template, request
from flask.wrappers import Request
from flask_wtf.csrf import CSRFError, CSRFProtect
from wtforms.fields.core import UnboundField

from anonymizer.allowlist import use_extra_allowlist

from ..cli import kb_cli
from ..config import PROJECT_ROOT, Settings, load_settings, make_private
from ..locks import file_lock
from ..records import field_label
from ..services import KnowledgeBase
from ..services.errors import Forbidden, NotFound
from ..services.login_limits import TooManyAttempts
from . import admin, auth, bureau, cases, drafts, guide, intake, search, selections
from .forms import Form
from .index_follow import init_index_follow
from .render import register_filters
from .security import init_security

csrf = CSRFProtect()


MAX_REQUEST_BYTES = 2 * 1024 * 1024
MAX_REPORT_BYTES = 25 * 1024 * 1024  # an activity report PDF with its layout and logos
LARGE_REQUEST_ENDPOINTS = {"drafts.upload"}
# A preview's signed drafts come back in one form field: up to 1,000 opinions of anonymised text
# (MAX_TEXT_CHARS of a report), URL-encoded, over the 2 MB of other forms.
MAX_PREVIEW_BYTES = 16 * 1024 * 1024
PREVIEW_ENDPOINTS = {"drafts.import_previewed"}


class KnowledgeBaseRequest(Request):
    """Uploaded files stay in memory: a report is raw text, not yet anonymised, and Werkzeug would
    otherwise spool any file over 500 kB to a temporary file on disk."""

    def _get_file_stream(self, total_content_length, content_type, filename=None, content_length=None):
        return io.BytesIO()

    @property
    def max_content_length(self) -> int | None:
        if self.endpoint in LARGE_REQUEST_ENDPOINTS:
            return MAX_REPORT_BYTES
        if self.endpoint in PREVIEW_ENDPOINTS:
            return MAX_PREVIEW_BYTES
        return MAX_REQUEST_BYTES


class KnowledgeBaseFlask(Flask):
    request_class = KnowledgeBaseRequest

    def log_exception(self, exc_info) -> None:
        """Log where an error happened, never its message: messages can quote the text being processed."""
        exc_type, _exc, tb = exc_info
        where = " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(traceback.extract_tb(tb)[-6:]))
        self.logger.error("Unhandled %s in %s %s at %s", exc_type.__name__, request.method, request.endpoint, where)
ALLOWLIST_FILE = "allowlist.txt"


def create_app(settings: Settings | None = None, config: dict[str, Any] | None = None) -> Flask:
    settings = settings or load_settings()
    app = KnowledgeBaseFlask(__name__, template_folder=str(PROJECT_ROOT / "templates"),
                static_folder=str(PROJECT_ROOT / "static"), instance_path=str(settings.data_dir))
    make_private(settings.data_dir)  # before anything is written there: owner-only folder and files
    kb = KnowledgeBase(settings, purge_in_background=True)
    kb.init()
    app.config.update(
        SECRET_KEY=_secret_key(settings.data_dir),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
        KB_HTTPS=os.environ.get("KB_HTTPS", "") not in ("", "0"),
    )
    if config:
        app.config.update(config)
    app.extensions["kb"] = kb
    # The development server logs each request line, and URLs carry search queries: keep only warnings.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    use_extra_allowlist(settings.data_dir / ALLOWLIST_FILE)  # the bureau's additions, kept with the data
    csrf.init_app(app)
    init_index_follow(app)  # first: even a login page keeps this server counted
    init_security(app)
    app.before_request(refuse_nul_characters)
    register_filters(app)
    for blueprint in (auth.bp, search.bp, cases.bp, intake.bp, selections.bp, bureau.bp, drafts.bp, admin.bp,
                      guide.bp):
        app.register_blueprint(blueprint)
    app.cli.add_command(kb_cli)

    # French error pages that never echo the request or the exception: either may hold identifying text.
    pages = {}
    for status, title, message in (
        (CSRFError, "Formulaire expiré", "Le formulaire a expiré ou ne vient pas de cette application. "
                                         "Revenez en arrière, rechargez la page et renvoyez-le."),
        (400, "Requête incorrecte", "La demande est incomplète ou mal formée. Revenez en arrière et réessayez."),
        (403, "Accès refusé", "Votre rôle ne permet pas d'ouvrir cette page."),
        (404, "Page introuvable", "Cette page n'existe pas."),
        (405, "Action non permise", "Cette adresse ne s'ouvre pas de cette manière. Revenez en arrière et "
                                    "utilisez le bouton prévu."),
        (413, "Envoi trop volumineux", "L’envoi dépasse la taille permise : 2 Mo pour un texte, 25 Mo pour un rapport d’activités."),
        (429, "Trop de tentatives", "Trop de tentatives en peu de temps. Réessayez dans quelques minutes."),
        (500, "Erreur interne", "Une erreur est survenue. Rien n'a été enregistré."),
    ):
        pages[status] = error_page(title, message, 400 if status is CSRFError else status)
        app.register_error_handler(status, pages[status])
    # what a service refuses is the page of the status it stands for
    app.register_error_handler(NotFound, pages[404])
    app.register_error_handler(Forbidden, pages[403])
    app.register_error_handler(TooManyAttempts, pages[429])

    return app


@cache
def _form_field_names() -> frozenset[str]:
    """Names of the fields the app's forms declare: those forms refuse a NUL next to the field."""
    names: set[str] = {"csrf_token"}
    pending = [Form]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        names.update(name for name in dir(cls) if isinstance(getattr(cls, name, None), UnboundField))
    return frozenset(names)


def refuse_nul_characters():
    """A NUL character anywhere else in a request (address, query, a field no form declares, a file
    name) is refused here, naming the field only: PostgreSQL would refuse it later, as an error 500."""
    declared = _form_field_names()
    where = None
    if "\x00" in request.path:
        where = "L’adresse de la page"
    else:
        for source, skip in ((request.args, frozenset()), (request.form, declared)):
            for position, (name, value) in enumerate(source.items(multi=True), start=1):
                if "\x00" in name or ("\x00" in value and name not in skip):
                    where = f"Le champ « {field_label(name, position)} »"
                    break
            if where:
                break
        for name, upload in request.files.items(multi=True):
            if not where and "\x00" in (upload.filename or ""):
                where = f"Le nom du fichier envoyé (champ « {field_label(name)} »)"
    if where:
        abort(Response(render_template(
            "error.html", title="Caractère refusé",
            message=f"{where} contient un caractère nul (\\0), qui ne peut pas être enregistré. "
                    "Revenez en arrière, retirez-le et renvoyez le formulaire."), status=400))


def error_page(title: str, message: str, status: int):
    def handler(error):
        response = make_response(render_template("error.html", title=title, message=message), status)
        allowed = getattr(error, "valid_methods", None)  # a 405 still says which methods the page takes
        if allowed:
            response.headers["Allow"] = ", ".join(allowed)
        return response
    return handler


def _secret_key(data_dir: Path) -> str:
    """A random key kept in the data folder, so sessions survive a restart without configuration.
    Created 0600 from the start, once: the workers starting together wait for each other."""
    path = data_dir / "secret_key"
    with file_lock(data_dir / "init.lock"):
        if not path.exists():
            with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as out:
                out.write(secrets.token_hex(32))
    return path.read_text(encoding="utf-8").strip()
