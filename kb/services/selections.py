"""Trainers' selections: ordered cases with notes and questions, private or shared read-only.

Who may do what: the owner edits; anyone signed in as a trainer sees shared selections; a selection
that is neither mine nor shared does not exist for me (NotFound, never Forbidden)."""
from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from ..documents import TRAINER, Handout, HandoutCase
from ..models import Case, Selection, SelectionItem, utcnow
from . import audit
from .errors import Forbidden, NotFound
from .knowledge_base import KnowledgeBase

TITLE_MAX = 200
_WITH_CASES = (selectinload(Selection.items).selectinload(SelectionItem.case).selectinload(Case.themes),
               selectinload(Selection.items).selectinload(SelectionItem.case).selectinload(Case.legal_refs))


def _load(db: Session, selection_id: int, user_id: int, editing: bool) -> Selection:
    selection = db.scalar(select(Selection).where(Selection.id == selection_id).options(*_WITH_CASES))
    if selection is None:
        raise NotFound
    mine = selection.owner_id == user_id
    if not mine and not selection.shared:
        raise NotFound
    if editing and not mine:
        raise Forbidden
    return selection


def _item(selection: Selection, item_id: int) -> SelectionItem:
    for item in selection.items:
        if item.id == item_id:
            return item
    raise NotFound


def _renumber(items: list[SelectionItem]) -> None:
    for position, item in enumerate(items):
        item.position = position


def visible(kb: KnowledgeBase, user_id: int) -> list[Selection]:
    """Mine and the shared ones, the latest changed first."""
    with kb.db.session() as db:
        return list(db.scalars(
            select(Selection).where(or_(Selection.owner_id == user_id, Selection.shared.is_(True)))
            .options(selectinload(Selection.items), selectinload(Selection.owner))
            .order_by(Selection.updated_at.desc())))


def own(kb: KnowledgeBase, user_id: int) -> list[Selection]:
    with kb.db.session() as db:
        return list(db.scalars(select(Selection).where(Selection.owner_id == user_id)
                               .order_by(Selection.updated_at.desc())))


def get(kb: KnowledgeBase, selection_id: int, user_id: int) -> Selection:
    """A selection with its cases, for reading."""
    with kb.db.session() as db:
        return _load(db, selection_id, user_id, editing=False)


def create(kb: KnowledgeBase, user_id: int, title: str, description: str, shared: bool) -> int:
    with kb.db.session() as db:
        selection = Selection(title=title.strip(), description=description.strip(), shared=shared, owner_id=user_id)
        db.add(selection)
        db.commit()
        return selection.id


def update(kb: KnowledgeBase, selection_id: int, user_id: int, title: str, description: str, shared: bool) -> None:
    with kb.db.session() as db:
        selection = _load(db, selection_id, user_id, editing=True)
        selection.title, selection.description = title.strip(), description.strip()
        selection.shared = shared
        selection.updated_at = utcnow()
        db.commit()


def check_can_edit(kb: KnowledgeBase, selection_id: int, user_id: int) -> Selection:
    """The selection, if the user may edit it (for the page that asks before a deletion)."""
    with kb.db.session() as db:
        return _load(db, selection_id, user_id, editing=True)


def delete(kb: KnowledgeBase, selection_id: int, user_id: int) -> None:
    with kb.db.session() as db:
        db.delete(_load(db, selection_id, user_id, editing=True))
        db.commit()


def duplicate(kb: KnowledgeBase, selection_id: int, user_id: int) -> int:
    """A private copy, mine, of a selection I may see: notes and questions included."""
    with kb.db.session() as db:
        source = _load(db, selection_id, user_id, editing=False)
        copy = Selection(title=f"{source.title} (copie)"[:TITLE_MAX], description=source.description,
                         owner_id=user_id, shared=False)
        copy.items = [SelectionItem(case_id=i.case_id, position=i.position, note=i.note, questions=i.questions)
                      for i in source.items]
        db.add(copy)
        db.commit()
        return copy.id


def add_case(kb: KnowledgeBase, selection_id: int, user_id: int, ref: str) -> tuple[str, bool]:
    """(the selection's title, whether the case was added: False when it was already in)."""
    with kb.db.session() as db:
        selection = _load(db, selection_id, user_id, editing=True)
        case = db.scalar(select(Case).where(Case.ref == ref))
        if case is None:
            raise NotFound
        if any(item.case_id == case.id for item in selection.items):
            return selection.title, False
        selection.items.append(SelectionItem(case_id=case.id, position=len(selection.items)))
        selection.updated_at = utcnow()
        db.commit()
        return selection.title, True


def update_item(kb: KnowledgeBase, selection_id: int, user_id: int, item_id: int, note: str, questions: str) -> None:
    with kb.db.session() as db:
        item = _item(_load(db, selection_id, user_id, editing=True), item_id)
        item.note, item.questions = note.strip(), questions.strip()
        db.commit()


def move_item(kb: KnowledgeBase, selection_id: int, user_id: int, item_id: int, step: int) -> None:
    """One place up (step -1) or down (+1); nothing at either end."""
    with kb.db.session() as db:
        selection = _load(db, selection_id, user_id, editing=True)
        items = list(selection.items)
        index = items.index(_item(selection, item_id))
        other = index + step
        if 0 <= other < len(items):
            items[index], items[other] = items[other], items[index]
            _renumber(items)
            db.commit()


def remove_item(kb: KnowledgeBase, selection_id: int, user_id: int, item_id: int) -> None:
    with kb.db.session() as db:
        selection = _load(db, selection_id, user_id, editing=True)
        selection.items.remove(_item(selection, item_id))
        _renumber(selection.items)
        db.commit()


def handout(kb: KnowledgeBase, selection_id: int, user_id: int, actor: str, audience: str, with_opinion: bool,
            fmt: str) -> Handout:
    """The handout of a selection, and its audit line (an export is worth knowing about)."""
    with kb.db.session() as db:
        selection = _load(db, selection_id, user_id, editing=False)
        result = to_handout(selection, kb.theme_labels(db), audience, with_opinion)
        audit.record(db, actor, "export", detail=f"selection {selection_id} ({fmt}, {audience})")
        db.commit()
        return result


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
