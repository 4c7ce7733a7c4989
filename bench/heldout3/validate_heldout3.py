#!/usr/bin/env python3
"""Validate the held-out search set (cases_heldout3.jsonl, queries_heldout3.jsonl).

Standard library only; reads nothing outside this folder. Run from anywhere:
    python bench/heldout3/validate_heldout3.py
Exit 0 when every check passes. Also prints, as information, any query word that
shares a crude stem with a title of its own cluster (the queries are meant to avoid them).
"""
import json
import re
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases_heldout3.jsonl"
QUERIES = HERE / "queries_heldout3.jsonl"
THEMES = {"secret-professionnel", "informatisation", "justice-police", "controle-administration",
          "pratiques-institutionnelles", "questions-deontologiques", "fonction-sociale", "divers"}
CHANNELS = {"permanence", "mail", "bureau"}
FIELDS = ["ref", "title", "situation", "opinion", "themes", "sectors", "year", "channel", "legal_refs"]
REF_RE = re.compile(r"^HU-(\d{4})-(\d{3})$")
STOP = set("""a à au aux avec ce c ces cet cette d dans de des du elle en est et il j je l la le les
lui ma me mon n ne on ou où par pas pour qu que qui s sa se ses si son sur t un une y ?
faut peut doit il elle quel quelle quelles quels""".split())


def words(text):
    return re.findall(r"\w+(?:['’]\w+)*", text)


def fold(w):
    w = unicodedata.normalize("NFD", w.lower())
    w = "".join(ch for ch in w if unicodedata.category(ch) != "Mn")
    return re.sub(r"^(?:l|d|j|m|n|s|t|c|qu)['’]", "", w)


def stem(w):
    return fold(w)[:5]


def main():
    errors = []
    cases = []
    for n, line in enumerate(CASES.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            errors.append(f"cases line {n}: blank line")
            continue
        try:
            c = json.loads(line)
        except json.JSONDecodeError as e:
            errors.append(f"cases line {n}: invalid JSON ({e})")
            continue
        cases.append(c)
        if list(c) != FIELDS:
            errors.append(f"cases line {n}: fields {list(c)}")
        m = REF_RE.match(str(c.get("ref", "")))
        if not m:
            errors.append(f"cases line {n}: bad ref {c.get('ref')!r}")
        elif int(m.group(1)) != c.get("year"):
            errors.append(f"{c['ref']}: year {c.get('year')} differs from ref")
        if not isinstance(c.get("year"), int) or not 2011 <= c["year"] <= 2025:
            errors.append(f"{c.get('ref')}: year out of 2011-2025")
        t = c.get("title", "")
        if not t.rstrip().endswith("?") or not 6 <= len(words(t)) <= 14:
            errors.append(f"{c.get('ref')}: title not a 6-14 word question ({len(words(t))} words)")
        for field in ("situation", "opinion"):
            k = len(words(c.get(field, "")))
            if not 60 <= k <= 120:
                errors.append(f"{c.get('ref')}: {field} has {k} words (60-120)")
        th = c.get("themes", [])
        if not (isinstance(th, list) and 1 <= len(th) <= 2 and set(th) <= THEMES and len(set(th)) == len(th)):
            errors.append(f"{c.get('ref')}: bad themes {th}")
        if not (isinstance(c.get("sectors"), list) and c["sectors"] and all(isinstance(s, str) for s in c["sectors"])):
            errors.append(f"{c.get('ref')}: bad sectors")
        if c.get("channel") not in CHANNELS:
            errors.append(f"{c.get('ref')}: bad channel {c.get('channel')!r}")
        if not (isinstance(c.get("legal_refs"), list) and all(isinstance(s, str) for s in c["legal_refs"])):
            errors.append(f"{c.get('ref')}: bad legal_refs")
    refs = [c.get("ref") for c in cases]
    if len(cases) != 40:
        errors.append(f"expected 40 cases, got {len(cases)}")
    if len(set(refs)) != len(refs):
        errors.append("duplicate refs")
    by_ref = {c.get("ref"): c for c in cases}

    queries = []
    for n, line in enumerate(QUERIES.read_text(encoding="utf-8").splitlines(), 1):
        try:
            q = json.loads(line)
        except json.JSONDecodeError as e:
            errors.append(f"queries line {n}: invalid JSON ({e})")
            continue
        queries.append(q)
        if list(q) != ["qid", "query", "relevant"]:
            errors.append(f"queries line {n}: fields {list(q)}")
        k = len(words(q.get("query", "")))
        if not 3 <= k <= 10:
            errors.append(f"{q.get('qid')}: query has {k} words (3-10)")
        rel = q.get("relevant", [])
        if len(rel) != 4 or len(set(rel)) != 4:
            errors.append(f"{q.get('qid')}: expected 4 distinct relevant refs")
        for r in rel:
            if r not in by_ref:
                errors.append(f"{q.get('qid')}: relevant ref {r} not in corpus")
    if len(queries) != 40:
        errors.append(f"expected 40 queries, got {len(queries)}")
    qids = [q.get("qid") for q in queries]
    if len(set(qids)) != len(qids):
        errors.append("duplicate qids")
    covered = {r for q in queries for r in q.get("relevant", [])}
    if covered != set(refs):
        errors.append(f"cases never relevant: {sorted(set(refs) - covered)}")

    for q in queries:
        title_stems = {stem(w) for r in q.get("relevant", []) if r in by_ref
                       for w in words(by_ref[r]["title"]) if fold(w) not in STOP}
        shared = [w for w in words(q["query"]) if fold(w) not in STOP and stem(w) in title_stems]
        if shared:
            print(f"note {q['qid']}: shares a title stem: {shared}  ({q['query']!r})")

    for e in errors:
        print("ERROR", e)
    print(f"{len(cases)} cases, {len(queries)} queries, {len(errors)} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
