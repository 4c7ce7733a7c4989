"""The review queue of drafts from activity reports: approve (after review), edit, or reject each one."""
from __future__ import annotations

from collections import Counter

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from anonymizer.operators import FIXED, NUMBERED

from ..anonymization import PLACEHOLDER_RE, Replacement
from ..archive import import_report_data
from ..models import AuditEvent, Case, Draft
from ..records import CaseRecord
from ..report_parser import NotAReport
from .forms import ReportUploadForm
from .intake import proposal_form, review_page, save_reviewed

bp = Blueprint("drafts", __name__, url_prefix="/bureau/drafts")
KIND_LABELS = {french: label for label, french in {**NUMBERED, **FIXED}.items()}  # "Personne" -> PERSON


def _kb():
    return current_app.extensions["kb"]


def _pending(db, draft_id: int) -> Draft:
    draft = db.get(Draft, draft_id)
    if draft is None:
        abort(404)
    if draft.status != "pending":
        flash("Ce brouillon a déjà été traité.")
        abort(redirect(url_for("drafts.index")))
    return draft


@bp.get("/")
def index():
    with _kb().db.session() as db:
        drafts = list(db.scalars(select(Draft).where(Draft.status == "pending").order_by(Draft.id)))
        counts = dict(db.execute(select(Draft.status, func.count()).group_by(Draft.status)).all())
        labels = _kb().theme_labels(db)
    return render_template("drafts.html", drafts=drafts, counts=counts, labels=labels)


@bp.route("/import", methods=["GET", "POST"])
def upload():
    """An activity report from the browser: read in memory, anonymised, then either shown (preview,
    nothing stored) or added to the queue as drafts. The raw text never reaches the disk.
    A refused upload answers 400 (no file, wrong type) or 422 (a file that cannot be read as a
    report), with its French message on the page; a too large one gets the 413 page."""
    kb = _kb()
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
    labels = kb.cached_theme_labels()
    per_theme = Counter(d.source.theme_slug or f"nouveau : {d.source.proposed_theme}" for d in result.drafts) if result else {}
    return render_template("drafts_import.html", form=form, result=result, labels=labels, per_theme=per_theme,
                           preview=bool(form.preview.data)), status


@bp.get("/<int:draft_id>")
def review(draft_id: int):
    with _kb().db.session() as db:
        draft = _pending(db, draft_id)
        known = _kb().theme_labels(db, include_retired=False)
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
        for placeholder in dict.fromkeys(PLACEHOLDER_RE.findall(text or "")):
            kind = placeholder.strip("[]").rsplit(" ", 1)[0] if placeholder[-2].isupper() else placeholder.strip("[]")
            out.append(Replacement(name, KIND_LABELS.get(kind, kind), placeholder, ""))
    return out


@bp.post("/<int:draft_id>/approve")
def approve(draft_id: int):
    """Only an approved draft becomes a case: the same review and residual check as the intake page."""
    kb = _kb()
    with kb.db.session() as db:
        draft = _pending(db, draft_id)
        period_end = draft.year_to if draft.year_to != draft.year_from else None
        db.expunge(draft)

    def store(record: CaseRecord) -> str:
        if period_end and record.year and period_end > record.year:
            record.year_to = period_end
        ref = kb.create_case(record, actor=current_user.username)
        with kb.db.session() as db:
            if not record.opinion:  # save_reviewed let it through: the "sans avis" box is ticked
                db.scalar(select(Case).where(Case.ref == ref)).no_opinion = True
            approved = db.get(Draft, draft_id)
            approved.status, approved.case_ref = "approved", ref
            # the case holds the reviewed text; the draft's, perhaps corrected since, keeps only its fingerprint
            approved.title, approved.situation, approved.opinion = "", "", ""
            db.commit()
        flash(f"Brouillon approuvé : le cas {ref} a été créé.")
        return ref

    return save_reviewed(store, heading=f"Relire le brouillon n° {draft_id}", draft=draft)


@bp.post("/<int:draft_id>/reject")
def reject(draft_id: int):
    """A rejected draft keeps only its fingerprint (so a re-import does not bring it back)."""
    with _kb().db.session() as db:
        draft = _pending(db, draft_id)
        draft.status, draft.title, draft.situation, draft.opinion = "rejected", "", "", ""
        db.add(AuditEvent(actor=current_user.username, action="draft-rejected", detail=f"draft {draft_id}"))
        db.commit()
    flash("Brouillon rejeté.")
    return redirect(url_for("drafts.index"))
