"""Fusing the lexical ranking with the dense one: reciprocal rank fusion (Cormack et al., 2009).

Why ranks and not scores: the lexical score has no fixed scale (BM25F sums, a bonus for strict
matches, a coordination factor) and the cosines of one query sit in a narrow band that moves from
query to query; a weighted sum needs both normalised, and the weight then depends on that
normalisation. RRF uses only each list's order, with the constant k = 60 of the original paper,
not tuned here. Measured against min-max and z-score weighted sums in docs/search.md.
"""
from __future__ import annotations

import numpy as np

RRF_K = 60


def rrf(size: int, *rankings: np.ndarray, k: int = RRF_K) -> np.ndarray:
    """Fused score of every document number (0 for a document in no ranking). Each ranking is an
    array of document numbers, best first."""
    fused = np.zeros(size, dtype=np.float64)
    for ranking in rankings:
        if len(ranking):
            fused[ranking] += rank_share(np.arange(len(ranking)), k)
    return fused


def rank_share(ranks: np.ndarray, k: int = RRF_K) -> np.ndarray:
    """What a ranking gives documents at these 0-based ranks (as `rrf` does)."""
    return 1.0 / (k + 1 + np.asarray(ranks, dtype=np.float64))


def fused_order(fused: np.ndarray, candidates: np.ndarray, tiebreak: np.ndarray) -> np.ndarray:
    """Candidates best first by fused score; ties (equal ranks in both lists) go to the lexical
    order, given as ``tiebreak`` (smaller first)."""
    return candidates[np.lexsort((tiebreak[candidates], -fused[candidates]))]
