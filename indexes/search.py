"""Running a search on one index generation: concepts scored with BM25F over numpy arrays, strict
(every concept) then relaxed (any concept) matching, fused with the dense (meaning) ranking, facets,
date sort, pagination, snippets; and "similar cases"."""
from __future__ import annotations

from collections import Counter

import numpy as np
from cachetools import LRUCache
from whoosh.searching import Searcher

from indexes.analysis import folded, stems, word_pairs
from indexes.dense import DenseModel, one_blas_thread
from indexes.dense_matrix import DenseMatrix, model_postings
from indexes.facets import DocTable
from indexes.fusion import fused_order, rank_share, rrf
from indexes.highlight import Marks, snippet
from indexes.model import Hit, SearchRequest, SearchResult
from indexes.query import EXPANSION_WEIGHT, Concept, ParsedQuery, Vocabulary, parse
from indexes.schema import EXACT_FIELD, PAIR_FIELD, TEXT_FIELDS
from indexes.scoring import Scorer
from indexes.thesaurus import Thesaurus

PHRASE_WEIGHT = 3.0  # a quoted phrase is what the user insists on
PHRASE_CHECK_MAX = 300  # phrases of 3+ words: candidates checked word by word against the text
CONCEPT_TIEBREAK = 0.2  # a case using the typed word and a synonym scores a little more
COORDINATION = 1.0  # relaxed matching: bonus for the share of concepts a case matches
MIN_STRICT_HITS = 10  # fewer strict hits than a page: add relaxed hits after them
DENSE_DEPTH = 50  # nearest cases by meaning fused with the lexical ranking (and joining the results)
SIMILAR_DEPTH = 50  # candidates of "similar cases" from each ranking
MAX_PER_PAGE = 100
SIMILAR_TERMS = 14
_BODY_FIELDS = {f: w for f, w in TEXT_FIELDS.items() if f != "tags"}


class Generation:
    """A searcher and everything derived from it, valid until the index changes."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        reader = searcher.reader()
        self.table = DocTable(reader)
        self.scorer = Scorer(reader)
        self._dense: dict[str, DenseMatrix] = {}
        # Bounded caches of this generation (its searches run one at a time, under CaseIndex's lock).
        self._known: LRUCache = LRUCache(maxsize=50_000)  # stem -> indexed?
        self._fixes: LRUCache = LRUCache(maxsize=10_000)  # word -> its spelling correction, or None
        # "Cas similaires" of a case cannot change until the index does: the case page and its JSON share it.
        self.similar_cache: LRUCache = LRUCache(maxsize=5_000)
        self.vocabulary = Vocabulary(self._is_known, self._correct)

    def up_to_date(self) -> bool:
        return self.searcher.up_to_date()

    def close(self) -> None:
        self.searcher.close()

    def _is_known(self, stem: str) -> bool:
        hit = self._known.get(stem)
        if hit is None:
            reader = self.searcher.reader()
            hit = any(reader.doc_frequency(f, stem) > 0 for f in TEXT_FIELDS)
            self._known[stem] = hit
        return hit

    def _correct(self, word: str) -> str | None:
        """The most frequent indexed word one edit away (two for long words), or None."""
        if word in self._fixes:
            return self._fixes[word]
        reader = self.searcher.reader()
        best = None
        for dist in (1, 2) if len(word) >= 7 else (1,):
            cands = list(reader.terms_within(EXACT_FIELD, word, dist, prefix=1))
            if cands:
                best = max(cands, key=lambda w: (reader.doc_frequency(EXACT_FIELD, w), w))
                break
        self._fixes[word] = best
        return best

    def dense(self, model_key: str) -> DenseMatrix:
        """The case vectors made by this model (read once per generation, segments cached)."""
        matrix = self._dense.get(model_key)
        if matrix is None:
            matrix = DenseMatrix(self.searcher.reader(), self.table.size,
                                 model_postings(self.scorer, self.searcher.reader(), model_key), self.table.live)
            matrix.forget_other_segments()
            self._dense[model_key] = matrix
        return matrix

    def phrase_docs(self, words: tuple[str, ...]) -> np.ndarray:
        """Documents holding the phrase: every word pair present, then (when few) checked in order
        against the stored text, so that "a b c" does not match "a b ... b c"."""
        mask = self.table.live.copy()
        for pair in word_pairs(words):
            ids, _ = self.scorer.postings(PAIR_FIELD, pair)
            hit = np.zeros(self.table.size, dtype=bool)
            hit[ids] = True
            mask &= hit
        cand = np.flatnonzero(mask)
        if len(words) > 2 and len(cand) <= PHRASE_CHECK_MAX:
            needle = " " + " ".join(words) + " "
            for d in cand:
                f = self.searcher.stored_fields(int(d))
                text = " " + " ".join(folded(" ".join((f.get("title", ""), f.get("situation", ""), f.get("opinion", ""))))) + " "
                mask[d] = needle in text
        return mask


def concept_scores(gen: Generation, c: Concept) -> np.ndarray | None:
    """Score of every document for one concept (0 where it does not match), None if it matches none."""
    sc = gen.scorer
    if c.phrase:
        base = sc.words({EXACT_FIELD: 1.0}, c.phrase, PHRASE_WEIGHT)
        if base is None:
            return None
        return base * gen.phrase_docs(c.phrase) if len(c.phrase) > 1 else base
    typed = sc.words(TEXT_FIELDS, c.stems, 1.0) if c.stems else None
    # a word the cases never use (slang, an acronym) is fully stood in for by its expansions
    exp_weight = EXPANSION_WEIGHT if typed is not None else 1.0
    parts = [typed, *(sc.words(TEXT_FIELDS, e, exp_weight) for e in c.expansions)]
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    stack = np.vstack(parts)
    best = stack.max(axis=0)
    return best + CONCEPT_TIEBREAK * (stack.sum(axis=0) - best)


def run_search(gen: Generation, thesaurus: Thesaurus, req: SearchRequest, model: DenseModel | None = None) -> SearchResult:
    table = gen.table
    per_page = max(1, min(req.per_page, MAX_PER_PAGE))
    page = max(1, req.page)
    start = (page - 1) * per_page
    filtered = table.filter_mask(req)
    allowed = table.live if filtered is None else filtered
    parsed = parse(req.query, thesaurus, gen.vocabulary)
    relaxed = False
    if not parsed:
        matched = allowed
        ids = table.by_date(matched)[start : start + per_page]
        page_hits = [(0.0, int(d)) for d in ids]
    else:
        matched, score, strict, relaxed = _match(gen, parsed, allowed)
        if parsed.corrections:
            parsed, (matched, score, strict, relaxed) = _better_of(gen, thesaurus, req, parsed, allowed,
                                                                 (matched, score, strict, relaxed))
        need = None if req.sort == "date" else start + per_page
        order, shown, matched = _ranked(gen, parsed, req.query, model, matched, allowed, score,
                                        strict if relaxed else None, relaxed, need)
        if req.sort == "date":
            by_score = dict(zip(order.tolist(), shown.tolist()))
            ids = table.by_date(matched)[start : start + per_page]
            page_hits = [(by_score[int(d)], int(d)) for d in ids]
        else:
            page_hits = list(zip(shown[start : start + per_page].tolist(), order[start : start + per_page].tolist()))
    marks = Marks(parsed.highlight_stems(), parsed.highlight_words()) if req.highlight else Marks(frozenset())
    return SearchResult(
        total=int(matched.sum()),
        hits=[_hit(gen.searcher, d, s, marks) for s, d in page_hits],
        facets=table.facet_counts(matched) if req.facets else {},
        suggestion=parsed.suggestion,
        relaxed=relaxed,
    )


def _better_of(gen: Generation, thesaurus: Thesaurus, req: SearchRequest, corrected: ParsedQuery,
               allowed: np.ndarray, corrected_match: tuple):
    """A corrected query is used (and proposed) only when it finds cases with every word where the
    words as typed do not: "secert" becomes "secret", but "recette de tarte" does not become
    "remettre de tarte" for two unrelated cases."""
    as_typed = parse(req.query, thesaurus, Vocabulary(known=gen.vocabulary.known, correct=lambda _word: None))
    typed_match = _match(gen, as_typed, allowed) if as_typed else None
    corrected_strict = bool(corrected_match[2].any())  # some case has every word of the corrected query
    typed_strict = typed_match is not None and bool(typed_match[2].any())
    if corrected_strict and not typed_strict:
        return corrected, corrected_match
    if typed_match is None:
        return as_typed, (np.zeros_like(allowed), np.zeros(len(allowed)), np.zeros_like(allowed), False)
    return as_typed, typed_match


def _match(gen: Generation, parsed: ParsedQuery, allowed: np.ndarray):
    """(matched mask, score, strict mask, relaxed?) -- strict = every concept matches; when that
    leaves less than a page, cases matching any concept follow, scored with a coordination bonus."""
    n = len(parsed.concepts)
    score = np.zeros(gen.table.size, dtype=np.float32)
    count = np.zeros(gen.table.size, dtype=np.int16)
    for c in parsed.concepts:
        s = concept_scores(gen, c)
        if s is not None:
            score += s
            count += s > 0
    strict = (count == n) & allowed
    if strict.sum() >= MIN_STRICT_HITS or n == 1:
        return strict, score, strict, False
    wider = (count > 0) & allowed
    score *= 1.0 + COORDINATION * (count / n)
    return wider, score, strict, bool(wider.sum() > strict.sum())


def _ranked(gen: Generation, parsed: ParsedQuery, text: str, model: DenseModel | None, matched: np.ndarray,
            allowed: np.ndarray, score: np.ndarray, first: np.ndarray | None, relaxed: bool,
            need: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(document numbers best first, the score shown for each, the set of results). The lexical
    order (``first``, the strict matches, ahead) is fused with the nearest cases by meaning when the
    model and the cases' vectors are there. As with relaxed matching, cases come from outside the
    words' matches only when the cases holding every word are too few (``relaxed``): the nearest
    cases by meaning then join the results, unless the query quotes a phrase (the user insists on
    those words); otherwise the nearest among the matches re-order them. Without a model, the
    lexical order alone. Only the first ``need`` (all when None) are guaranteed in order: the rest
    of a large result is never sorted (at 100,000 cases a full sort and merge cost ~50 ms)."""
    cand = np.flatnonzero(matched)
    if not len(cand):
        return cand, np.zeros(0), matched
    key = score[cand] + (score.max() + 1.0) * first[cand] if first is not None else score[cand]
    depth = len(cand) if need is None else min(len(cand), max(need, DENSE_DEPTH))
    head = _head(cand, key, depth)
    join = relaxed and not any(c.phrase for c in parsed.concepts)
    nearest = _nearest(gen, model, text, allowed if join else matched, DENSE_DEPTH) if model is not None else None
    if nearest is None:
        shown = np.minimum.accumulate(score[head].astype(np.float64))  # never rises down the list
        return head, shown, matched
    size = gen.table.size
    rank = np.full(size, -1, dtype=np.int64)
    rank[head] = np.arange(len(head))
    deep = nearest[(rank[nearest] < 0) & matched[nearest]]  # matched, but below the head
    if len(deep):
        keys = np.full(size, -np.inf, dtype=np.float64)
        keys[cand] = key
        rank[deep] = np.searchsorted(np.sort(-key), -keys[deep], side="left")
    known = np.flatnonzero(rank >= 0)
    fused = rrf(size, nearest)
    fused[known] += rank_share(rank[known])
    pool = np.union1d(head, nearest)
    order = fused_order(fused, pool, np.where(rank >= 0, rank, len(cand)))
    results = matched.copy()
    results[nearest] = True
    return order, fused[order], results


def _head(cand: np.ndarray, key: np.ndarray, depth: int) -> np.ndarray:
    """The ``depth`` best candidates by key, best first (ties in document order)."""
    if len(cand) > depth:
        part = np.argpartition(-key, depth - 1)[:depth]
        part = part[np.lexsort((cand[part], -key[part]))]
        return cand[part]
    return cand[np.argsort(-key, kind="stable")]


def _nearest(gen: Generation, model: DenseModel, text: str, allowed: np.ndarray, depth: int) -> np.ndarray | None:
    """The ``depth`` cases closest to the text by meaning, among those allowed, best first; None
    when the index holds no vector of this model."""
    matrix = gen.dense(model.key)
    if not matrix.count:
        return None
    query = model.embed_query(text)
    with one_blas_thread():
        cos = matrix.scores(query)
    cos[~allowed] = -np.inf
    return _top(cos, depth)


def _top(values: np.ndarray, depth: int) -> np.ndarray:
    """Indices of the ``depth`` largest finite values, largest first."""
    finite = np.flatnonzero(np.isfinite(values))
    if len(finite) > depth:
        finite = finite[np.argpartition(-values[finite], depth - 1)[:depth]]
    return finite[np.argsort(-values[finite], kind="stable")]


def _hit(searcher: Searcher, docnum: int, score: float, marks: Marks) -> Hit:
    f = searcher.stored_fields(docnum)
    return Hit(
        ref=f["ref"],
        title=f.get("title", ""),
        score=round(score, 4),
        themes=list(f.get("themes") or []),
        sectors=list(f.get("sectors") or []),
        year=f.get("year"),
        channel=f.get("channel", ""),
        snippet=snippet([f.get("situation", ""), f.get("opinion", ""), f.get("title", "")], marks),
    )


def similar(gen: Generation, ref: str, limit: int, model: DenseModel | None = None) -> list[Hit]:
    """Cases close to ``ref``: the cases its most telling words find, fused (RRF) with the cases
    closest to its stored vector; the lexical order alone when there is no vector."""
    searcher = gen.searcher
    docnum = searcher.document_number(ref=ref)
    if docnum is None:
        return []
    f = searcher.stored_fields(docnum)
    terms = _key_terms(gen, " ".join((f.get("title", ""),) * 2 + (f.get("situation", ""), f.get("opinion", ""))))
    score = np.zeros(gen.table.size, dtype=np.float32)
    top_w = terms[0][1] if terms else 1.0
    for t, w in terms:
        got = gen.scorer.words(_BODY_FIELDS, (t,), w / top_w)
        if got is not None:
            score += got
    score *= gen.table.live
    score[docnum] = 0.0
    score[score <= 0] = -np.inf
    lexical = _top(score, SIMILAR_DEPTH)
    nearest = np.zeros(0, dtype=np.int64)
    if model is not None:
        matrix = gen.dense(model.key)
        own = matrix.vector(docnum)
        if own is not None:
            with one_blas_thread():
                cos = matrix.scores(own)
            cos[docnum] = -np.inf
            nearest = _top(cos, SIMILAR_DEPTH)
    if not len(nearest):
        return [_hit(searcher, int(d), float(score[d]), Marks(frozenset())) for d in lexical[:limit]]
    fused = rrf(gen.table.size, lexical, nearest)
    rank = np.full(gen.table.size, len(lexical), dtype=np.int64)
    rank[lexical] = np.arange(len(lexical))
    order = fused_order(fused, np.union1d(lexical, nearest), rank)[:limit]
    return [_hit(searcher, int(d), float(fused[d]), Marks(frozenset())) for d in order]


def _key_terms(gen: Generation, text: str) -> list[tuple[str, float]]:
    """The case's most telling stems: frequency in the case times rarity in the index."""
    counts = Counter(stems(text))
    weighted = [
        (t, n * max(gen.scorer.idf(f, t) for f in _BODY_FIELDS)) for t, n in counts.items() if len(t) > 2
    ]
    weighted.sort(key=lambda p: -p[1])
    return weighted[:SIMILAR_TERMS]
