"""One case: its text, its classification and the closest other cases."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, render_template, url_for

from ..services import case_to_record

bp = Blueprint("cases", __name__, url_prefix="/cases")
SIMILAR = 5


@bp.get("/<ref>")
def show(ref: str):
    kb = current_app.extensions["kb"]
    with kb.db.session() as session:
        case = kb.get_case(session, ref)
        if case is None:
            abort(404)
        theme_labels = kb.theme_labels(session)
    similar = kb.index.similar(ref, limit=SIMILAR)
    return render_template("case.html", case=case, similar=similar, theme_labels=theme_labels)


@bp.get("/<ref>.json")
def show_json(ref: str):
    kb = current_app.extensions["kb"]
    with kb.db.session() as session:
        case = kb.get_case(session, ref)
        if case is None:
            abort(404)
        record = case_to_record(case).to_dict()
    record["similar"] = [{"ref": h.ref, "title": h.title, "url": url_for("cases.show", ref=h.ref)}
                         for h in kb.index.similar(ref, limit=SIMILAR)]
    return jsonify(record)
