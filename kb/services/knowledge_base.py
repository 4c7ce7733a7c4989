"""What the application does to cases, whoever asks (command line or web).

Every change writes the case and a row of the index change log in one transaction (kb/change_log.py),
then this server applies the log to its index after the commit (kb/index_sync.py), and every other
server at its next sync: a crash in between leaves work that is replayed, never a lasting difference
between the database and an index.
"""
from __future__ import annotations

import logging
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Callable, Iterable, Iterator, Sequence

from cachetools import TTLCache
from sqlalchemy import delete, exists, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from frenchtext.folding import strip_accents
from indexes import CaseDoc, CaseIndex, dense

from .. import case_vectors
from ..case_view import CaseView, load_case_view
from ..change_log import record_index_changes
from ..config import Settings
from ..db import Database
from ..index_sync import IndexFollower, NodeStatus
from ..locks import file_lock, is_taken, take, wait_for
from ..models import (Case, LegalRef, Sector, Theme, UsedFormToken, case_legal_refs, case_sectors,
                     case_themes, utcnow)
from ..records import CaseRecord
from . import audit


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
    pending_tasks: int = 0  # rows of the change log after this server's position
    removed_text_in_index: bool = False  # a segment still holds a removed case (see CaseIndex.purge)
    needs_rebuild: bool = False  # this server's index has no position, or the log was pruned past it
    log_head: int = 0
    retention_days: float = 0.0
    nodes: list[NodeStatus] = field(default_factory=list)  # every known server, this one included
    dense: case_vectors.DenseCheck | None = None  # None: dense retrieval is off

    @property
    def ok(self) -> bool:
        return not (self.missing_from_index or self.not_in_database or self.out_of_date or self.pending_tasks
                    or self.removed_text_in_index or self.needs_rebuild
                    or (self.dense is not None and not self.dense.ok))


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
        record_index_changes(self.db.sessions)
        self.follower = IndexFollower(self)
        self._index: CaseIndex | None = None
        self._labels: TTLCache = TTLCache(maxsize=1, ttl=LABELS_TTL)
        self._labels_lock = threading.Lock()  # cachetools takes no lock of its own
        # The web app purges removed text from the index after the response (it takes seconds) and
        # the editor's next request waits for it (wait_for_purge); a command purges before it returns.
        self.purge_in_background = purge_in_background

    @property
    def index(self) -> CaseIndex:
        if self._index is None:
            self._index = CaseIndex(self.settings.index_dir, dense=self.dense)
        return self._index

    def init(self) -> None:
        """Create the data folder, migrate the database, seed themes; bring the index to the head of
        the change log (what this server missed while down, or work a crash left behind)."""
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
        with self._labels_lock:
            labels = self._labels.get("all")
            if labels is None:
                with self.db.session() as session:
                    labels = self._labels["all"] = self.theme_labels(session)
            return labels

    def theme_choices(self) -> dict[str, str]:
        """Themes a case can be given today (not retired): slug -> label."""
        with self.db.session() as session:
            return self.theme_labels(session, include_retired=False)

    def theme_table(self) -> list[tuple[Theme, int]]:
        with self.db.session() as session:
            return self.theme_rows(session)

    def record_of(self, ref: str) -> CaseRecord | None:
        """A stored case as the record its edit form starts from."""
        with self.db.session() as session:
            case = self.get_case(session, ref)
            return case_to_record(case) if case is not None else None

    def theme_order(self, session: Session) -> list[str]:
        """Slugs in the taxonomy's order (the order they were created in)."""
        return list(session.scalars(select(Theme.slug).order_by(Theme.id)))

    def theme_rows(self, session: Session) -> list[tuple[Theme, int]]:
        """Every theme with its number of cases, in the taxonomy's order."""
        counts = dict(session.execute(select(case_themes.c.theme_id, func.count()).group_by(case_themes.c.theme_id)).all())
        return [(t, counts.get(t.id, 0)) for t in session.scalars(select(Theme).order_by(Theme.id))]

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
                self._record_change(session, record.ref, actor, action)
            if report.updated:
                self._drop_unused_labels(session)
            session.commit()
        self.apply_outbox()
        return report

    def create_case(self, record: CaseRecord, actor: str, attempts: int = 5, form_token: str | None = None,
                    also: Callable[[Session, Case], None] | None = None, accepted_warnings: int = 0) -> str:
        """Store a new case under the next free AV-YEAR-NNN ref; retried if another process took it.
        `form_token`, a form's one-time token, is recorded as used in the same transaction; if it was
        used already, nothing is stored and the ref of the case it created is returned. `also` does
        more in the same transaction (approving a draft): all of it is committed, or none.
        `accepted_warnings`: residual warnings the reviewer accepted, audited as a count."""
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
                    self._record_change(session, ref, actor, "create", accepted_warnings)
                    if form_token:
                        session.add(UsedFormToken(token=form_token, case_ref=ref))
                    if also is not None:
                        also(session, case)
                    session.commit()
                except IntegrityError:  # another process took the ref (or a new sector, or the token) first
                    session.rollback()
                    continue
            self.apply_outbox()
            return ref
        raise RuntimeError("could not allocate a case reference")

    @staticmethod
    def _record_change(session: Session, ref: str, actor: str, action: str, accepted_warnings: int = 0) -> None:
        """In the change's own transaction: the audit lines, never the text. The index's row of the
        change log is written by the session itself (kb/change_log.py)."""
        audit.record(session, actor, action, ref)
        if accepted_warnings:
            audit.record(session, actor, "accept-residuals", ref, f"{accepted_warnings} warning(s) accepted")

    def delete_case(self, ref: str, actor: str) -> bool:
        with self.db.session() as session:
            case = self.get_case(session, ref)
            if case is None:
                return False
            session.delete(case)
            self._record_change(session, ref, actor, "delete")
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

    def case_of_form(self, form_token: str) -> str | None:
        """The ref of the case a one-time form token created, if it was used already."""
        with self.db.session() as session:
            done = session.get(UsedFormToken, form_token)
            return done.case_ref if done else None

    def audit(self, actor: str, action: str, case_ref: str | None = None, detail: str = "") -> None:
        """An audit line for an event that changes nothing (an export, an allow-list saved outside the
        database): its own transaction. Changes write theirs with the change (audit.record)."""
        with self.db.session() as session:
            audit.record(session, actor, action, case_ref, detail)
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

    def update_case(self, ref: str, record: CaseRecord, actor: str, accepted_warnings: int = 0) -> bool:
        """Replace a case's text and classification (already reviewed and anonymised)."""
        with self.db.session() as session:
            prepared = self.vectors.prepare(session, [(record.title, record.situation, record.opinion)])
        with self.db.session() as session:
            case = self.get_case(session, ref)
            if case is None:
                return False
            self._fill(session, case, replace(record, ref=ref))
            self.vectors.attach(session, case, prepared)
            self._record_change(session, ref, actor, "edit", accepted_warnings)
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
            audit.record(session, actor, "theme-added", detail=slug)
            session.commit()
        with self._labels_lock:
            self._labels.clear()
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
            audit.record(session, actor, "theme-renamed", detail=slug)
            session.commit()
        with self._labels_lock:
            self._labels.clear()

    def set_theme_retired(self, slug: str, retired: bool, actor: str) -> None:
        """A retired theme stays on its cases but is no longer offered for new ones."""
        with self.db.session() as session:
            theme = self._theme(session, slug)
            theme.retired = retired
            audit.record(session, actor, "theme-retired" if retired else "theme-restored", detail=slug)
            session.commit()

    def merge_themes(self, source: str, target: str, actor: str) -> int:
        """Move every case of `source` to `target`, remove `source`; the index follows the change log."""
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
            session.delete(themes[source])
            audit.record(session, actor, "theme-merged", detail=f"{source} -> {target} ({len(cases)} cases)")
            session.commit()
        with self._labels_lock:
            self._labels.clear()
        self.apply_outbox()
        return len(cases)

    def set_report_summary(self, ref: str, summary: str | None, actor: str) -> bool:
        with self.db.session() as session:
            case = session.scalar(select(Case).where(Case.ref == ref))
            if case is None:
                return False
            case.report_summary = summary.strip() if summary and summary.strip() else None
            audit.record(session, actor, "report-summary", ref)
            session.commit()
        return True

    # -- the index -----------------------------------------------------------------------------
    def apply_outbox(self) -> int:
        """Bring this server's index to the head of the change log (a query when nothing changed),
        then take the replaced text out of the index files: after the response in the web app, now
        in a command. One process of this server at a time writes its index (a file lock), so that
        two workers never write an older version of a case over a newer one."""
        applied = self.follower.sync()
        if applied and self.index.needs_purge():
            if self.purge_in_background:
                self._purge_after_the_response()
            else:
                self.index.purge()
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

    def purge_under_way(self) -> bool:
        return is_taken(self.settings.data_dir / PURGE_LOCK)

    def docs_for(self, refs: Sequence[str]) -> list[CaseDoc]:
        """The index documents of these cases, as the database has them now (missing refs are left out)."""
        with self.db.session() as session:
            cases = session.scalars(select(Case).where(Case.ref.in_(refs)).options(*with_relations()))
            return self.docs_of(session, list(cases))

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
        """Rebuild this server's index from the database (vectors as stored, never re-embedded)."""
        self.follower.rebuild(progress)
        return self.index.doc_count()

    def embed(self, everything: bool = False, progress: Callable[[int], None] | None = None) -> tuple[int, int]:
        """Vectors of the configured model for every case that lacks one (``everything``: all of
        them), the vectors of other models deleted; then the index is rebuilt with them."""
        model = self.dense.get()
        if model is None:
            raise case_vectors.DenseUnavailable(self.dense.reason or "no model")
        return case_vectors.embed_all(self.db, model, everything, progress)

    def check(self) -> CheckReport:
        self.wait_for_purge()  # a purge under way is no difference to report
        with self.db.session() as session:
            in_db: dict[str, datetime] = {ref: at for ref, at in session.execute(select(Case.ref, Case.updated_at))}
        log = self.follower.status()
        in_index = self.index.stamps()
        report = CheckReport(pending_tasks=log.this_server.behind, removed_text_in_index=self.index.needs_purge(),
                             needs_rebuild=log.this_server.needs_rebuild, log_head=log.head,
                             retention_days=log.retention_days, nodes=log.nodes,
                             dense=case_vectors.check(self.db, self.dense, self.index))
        report.missing_from_index = sorted(set(in_db) - set(in_index))
        report.not_in_database = sorted(set(in_index) - set(in_db))
        report.out_of_date = sorted(r for r in set(in_db) & set(in_index) if not _same_time(in_db[r], in_index[r]))
        return report

    def repair(self) -> CheckReport:
        """Bring the index to the head of the change log (rebuilding it if the log was pruned past its
        position), then in line with the database for whatever still differs; vectors missing or out
        of date are computed (when the model loads) and the index rebuilt."""
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
    return re.sub(r"[^a-z0-9]+", "-", strip_accents(label)).strip("-")[:80]


def _same_time(a: datetime, b: datetime) -> bool:
    """Equal to the millisecond: the index and some databases keep less precision than Python."""
    def millis(d: datetime) -> datetime:
        return d.replace(tzinfo=None, microsecond=d.microsecond // 1000 * 1000)
    return millis(a) == millis(b)
