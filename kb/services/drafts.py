"""The review queue of drafts read from activity reports: only an approved draft becomes a case.

An approved or rejected draft keeps only its fingerprint (so importing the same report again adds
nothing), never its text: the case holds the reviewed text."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Case, Draft
from ..records import CaseRecord
from . import audit
from .errors import NotFound
from .knowledge_base import KnowledgeBase


class AlreadyHandled(Exception):
    """The draft was approved or rejected already (another tab, another member of the bureau)."""


def _pending(db: Session, draft_id: int) -> Draft:
    draft = db.get(Draft, draft_id)
    if draft is None:
        raise NotFound
    if draft.status != "pending":
        raise AlreadyHandled
    return draft


def _blank(draft: Draft) -> None:
    draft.title, draft.situation, draft.opinion = "", "", ""


def queue(kb: KnowledgeBase) -> tuple[list[Draft], dict[str, int]]:
    """The pending drafts in order, and how many drafts there are of each status."""
    with kb.db.session() as db:
        drafts = list(db.scalars(select(Draft).where(Draft.status == "pending").order_by(Draft.id)))
        counts = dict(db.execute(select(Draft.status, func.count()).group_by(Draft.status)).all())
        return drafts, counts


def pending(kb: KnowledgeBase, draft_id: int) -> Draft:
    with kb.db.session() as db:
        return _pending(db, draft_id)


def approve(kb: KnowledgeBase, draft_id: int, record: CaseRecord, actor: str, accepted_warnings: int = 0) -> str:
    """The reviewed record becomes a case, and the draft is marked approved, in one transaction. An
    empty opinion means the bureau ticked "sans avis". A draft covering several years keeps its period."""
    draft = pending(kb, draft_id)
    period_end = draft.year_to if draft.year_to != draft.year_from else None
    if period_end and record.year and period_end > record.year:
        record.year_to = period_end

    def mark_approved(db: Session, case: Case) -> None:
        approved = _pending(db, draft_id)  # a second approval in between fails the whole transaction
        if not record.opinion:
            case.no_opinion = True
        approved.status, approved.case_ref = "approved", case.ref
        _blank(approved)
        audit.record(db, actor, "draft-approved", case.ref, f"draft {draft_id}")

    return kb.create_case(record, actor=actor, also=mark_approved, accepted_warnings=accepted_warnings)


def reject(kb: KnowledgeBase, draft_id: int, actor: str) -> None:
    with kb.db.session() as db:
        draft = _pending(db, draft_id)
        draft.status = "rejected"
        _blank(draft)
        audit.record(db, actor, "draft-rejected", detail=f"draft {draft_id}")
        db.commit()
