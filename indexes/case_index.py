"""CaseIndex: the application's only handle on the search index (Whoosh stays behind it)."""
from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

from whoosh.writing import NO_MERGE

from indexes import store
from indexes.dense import DenseModel, ModelSlot
from indexes.model import CaseDoc, Hit, SearchRequest, SearchResult
from indexes.schema import DENSE_FIELD, build_schema
from indexes.search import Generation, run_search, similar
from indexes.thesaurus import Thesaurus

BULK_MIN_DOCS = 2000  # from this many cases, a rebuild analyses in parallel processes


class CaseIndex:
    """Opens or creates the index in ``path`` (a folder). Safe to share between threads: searches
    are serialised on one searcher, re-opened (never ``refresh()``ed) when the index changed.
    ``dense``: the slot of the model whose vectors the cases carry; without it (or when it cannot
    load) searches are lexical only."""

    def __init__(self, path: Path, thesaurus_path: Path | None = None, dense: ModelSlot | None = None) -> None:
        self.path = Path(path)
        self.dense = dense
        self._ix = store.open_or_create(self.path)
        self._thesaurus_path = thesaurus_path
        self._thesaurus: Thesaurus | None = None
        self._gen: Generation | None = None
        self._lock = threading.RLock()

    # -- writing --------------------------------------------------------------------------
    def upsert(self, docs: Iterable[CaseDoc], purge: bool = True) -> int:
        """Add or replace cases (by ref) in one commit; a replaced case's old text is purged in the
        same commit, or left for `purge()` when the caller does that apart (purge=False)."""
        with store.writer(self._ix) as w:
            if purge:
                w.mergetype = store.purge_deleted
            return store.add_all(w, docs, update=True)

    def delete(self, refs: Iterable[str], purge: bool = True) -> None:
        """Remove cases in one commit; their text leaves the index files with them (or at `purge()`)."""
        with store.writer(self._ix) as w:
            if purge:
                w.mergetype = store.purge_deleted
            for ref in refs:
                w.delete_by_term("ref", ref)

    def needs_purge(self) -> bool:
        """True while a segment still holds a removed case's text (kb check reports it)."""
        return store.has_deletions(self._ix)

    def purge(self) -> bool:
        """Rewrite whatever segment still holds a removed case (left by an interrupted write or an
        index written before purging existed); False when there was nothing to do."""
        if not self.needs_purge():
            return False
        with store.writer(self._ix) as w:
            w.mergetype = store.purge_deleted
        return True

    def rebuild(self, docs: Iterable[CaseDoc], progress: Callable[[int], None] | None = None) -> int:
        """Replace the whole content (a CLI job), in segments of at most SEGMENT_DOCS cases so that a
        later purge rewrites little. Each commit replaces cases by ref, so readers see every case
        once, old or new, never none; at the end the cases no longer given are removed and the old
        segments, emptied, are dropped. If the schema or analyser changed, the folder is wiped first."""
        if self._ix.schema != build_schema():
            with self._lock:
                self._close_generation()
                self._ix = store.recreate(self.path)
        stale = set(self.stamps())
        docs = iter(docs)
        procs = min(4, os.cpu_count() or 1)
        total = 0
        while chunk := list(itertools.islice(docs, store.SEGMENT_DOCS * procs)):
            parallel = procs > 1 and len(chunk) >= BULK_MIN_DOCS  # one segment per process
            bulk: dict = {"limitmb": 256, **({"procs": procs, "multisegment": True} if parallel else {})}
            step = len(chunk) if parallel else store.SEGMENT_DOCS
            parts = [chunk[i:i + step] for i in range(0, len(chunk), step)]
            for part in parts:
                with store.writer(self._ix, **bulk) as w:
                    w.mergetype = NO_MERGE
                    total += store.add_all(w, part, update=True)
                if progress:
                    progress(len(part))
            stale.difference_update(d.ref for d in chunk)
        with store.writer(self._ix) as w:
            w.mergetype = store.drop_empty
            for ref in stale:
                w.delete_by_term("ref", ref)
        self.purge()
        return total

    # -- reading --------------------------------------------------------------------------
    def search(self, req: SearchRequest) -> SearchResult:
        model = self.dense_model() if req.query.strip() else None
        with self._lock:
            return run_search(self._generation(), self.thesaurus, req, model)

    def similar(self, ref: str, limit: int = 5) -> list[Hit]:
        """"Cas similaires": more-like-this over the case's text, never the case itself."""
        with self._lock:
            generation = self._generation()
            key = (ref, limit)
            if key not in generation.similar_cache:
                generation.similar_cache[key] = similar(generation, ref, limit, self.dense_model())
            return list(generation.similar_cache[key])

    def stamps(self) -> dict[str, datetime]:
        """ref -> updated_at as indexed, to compare with the database."""
        with self._lock:
            searcher = self._generation().searcher
            return {
                f["ref"]: datetime.fromisoformat(f["updated_at"])
                for f in searcher.all_stored_fields()
                if "ref" in f and "updated_at" in f
            }

    def dense_model(self) -> DenseModel | None:
        """The model searches fuse with, loaded on first use; None when off or unavailable."""
        return self.dense.get() if self.dense is not None else None

    def vector_count(self, model_key: str) -> int:
        """Live cases whose vector in the index was made by this model."""
        with self._lock:
            return self._generation().dense(model_key).count

    def has_vector_column(self) -> bool:
        """False for an index written before dense vectors (until `kb reindex`)."""
        return DENSE_FIELD in self._ix.schema.names()

    def doc_count(self) -> int:
        with self._lock:
            return self._generation().searcher.doc_count()

    @property
    def thesaurus(self) -> Thesaurus:
        if self._thesaurus is None:
            self._thesaurus = Thesaurus.load(self._thesaurus_path)
        return self._thesaurus

    def close(self) -> None:
        with self._lock:
            self._close_generation()

    def _generation(self) -> Generation:
        if self._gen is None or not self._gen.up_to_date():
            self._close_generation()
            self._gen = Generation(self._ix.searcher())
        return self._gen

    def _close_generation(self) -> None:
        if self._gen is not None:
            self._gen.close()
            self._gen = None
