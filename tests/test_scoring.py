"""The vectorised BM25F (indexes/scoring.py) reads Whoosh's private block format for speed. These tests
hold it against Whoosh's own BM25F on a real index of several segments, and force the public-API
fallback that a Whoosh upgrade would leave, so a changed format cannot change rankings silently."""
from __future__ import annotations

import numpy as np
import pytest
from whoosh import fields, index, scoring
from whoosh.query import Term

from indexes.scoring import B, K1, Scorer, _decode, _segment_lengths

WORDS = "secret police adresse parents mineur signalement avis travailleur social dossier".split()


@pytest.fixture()
def ix(tmp_path):
    """Three segments of documents with varied lengths and repeated terms."""
    schema = fields.Schema(id=fields.ID(stored=True), body=fields.TEXT)
    ix = index.create_in(str(tmp_path), schema)
    rng = np.random.default_rng(7)
    n = 0
    for _ in range(3):
        with ix.writer() as w:
            w.mergetype = lambda writer, segments: segments  # keep every segment
            for _ in range(40):
                words = rng.choice(WORDS, size=int(rng.integers(3, 60)))
                w.add_document(id=str(n), body=" ".join(words))
                n += 1
    return ix


class PublicMatcher:
    """A real matcher seen through its public API only, as after a change of Whoosh's internals."""

    def __init__(self, matcher) -> None:
        self._m = matcher

    def is_active(self) -> bool:
        return self._m.is_active()

    def id(self) -> int:
        return self._m.id()

    def weight(self) -> float:
        return self._m.weight()

    def next(self) -> None:
        self._m.next()

    def reset(self) -> None:
        self._m.reset()


class PublicReader:
    def __init__(self, reader) -> None:
        self._r = reader

    def doc_count_all(self) -> int:
        return self._r.doc_count_all()

    def doc_field_length(self, docnum: int, field: str, default: int = 0) -> int:
        return self._r.doc_field_length(docnum, field, default)


def whoosh_tf_parts(searcher, term: str) -> dict[int, float]:
    """Whoosh's BM25F score of each document for one term, divided by Whoosh's idf."""
    hits = searcher.search(Term("body", term), limit=None)
    idf = searcher.idf("body", term)
    return {hit.docnum: hit.score / idf for hit in hits}


@pytest.mark.parametrize("term", ["secret", "police", "dossier"])
def test_scores_match_whoosh_bm25f_up_to_the_idf(ix, term) -> None:
    with ix.searcher(weighting=scoring.BM25F(B=B, K1=K1)) as searcher:
        assert len(searcher.reader().leaf_readers()) == 3
        scorer = Scorer(searcher.reader())
        ids, scores = scorer.term_scores("body", term)
        ours = dict(zip(ids.tolist(), (scores / scorer.idf("body", term)).tolist()))
        theirs = whoosh_tf_parts(searcher, term)
    assert ours.keys() == theirs.keys() and len(ours) > 20
    for docnum, value in theirs.items():
        assert ours[docnum] == pytest.approx(value, rel=1e-4)


def test_ranking_matches_whoosh_when_the_idf_is_shared(ix) -> None:
    """For one term the idf is a constant factor: both orders of the documents must agree."""
    with ix.searcher(weighting=scoring.BM25F(B=B, K1=K1)) as searcher:
        ids, scores = Scorer(searcher.reader()).term_scores("body", "avis")
        ours = [int(ids[i]) for i in np.argsort(-scores, kind="stable")]
        theirs = [hit.docnum for hit in searcher.search(Term("body", "avis"), limit=None)]
    assert ours[:10] == theirs[:10]


def test_public_api_fallback_decodes_the_same_postings(ix) -> None:
    with ix.searcher() as searcher:
        for reader, _ in searcher.reader().leaf_readers():
            fast = _decode(reader.postings("body", "secret"))
            slow = _decode(PublicMatcher(reader.postings("body", "secret")))
            assert np.array_equal(fast[0], slow[0]) and np.allclose(fast[1], slow[1])
            assert len(fast[0]) > 0


def test_public_api_fallback_reads_the_same_field_lengths(ix) -> None:
    with ix.searcher() as searcher:
        for n, (reader, _) in enumerate(searcher.reader().leaf_readers()):
            fast = _segment_lengths(reader, f"fast-{n}", "body")
            slow = _segment_lengths(PublicReader(reader), f"slow-{n}", "body")
            assert np.array_equal(fast, slow) and fast.sum() > 0
