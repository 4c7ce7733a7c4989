#!/usr/bin/env python3
"""Structure checks for a held-out evaluation folder (standard library only, runs nothing of the project).

    python bench/check_heldout.py bench/heldout bench/heldout2 bench/heldout3

Search sets (`cases_*.jsonl`, `queries_*.jsonl`): valid JSON, the case record's fields, unique refs whose
year matches the `year` field, themes from the design's taxonomy, known channels, every relevant ref
present and every case judged relevant by some query.
Anonymiser sets (`pii_*.jsonl`): valid JSON, unique ids, known labels, every `pii` and `keep` string an
exact substring of its text, and a perfect anonymiser (every annotated string replaced, longest first,
case-insensitively on whole words, as the scorer matches) leaves no annotated string, no PERSON name
token of 3+ letters, and loses no `keep` string: the set can be scored fairly.
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

THEMES = {"secret-professionnel", "informatisation", "justice-police", "controle-administration",
          "pratiques-institutionnelles", "questions-deontologiques", "fonction-sociale", "divers"}
CHANNELS = {"permanence", "mail", "bureau"}
CASE_FIELDS = {"ref", "title", "situation", "opinion", "themes", "sectors", "year", "channel", "legal_refs"}
LABELS = {"PERSON", "LOCATION", "ORG", "EMAIL", "PHONE", "NATIONAL_ID", "IBAN", "DATE", "FILE_NUMBER",
          "LICENSE_PLATE", "HANDLE"}
PARTICLES = {"van", "der", "den", "de", "du", "des", "la", "le", "el", "al", "ben", "bin", "ait", "aït",
             "von", "di", "da", "mme", "m.", "mr", "mlle", "dr"}  # as in ../shared/tools/score_anonymizer.py


def read_jsonl(path: Path, errors: list[str]) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as exc:
            errors.append(f"{path.name}:{n}: invalid JSON ({exc})")
    return rows


def check_search(cases_path: Path, queries_path: Path, errors: list[str]) -> None:
    cases = read_jsonl(cases_path, errors)
    for c in cases:
        ref = c.get("ref")
        if set(c) != CASE_FIELDS:
            errors.append(f"{cases_path.name} {ref}: fields {sorted(c)}")
            continue
        year = re.fullmatch(r"[A-Z]+-(\d{4})-\d{3}", ref)
        if not year or int(year.group(1)) != c["year"]:
            errors.append(f"{ref}: ref and year disagree")
        if c["channel"] not in CHANNELS or not c["themes"] or not set(c["themes"]) <= THEMES:
            errors.append(f"{ref}: channel {c['channel']!r} or themes {c['themes']}")
    refs = [c.get("ref") for c in cases]
    if len(set(refs)) != len(refs):
        errors.append(f"{cases_path.name}: duplicate refs")
    judged: set[str] = set()
    for q in read_jsonl(queries_path, errors):
        if set(q) != {"qid", "query", "relevant"} or not set(q["relevant"]) <= set(refs):
            errors.append(f"{queries_path.name} {q.get('qid')}: fields or relevant refs")
            continue
        judged |= set(q["relevant"])
    if set(refs) - judged:
        errors.append(f"{cases_path.name}: never judged relevant: {sorted(set(refs) - judged)}")


def whole_word(text: str) -> re.Pattern:
    return re.compile(r"(?<!\w)" + re.escape(text) + r"(?!\w)", re.IGNORECASE)


def name_tokens(name: str) -> list[str]:
    return [t for t in re.findall(r"\w[\w'-]*", name) if len(t) >= 3 and t.lower() not in PARTICLES and not t.isdigit()]


def check_pii(path: Path, errors: list[str]) -> None:
    rows = read_jsonl(path, errors)
    ids = [r.get("id") for r in rows]
    if len(set(ids)) != len(ids):
        errors.append(f"{path.name}: duplicate ids")
    for r in rows:
        text, pii, keep = r["text"], r["pii"], r["keep"]
        for item in pii:
            if item["label"] not in LABELS or item["text"] not in text:
                errors.append(f"{r['id']}: pii {item}")
        errors += [f"{r['id']}: keep not in text {k!r}" for k in keep if k not in text]
        anonymised = text
        for item in sorted(pii, key=lambda i: -len(i["text"])):
            anonymised = whole_word(item["text"]).sub("[X]", anonymised)
        for item in pii:
            left = [item["text"]] if whole_word(item["text"]).search(anonymised) else []
            if item["label"] == "PERSON":
                left += [t for t in name_tokens(item["text"]) if whole_word(t).search(anonymised)]
            errors += [f"{r['id']}: left after a perfect anonymiser {t!r}" for t in left]
        errors += [f"{r['id']}: keep lost by a perfect anonymiser {k!r}" for k in keep if k not in anonymised]


def check_folder(folder: Path) -> list[str]:
    errors: list[str] = []
    for cases_path in sorted(folder.glob("cases_*.jsonl")):
        check_search(cases_path, folder / cases_path.name.replace("cases_", "queries_"), errors)
    for pii_path in sorted(folder.glob("pii_*.jsonl")):
        check_pii(pii_path, errors)
    return errors


def main(folders: list[str]) -> int:
    failed = False
    for folder in map(Path, folders):
        errors = check_folder(folder)
        print(f"{folder}: " + ("OK" if not errors else f"{len(errors)} problem(s)"))
        for error in errors[:50]:
            print(f"  {error}")
        failed |= bool(errors)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["bench/heldout", "bench/heldout2", "bench/heldout3"]))
