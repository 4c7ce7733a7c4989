#!/usr/bin/env python3
"""What "no earlier version rests on disk" costs: an edit and a deletion with the index purge, and the
search latency of the segment layout that keeps purges bounded.

    .venv/bin/python bench/bench_purge.py                        # 10,000 cases
    .venv/bin/python bench/bench_purge.py --sizes 10000,100000   # 100k takes several minutes

For each size: the rebuild (segments of at most indexes.store.SEGMENT_DOCS cases), search p50/p95 over
generated queries, then a few edits (upsert of a changed case: the old version's segment is rewritten)
and deletions, each timed. The reference in the same run is SQLite FTS5: the same updates and deletions
(with secure-delete where the SQLite has it, 3.42+), then 'optimize', the full merge that otherwise drops
the old terms from its b-tree. Synthetic cases and queries come from bench_search (the shared corpus recombined).
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bench_search  # noqa: E402

from indexes import CaseIndex  # noqa: E402
from indexes import store  # noqa: E402

EDITS = 5


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def whoosh(docs, reqs, workdir: Path) -> dict:
    idx = CaseIndex(workdir / "ix")
    build = timed(lambda: idx.rebuild(docs)) / 1000
    for r in reqs[:20]:
        idx.search(r)
    lat = [timed(lambda r=r: idx.search(r)) for r in reqs]
    step = max(1, len(docs) // EDITS)
    edits = [timed(lambda d=d: idx.upsert([dataclasses.replace(d, title="modifié " + d.title)]))
             for d in docs[::step][:EDITS]]
    deletions = [timed(lambda d=d: idx.delete([d.ref])) for d in docs[1::step][:EDITS]]
    segments = [s.doc_count_all() for s in idx._ix._segments()]
    return {"build_s": round(build, 1), "segments": len(segments), "largest_segment": max(segments),
            "search_p50_ms": round(statistics.median(lat), 1), "search_p95_ms": round(bench_search.pct(lat, 95), 1),
            "edit_ms": [round(x) for x in edits], "delete_ms": [round(x) for x in deletions],
            "needs_purge_after": idx.needs_purge()}


def fts5(docs, workdir: Path) -> dict:
    con = sqlite3.connect(workdir / "fts.sqlite")
    con.execute("CREATE VIRTUAL TABLE c USING fts5(ref UNINDEXED, title, situation, opinion, "
                "tokenize='unicode61 remove_diacritics 2')")
    try:  # SQLite 3.42+: deletions overwrite the old terms at once
        con.execute("INSERT INTO c(c, rank) VALUES('secure-delete', 1)")
        secure = True
    except sqlite3.OperationalError:  # older SQLite: only 'optimize' (a full merge) drops them
        secure = False
    con.executemany("INSERT INTO c VALUES (?,?,?,?)", ((d.ref, d.title, d.situation, d.opinion) for d in docs))
    con.commit()
    step = max(1, len(docs) // EDITS)

    def edit(d):
        con.execute("UPDATE c SET title = ? WHERE ref = ?", ("modifié " + d.title, d.ref))
        con.commit()

    def delete(d):
        con.execute("DELETE FROM c WHERE ref = ?", (d.ref,))
        con.commit()

    edits = [timed(lambda d=d: edit(d)) for d in docs[::step][:EDITS]]
    deletions = [timed(lambda d=d: delete(d)) for d in docs[1::step][:EDITS]]
    optimize = timed(lambda: (con.execute("INSERT INTO c(c) VALUES('optimize')"), con.commit()))
    con.close()
    return {"secure_delete": secure, "sqlite": sqlite3.sqlite_version, "edit_ms": [round(x, 1) for x in edits],
            "delete_ms": [round(x, 1) for x in deletions], "optimize_ms": round(optimize)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000")
    ap.add_argument("--queries", type=int, default=200)
    args = ap.parse_args()
    cases = bench_search.load_cases(bench_search.DEFAULT_CORPUS)
    reqs = bench_search.make_queries(cases, args.queries)
    for n in (int(s) for s in args.sizes.split(",")):
        docs = bench_search.synth_docs(cases, n)
        with tempfile.TemporaryDirectory() as tmp:
            result = {"cases": n, "segment_docs": store.SEGMENT_DOCS, "whoosh": whoosh(docs, reqs, Path(tmp)),
                      "fts5": fts5(docs, Path(tmp))}
        print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
