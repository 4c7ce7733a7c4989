"""Case vectors are data: computed when a case is written, stored with the model's name and version,
read (never recomputed) when the index is rebuilt.

A vector is computed outside the write's transaction (`prepare`, ~20 ms a case), then attached inside
it (`attach`), so an import holds the database's write lock for storing only. Each row keeps a hash
of the text it was computed from: an unchanged text is never embedded again, and `kb check` can tell
a vector that no longer matches its case. Deleting a case deletes its vectors (ON DELETE CASCADE).
"""
from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, LargeBinary, String, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from indexes.dense import OFF, DenseModel, ModelSlot, passage_text, to_bytes

from .models import Base, Case, utcnow

BATCH = 64  # texts embedded per call (the engine's cost per text is flat from a few dozen up)


class CaseVector(Base):
    """One case's vector for one model (name@version)."""
    __tablename__ = "case_vectors"
    __table_args__ = (Index("ix_case_vectors_model_text_hash", "model", "text_hash"),)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True)
    model: Mapped[str] = mapped_column(String(120), primary_key=True)
    text_hash: Mapped[str] = mapped_column(String(64))
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


def text_hash(title: str, situation: str, opinion: str) -> str:
    return hashlib.sha256(passage_text(title, situation, opinion).encode("utf-8")).hexdigest()


Prepared = dict[str, bytes]  # text hash -> stored vector


class CaseVectors:
    """The write side: vectors of the configured model for cases being written."""

    def __init__(self, slot: ModelSlot) -> None:
        self.slot = slot

    @property
    def model(self) -> DenseModel | None:
        return self.slot.get()

    def prepare(self, session: Session, texts: Iterable[tuple[str, str, str]]) -> Prepared:
        """Vectors of the (title, situation, opinion) texts that have none stored yet for this model."""
        model = self.model
        if model is None:
            return {}
        wanted = {text_hash(*t): t for t in texts}
        known = set()
        hashes = list(wanted)
        for start in range(0, len(hashes), 500):
            known.update(session.scalars(select(CaseVector.text_hash).where(
                CaseVector.model == model.key, CaseVector.text_hash.in_(hashes[start:start + 500]))))
        todo = [(h, t) for h, t in wanted.items() if h not in known]
        out: Prepared = {}
        for start in range(0, len(todo), BATCH):
            part = todo[start:start + BATCH]
            vectors = model.embed_passages([passage_text(*t) for _, t in part])
            out.update((h, to_bytes(v)) for (h, _), v in zip(part, vectors))
        return out

    def attach(self, session: Session, case: Case, prepared: Prepared) -> None:
        """In the write's transaction: the case's vector for its current text (embedded now if
        `prepare` did not have it, e.g. when another case with the same text was written meanwhile)."""
        model = self.model
        if model is None:
            return
        if case.id is None:
            session.flush()
        digest = text_hash(case.title, case.situation, case.opinion)
        row = session.get(CaseVector, (case.id, model.key))
        if row is not None and row.text_hash == digest:
            return
        raw = prepared.get(digest)
        if raw is None:
            raw = session.scalar(select(CaseVector.vector).where(
                CaseVector.model == model.key, CaseVector.text_hash == digest).limit(1))
        if raw is None:
            raw = to_bytes(model.embed_passages([passage_text(case.title, case.situation, case.opinion)])[0])
        if row is None:
            session.add(CaseVector(case_id=case.id, model=model.key, text_hash=digest, vector=raw))
        else:
            row.text_hash, row.vector, row.created_at = digest, raw, utcnow()


def vectors_of(session: Session, case_ids: Sequence[int], model_key: str) -> dict[int, bytes]:
    """case id -> stored vector of that model (cases without one are absent)."""
    out: dict[int, bytes] = {}
    ids = list(case_ids)
    for start in range(0, len(ids), 500):
        rows = session.execute(select(CaseVector.case_id, CaseVector.vector).where(
            CaseVector.model == model_key, CaseVector.case_id.in_(ids[start:start + 500])))
        out.update((case_id, vector) for case_id, vector in rows)
    return out


def counts(session: Session, model_key: str) -> tuple[int, int, int]:
    """(cases, cases with a vector of this model, vectors of other models)."""
    cases = session.scalar(select(func.count(Case.id))) or 0
    mine = session.scalar(select(func.count()).select_from(CaseVector).where(CaseVector.model == model_key)) or 0
    other = session.scalar(select(func.count()).select_from(CaseVector).where(CaseVector.model != model_key)) or 0
    return cases, mine, other


def stale_count(session: Session, model_key: str, batch: int = 1000) -> int:
    """Vectors of this model computed from a text other than their case's current one."""
    stale = 0
    last = 0
    while True:
        rows = session.execute(select(Case.id, Case.title, Case.situation, Case.opinion, CaseVector.text_hash)
                               .join(CaseVector, (CaseVector.case_id == Case.id) & (CaseVector.model == model_key))
                               .where(Case.id > last).order_by(Case.id).limit(batch)).all()
        if not rows:
            return stale
        stale += sum(1 for r in rows if text_hash(r.title, r.situation, r.opinion) != r.text_hash)
        last = rows[-1].id


def embed_all(db, model: DenseModel, everything: bool = False,
              progress: Callable[[int], None] | None = None) -> tuple[int, int]:
    """Give every case a vector of ``model`` for its current text (``everything``: recompute them
    all), one committed batch at a time, then delete the vectors of other models or versions.
    Returns (embedded, total cases). Safe to interrupt: a second run goes on where it stopped."""
    embedded = 0
    with db.session() as session:
        total = session.scalar(select(func.count(Case.id))) or 0
    last = 0
    while True:
        with db.session() as session:
            cases = list(session.execute(select(Case.id, Case.title, Case.situation, Case.opinion)
                                         .where(Case.id > last).order_by(Case.id).limit(BATCH)).all())
            if not cases:
                break
            last = cases[-1].id
            rows = {r.case_id: r for r in session.scalars(select(CaseVector).where(
                CaseVector.model == model.key, CaseVector.case_id.in_([c.id for c in cases])))}
            digests = {c.id: text_hash(c.title, c.situation, c.opinion) for c in cases}
            todo = [c for c in cases if everything or c.id not in rows or rows[c.id].text_hash != digests[c.id]]
            if todo:
                vectors = model.embed_passages([passage_text(c.title, c.situation, c.opinion) for c in todo])
                for c, v in zip(todo, vectors):
                    row = rows.get(c.id)
                    if row is None:
                        session.add(CaseVector(case_id=c.id, model=model.key, text_hash=digests[c.id], vector=to_bytes(v)))
                    else:
                        row.text_hash, row.vector, row.created_at = digests[c.id], to_bytes(v), utcnow()
                session.commit()
                embedded += len(todo)
        if progress:
            progress(len(cases))
    with db.session() as session:
        session.execute(delete(CaseVector).where(CaseVector.model != model.key))
        session.commit()
    return embedded, total


class DenseUnavailable(Exception):
    """The configured model cannot load here (the message says why)."""


@dataclass
class DenseCheck:
    """What `kb check` says of dense retrieval."""

    model: str  # the configured name
    unavailable: str | None = None  # why the model cannot load (searches are lexical only)
    model_key: str | None = None
    cases: int = 0
    without_vector: int = 0  # cases with no vector of this model
    stale: int = 0  # vectors computed from an earlier text of their case
    other_models: int = 0  # vectors of another model or version, left by a change not finished
    in_index: int = 0  # cases whose vector of this model is in the index
    index_has_column: bool = True

    @property
    def model_loaded(self) -> bool:
        return self.unavailable is None

    @property
    def ok(self) -> bool:
        return (self.unavailable is None and not self.without_vector and not self.stale and not self.other_models
                and self.index_has_column and self.in_index == self.cases)


def check(db, slot: ModelSlot, index) -> DenseCheck | None:
    """None when dense retrieval is turned off on purpose (KB_DENSE_MODEL=off)."""
    if slot.name == OFF:
        return None
    model = slot.get()
    if model is None:
        return DenseCheck(model=slot.name, unavailable=slot.reason)
    with db.session() as session:
        cases, mine, other = counts(session, model.key)
        stale = stale_count(session, model.key)
    return DenseCheck(model=slot.name, model_key=model.key, cases=cases, without_vector=cases - mine, stale=stale,
                      other_models=other, in_index=index.vector_count(model.key),
                      index_has_column=index.has_vector_column())


def stored_vectors(session: Session, model_key: str | None) -> dict[int, dict]:
    """case id -> the backup's form of its vector of this model (base64 float16, with its text hash)."""
    if model_key is None:
        return {}
    rows = session.execute(select(CaseVector.case_id, CaseVector.text_hash, CaseVector.vector)
                           .where(CaseVector.model == model_key))
    return {case_id: {"model": model_key, "text_hash": digest, "data": base64.b64encode(raw).decode("ascii")}
            for case_id, digest, raw in rows}


def restore_vectors(session: Session, kept: list[tuple[Case, dict]]) -> int:
    """Vectors read from a backup, for cases just added: only those computed from the case's text as
    restored and of a plausible size (a vector that does not fit is computed again instead)."""
    session.flush()
    restored = 0
    for case, vector in kept:
        try:
            raw = base64.b64decode(str(vector["data"]), validate=True)
        except (KeyError, ValueError):
            continue
        digest = text_hash(case.title, case.situation, case.opinion)
        if vector.get("text_hash") != digest or not raw or len(raw) % 2 or len(raw) > 2 * 4096:
            continue
        session.add(CaseVector(case_id=case.id, model=str(vector["model"]), text_hash=digest, vector=raw))
        restored += 1
    return restored
