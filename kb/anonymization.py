"""Run every field a person typed in a case through the anonymiser as one text, so placeholders agree.

"Mme Lemaire" in the title and "Sophie Lemaire" in the situation must become the same [Personne A];
so must a name typed into a sector or a legal reference. The fields (and each item of the list
fields) are joined, anonymised once, and cut back apart by the anonymiser's offsets.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Sequence

from frenchtext.placeholders import PLACEHOLDER_RE

from .records import CaseRecord

TEXT_FIELDS = ("title", "situation", "opinion")
LIST_FIELDS = ("sectors", "legal_refs")  # free text typed by people too (themes are chosen from a list)
SEPARATOR = "\n\n"


def lower_outside_placeholders(text: str) -> str:
    """Sectors are compared in lower case; a placeholder keeps its capitals ("cpas de [Lieu A]")."""
    parts, cursor = [], 0
    for m in PLACEHOLDER_RE.finditer(text):
        parts += [text[cursor:m.start()].lower(), m.group(0)]
        cursor = m.end()
    return "".join(parts) + text[cursor:].lower()


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
    lists: dict[str, list[str]] = field(default_factory=dict)
    replacements: list[Replacement] = field(default_factory=list)


def _pieces(values: dict, list_fields: Sequence[str]) -> list[tuple[str, int, str]]:
    """(field name, item number, text) of every piece to anonymise, text fields first."""
    pieces = [(name, 0, values.get(name, "") or "") for name in TEXT_FIELDS]
    for name in list_fields:
        pieces += [(name, i, item or "") for i, item in enumerate(values.get(name) or [])]
    return pieces


def anonymize_cases(values: Sequence[dict], list_fields: Sequence[str] = LIST_FIELDS) -> list[AnonymizedCase]:
    """Anonymise the text fields (strings) and list fields (lists of strings) of many cases in one
    batch (nlp.pipe underneath); list fields that are absent stay absent."""
    from anonymizer import get_anonymizer  # loaded only on the paths that take raw text in

    joined: list[str] = []
    bounds: list[list[tuple[str, int, int, int]]] = []
    for fields in values:
        parts, spans, offset = [], [], 0
        for name, item, piece in _pieces(fields, list_fields):
            spans.append((name, item, offset, offset + len(piece)))
            parts.append(piece)
            offset += len(piece) + len(SEPARATOR)
        joined.append(SEPARATOR.join(parts))
        bounds.append(spans)
    results = get_anonymizer().anonymize_many(joined)
    out: list[AnonymizedCase] = []
    for fields, text, spans, result in zip(values, joined, bounds, results):
        case = AnonymizedCase({}, {name: [] for name in list_fields if name in fields})
        for name, _item, s, e in spans:
            cleaned = apply_replacements(text, s, e, result.entities).strip()
            if name in TEXT_FIELDS:
                case.fields[name] = cleaned
            elif cleaned:
                case.lists[name].append(cleaned)
        for ent in sorted(result.entities, key=lambda e: e.start):
            name = next((n for n, _, s, e in spans if s <= ent.start < e), None)
            if name:
                case.replacements.append(Replacement(name, ent.label, ent.replacement, text[ent.start:ent.end]))
        out.append(case)
    return out


def anonymize_records(records: Sequence[CaseRecord]) -> list[CaseRecord]:
    cleaned = anonymize_cases([{name: getattr(r, name) for name in (*TEXT_FIELDS, *LIST_FIELDS)} for r in records])
    return [replace(r, **c.fields, sectors=list(dict.fromkeys(lower_outside_placeholders(s) for s in c.lists["sectors"])),
                    legal_refs=list(dict.fromkeys(c.lists["legal_refs"])))
            for r, c in zip(records, cleaned)]
