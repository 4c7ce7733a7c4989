"""Opening the on-disk index and writing to it (one writer at a time, across processes)."""
from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as windex
from whoosh.index import FileIndex, LockError
from whoosh.reading import SegmentReader
from whoosh.writing import MERGE_SMALL, IndexWriter

from indexes.model import CaseDoc
from indexes.schema import DENSE_FIELD, DENSE_MODEL_FIELD, VALUE_SEP, VECTOR_BYTES, build_schema

INDEX_NAME = "cases"
LOCK_TIMEOUT_S = 5.0  # each attempt waits this long for the lock
LOCK_ATTEMPTS = 6
# Whoosh keeps a replaced or deleted case's stored text and terms in its segment until the segment is
# rewritten; a purge rewrites every segment that lost a case, so its cost is the size of that segment.
# Rebuilds write segments of at most this many cases (docs/benchmarks.md: purge time against search time).
SEGMENT_DOCS = 5000


def open_or_create(path: Path) -> FileIndex:
    path.mkdir(parents=True, exist_ok=True)
    _owner_only_lock_file(path)
    if windex.exists_in(str(path), indexname=INDEX_NAME):
        return windex.open_dir(str(path), indexname=INDEX_NAME)
    return windex.create_in(str(path), build_schema(), indexname=INDEX_NAME)


def _owner_only_lock_file(path: Path) -> None:
    """Whoosh creates its write lock with mode 0777 (less the umask: 0700); made here first, 0600,
    it is only opened afterwards. The data folder's files are all rw------- (kb.config.make_private)."""
    os.close(os.open(path / f"{INDEX_NAME}_WRITELOCK", os.O_CREAT | os.O_WRONLY, 0o600))


def recreate(path: Path) -> FileIndex:
    """A fresh, empty index in ``path`` (old files removed: the analyser may have changed)."""
    if path.exists():
        for child in path.iterdir():
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()
    path.mkdir(parents=True, exist_ok=True)
    _owner_only_lock_file(path)
    return windex.create_in(str(path), build_schema(), indexname=INDEX_NAME)


@contextmanager
def writer(ix: FileIndex, **kwargs) -> Iterator[IndexWriter]:
    """An index writer, waiting for another process's writer to finish (timeout then retry)."""
    delay = 0.2
    for attempt in range(LOCK_ATTEMPTS):
        try:
            w = ix.writer(timeout=LOCK_TIMEOUT_S, **kwargs)
            break
        except LockError:
            if attempt == LOCK_ATTEMPTS - 1:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 2.0)
    try:
        yield w
    except BaseException:
        w.cancel()
        raise
    else:
        w.commit()


def purge_deleted(writer: IndexWriter, segments: list) -> list:
    """A merge policy: rewrite every segment that holds a deleted or replaced case, so that no file of
    the index keeps the removed text; drop segments left empty; merge small ones as Whoosh does."""
    untouched = []
    for seg in segments:
        if not seg.has_deletions():
            untouched.append(seg)
        elif seg.doc_count() > 0:
            reader = SegmentReader(writer.storage, writer.schema, seg)
            writer.add_reader(reader)
            reader.close()
    return MERGE_SMALL(writer, untouched)


def drop_empty(_writer: IndexWriter, segments: list) -> list:
    """A merge policy for the end of a rebuild: segments whose every case was replaced simply go."""
    return [seg for seg in segments if seg.doc_count() > 0 or not seg.has_deletions()]


def has_deletions(ix: FileIndex) -> bool:
    """Whether a segment still holds a deleted document. Another process or thread may commit while
    the table of contents is read (its old file is then gone): read the new one."""
    for _ in range(LOCK_ATTEMPTS):
        try:
            return any(seg.has_deletions() for seg in ix._segments())
        except FileNotFoundError:
            time.sleep(0.05)
    return True  # cannot tell: a purge will look again under the writer's lock


def doc_fields(doc: CaseDoc) -> dict:
    """The Whoosh fields of one case."""
    themes = [t.strip() for t in doc.themes if t.strip()]
    sectors = [s.strip() for s in doc.sectors if s.strip()]
    legal = [r.strip() for r in doc.legal_refs if r.strip()]
    tags = " ; ".join([*(t.replace("-", " ") for t in themes), *sectors, *legal])
    fields = {
        "ref": doc.ref,
        "title": doc.title,
        "situation": doc.situation,
        "opinion": doc.opinion,
        "tags": tags,
        "exact": "\n".join((doc.title, doc.situation, doc.opinion)),
        "pairs": "\n".join((doc.title, doc.situation, doc.opinion)),
        "themes": VALUE_SEP.join(themes),
        "_stored_themes": themes,
        "sectors": VALUE_SEP.join(sectors),
        "_stored_sectors": sectors,
        "legal_refs": VALUE_SEP.join(legal),
        "_stored_legal_refs": legal,
        "channel": doc.channel or "",
        "year": str(doc.year) if doc.year is not None else "",
        "_stored_year": doc.year,
        "updated_at": doc.updated_at.isoformat(),
    }
    if doc.vector and doc.vector_model and len(doc.vector) <= VECTOR_BYTES:
        fields[DENSE_FIELD] = doc.vector.ljust(VECTOR_BYTES, b"\0")  # a smaller model's vector, zero-padded
        fields[DENSE_MODEL_FIELD] = doc.vector_model
    return fields


def add_all(w: IndexWriter, docs: Iterable[CaseDoc], update: bool) -> int:
    """Fields the index on disk does not know (an index written by an older version, until its
    rebuild) are left out rather than refused."""
    known = set(w.schema.names())
    n = 0
    for doc in docs:
        fields = {k: v for k, v in doc_fields(doc).items() if k.removeprefix("_stored_") in known}
        if update:
            w.update_document(**fields)
        else:
            w.add_document(**fields)
        n += 1
    return n
