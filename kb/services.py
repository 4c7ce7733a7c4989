"""What the application does to cases, whoever asks (command line or web).

Every change writes the case and an index task in one transaction, then applies the task to the
index after the commit (an outbox): a crash in between leaves work that is replayed, never a lasting
difference between the database and the index.
"""
from __future__ import annotations

import logging
import re
import threading
import time
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Callable, Iterable, Iterator, Sequence

from sqlalchemy import delete, exists, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from indexes import CaseDoc, CaseIndex
from indexes import dense

from . import case_vectors

from .case_view import CaseView, load_case_view
from .config import Settings
from .db import Database
from .locks import file_lock, take, wait_for
from .models import (AuditEvent, Case, IndexTask, LegalRef, Sector, Theme, UsedFormToken, case_legal_refs, case_sectors,
                     case_themes, utcnow)
from .records import CaseRecord


log = logging.getLogger(__name__)
LABELS_TTL = 10.0  # seconds
PURGE_LOCK = "purge.lock"  # held while the index rewrites the segments that hold removed text
REF_LOCK_NAMESPACE = 7274202  # first key of the advisory lock taken to choose a new ref (migrate.py uses 7274201)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class CheckReport:
    missing_from_index: list[str] = field(default_factory=list)
    not_in_database: list[str] = field(default_factory=list)
    out_of_date: list[str] = field(default_factory=list)
    pending_tasks: int = 0
    removed_text_in_index: bool = False  # a segment still holds a removed case (see CaseIndex.purge)
    dense: case_vectors.DenseCheck | None = None  # None: dense retrieval is off

    @property
    def ok(self) -> bool:
        return not (self.missing_from_index or self.not_in_database or self.out_of_date or self.pending_tasks
                    or self.removed_text_in_index or (self.dense is not None and not self.dense.ok))


def case_to_record(case: Case) -> CaseRecord:
    return CaseRecord(
        ref=case.ref, title=case.title, situation=case.situation, opinion=case.opinion,
        themes=[t.slug for t in case.themes], sectors=[s.name for s in case.sectors],
        year=case.year, channel=case.channel, legal_refs=[r.label for r in case.legal_refs], year_to=case.year_to,
    )


def same_content(a: CaseRecord, b: CaseRecord) -> bool:
    """Equal but for the order of list items, which the database does not keep."""
    def key(r: CaseRecord) -> dict:
        d = r.to_dict()
        return {k: sorted(v) if isinstance(v, list) else v for k, v in d.items()}
    return key(a) == key(b)


def case_to_doc(case: Case, vector: bytes | None = None, vector_model: str | None = None) -> CaseDoc:
    return CaseDoc(
        ref=case.ref, title=case.title, situation=case.situation, opinion=case.opinion,
        themes=tuple(t.slug for t in case.themes), sectors=tuple(s.name for s in case.sectors),
        year=case.year, channel=case.channel, legal_refs=tuple(r.label for r in case.legal_refs),
        updated_at=case.updated_at, vector=vector, vector_model=vector_model if vector else None,
    )


def with_relations():
    return (selectinload(Case.themes), selectinload(Case.sectors), selectinload(Case.legal_refs))


class KnowledgeBase:
    """The database (source of truth) and the index derived from it."""

    def __init__(self, settings: Settings, purge_in_background: bool = False) -> None:
        self.settings = settings
        self.db = Database(settings.database_url)
        self.dense = dense.slot(settings.dense_model)
        self.vectors = case_vectors.CaseVectors(self.dense)
        self._index: CaseIndex | None = None
        self._labels: tuple[float, dict[str, str]] | None = None
        # The web app purges removed text from the index after the response (it takes seconds) and
        # the editor's next request waits for it (wait_for_purge); a command purges before it returns.
        self.purge_in_background = purge_in_background

    @property
    def index(self) -> CaseIndex:
        if self._index is None:
            self._index = CaseIndex(self.settings.index_dir, dense=self.dense)
        return self._index

    def init(self) -> None:
        """Create the data folder, migrate the database, seed themes; replay index work a crash left behind."""
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        with file_lock(self.settings.data_dir / "init.lock"):
            self.db.create_all()
        self.apply_outbox()

    # -- reading -------------------------------------------------------------------------------
    def get_case(self, session: Session, ref: str) -> Case | None:
        return session.scalar(select(Case).where(Case.ref == ref).options(*with_relations()))

    def case_view(self, ref: str) -> CaseView | None:
        """A case for the read-only pages, without ORM loading (see case_view.py)."""
        with self.db.engine.connect() as connection:
            return load_case_view(connection, ref)

    def theme_labels(self, session: Session, include_retired: bool = True) -> dict[str, str]:
        query = select(Theme).order_by(Theme.label)
        if not include_retired:
            query = query.where(Theme.retired.is_(False))
        return {t.slug: t.label for t in session.scalars(query)}

    def cached_theme_labels(self) -> dict[str, str]:
        """Theme labels for display on the busiest pages (search, case), re-read every few seconds:
        another worker's rename shows up within LABELS_TTL seconds, this worker's at once."""
        now = time.monotonic()
        if self._labels is None or now - self._labels[0] > LABELS_TTL:
            with self.db.session() as session:
                self._labels = (now, self.theme_labels(session))
        return self._labels[1]

    def theme_order(self, session: Session) -> list[str]:
        """Slugs in the taxonomy's order (the order they were created in)."""
        return list(session.scalars(select(Theme.slug).order_by(Theme.id)))

    def theme_rows(self, session: Session) -> list[tuple[Theme, int]]:
        """Every theme with its number of cases, in the taxonomy's order."""
        counts = dict(session.execute(select(case_themes.c.theme_id, func.count()).group_by(case_themes.c.theme_id)).all())
        return [(t, counts.get(t.id, 0)) for t in session.scalars(select(Theme).order_by(Theme.id))]

    def sector_names(self, session: Session) -> list[str]:
        return list(session.scalars(select(Sector.name).order_by(Sector.name)))

    def count_cases(self, session: Session) -> int:
        return session.scalar(select(func.count(Case.id))) or 0

    # -- writing -------------------------------------------------------------------------------
    def save_records(self, records: Sequence[CaseRecord], actor: str = "cli",
                     action: str = "import") -> ImportReport:
        """Create or update cases by ref in one transaction; records must already be anonymised."""
        report = ImportReport()
        with self.db.session() as session:
            prepared = self.vectors.prepare(session, ((r.title, r.situation, r.opinion) for r in records))
        with self.db.session() as session:
            for record in records:
                case = self.get_case(session, record.ref)
                if case is not None and same_content(case_to_record(case), record):
                    report.unchanged += 1
                    continue
                if case is None:
                    case = Case(ref=record.ref, created_at=utcnow())
                    session.add(case)
                    report.created += 1
                else:
                    report.updated += 1
                self._fill(session, case, record)
                self.vectors.attach(session, case, prepared)
                self._record_change(session, record.ref, "upsert", actor, action)
            if report.updated:
                self._drop_unused_labels(session)
            session.commit()
        self.apply_outbox()
        return report

    def create_case(self, record: CaseRecord, actor: str, attempts: int = 5, form_token: str | None = None) -> str:
        """Store a new case under the next free AV-YEAR-NNN ref; retried if another process took it.
        `form_token`, a form's one-time token, is recorded as used in the same transaction; if it was
        used already, nothing is stored and the ref of the case it created is returned."""
        year = record.year or utcnow().year
        with self.db.session() as session:
            prepared = self.vectors.prepare(session, [(record.title, record.situation, record.opinion)])
        for _ in range(attempts):
            with self.db.session() as session, self._turn_to_choose_a_ref(session, year):
                done = form_token and session.get(UsedFormToken, form_token)
                if done:
                    return done.case_ref
                try:
                    ref = self.next_ref(session, year)
                    case = Case(ref=ref, created_at=utcnow())
                    session.add(case)
                    self._fill(session, case, replace(record, ref=ref))
                    self.vectors.attach(session, case, prepared)
                    self._record_change(session, ref, "upsert", actor, "create")
                    if form_token:
                        session.add(UsedFormToken(token=form_token, case_ref=ref))
                    session.commit()
                except IntegrityError:  # another process took the ref (or a new sector, or the token) first
                    session.rollback()
                    continue
            self.apply_outbox()
            return ref
        raise RuntimeError("could not allocate a case reference")

    @staticmethod
    def _record_change(session: Session, ref: str, index_action: str, actor: str, action: str) -> None:
        """In the change's own transaction: the index work (outbox) and the audit line, never the text."""
        session.add(IndexTask(ref=ref, action=index_action))
        session.add(AuditEvent(actor=actor, action=action, case_ref=ref))

    def delete_case(self, ref: str, actor: str) -> bool:
        with self.db.session() as session:
            case = self.get_case(session, ref)
            if case is None:
                return False
            session.delete(case)
            self._record_change(session, ref, "delete", actor, "delete")
            self._drop_unused_labels(session)
            session.commit()
        self.apply_outbox()
        return True

    @contextmanager
    def _turn_to_choose_a_ref(self, session: Session, year: int) -> Iterator[None]:
        """Writers choose the next ref of a year one at a time, until their commit; without it twenty
        concurrent saves pick the same number and most retry in vain. PostgreSQL (possibly several
        machines): an advisory lock the database releases at commit or rollback, even if the process
        dies. SQLite (one machine): a file lock, which the kernel releases likewise."""
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:namespace, :year)"),
                            {"namespace": REF_LOCK_NAMESPACE, "year": year})
            yield
        else:
            with file_lock(self.settings.data_dir / "refs.lock"):
                yield

    def next_ref(self, session: Session, year: int) -> str:
        """The next free reference of the form AV-YEAR-NNN."""
        refs = session.scalars(select(Case.ref).where(Case.ref.like(f"AV-{year}-%")))
        numbers = [int(m.group(1)) for r in refs if (m := re.fullmatch(rf"AV-{year}-(\d+)", r))]
        return f"AV-{year}-{max(numbers, default=0) + 1:03d}"

    def audit(self, actor: str, action: str, case_ref: str | None = None, detail: str = "") -> None:
        with self.db.session() as session:
            session.add(AuditEvent(actor=actor, action=action, case_ref=case_ref, detail=detail))
            session.commit()

    def _fill(self, session: Session, case: Case, record: CaseRecord) -> None:
        case.title, case.situation, case.opinion = record.title, record.situation, record.opinion
        case.year, case.year_to, case.channel = record.year, record.year_to, record.channel
        case.updated_at = utcnow()
        case.themes = list(session.scalars(select(Theme).where(Theme.slug.in_(record.themes))))
        case.sectors = [self._get_or_create(session, Sector, name=n) for n in record.sectors]
        case.legal_refs = [self._get_or_create(session, LegalRef, label=label) for label in record.legal_refs]

    @staticmethod
    def _drop_unused_labels(session: Session) -> None:
        """Sectors and legal references are free text: one that no case uses any more goes with its
        last case, so an edit that removes a name from a sector removes it from the database too."""
        session.flush()
        session.execute(delete(Sector).where(~exists().where(case_sectors.c.sector_id == Sector.id)))
        session.execute(delete(LegalRef).where(~exists().where(case_legal_refs.c.legal_ref_id == LegalRef.id)))

    @staticmethod
    def _get_or_create(session: Session, model, **values):
        found = session.scalar(select(model).filter_by(**values))
        if found is None:
            found = model(**values)
            session.add(found)
            session.flush()
        return found

    def update_case(self, ref: str, record: CaseRecord, actor: str) -> bool:
        """Replace a case's text and classification (already reviewed and anonymised)."""
        with self.db.session() as session:
            prepared = self.vectors.prepare(session, [(record.title, record.situation, record.opinion)])
        with self.db.session() as session:
            case = self.get_case(session, ref)
            if case is None:
                return False
            self._fill(session, case, replace(record, ref=ref))
            self.vectors.attach(session, case, prepared)
            self._record_change(session, ref, "upsert", actor, "edit")
            self._drop_unused_labels(session)
            session.commit()
        self.apply_outbox()
        return True

    # -- themes --------------------------------------------------------------------------------
    def add_theme(self, label: str, actor: str) -> str:
        slug = slugify(label)
        if not slug:
            raise ValueError("Le nom du thème doit contenir au moins une lettre.")
        with self.db.session() as session:
            if session.scalar(select(Theme).where(Theme.slug == slug)):
                raise ValueError("Un thème de ce nom existe déjà.")
            session.add(Theme(slug=slug, label=label.strip()))
            session.add(AuditEvent(actor=actor, action="theme-added", detail=slug))
            session.commit()
        self._labels = None
        return slug

    @staticmethod
    def _theme(session: Session, slug: str) -> Theme:
        theme = session.scalar(select(Theme).where(Theme.slug == slug))
        if theme is None:
            raise ValueError("Thème inconnu.")
        return theme

    def rename_theme(self, slug: str, label: str, actor: str) -> None:
        """Only the label changes: the slug, the cases and the index stay as they are."""
        with self.db.session() as session:
            theme = self._theme(session, slug)
            theme.label = label.strip()
            session.add(AuditEvent(actor=actor, action="theme-renamed", detail=slug))
            session.commit()
        self._labels = None

    def set_theme_retired(self, slug: str, retired: bool, actor: str) -> None:
        """A retired theme stays on its cases but is no longer offered for new ones."""
        with self.db.session() as session:
            theme = self._theme(session, slug)
            theme.retired = retired
            session.add(AuditEvent(actor=actor, action="theme-retired" if retired else "theme-restored", detail=slug))
            session.commit()

    def merge_themes(self, source: str, target: str, actor: str) -> int:
        """Move every case of `source` to `target`, remove `source`; the index follows through the outbox."""
        if source == target:
            raise ValueError("Choisissez deux thèmes différents.")
        with self.db.session() as session:
            themes = {t.slug: t for t in session.scalars(select(Theme).where(Theme.slug.in_([source, target])))}
            if len(themes) != 2:
                raise ValueError("Thème inconnu.")
            cases = list(session.scalars(select(Case).where(Case.themes.any(Theme.slug == source))
                                         .options(*with_relations())))
            for case in cases:
                case.themes = [t for t in case.themes if t.slug != source]
                if themes[target] not in case.themes:
                    case.themes.append(themes[target])
                case.updated_at = utcnow()
                session.add(IndexTask(ref=case.ref, action="upsert"))
            session.delete(themes[source])
            session.add(AuditEvent(actor=actor, action="theme-merged", detail=f"{source} -> {target} ({len(cases)} cases)"))
            session.commit()
        self._labels = None
        self.apply_outbox()
        return len(cases)

    def set_report_summary(self, ref: str, summary: str | None, actor: str) -> bool:
        with self.db.session() as session:
            case = session.scalar(select(Case).where(Case.ref == ref))
            if case is None:
                return False
            case.report_summary = summary.strip() if summary and summary.strip() else None
            session.add(AuditEvent(actor=actor, action="report-summary", case_ref=ref))
            session.commit()
        return True

    # -- the index -----------------------------------------------------------------------------
    def apply_outbox(self) -> int:
        """Apply pending index tasks in order; a task is removed only once the index has it.

        One process at a time (a file lock), so that two workers never write an older version
        of a case over a newer one. A "reindex" task left by a rebuild that died means: rebuild.
        """
        with file_lock(self.settings.data_dir / "outbox.lock"):
            applied = self._apply_outbox()
        if applied and self.purge_in_background and self.index.needs_purge():
            self._purge_after_the_response()
        return applied

    def _purge_after_the_response(self) -> None:
        """Rewrite the segments that still hold removed text in a thread of this worker. The lock is
        taken here, before the response leaves, so that the editor's next request, on any worker,
        waits for the end of the purge (wait_for_purge), and so does `check`."""
        handle = take(self.settings.data_dir / PURGE_LOCK)

        def purge() -> None:
            try:
                self.index.purge()
            except Exception as exc:  # the index stays readable; `kb check` reports what is left
                log.error("index purge failed: %s", type(exc).__name__)
            finally:
                handle.close()

        threading.Thread(target=purge, name="index-purge").start()

    def wait_for_purge(self) -> None:
        """Return once no purge of removed text is under way (at once, nearly always)."""
        wait_for(self.settings.data_dir / PURGE_LOCK)

    def _apply_outbox(self) -> int:
        with self.db.session() as session:
            tasks = list(session.scalars(select(IndexTask).order_by(IndexTask.id)))
            if not tasks:
                return 0
            if any(task.action == "reindex" for task in tasks):
                session.close()
                self._rebuild()
                return len(tasks)
            last_action: dict[str, str] = {}
            for task in tasks:
                last_action[task.ref] = task.action
            upserts = [ref for ref, action in last_action.items() if action == "upsert"]
            cases = session.scalars(select(Case).where(Case.ref.in_(upserts)).options(*with_relations()))
            docs = self.docs_of(session, list(cases))
            found = {d.ref for d in docs}
            gone = [ref for ref, action in last_action.items() if action == "delete" or ref not in found]
            purge_now = not self.purge_in_background
            if gone:
                self.index.delete(gone, purge=purge_now)
            if docs:
                self.index.upsert(docs, purge=purge_now)
            session.execute(delete(IndexTask).where(IndexTask.id <= tasks[-1].id))
            session.commit()
            return len(tasks)

    def docs_of(self, session: Session, cases: Sequence[Case]) -> list[CaseDoc]:
        """Index documents of cases, with their stored vectors of the configured model (never embedded here)."""
        key = self.dense_key()
        stored = case_vectors.vectors_of(session, [c.id for c in cases], key) if key else {}
        return [case_to_doc(c, stored.get(c.id), key) for c in cases]

    def dense_key(self) -> str | None:
        """name@version of the model in use, None when it is off or cannot load."""
        model = self.dense.get()
        return model.key if model is not None else None

    def iter_docs(self, batch: int = 500) -> Iterable[CaseDoc]:
        with self.db.session() as session:
            last_id = 0
            while True:
                cases = list(session.scalars(
                    select(Case).where(Case.id > last_id).order_by(Case.id).limit(batch)
                    .options(*with_relations())))
                if not cases:
                    return
                yield from self.docs_of(session, cases)
                last_id = cases[-1].id
                session.expunge_all()

    def reindex(self, progress: Callable[[int], None] | None = None) -> int:
        """Rebuild the whole index from the database (vectors as stored)."""
        with file_lock(self.settings.data_dir / "outbox.lock"):
            self._rebuild(progress)
        return self.index.doc_count()

    def embed(self, everything: bool = False, progress: Callable[[int], None] | None = None) -> tuple[int, int]:
        """Vectors of the configured model for every case that lacks one (``everything``: all of
        them), the vectors of other models deleted; then the index is rebuilt with them."""
        model = self.dense.get()
        if model is None:
            raise case_vectors.DenseUnavailable(self.dense.reason or "no model")
        return case_vectors.embed_all(self.db, model, everything, progress)

    def _rebuild(self, progress: Callable[[int], None] | None = None) -> None:
        """A "reindex" task marks the rebuild as under way: if the process dies before the end,
        the next start (or `kb check --repair`) finds it and rebuilds again."""
        with self.db.session() as session:
            session.add(IndexTask(ref="*", action="reindex"))
            session.commit()
            marker = session.scalar(select(func.max(IndexTask.id)))
        self.index.rebuild(self.iter_docs(), progress)
        with self.db.session() as session:
            session.execute(delete(IndexTask).where(IndexTask.id <= marker))
            session.commit()

    def check(self) -> CheckReport:
        self.wait_for_purge()  # a purge under way is no difference to report
        with self.db.session() as session:
            in_db: dict[str, datetime] = {ref: at for ref, at in session.execute(select(Case.ref, Case.updated_at))}
            pending = session.scalar(select(func.count(IndexTask.id))) or 0
        in_index = self.index.stamps()
        report = CheckReport(pending_tasks=pending, removed_text_in_index=self.index.needs_purge(),
                             dense=case_vectors.check(self.db, self.dense, self.index))
        report.missing_from_index = sorted(set(in_db) - set(in_index))
        report.not_in_database = sorted(set(in_index) - set(in_db))
        report.out_of_date = sorted(r for r in set(in_db) & set(in_index) if not _same_time(in_db[r], in_index[r]))
        return report

    def repair(self) -> CheckReport:
        """Replay the outbox, then bring the index in line with the database for what still differs;
        vectors missing or out of date are computed (when the model loads) and the index rebuilt."""
        self.apply_outbox()
        report = self.check()
        if report.dense is not None and report.dense.model_loaded and not report.dense.ok:
            self.embed()
            self.reindex()
            return report
        stale = report.missing_from_index + report.out_of_date
        if report.not_in_database:
            self.index.delete(report.not_in_database)
        if stale:
            with self.db.session() as session:
                cases = session.scalars(select(Case).where(Case.ref.in_(stale)).options(*with_relations()))
                self.index.upsert(self.docs_of(session, list(cases)))
        self.index.purge()
        return report


def slugify(label: str) -> str:
    folded = unicodedata.normalize("NFKD", label.lower())
    ascii_only = "".join(c for c in folded if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")[:80]


def _same_time(a: datetime, b: datetime) -> bool:
    """Equal to the millisecond: the index and some databases keep less precision than Python."""
    def millis(d: datetime) -> datetime:
        return d.replace(tzinfo=None, microsecond=d.microsecond // 1000 * 1000)
    return millis(a) == millis(b)
