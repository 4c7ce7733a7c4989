#!/usr/bin/env python3
"""How well the residual check (the review's safety net) points at what the anonymiser missed.

    python bench/score_residuals.py --data bench/heldout4/pii_heldout4.jsonl \
        [--clean bench/heldout4/clean_heldout4.jsonl] [--python .venv/bin/python]

Runs the real command `flask --app app kb anonymize --jsonl IN --out OUT` (as the shared scorer does),
whose lines carry `residuals` (spans the check flags in the anonymised text). Then:
  caught      share of the annotated identifiers still present after anonymisation (matched as the
              shared scorer matches: case-insensitive, whole words) that a residual span overlaps;
  false alarms residual warnings per text on texts that hold no identifier (--clean), after anonymisation
              (--kinds: how many of each kind, never the flagged words).
Standard library only.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def anonymize(python: str, rows: list[dict]) -> dict[str, dict]:
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
        src.write_text("".join(json.dumps({"id": r["id"], "text": r["text"]}, ensure_ascii=False) + "\n" for r in rows),
                       encoding="utf-8")
        subprocess.run([python, "-m", "flask", "--app", "app", "kb", "anonymize", "--jsonl", str(src), "--out", str(out)],
                       check=True, capture_output=True, env={**os.environ, "KB_DATA_DIR": tmp})
        return {r["id"]: r for r in read_jsonl(out)}


def occurrences(needle: str, text: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(r"(?<!\w)" + re.escape(needle) + r"(?!\w)", text, re.IGNORECASE)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--clean", type=Path)
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--show", action="store_true", help="list the misses the check did not flag")
    ap.add_argument("--kinds", action="store_true", help="count the kinds of the warnings raised on clean texts")
    args = ap.parse_args()

    rows = read_jsonl(args.data)
    out = anonymize(args.python, rows)
    left = caught = 0
    missed: list[str] = []
    for row in rows:
        result = out[row["id"]]
        spans = [(r["start"], r["end"]) for r in result["residuals"]]
        for pii in {p["text"] for p in row["pii"]}:
            found = occurrences(pii, result["text"])
            if not found:
                continue
            left += 1
            if any(s < e2 and s2 < e for s, e in found for s2, e2 in spans):
                caught += 1
            else:
                missed.append(f"{row['id']}: {pii}")
    report = {"identifiers_left": left, "flagged": caught, "caught_rate": round(caught / left, 3) if left else None,
              "warnings_on_pii_texts_per_text": round(sum(len(r["residuals"]) for r in out.values()) / len(out), 2)}
    if args.clean:
        clean = read_jsonl(args.clean)
        clean_out = anonymize(args.python, clean)
        warnings = [len(clean_out[r["id"]]["residuals"]) for r in clean]
        report.update(clean_texts=len(clean), warnings_per_clean_text=round(sum(warnings) / len(clean), 3),
                      clean_texts_with_a_warning=sum(1 for w in warnings if w))
        if args.kinds:
            report["clean_warning_kinds"] = dict(Counter(r["kind"] for row in clean for r in clean_out[row["id"]]["residuals"]))
    print(json.dumps(report, ensure_ascii=False))
    if args.show:
        print("\n".join(missed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
