#!/usr/bin/env python3
"""Sanity checks for pii_heldout3.jsonl (standard library only).

Checks: valid JSON, 40 lines, unique ids, field names, allowed labels, every pii/keep text an exact
substring of its text, 90-200 words per text, and that a simulated perfect anonymiser (replacing every
annotated pii string, longest first, case-insensitively on whole words) leaves no annotated string,
no PERSON name token of 3+ letters (particles excluded, as in the scorer) and loses no keep string.
"""
import json, re, sys, os
from collections import Counter

PARTICLES = {"van", "der", "den", "de", "du", "des", "la", "le", "el", "al", "ben", "bin", "ait", "aït",
             "von", "di", "da", "mme", "m.", "mr", "mlle", "dr"}
LABELS = {"PERSON", "LOCATION", "ORG", "EMAIL", "PHONE", "NATIONAL_ID", "IBAN", "DATE",
          "FILE_NUMBER", "LICENSE_PLATE", "HANDLE"}

def pat(s):
    return re.compile(r"(?<!\w)" + re.escape(s) + r"(?!\w)", re.IGNORECASE)

def tokens(name):
    return [t for t in re.findall(r"\w[\w'-]*", name) if len(t) >= 3 and t.lower() not in PARTICLES and not t.isdigit()]

path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "pii_heldout3.jsonl")
errors, labels, words = [], Counter(), []
lines = open(path, encoding="utf-8").read().splitlines()
rows = [json.loads(l) for l in lines if l.strip()]
if len(rows) != 40: errors.append(f"{len(rows)} rows, expected 40")
ids = [r["id"] for r in rows]
if len(set(ids)) != len(ids): errors.append("duplicate ids")
for r in rows:
    if list(r.keys()) != ["id", "text", "pii", "keep"]: errors.append(f"{r['id']}: keys {list(r.keys())}")
    text = r["text"]
    n = len(text.split()); words.append(n)
    if not 90 <= n <= 200: errors.append(f"{r['id']}: {n} words")
    seen = set()
    for it in r["pii"]:
        if set(it) != {"text", "label"}: errors.append(f"{r['id']}: pii keys {it}")
        if it["label"] not in LABELS: errors.append(f"{r['id']}: label {it['label']}")
        if it["text"] not in text: errors.append(f"{r['id']}: pii not substring {it['text']!r}")
        if not pat(it["text"]).search(text): errors.append(f"{r['id']}: pii not whole-word {it['text']!r}")
        if (it["text"], it["label"]) in seen: errors.append(f"{r['id']}: duplicate pii {it['text']!r}")
        seen.add((it["text"], it["label"]))
        labels[it["label"]] += 1
    for k in r["keep"]:
        if k not in text: errors.append(f"{r['id']}: keep not substring {k!r}")
    anon = text
    for it in sorted(r["pii"], key=lambda x: -len(x["text"])):
        anon = pat(it["text"]).sub("[X]", anon)
    for it in r["pii"]:
        if pat(it["text"]).search(anon): errors.append(f"{r['id']}: left after perfect anonymisation {it['text']!r}")
        if it["label"] == "PERSON":
            for t in tokens(it["text"]):
                if pat(t).search(anon): errors.append(f"{r['id']}: person token left {t!r}")
    for k in r["keep"]:
        if k not in anon: errors.append(f"{r['id']}: keep lost {k!r}")
        for it in r["pii"]:
            if it["label"] == "PERSON" and any(pat(t).search(k) for t in tokens(it["text"])):
                errors.append(f"{r['id']}: keep {k!r} contains name token of {it['text']!r}")
print("rows", len(rows), "| words min/max/mean", min(words), max(words), round(sum(words) / len(words)))
print("pii by label", dict(sorted(labels.items())), "| total", sum(labels.values()))
print("keep total", sum(len(r["keep"]) for r in rows))
print("\n".join(errors) if errors else "OK: no problems found")
sys.exit(1 if errors else 0)
