"""The review queue of drafts from activity reports: approve (after review), edit, or reject each one."""
from __future__ import annotations

import json
from collections import Counter

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner

from frenchtext.placeholders import LABEL_OF_NAME, PLACEHOLDER_RE

from ..current import knowledge_base
from ..anonymization import Replacement
from ..services.report_import import PREVIEW_FIELDS, ReportImport, draft_from_preview, import_report_data, preview_fields, queue_drafts
from ..services import drafts
from ..records import CaseRecord
from ..report_parser import NotAReport
from .forms import ReportUploadForm
from .intake import proposal_form, review_page, save_reviewed

bp = Blueprint("drafts", __name__, url_prefix="/bureau/drafts")
ALREADY_HANDLED = "Ce brouillon a déjà été traité."



def _pending(draft_id: int):
    """The pending draft, or a redirection to the queue that says it was handled already."""
    try:
        return drafts.pending(knowledge_base(), draft_id)
    except drafts.AlreadyHandled:
        flash(ALREADY_HANDLED)
        abort(redirect(url_for("drafts.index")))


@bp.get("/")
def index():
    waiting, counts = drafts.queue(knowledge_base())
    return render_template("drafts.html", drafts=waiting, counts=counts, labels=knowledge_base().cached_theme_labels())


@bp.route("/import", methods=["GET", "POST"])
def upload():
    """An activity report from the browser: read in memory, anonymised, then either shown (preview,
    nothing stored) or added to the queue as drafts. The raw text never reaches the disk.
    A refused upload answers 400 (no file, wrong type) or 422 (a file that cannot be read as a
    report), with its French message on the page; a too large one gets the 413 page."""
    kb = knowledge_base()
    form = ReportUploadForm()
    result = None
    status = 200
    if form.validate_on_submit():
        upload = form.report.data
        try:
            result = import_report_data(kb, upload.filename or "rapport", upload.read(),
                                        form.include_miscellaneous.data, dry_run=bool(form.preview.data),
                                        actor=current_user.username)
        except NotAReport as exc:
            form.report.errors = [str(exc).split(" / ")[0]]
            status = 422
        else:
            if not form.preview.data:
                flash(f"{result.created} brouillon(s) ajouté(s) à la file de relecture, "
                      f"{result.already_known} déjà connu(s).")
    elif form.is_submitted():
        status = 400
    preview = bool(form.preview.data)
    signed = sign_preview(result, current_user.username) if result is not None and preview and result.drafts else None
    return _import_page(form, result, preview, status, signed)


def _import_page(form: ReportUploadForm, result: ReportImport | None, preview: bool, status: int = 200,
                 signed: str | None = None, error: str | None = None):
    labels = knowledge_base().cached_theme_labels()
    per_theme = Counter(d.source.theme_slug or f"nouveau : {d.source.proposed_theme}" for d in result.drafts) if result else {}
    return render_template("drafts_import.html", form=form, result=result, labels=labels, per_theme=per_theme,
                           preview=preview, signed=signed, error=error), status


# A preview carries its anonymised drafts back to the server in one hidden field, signed with the app's
# secret key: importing from the preview needs no second upload, and nothing rests on the server (nor in
# the session cookie) in between. The field holds only what the page shows: anonymised text.
PREVIEW_SALT = "kb.drafts.report-preview"
PREVIEW_MAX_AGE = 3600  # seconds: a preview is imported within the hour, or the report uploaded again
PREVIEW_REFUSED = "L'aperçu a été modifié ou n'est plus valable : téléversez à nouveau le rapport."
PREVIEW_EXPIRED = "L'aperçu date de plus d'une heure : téléversez à nouveau le rapport."


def _signer() -> TimestampSigner:
    return TimestampSigner(current_app.secret_key, salt=PREVIEW_SALT)


def sign_preview(result: ReportImport, username: str) -> str:
    """The preview's drafts (anonymised fields only) as JSON, signed for this account."""
    payload = {"user": username, "period": list(result.period) if result.period else None,
               "drafts": [preview_fields(d) for d in result.drafts]}
    return _signer().sign(json.dumps(payload, ensure_ascii=False, separators=(",", ":"))).decode("utf-8")


def _valid_fields(fields) -> bool:
    """The shape of one signed draft (the signature vouches for the content; this guards the code)."""
    if not isinstance(fields, dict) or set(fields) != set(PREVIEW_FIELDS):
        return False
    texts = all(isinstance(fields[k], str) for k in ("title", "situation", "opinion", "fingerprint"))
    optional = all(fields[k] is None or isinstance(fields[k], str) for k in ("theme_slug", "proposed_theme"))
    years = all(fields[k] is None or (isinstance(fields[k], int) and not isinstance(fields[k], bool))
                for k in ("year_from", "year_to"))
    return texts and optional and years and 0 < len(fields["fingerprint"]) <= 64


def verify_preview(signed: str) -> tuple[tuple[int, int] | None, list[dict]]:
    """The period and drafts of a signed preview, or ValueError with the page's message."""
    try:
        text = _signer().unsign(signed.encode("utf-8"), max_age=PREVIEW_MAX_AGE).decode("utf-8")
        payload = json.loads(text)
    except SignatureExpired as exc:
        raise ValueError(PREVIEW_EXPIRED) from exc
    except (BadSignature, UnicodeError, ValueError) as exc:
        raise ValueError(PREVIEW_REFUSED) from exc
    if (not isinstance(payload, dict) or payload.get("user") != current_user.username
            or not isinstance(payload.get("drafts"), list) or not all(_valid_fields(f) for f in payload["drafts"])):
        raise ValueError(PREVIEW_REFUSED)
    period = payload.get("period")
    period = (int(period[0]), int(period[1])) if isinstance(period, list) and len(period) == 2 else None
    return period, payload["drafts"]


@bp.post("/import/preview")
def import_previewed():
    """"Importer ces brouillons" from a preview: the signed drafts come back and are queued once the
    signature is verified; a changed, expired or foreign preview is refused (400) and nothing is stored."""
    try:
        period, fields = verify_preview(request.form.get("drafts", ""))
    except ValueError as exc:
        return _import_page(ReportUploadForm(formdata=None), None, False, 400, error=str(exc))
    previewed = [draft_from_preview(f) for f in fields]
    result = ReportImport(period, previewed, [])
    result.proposals = sorted({d.source.proposed_theme for d in previewed if d.source.proposed_theme})
    result.created, result.already_known = queue_drafts(knowledge_base(), previewed, period, current_user.username)
    flash(f"{result.created} brouillon(s) ajouté(s) à la file de relecture, {result.already_known} déjà connu(s).")
    return _import_page(ReportUploadForm(formdata=None), result, False)


@bp.get("/<int:draft_id>")
def review(draft_id: int):
    draft = _pending(draft_id)
    known = knowledge_base().theme_choices()
    fields = {"title": draft.title, "situation": draft.situation, "opinion": draft.opinion}
    form = proposal_form(fields, {
        "themes": [draft.theme_slug] if draft.theme_slug in known else [], "year": draft.year_from,
        "channel": "bureau", "sectors": "", "legal_refs": ""})
    return review_page(form, url_for("drafts.approve", draft_id=draft.id), replacements=placeholders_in(fields),
                       heading=f"Relire le brouillon n° {draft.id}", draft=draft)


def placeholders_in(fields: dict[str, str]) -> list[Replacement]:
    """The replacements of a stored draft, read back from its placeholders: each with its kind and
    field. What it replaced was never stored (the rule), so the reviewer restores a word by typing it."""
    out = []
    for name, text in fields.items():
        kinds = {m.group(0): m.group("kind") for m in PLACEHOLDER_RE.finditer(text or "")}
        out += [Replacement(name, LABEL_OF_NAME.get(kind, kind), placeholder, "") for placeholder, kind in kinds.items()]
    return out


@bp.post("/<int:draft_id>/approve")
def approve(draft_id: int):
    """Only an approved draft becomes a case: the same review and residual check as the intake page."""
    draft = _pending(draft_id)

    def store(record: CaseRecord, accepted_warnings: int) -> str:
        try:
            ref = drafts.approve(knowledge_base(), draft_id, record, current_user.username, accepted_warnings)
        except drafts.AlreadyHandled:
            flash(ALREADY_HANDLED)
            abort(redirect(url_for("drafts.index")))
        flash(f"Brouillon approuvé : le cas {ref} a été créé.")
        return ref

    return save_reviewed(store, heading=f"Relire le brouillon n° {draft_id}", draft=draft)


@bp.post("/<int:draft_id>/reject")
def reject(draft_id: int):
    """A rejected draft keeps only its fingerprint (so a re-import does not bring it back)."""
    try:
        drafts.reject(knowledge_base(), draft_id, current_user.username)
    except drafts.AlreadyHandled:
        flash(ALREADY_HANDLED)
        return redirect(url_for("drafts.index"))
    flash("Brouillon rejeté.")
    return redirect(url_for("drafts.index"))
