"""Benchmark the anonymiser: narratives per second on one core, model load excluded and reported apart.

Run by hand from the project root:
    .venv/bin/python bench/bench_anonymizer.py [--data ../shared/eval/pii_dev.jsonl] [--repeat 10] [--batch-size 32]

It reads the raw narratives by path (nothing is copied into the repo) and prints only figures,
never any text.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(ROOT.parent / "shared" / "eval" / "pii_dev.jsonl"))
    ap.add_argument("--repeat", type=int, default=10, help="how many times the narratives are repeated")
    ap.add_argument("--batch-size", type=int, default=32)
    args = ap.parse_args()

    os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core, as the budget says
    texts = [json.loads(line)["text"] for line in open(args.data, encoding="utf-8") if line.strip()]
    words = statistics.mean(len(t.split()) for t in texts)

    from anonymizer import get_anonymizer

    an = get_anonymizer()
    t0 = time.perf_counter()
    an.anonymize("Chargement du modèle.")
    load = time.perf_counter() - t0

    batch = texts * args.repeat
    t0 = time.perf_counter()
    an.anonymize_many(batch, batch_size=args.batch_size)
    elapsed = time.perf_counter() - t0

    singles = []
    for t in texts:
        t1 = time.perf_counter()
        an.anonymize(t)
        singles.append((time.perf_counter() - t1) * 1000)

    print(f"narratives: {len(batch)} (mean {words:.0f} words), model load: {load:.2f} s")
    print(f"batch: {len(batch) / elapsed:.1f} narratives/s, {elapsed / len(batch) * 1000:.1f} ms per narrative")
    print(f"one at a time: median {statistics.median(singles):.1f} ms, max {max(singles):.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
