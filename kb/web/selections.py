"""Trainers' selections: ordered cases with notes and questions, shared read-only, exported as handouts."""
from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from ..documents import PARTICIPANTS, TRAINER, Handout, HandoutCase, handout_docx, handout_markdown, handout_pdf
from ..documents import text as doc_text
from ..models import Case, Selection, SelectionItem, utcnow
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


def _kb():
    return current_app.extensions["kb"]


def _load(db: Session, selection_id: int, editing: bool) -> Selection:
    """The selection if the current user may see it (owner, or shared) or edit it (owner only)."""
    selection = db.scalar(select(Selection).where(Selection.id == selection_id).options(
        selectinload(Selection.items).selectinload(SelectionItem.case).selectinload(Case.themes),
        selectinload(Selection.items).selectinload(SelectionItem.case).selectinload(Case.legal_refs)))
    if selection is None:
        abort(404)
    mine = selection.owner_id == current_user.user_id
    if editing and not mine:
        abort(403)
    if not mine and not selection.shared:
        abort(404)
    return selection


def own_selections(db: Session) -> list[Selection]:
    return list(db.scalars(select(Selection).where(Selection.owner_id == current_user.user_id)
                           .order_by(Selection.updated_at.desc())))


@bp.get("/")
def index():
    with _kb().db.session() as db:
        visible = list(db.scalars(
            select(Selection).where(or_(Selection.owner_id == current_user.user_id, Selection.shared.is_(True)))
            .options(selectinload(Selection.items), selectinload(Selection.owner))
            .order_by(Selection.updated_at.desc())))
        return render_template("selections.html", selections=visible, form=SelectionForm())


SELECTION_LABELS = {"title": "Titre", "description": "Description", "note": "Note du formateur",
                    "questions": "Questions pour la discussion"}


@bp.post("/")
def create():
    form = SelectionForm()
    if not form.validate_on_submit():
        with _kb().db.session() as db:
            return render_template("selections.html", selections=own_selections(db), form=form), 400
    warning = warn_before_saving({"title": form.title.data, "description": form.description.data or ""},
                                 SELECTION_LABELS)
    if warning:
        return warning
    with _kb().db.session() as db:
        selection = Selection(title=form.title.data.strip(), description=(form.description.data or "").strip(),
                              shared=bool(form.shared.data), owner_id=current_user.user_id)
        db.add(selection)
        db.commit()
        selection_id = selection.id
    ref = request.form.get("ref")
    if ref:
        return add_item(selection_id)
    return redirect(url_for("selections.show", selection_id=selection_id))


@bp.get("/<int:selection_id>")
def show(selection_id: int):
    with _kb().db.session() as db:
        selection = _load(db, selection_id, editing=False)
        mine = selection.owner_id == current_user.user_id
        form = SelectionForm(obj=selection)
        theme_labels = _kb().theme_labels(db)
        return render_template("selection.html", selection=selection, mine=mine, form=form,
                               item_form=SelectionItemForm, theme_labels=theme_labels)


@bp.post("/<int:selection_id>/edit")
def edit(selection_id: int):
    form = SelectionForm()
    if form.validate_on_submit():
        warning = warn_before_saving({"title": form.title.data, "description": form.description.data or ""},
                                     SELECTION_LABELS)
        if warning:
            return warning
    with _kb().db.session() as db:
        selection = _load(db, selection_id, editing=True)
        if form.validate_on_submit():
            selection.title = form.title.data.strip()
            selection.description = (form.description.data or "").strip()
            selection.shared = bool(form.shared.data)
            selection.updated_at = utcnow()
            db.commit()
            flash("Sélection mise à jour.")
        else:
            flash("Le titre est obligatoire (200 caractères au plus).")
    return redirect(url_for("selections.show", selection_id=selection_id))


@bp.post("/<int:selection_id>/delete")
def delete(selection_id: int):
    """First a page that asks, then (with confirm=yes) the deletion: works without JavaScript."""
    with _kb().db.session() as db:
        selection = _load(db, selection_id, editing=True)
        if request.form.get("confirm") != "yes":
            return render_template("selection_delete.html", selection=selection,
                                   notes=sum(1 for i in selection.items if i.note or i.questions))
        db.delete(selection)
        db.commit()
    flash("Sélection supprimée.")
    return redirect(url_for("selections.index"))


@bp.post("/<int:selection_id>/duplicate")
def duplicate(selection_id: int):
    with _kb().db.session() as db:
        source = _load(db, selection_id, editing=False)
        copy = Selection(title=f"{source.title} (copie)"[:200], description=source.description,
                         owner_id=current_user.user_id, shared=False)
        copy.items = [SelectionItem(case_id=i.case_id, position=i.position, note=i.note, questions=i.questions)
                      for i in source.items]
        db.add(copy)
        db.commit()
        copy_id = copy.id
    flash("Sélection dupliquée : c'est votre copie.")
    return redirect(url_for("selections.show", selection_id=copy_id))


@bp.post("/<int:selection_id>/items")
def add_item(selection_id: int):
    ref = (request.form.get("ref") or "").strip()
    with _kb().db.session() as db:
        selection = _load(db, selection_id, editing=True)
        case = db.scalar(select(Case).where(Case.ref == ref))
        if case is None:
            abort(404)
        if any(item.case_id == case.id for item in selection.items):
            flash(f"Le cas {ref} est déjà dans « {selection.title} ».")
        else:
            selection.items.append(SelectionItem(case_id=case.id, position=len(selection.items)))
            selection.updated_at = utcnow()
            db.commit()
            flash(f"Le cas {ref} a été ajouté à « {selection.title} ».")
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
        with _kb().db.session() as db:
            return [(s.id, s.title) for s in own_selections(db)]
    return {"my_selections": my_selections}


@bp.post("/<int:selection_id>/items/<int:item_id>")
def update_item(selection_id: int, item_id: int):
    form = SelectionItemForm()
    if form.validate_on_submit():
        warning = warn_before_saving({"note": form.note.data or "", "questions": form.questions.data or ""},
                                     SELECTION_LABELS)
        if warning:
            return warning
    with _kb().db.session() as db:
        item = _item(_load(db, selection_id, editing=True), item_id)
        if form.validate_on_submit():
            item.note = (form.note.data or "").strip()
            item.questions = (form.questions.data or "").strip()
            db.commit()
            flash("Note et questions enregistrées.")
        else:
            flash(" ".join(e for errors in form.errors.values() for e in errors))
    return redirect(url_for("selections.show", selection_id=selection_id) + f"#item-{item_id}")


@bp.post("/<int:selection_id>/items/<int:item_id>/move")
def move_item(selection_id: int, item_id: int):
    step = -1 if request.form.get("direction") == "up" else 1
    with _kb().db.session() as db:
        selection = _load(db, selection_id, editing=True)
        items = list(selection.items)
        index = items.index(_item(selection, item_id))
        other = index + step
        if 0 <= other < len(items):
            items[index], items[other] = items[other], items[index]
            for position, item in enumerate(items):
                item.position = position
            db.commit()
    return redirect(url_for("selections.show", selection_id=selection_id) + f"#item-{item_id}")


@bp.post("/<int:selection_id>/items/<int:item_id>/remove")
def remove_item(selection_id: int, item_id: int):
    with _kb().db.session() as db:
        selection = _load(db, selection_id, editing=True)
        selection.items.remove(_item(selection, item_id))
        for position, item in enumerate(selection.items):
            item.position = position
        db.commit()
    return redirect(url_for("selections.show", selection_id=selection_id))


@bp.get("/<int:selection_id>/handout.<fmt>")
def export(selection_id: int, fmt: str):
    """A handout for participants (the default: no notes, the opinion only with opinion=1) or, with
    audience=trainer, the trainer's version with everything; as PDF, DOCX, Markdown or a page to print."""
    if fmt not in EXPORTS and fmt != PRINT_VIEW:
        abort(404)
    audience = TRAINER if request.args.get("audience") == TRAINER else PARTICIPANTS
    with_opinion = audience == TRAINER or request.args.get("opinion") in ("1", "y", "on")
    with _kb().db.session() as db:
        selection = _load(db, selection_id, editing=False)
        handout = to_handout(selection, _kb().theme_labels(db), audience, with_opinion)
    _kb().audit(current_user.username, "export", detail=f"selection {selection_id} ({fmt}, {audience})")
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


def to_handout(selection: Selection, theme_labels: dict[str, str], audience: str = TRAINER,
               with_opinion: bool = True) -> Handout:
    """Only stored, anonymised text and its classification: never an account name. For participants,
    the trainer's notes never leave the database, nor the opinion and legal references unless asked."""
    trainer = audience == TRAINER
    return Handout(title=selection.title, description=selection.description, audience=audience, cases=[
        HandoutCase(ref=i.case.ref, title=i.case.title, situation=i.case.situation,
                    opinion=i.case.opinion if with_opinion else "",
                    themes=[theme_labels.get(t.slug, t.label) for t in i.case.themes], year=i.case.year,
                    legal_refs=[r.label for r in i.case.legal_refs] if with_opinion else [],
                    note=i.note if trainer else "", questions=i.question_list())
        for i in selection.items])


def _item(selection: Selection, item_id: int) -> SelectionItem:
    for item in selection.items:
        if item.id == item_id:
            return item
    abort(404)


def _back(default: str) -> str:
    return safe_target(request.form.get("next"), default)
