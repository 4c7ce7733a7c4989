"""Vectorised BM25F over postings cached as numpy arrays.

Why not Whoosh's matchers: a volunteer's query becomes a few dozen terms (words, thesaurus
expansions, four fields), and iterating their postings one document at a time in Python costs
hundreds of milliseconds at 10k+ cases; facets and totals need every match anyway. Here each
(field, term) posting list is decoded a block at a time into numpy arrays, kept in an LRU cache
keyed by segment (segments never change; deletions are masked), and scores are dense arrays over
document numbers. The BM25 formula is Whoosh's; the idf is Lucene's (always positive).
"""
from __future__ import annotations

import math
import threading

import numpy as np
from cachetools import LRUCache
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.reading import IndexReader, TermNotFound
from whoosh.util.numeric import byte_to_length

CACHE_BYTES = 192 * 1024 * 1024  # postings kept decoded, all segments together
K1 = 1.2
B = 0.75

_BYTE_LENGTH = np.array([byte_to_length(i) or 0 for i in range(256)], dtype=np.float32)
_EMPTY = (np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float32))


def _nbytes(value: tuple[np.ndarray, np.ndarray]) -> int:
    return value[0].nbytes + value[1].nbytes + 64  # an empty list costs its key and tuple too


class _LockedLRU:
    """An LRU cache (cachetools) that threads of one worker share; cachetools itself takes no lock."""

    def __init__(self, maxsize: int, getsizeof=None) -> None:
        self._cache: LRUCache = LRUCache(maxsize=maxsize, getsizeof=getsizeof)
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            return self._cache.get(key)

    def put(self, key, value) -> None:
        with self._lock:
            self._cache[key] = value


# Process-wide: (segment id, field, term) -> (docnums, weights), bounded by bytes.
POSTINGS = _LockedLRU(CACHE_BYTES, getsizeof=_nbytes)
_LENGTHS = _LockedLRU(4096)  # (segment id, field) -> per-document field lengths


def _decode(matcher) -> tuple[np.ndarray, np.ndarray]:
    """All (docnum, weight) of a leaf matcher. Reads Whoosh 3 blocks whole (pinned version);
    falls back to the public, slower, one-posting-at-a-time API."""
    while hasattr(matcher, "child"):  # deletions wrapper: deleted docs are masked by the caller
        matcher = matcher.child
    try:
        ids_parts, w_parts = [], []
        while matcher.is_active():
            if matcher._data is None:
                matcher._read_data()
            raw_ids, raw_w = matcher._data[0], matcher._data[1]
            n = matcher._blocklength
            ids = np.asarray(raw_ids, dtype=np.int64)
            if not matcher._byteids:
                ids = np.cumsum(ids)
            ids_parts.append(ids.astype(np.int32))
            if raw_w is None:
                w_parts.append(np.ones(n, dtype=np.float32))
            elif isinstance(raw_w, float):
                w_parts.append(np.full(n, raw_w, dtype=np.float32))
            else:
                w_parts.append(np.asarray(raw_w, dtype=np.float32))
            matcher._next_block()
        if not ids_parts:
            return _EMPTY
        return np.concatenate(ids_parts), np.concatenate(w_parts)
    except AttributeError:
        matcher.reset()
        ids, ws = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            ws.append(matcher.weight())
            matcher.next()
        return np.array(ids, dtype=np.int32), np.array(ws, dtype=np.float32)


class Scorer:
    """BM25F scores of terms over all document numbers of one reader (one index generation)."""

    def __init__(self, reader: IndexReader) -> None:
        self.reader = reader
        self.size = reader.doc_count_all()
        self.ndocs = max(1, reader.doc_count())
        self.leaves = [(r, off, _segment_key(r)) for r, off in reader.leaf_readers()]
        self._avgfl: dict[str, float] = {}
        self._lengths: dict[str, np.ndarray] = {}
        self._scores = _LockedLRU(CACHE_BYTES // 4, getsizeof=_nbytes)  # for the life of this generation
        self._idf: dict[tuple[str, str], float] = {}  # per generation; "similar cases" asks for hundreds

    def _avg(self, field: str) -> float:
        if field not in self._avgfl:
            self._avgfl[field] = (self.reader.field_length(field) / self.ndocs) or 1.0
        return self._avgfl[field]

    def lengths(self, field: str) -> np.ndarray:
        """Field length of every document (Whoosh's one-byte approximation)."""
        out = self._lengths.get(field)
        if out is None:
            parts = [_segment_lengths(r, key, field) for r, _, key in self.leaves]
            out = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
            self._lengths[field] = out
        return out

    def postings(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """(global docnums, term weights) of a term, across segments."""
        ids_parts, w_parts = [], []
        for r, off, key in self.leaves:
            ck = (key, field, term)
            got = POSTINGS.get(ck)
            if got is None:
                try:
                    got = _decode(r.postings(field, term))
                except TermNotFound:
                    got = _EMPTY
                POSTINGS.put(ck, got)
            if len(got[0]):
                ids_parts.append(got[0] + off if off else got[0])
                w_parts.append(got[1])
        if not ids_parts:
            return _EMPTY
        if len(ids_parts) == 1:
            return ids_parts[0], w_parts[0]
        return np.concatenate(ids_parts), np.concatenate(w_parts)

    def idf(self, field: str, term: str) -> float:
        # Lucene's BM25 idf: stays positive when deleted documents still count in df
        key = (field, term)
        got = self._idf.get(key)
        if got is None:
            df = min(self.reader.doc_frequency(field, term), self.ndocs)
            got = self._idf[key] = math.log(1.0 + (self.ndocs - df + 0.5) / (df + 0.5))
        return got

    def term_scores(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """(docnums, BM25 score) of a term in a field, kept for the life of this generation."""
        key = (field, term)
        got = self._scores.get(key)
        if got is None:
            ids, tf = self.postings(field, term)
            if len(ids):
                fl = self.lengths(field)[ids]
                norm = K1 * ((1 - B) + B * fl / self._avg(field))
                got = (ids, (self.idf(field, term) * (tf * (K1 + 1)) / (tf + norm)).astype(np.float32))
            else:
                got = _EMPTY
            self._scores.put(key, got)
        return got

    def add_term(self, out: np.ndarray, field: str, term: str, boost: float) -> bool:
        """Add boost * BM25(term in field) into ``out``; False when the term is absent."""
        ids, sc = self.term_scores(field, term)
        if not len(ids):
            return False
        out[ids] += boost * sc
        return True

    def words(self, fields: dict[str, float], words: tuple[str, ...], boost: float) -> np.ndarray | None:
        """Score of a word group in each field, summed over fields; a several-word group scores in a
        field only where all its words occur there. None when nothing matches."""
        total = np.zeros(self.size, dtype=np.float32)
        found = False
        for field, fw in fields.items():
            if len(words) == 1:
                found |= self.add_term(total, field, words[0], boost * fw)
                continue
            acc = np.zeros(self.size, dtype=np.float32)
            present = np.ones(self.size, dtype=bool)
            for w in words:
                ids, _ = self.term_scores(field, w)
                if not len(ids):
                    break
                hit = np.zeros(self.size, dtype=bool)
                hit[ids] = True
                present &= hit
                self.add_term(acc, field, w, boost * fw)
            else:
                if present.any():
                    total += acc * present
                    found = True
        return total if found else None


def _segment_key(r: IndexReader) -> str:
    seg = getattr(r, "segment", None)
    seg = seg() if callable(seg) else seg
    return seg.segment_id() if seg is not None else str(id(r))


def _segment_lengths(r: IndexReader, key: str, field: str) -> np.ndarray:
    """A segment's per-document field lengths, read once (segments are immutable)."""
    ck = (key, field)
    got = _LENGTHS.get(ck)
    if got is None:
        n = r.doc_count_all()
        try:  # the length column's bytes in one read (Whoosh 3 codec, pinned)
            col = r._perdoc._cached_reader(f"_{field}_len", LENGTHS_COLUMN)
            raw = np.frombuffer(col._dbfile.get(col._basepos, col._count), dtype=np.uint8)
            got = np.zeros(n, dtype=np.float32)
            got[: len(raw)] = _BYTE_LENGTH[raw]
        except AttributeError:
            get = r.doc_field_length
            got = np.fromiter((get(d, field, 0) or 0 for d in range(n)), dtype=np.float32, count=n)
        _LENGTHS.put(ck, got)
    return got
