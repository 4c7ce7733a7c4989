#!/usr/bin/env python3
"""Search benchmark: synthetic knowledge bases built by recombining the shared corpus's sentences.

For each size it reports the index build time and size (vectors already computed, as a rebuild
reads them from the database), and for a few hundred varied queries the latency of `kb search`'s
call (first 10, no facets, no highlights) and of one results page (query + facets + highlighted
first page, as the search page asks for it), mean, median and p95, both including the query's
embedding by the dense model; the same documents and queries run on SQLite FTS5 in the same run.

    .venv/bin/python bench/bench_search.py                       # 10,000 cases
    .venv/bin/python bench/bench_search.py --sizes 10000,100000  # minutes for 100k; use nohup
    .venv/bin/python bench/bench_search.py --no-dense            # the lexical engine alone

Vectors: the first --embed cases (default 10,000) are embedded for real, which also gives the
model's throughput; larger bases reuse those vectors in turn (case i gets case i mod 10,000's), which
costs the search the same. They are cached beside the temporary folders (--vectors-cache).
The queries are generated from the corpus and the thesaurus (no judged queries are used).
"""
from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexes import CaseDoc, CaseIndex, SearchRequest  # noqa: E402
from indexes import dense  # noqa: E402
from indexes.thesaurus import DEFAULT_PATH as THESAURUS_PATH  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "cases.jsonl"
SENTENCE = re.compile(r"(?<=[.!?])\s+")
WORD = re.compile(r"\w+(?:['\u2019]\w+)*")
STOP = set("le la les un une des de du et ou à au aux en pour par sur dans que qui ne pas son sa ses il elle est se "
           "ce cette d l qu s a avec sans lui leur".split())


def load_cases(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]


def synth_docs(cases: list[dict], n: int, seed: int = 7) -> list[CaseDoc]:
    """Cases recombined from sentences of cases sharing a theme, with varied years and facets."""
    rng = random.Random(seed)
    by_theme: dict[str, list[dict]] = {}
    for c in cases:
        for t in c["themes"]:
            by_theme.setdefault(t, []).append(c)
    themes = sorted(by_theme)
    now = datetime.now(timezone.utc)
    docs = []
    for i in range(n):
        main = rng.choice(themes)
        pool = by_theme[main]
        donors = [rng.choice(pool) for _ in range(4)]
        sit = [s for d in donors[:2] for s in SENTENCE.split(d["situation"])]
        opi = [s for d in donors[1:] for s in SENTENCE.split(d["opinion"])]
        rng.shuffle(sit)
        rng.shuffle(opi)
        extra = rng.choice(themes)
        sectors = sorted({s for d in donors[:2] for s in d["sectors"]})[:3]
        legal = sorted({r for d in donors[:3] for r in d["legal_refs"]})[:3]
        docs.append(CaseDoc(
            ref=f"SY-{i:06d}",
            title=rng.choice(donors)["title"],
            situation=" ".join(sit[: rng.randint(3, 5)]),
            opinion=" ".join(opi[: rng.randint(3, 6)]),
            themes=tuple(dict.fromkeys([main, extra] if rng.random() < 0.6 else [main])),
            sectors=tuple(sectors),
            year=rng.randint(2008, 2025),
            channel=rng.choice(["permanence", "permanence", "mail", "bureau"]),
            legal_refs=tuple(legal),
            updated_at=now,
        ))
    return docs


def colloquial_words(path: Path) -> list[str]:
    """Left-hand terms of the thesaurus's one-way lines: the words volunteers type."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if "=>" in line and not line.lstrip().startswith("#"):
            out += [t.strip() for t in line.split("=>")[0].split(",") if t.strip()]
    return out


def make_queries(cases: list[dict], n: int, seed: int = 11) -> list[SearchRequest]:
    """Varied requests: 2-5 content words from a case, colloquial words, typos, phrases, filters."""
    rng = random.Random(seed)
    slang = colloquial_words(THESAURUS_PATH)
    themes = sorted({t for c in cases for t in c["themes"]})
    reqs = []
    for _ in range(n):
        c = rng.choice(cases)
        words = [w for w in WORD.findall(c["title"] + " " + c["situation"]) if w.lower() not in STOP and len(w) > 2]
        q = rng.sample(words, k=min(len(words), rng.randint(2, 5)))
        r = rng.random()
        if r < 0.3:
            q.insert(0, rng.choice(slang))
        elif r < 0.4 and q:
            w = q[0]
            if len(w) > 5:
                j = rng.randrange(1, len(w) - 2)
                q[0] = w[:j] + w[j + 1] + w[j] + w[j + 2:]
        elif r < 0.5:
            seq = WORD.findall(c["situation"])
            j = rng.randrange(0, max(1, len(seq) - 3))
            q = ['"' + " ".join(seq[j : j + 2]) + '"'] + q[:2]
        req = SearchRequest(query=" ".join(q))
        if rng.random() < 0.2:
            req.themes = (rng.choice(themes),)
        if rng.random() < 0.1:
            req.year_from = 2015
        reqs.append(req)
    return reqs


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def attach_vectors(docs: list[CaseDoc], model: dense.DenseModel, real: int, cache: Path) -> tuple[list[CaseDoc], dict]:
    """Each case with a stored vector (see the module's docstring); the throughput of embedding."""
    real = min(real, len(docs))
    path = cache / f"vectors-{model.key}-{real}.npy"
    info: dict = {"embedded_for_real": real}
    if path.exists():
        vectors = np.load(path)
        info["cached"] = True
    else:
        texts = [dense.passage_text(d.title, d.situation, d.opinion) for d in docs[:real]]
        t = time.perf_counter()
        vectors = np.vstack([model.embed_passages(texts[i:i + 64]) for i in range(0, len(texts), 64)])
        seconds = time.perf_counter() - t
        info.update(embed_s=round(seconds, 1), texts_per_s=round(real / seconds, 1),
                    mean_chars=round(statistics.mean(map(len, texts))))
        cache.mkdir(parents=True, exist_ok=True)
        np.save(path, vectors)
    raw = [dense.to_bytes(v) for v in vectors]
    return [replace(d, vector=raw[i % real], vector_model=model.key) for i, d in enumerate(docs)], info


def timed(idx: CaseIndex, reqs: list[SearchRequest]) -> dict:
    lat, totals = [], []
    for req in reqs[:20]:
        idx.search(req)
    for req in reqs:
        t = time.perf_counter()
        res = idx.search(req)
        lat.append((time.perf_counter() - t) * 1000)
        totals.append(res.total)
    return {"mean_ms": round(statistics.mean(lat), 2), "p50_ms": round(statistics.median(lat), 1),
            "p95_ms": round(pct(lat, 95), 1), "max_ms": round(max(lat), 1), "mean_total": round(statistics.mean(totals))}


def bench_whoosh(docs: list[CaseDoc], reqs: list[SearchRequest], workdir: Path,
                 slot: dense.ModelSlot | None = None) -> dict:
    path = workdir / "whoosh"
    t = time.perf_counter()
    idx = CaseIndex(path, dense=slot)
    idx.rebuild(docs)
    build = time.perf_counter() - t
    size = sum(f.stat().st_size for f in path.iterdir())
    t = time.perf_counter()
    idx.search(SearchRequest(query="police"))  # opens the searcher, reads facets and the vectors' matrix
    first = time.perf_counter() - t
    page = timed(idx, reqs)  # the results page: facets and highlighted first page
    call = timed(idx, [replace(r, facets=False, highlight=False) for r in reqs])  # kb search --json
    out = {"build_s": round(build, 1), "size_mb": round(size / 1e6, 1), "first_search_s": round(first, 2),
           **page, "kb_search": call}
    model = idx.dense_model()
    if model is not None:
        lat = []
        for req in reqs:
            t = time.perf_counter()
            model.embed_query(req.query)
            lat.append((time.perf_counter() - t) * 1000)
        out["query_embedding"] = {"mean_ms": round(statistics.mean(lat), 2), "p95_ms": round(pct(lat, 95), 1)}
    idx.close()
    return out


def fts_query(text: str) -> str:
    words = [w for w in WORD.findall(text.replace("'", " ")) if w.lower() not in STOP]
    return " OR ".join('"%s"' % w for w in words) or '""'


def bench_fts5(docs: list[CaseDoc], reqs: list[SearchRequest], workdir: Path) -> dict:
    """Same documents and queries on SQLite FTS5: bm25 top 10, snippets, count, theme counts."""
    db = workdir / "fts.sqlite"
    con = sqlite3.connect(db)
    t = time.perf_counter()
    con.execute("CREATE VIRTUAL TABLE c USING fts5(ref UNINDEXED, title, situation, opinion, themes UNINDEXED, "
                "year UNINDEXED, tokenize='unicode61 remove_diacritics 2')")
    con.executemany("INSERT INTO c VALUES (?,?,?,?,?,?)",
                    ((d.ref, d.title, d.situation, d.opinion, ",".join(d.themes), d.year) for d in docs))
    con.commit()
    build = time.perf_counter() - t
    lat = []
    for req in reqs[:20]:
        con.execute("SELECT ref FROM c WHERE c MATCH ? LIMIT 10", (fts_query(req.query),)).fetchall()
    for req in reqs:
        q = fts_query(req.query)
        t = time.perf_counter()
        rows = con.execute("SELECT ref, title, snippet(c, 2, '<mark>', '</mark>', '…', 30) FROM c WHERE c MATCH ? "
                           "ORDER BY bm25(c, 0, 3.0, 1.6, 1.0) LIMIT 10", (q,)).fetchall()
        con.execute("SELECT themes, year, count(*) FROM c WHERE c MATCH ? GROUP BY themes, year", (q,)).fetchall()
        lat.append((time.perf_counter() - t) * 1000)
        assert rows is not None
    con.close()
    return {"build_s": round(build, 1), "size_mb": round(db.stat().st_size / 1e6, 1),
            "mean_ms": round(statistics.mean(lat), 2), "p50_ms": round(statistics.median(lat), 1),
            "p95_ms": round(pct(lat, 95), 1)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000", help="comma-separated numbers of cases")
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--keep", type=Path, help="build in this folder and keep it (default: a temp folder)")
    ap.add_argument("--no-dense", action="store_true", help="the lexical engine alone")
    ap.add_argument("--model", default=dense.DEFAULT_MODEL)
    ap.add_argument("--embed", type=int, default=10_000, help="cases embedded for real (the rest reuse them)")
    ap.add_argument("--vectors-cache", type=Path, default=Path(tempfile.gettempdir()) / "kb-bench-vectors")
    args = ap.parse_args()
    cases = load_cases(args.corpus)
    reqs = make_queries(cases, args.queries)
    slot = None if args.no_dense else dense.slot(args.model)
    for n in (int(s) for s in args.sizes.split(",")):
        docs = synth_docs(cases, n)
        embedding = None
        if slot is not None:
            docs, embedding = attach_vectors(docs, slot.get(), args.embed, args.vectors_cache)
        workdir = Path(tempfile.mkdtemp(prefix=f"bench{n}-", dir=args.keep))
        try:
            w = bench_whoosh(docs, reqs, workdir, slot)
            f = bench_fts5(docs, reqs, workdir)
        finally:
            if args.keep is None:
                shutil.rmtree(workdir, ignore_errors=True)
        w["p95_vs_fts5"] = round(w["p95_ms"] / max(f["p95_ms"], 0.01), 1)
        w["kb_search_mean_vs_fts5_mean"] = round(w["kb_search"]["mean_ms"] / max(f["mean_ms"], 0.01), 2)
        print(json.dumps({"cases": n, "queries": len(reqs), "model": slot.get().key if slot else None,
                          "embedding": embedding, "whoosh": w, "fts5": f}, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
