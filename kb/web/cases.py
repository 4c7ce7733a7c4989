"""One case: its text, its classification and the closest other cases."""
from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from ..current import knowledge_base
from ..search_json import hit_json
from ..records import CaseRecord
from ..services import case_to_record
from .intake import proposal_form, review_page, save_reviewed

bp = Blueprint("cases", __name__, url_prefix="/cases")
SIMILAR = 5


def _case_or_404(kb, ref: str):
    case = kb.case_view(ref)
    if case is None:
        abort(404)
    return case


@bp.get("/<ref>")
def show(ref: str):
    kb = knowledge_base()
    case = _case_or_404(kb, ref)
    theme_labels = kb.cached_theme_labels()
    similar = kb.index.similar(ref, limit=SIMILAR)
    return render_template("case.html", case=case, similar=similar, theme_labels=theme_labels)


@bp.get("/<ref>.json")
def show_json(ref: str):
    kb = knowledge_base()
    record = case_to_record(_case_or_404(kb, ref)).to_dict()
    record["similar"] = [hit_json(h, lambda r: url_for("cases.show", ref=r)) for h in kb.index.similar(ref, limit=SIMILAR)]
    return jsonify(record)


@bp.route("/<ref>/edit", methods=["GET", "POST"])
def edit(ref: str):
    """The bureau corrects a stored case; the same review step and residual check as a new case."""
    kb = knowledge_base()
    heading = f"Modifier le cas {ref}"
    if request.method == "POST":
        def store(record: CaseRecord, accepted_warnings: int) -> str:
            if not kb.update_case(ref, record, actor=current_user.username, accepted_warnings=accepted_warnings):
                abort(404)
            flash(f"Le cas {ref} a été modifié.")
            return ref
        return save_reviewed(store, heading=heading)
    record = kb.record_of(ref)
    if record is None:
        abort(404)
    form = proposal_form({"title": record.title, "situation": record.situation, "opinion": record.opinion}, {
        "themes": record.themes, "sectors": ", ".join(record.sectors), "year": record.year,
        "channel": record.channel, "legal_refs": "\n".join(record.legal_refs)})
    return review_page(form, url_for("cases.edit", ref=ref), heading=heading)


@bp.post("/<ref>/delete")
def delete(ref: str):
    kb = knowledge_base()
    if not kb.delete_case(ref, actor=current_user.username):
        abort(404)
    flash(f"Le cas {ref} a été supprimé.")
    return redirect(url_for("search.index"))
