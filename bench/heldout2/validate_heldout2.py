#!/usr/bin/env python3
"""Sanity checks for the held-out search set (standard library only).

Usage, from the project root:  python bench/heldout2/validate_heldout2.py
Checks: valid JSON, 40 cases and 40 queries, the case record fields and their kinds, unique refs
(HT-YYYY-NNN, YYYY = year), theme slugs from the taxonomy in DESIGN.md, channels, lengths
(title 6-14 words and a question, situation and opinion 60-120 words, query 3-10 words),
every relevant ref exists, 4 relevant refs per query, every case judged relevant somewhere.
It also prints the words a query shares with the titles of its own cluster (crude prefix match),
as a reminder that queries were meant to avoid them; that listing is informative, not a failure.
"""
import json
import os
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
THEMES = {"secret-professionnel", "informatisation", "justice-police", "controle-administration",
          "pratiques-institutionnelles", "questions-deontologiques", "fonction-sociale", "divers"}
CHANNELS = {"permanence", "mail", "bureau"}
FIELDS = ["ref", "title", "situation", "opinion", "themes", "sectors", "year", "channel", "legal_refs"]
STOP = set("le la les un une des de du d l a au aux et ou en on il elle ils qui que qu quoi ce c s se sa son ses "
           "pour par sur dans est sont pas ne n y je me m tu nous vous leur lui il elle faut peut doit "
           "peut-il peut-elle doit-il doit-elle avec sans".split())


def words(text):
    return re.findall(r"\w+(?:['\u2019-]\w+)*", text)


def norm(w):
    w = unicodedata.normalize("NFD", w.lower())
    w = "".join(ch for ch in w if unicodedata.category(ch) != "Mn")
    w = re.sub(r"^(?:l|d|j|m|n|s|t|c|qu)['\u2019]", "", w)
    return w[:5]


def main():
    errors = []
    cases = []
    for i, line in enumerate(open(os.path.join(HERE, "cases_heldout2.jsonl"), encoding="utf-8"), 1):
        if not line.strip():
            continue
        try:
            c = json.loads(line)
        except json.JSONDecodeError as e:
            errors.append(f"cases line {i}: invalid JSON ({e})")
            continue
        cases.append(c)
        if list(c) != FIELDS:
            errors.append(f"cases line {i}: fields {list(c)}")
            continue
        ref = c["ref"]
        if not re.fullmatch(r"HT-(\d{4})-\d{3}", ref) or int(ref[3:7]) != c["year"]:
            errors.append(f"{ref}: bad ref or ref/year mismatch")
        if not isinstance(c["year"], int) or not 2012 <= c["year"] <= 2025:
            errors.append(f"{ref}: year {c['year']}")
        if c["channel"] not in CHANNELS:
            errors.append(f"{ref}: channel {c['channel']}")
        if not (1 <= len(c["themes"]) <= 2 and set(c["themes"]) <= THEMES):
            errors.append(f"{ref}: themes {c['themes']}")
        for k in ("sectors", "legal_refs"):
            if not c[k] or not all(isinstance(x, str) and x for x in c[k]):
                errors.append(f"{ref}: {k} {c[k]}")
        nt = len(words(c["title"]))
        if not (6 <= nt <= 14 and c["title"].rstrip().endswith("?")):
            errors.append(f"{ref}: title {nt} words / not a question")
        for k in ("situation", "opinion"):
            n = len(words(c[k]))
            if not 60 <= n <= 120:
                errors.append(f"{ref}: {k} {n} words")
    refs = [c.get("ref") for c in cases]
    if len(cases) != 40:
        errors.append(f"{len(cases)} cases, expected 40")
    if len(set(refs)) != len(refs):
        errors.append("duplicate refs")

    queries = []
    for i, line in enumerate(open(os.path.join(HERE, "queries_heldout2.jsonl"), encoding="utf-8"), 1):
        if not line.strip():
            continue
        try:
            queries.append(json.loads(line))
        except json.JSONDecodeError as e:
            errors.append(f"queries line {i}: invalid JSON ({e})")
    if len(queries) != 40:
        errors.append(f"{len(queries)} queries, expected 40")
    qids = [q.get("qid") for q in queries]
    if len(set(qids)) != len(qids):
        errors.append("duplicate qids")
    known = set(refs)
    judged = set()
    by_ref = {c["ref"]: c for c in cases if "ref" in c}
    overlaps = []
    for q in queries:
        if list(q) != ["qid", "query", "relevant"]:
            errors.append(f"{q.get('qid')}: fields {list(q)}")
            continue
        n = len(words(q["query"]))
        if not 3 <= n <= 10:
            errors.append(f"{q['qid']}: query {n} words")
        if len(q["relevant"]) != 4 or not set(q["relevant"]) <= known:
            errors.append(f"{q['qid']}: relevant {q['relevant']}")
        judged |= set(q["relevant"])
        title_stems = {norm(w) for r in q["relevant"] if r in by_ref for w in words(by_ref[r]["title"])
                       if w.lower() not in STOP and len(w) > 2}
        shared = sorted({w for w in words(q["query"]) if w.lower() not in STOP and len(w) > 2
                         and norm(w) in title_stems})
        if shared:
            overlaps.append(f"  {q['qid']}: {shared}  ({q['query']})")
    if known - judged:
        errors.append(f"never judged relevant: {sorted(known - judged)}")

    if overlaps:
        print("query words shared with own-cluster titles (informative):")
        print("\n".join(overlaps))
    if errors:
        print("\n".join(errors))
        return 1
    print(f"OK: {len(cases)} cases, {len(queries)} queries, {len(set(refs))} unique refs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
