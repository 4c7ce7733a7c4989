"""Trainers' selections: ordered cases with notes and questions, shared read-only, exported as handouts.
The rules and queries live in kb/services/selections.py; here the forms, pages and downloads."""
from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..current import knowledge_base
from ..documents import PARTICIPANTS, TRAINER, handout_docx, handout_markdown, handout_pdf
from ..documents import text as doc_text
from ..services import selections
from .forms import SelectionForm, SelectionItemForm
from .free_text import warn_before_saving
from .security import safe_target

bp = Blueprint("selections", __name__, url_prefix="/selections")
EXPORTS = {
    "pdf": ("application/pdf", handout_pdf),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", handout_docx),
    "md": ("text/markdown; charset=utf-8", lambda h: handout_markdown(h).encode("utf-8")),
}
PRINT_VIEW = "html"  # handout.html: the same handout as a page to print from the browser
FILE_SUFFIX = {PARTICIPANTS: "participants", TRAINER: "formateur"}


@bp.get("/")
def index():
    visible = selections.visible(knowledge_base(), current_user.user_id)
    return render_template("selections.html", selections=visible, form=SelectionForm())


SELECTION_LABELS = {"title": "Titre", "description": "Description", "note": "Note du formateur",
                    "questions": "Questions pour la discussion"}


@bp.post("/")
def create():
    form = SelectionForm()
    if not form.validate_on_submit():
        mine = selections.own(knowledge_base(), current_user.user_id)
        return render_template("selections.html", selections=mine, form=form), 400
    warning = warn_before_saving({"title": form.title.data, "description": form.description.data or ""},
                                 SELECTION_LABELS)
    if warning:
        return warning
    selection_id = selections.create(knowledge_base(), current_user.user_id, form.title.data,
                                     form.description.data or "", bool(form.shared.data))
    ref = request.form.get("ref")
    if ref:
        return add_item(selection_id)
    return redirect(url_for("selections.show", selection_id=selection_id))


@bp.get("/<int:selection_id>")
def show(selection_id: int):
    kb = knowledge_base()
    selection = selections.get(kb, selection_id, current_user.user_id)
    return render_template("selection.html", selection=selection, mine=selection.owner_id == current_user.user_id,
                           form=SelectionForm(obj=selection), item_form=SelectionItemForm,
                           theme_labels=kb.cached_theme_labels())


@bp.post("/<int:selection_id>/edit")
def edit(selection_id: int):
    form = SelectionForm()
    if form.validate_on_submit():
        warning = warn_before_saving({"title": form.title.data, "description": form.description.data or ""},
                                     SELECTION_LABELS)
        if warning:
            return warning
    if form.validate_on_submit():
        selections.update(knowledge_base(), selection_id, current_user.user_id, form.title.data,
                          form.description.data or "", bool(form.shared.data))
        flash("Sélection mise à jour.")
    else:
        selections.check_can_edit(knowledge_base(), selection_id, current_user.user_id)
        flash("Le titre est obligatoire (200 caractères au plus).")
    return redirect(url_for("selections.show", selection_id=selection_id))


@bp.post("/<int:selection_id>/delete")
def delete(selection_id: int):
    """First a page that asks, then (with confirm=yes) the deletion: works without JavaScript."""
    if request.form.get("confirm") != "yes":
        selection = selections.check_can_edit(knowledge_base(), selection_id, current_user.user_id)
        return render_template("selection_delete.html", selection=selection,
                               notes=sum(1 for i in selection.items if i.note or i.questions))
    selections.delete(knowledge_base(), selection_id, current_user.user_id)
    flash("Sélection supprimée.")
    return redirect(url_for("selections.index"))


@bp.post("/<int:selection_id>/duplicate")
def duplicate(selection_id: int):
    copy_id = selections.duplicate(knowledge_base(), selection_id, current_user.user_id)
    flash("Sélection dupliquée : c'est votre copie.")
    return redirect(url_for("selections.show", selection_id=copy_id))


@bp.post("/<int:selection_id>/items")
def add_item(selection_id: int):
    ref = (request.form.get("ref") or "").strip()
    title, added = selections.add_case(knowledge_base(), selection_id, current_user.user_id, ref)
    flash(f"Le cas {ref} a été ajouté à « {title} »." if added else f"Le cas {ref} est déjà dans « {title} ».")
    return redirect(_back(url_for("selections.show", selection_id=selection_id)))


@bp.post("/add")
def add_to_chosen():
    """From the search results or a case page: the selection is chosen in the form."""
    selection_id = request.form.get("selection_id", type=int)
    if selection_id is None:
        abort(400)
    return add_item(selection_id)


@bp.app_context_processor
def selection_choices():
    """Templates call my_selections() to offer 'add to a selection' to trainers."""
    def my_selections() -> list[tuple[int, str]]:
        if not current_user.is_authenticated or not current_user.can("trainer"):
            return []
        return [(s.id, s.title) for s in selections.own(knowledge_base(), current_user.user_id)]
    return {"my_selections": my_selections}


@bp.post("/<int:selection_id>/items/<int:item_id>")
def update_item(selection_id: int, item_id: int):
    form = SelectionItemForm()
    if form.validate_on_submit():
        warning = warn_before_saving({"note": form.note.data or "", "questions": form.questions.data or ""},
                                     SELECTION_LABELS)
        if warning:
            return warning
    if form.validate_on_submit():
        selections.update_item(knowledge_base(), selection_id, current_user.user_id, item_id, form.note.data or "",
                               form.questions.data or "")
        flash("Note et questions enregistrées.")
    else:
        selections.check_can_edit(knowledge_base(), selection_id, current_user.user_id)
        flash(" ".join(e for errors in form.errors.values() for e in errors))
    return redirect(url_for("selections.show", selection_id=selection_id) + f"#item-{item_id}")


@bp.post("/<int:selection_id>/items/<int:item_id>/move")
def move_item(selection_id: int, item_id: int):
    step = -1 if request.form.get("direction") == "up" else 1
    selections.move_item(knowledge_base(), selection_id, current_user.user_id, item_id, step)
    return redirect(url_for("selections.show", selection_id=selection_id) + f"#item-{item_id}")


@bp.post("/<int:selection_id>/items/<int:item_id>/remove")
def remove_item(selection_id: int, item_id: int):
    selections.remove_item(knowledge_base(), selection_id, current_user.user_id, item_id)
    return redirect(url_for("selections.show", selection_id=selection_id))


@bp.get("/<int:selection_id>/handout.<fmt>")
def export(selection_id: int, fmt: str):
    """A handout for participants (the default: no notes, the opinion only with opinion=1) or, with
    audience=trainer, the trainer's version with everything; as PDF, DOCX, Markdown or a page to print."""
    if fmt not in EXPORTS and fmt != PRINT_VIEW:
        abort(404)
    audience = TRAINER if request.args.get("audience") == TRAINER else PARTICIPANTS
    with_opinion = audience == TRAINER or request.args.get("opinion") in ("1", "y", "on")
    handout = selections.handout(knowledge_base(), selection_id, current_user.user_id, current_user.username,
                                 audience, with_opinion, fmt)
    if fmt == PRINT_VIEW:
        return render_template("handout.html", handout=handout, selection_id=selection_id,
                               with_opinion=with_opinion, order=doc_text.SECTION_ORDER[audience],
                               labels=doc_text.AUDIENCE_LABELS, notes=doc_text.AUDIENCE_NOTES)
    mimetype, render = EXPORTS[fmt]
    return Response(render(handout), mimetype=mimetype,
                    headers={"Content-Disposition": content_disposition(handout.title, FILE_SUFFIX[audience], fmt)})


def content_disposition(title: str, suffix: str, fmt: str) -> str:
    """'selection-<title>-<version>.<fmt>': ASCII in filename=, the accented name in filename* (RFC 6266)."""
    plain = f"selection-{doc_text.ascii_slug(title)}-{suffix}.{fmt}"
    full = f"selection-{doc_text.slug(title)}-{suffix}.{fmt}"
    if plain == full:
        return f'attachment; filename="{plain}"'
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(full, safe='')}"


def _back(default: str) -> str:
    return safe_target(request.form.get("next"), default)
