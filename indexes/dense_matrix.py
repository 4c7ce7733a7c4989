"""The stored case vectors of one index generation, as float32 rows by document number.

Why in the index and not a file of its own: a vector then follows its case through every write,
replacement, deletion and purge of a segment (no removed case's vector stays on disk), and a
rebuild writes what the database holds. Each segment's column is read in one piece and converted
once (segments never change), so a new generation after an edit re-reads only the new segments.
A brute-force product over every row is exact and takes ~1.5 ms at 10,000 cases, ~15 ms at 100,000.
"""
from __future__ import annotations

import threading

import numpy as np
from cachetools import LRUCache
from whoosh.reading import IndexReader

from indexes.schema import DENSE_FIELD, DENSE_MODEL_FIELD, VECTOR_DIM

_CACHE_SEGMENTS = 256


class _SegmentCache:
    """Process-wide: segment id -> its float32 matrix (every generation of every index shares it)."""

    def __init__(self) -> None:
        self._items: LRUCache = LRUCache(maxsize=_CACHE_SEGMENTS)
        self._lock = threading.Lock()

    def get(self, key: str, make) -> np.ndarray:
        with self._lock:
            hit = self._items.get(key)
        if hit is not None:
            return hit
        value = make()
        with self._lock:
            self._items[key] = value
        return value

    def keep_only(self, keys: set[str]) -> None:
        """Forget segments that no generation uses any more (merged or purged away)."""
        with self._lock:
            for key in [k for k in self._items if k not in keys]:
                del self._items[key]


SEGMENTS = _SegmentCache()


class DenseMatrix:
    """Vectors of the documents of one reader that were made by ``model_key``."""

    def __init__(self, reader: IndexReader, size: int, model_docs: np.ndarray, live: np.ndarray) -> None:
        self.size = size
        parts = []
        keys = set()
        # an index written before dense vectors has no column (until `kb reindex`): no vectors
        leaves = reader.leaf_readers() if has_dense_fields(reader) else []
        for leaf, offset in leaves:
            key = _segment_key(leaf)
            keys.add(key)
            parts.append((offset, SEGMENTS.get(key, lambda leaf=leaf: _read_segment(leaf))))
        self._parts = parts
        self.has = np.zeros(size, dtype=bool)  # has a vector of the model, and is live
        self.has[model_docs] = True
        self.has &= live
        self.count = int(self.has.sum())
        self._keys = keys

    def scores(self, query: np.ndarray) -> np.ndarray:
        """Cosine of every document with the query (-inf where no vector of the model)."""
        out = np.full(self.size, -np.inf, dtype=np.float32)
        q = np.zeros(VECTOR_DIM, dtype=np.float32)
        q[: len(query)] = query
        for offset, matrix in self._parts:
            if len(matrix):
                out[offset: offset + len(matrix)] = matrix @ q
        out[~self.has] = -np.inf
        return out

    def vector(self, docnum: int) -> np.ndarray | None:
        if not self.has[docnum]:
            return None
        for offset, matrix in self._parts:
            if offset <= docnum < offset + len(matrix):
                return matrix[docnum - offset]
        return None  # pragma: no cover

    def forget_other_segments(self) -> None:
        SEGMENTS.keep_only(self._keys)


def has_dense_fields(reader: IndexReader) -> bool:
    names = reader.schema.names()
    return DENSE_FIELD in names and DENSE_MODEL_FIELD in names


def model_postings(scorer, reader: IndexReader, model_key: str) -> np.ndarray:
    """Document numbers whose vector was made by this model."""
    if not has_dense_fields(reader):
        return np.zeros(0, dtype=np.int64)
    ids, _ = scorer.postings(DENSE_MODEL_FIELD, model_key)
    return ids


def _segment_key(leaf: IndexReader) -> str:
    seg = getattr(leaf, "segment", None)
    seg = seg() if callable(seg) else seg
    return seg.segment_id() if seg is not None else str(id(leaf))


def _read_segment(leaf: IndexReader) -> np.ndarray:
    """A segment's column as one (docs, VECTOR_DIM) float32 matrix; zeros where a case has none."""
    n = leaf.doc_count_all()
    if not leaf.has_column(DENSE_FIELD) or n == 0:
        return np.zeros((0, VECTOR_DIM), dtype=np.float32)
    column = leaf.column_reader(DENSE_FIELD)
    width = VECTOR_DIM * 2
    try:  # Whoosh 3's fixed-size column: the values lie one after another (pinned version)
        raw = column._dbfile.get(column._basepos, width * n)
        if len(raw) != width * n:
            raise ValueError
    except (AttributeError, ValueError):  # the public API, one document at a time
        raw = b"".join(bytes(column[d]).ljust(width, b"\0") for d in range(n))
    return np.frombuffer(bytes(raw), dtype="<f2").reshape(n, VECTOR_DIM).astype(np.float32)
