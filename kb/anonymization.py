"""Run a case's text fields through the anonymiser as one text, so placeholders agree across fields.

"Mme Lemaire" in the title and "Sophie Lemaire" in the situation must become the same [Personne A]:
the fields are joined, anonymised once, and cut back apart by the anonymiser's offsets.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Sequence

from .records import CaseRecord

TEXT_FIELDS = ("title", "situation", "opinion")
SEPARATOR = "\n\n"


def apply_replacements(text: str, start: int, end: int, entities: Sequence) -> str:
    """The slice text[start:end] with every entity that begins inside it replaced (clipped to the slice)."""
    out: list[str] = []
    cursor = start
    for ent in sorted(entities, key=lambda e: e.start):
        if ent.start < cursor or ent.start >= end:
            continue
        out.append(text[cursor:ent.start])
        out.append(ent.replacement)
        cursor = min(ent.end, end)
    out.append(text[cursor:end])
    return "".join(out)


@dataclass(frozen=True)
class Replacement:
    """One proposed replacement, for the reviewer; `original` lives only in memory and in the review page."""
    field: str
    label: str
    replacement: str
    original: str


@dataclass
class AnonymizedCase:
    fields: dict[str, str]
    replacements: list[Replacement] = field(default_factory=list)


def anonymize_cases(values: Sequence[dict[str, str]]) -> list[AnonymizedCase]:
    """Anonymise title, situation and opinion of many cases in one batch (nlp.pipe underneath)."""
    from anonymizer import get_anonymizer  # loaded only on the paths that take raw text in

    joined: list[str] = []
    bounds: list[list[tuple[str, int, int]]] = []
    for fields in values:
        parts, spans, offset = [], [], 0
        for name in TEXT_FIELDS:
            piece = fields.get(name, "") or ""
            spans.append((name, offset, offset + len(piece)))
            parts.append(piece)
            offset += len(piece) + len(SEPARATOR)
        joined.append(SEPARATOR.join(parts))
        bounds.append(spans)
    results = get_anonymizer().anonymize_many(joined)
    out: list[AnonymizedCase] = []
    for text, spans, result in zip(joined, bounds, results):
        case = AnonymizedCase({name: apply_replacements(text, s, e, result.entities).strip() for name, s, e in spans})
        for ent in sorted(result.entities, key=lambda e: e.start):
            name = next((n for n, s, e in spans if s <= ent.start < e), None)
            if name:
                case.replacements.append(Replacement(name, ent.label, ent.replacement, text[ent.start:ent.end]))
        out.append(case)
    return out


def anonymize_records(records: Sequence[CaseRecord]) -> list[CaseRecord]:
    cleaned = anonymize_cases([{name: getattr(r, name) for name in TEXT_FIELDS} for r in records])
    return [replace(r, **c.fields) for r, c in zip(records, cleaned)]
