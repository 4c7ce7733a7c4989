"""The field's thesaurus (data/thesaurus.txt): colloquial words, acronyms and near-synonyms.

Queries are expanded, not documents, so the bureau can edit the file without a reindex.
Entries are compared on ``match_keys`` (lowercase, elisions stripped, accents folded, stemmed,
stop words kept) so "Policiers" matches an entry "policier".
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from indexes.analysis import match_keys, strip_elision

DEFAULT_PATH = Path(__file__).parent / "data" / "thesaurus.txt"
MAX_KEY_WORDS = 6


@dataclass(frozen=True)
class Match:
    """A run of query words [start, end) found in the thesaurus, with the terms it expands to."""

    start: int
    end: int
    expansions: tuple[str, ...]


class Thesaurus:
    def __init__(self, lines: Sequence[str]) -> None:
        self._map: dict[tuple[str, ...], dict[str, None]] = {}
        self._case_sensitive: set[tuple[str, ...]] = set()
        for raw in lines:
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("!"):
                for term in _split(line[1:]):
                    self._case_sensitive.add(tuple(match_keys(term)))
                continue
            if "=>" in line:
                left, right = line.split("=>", 1)
                self._add(_split(left), _split(right))
            else:
                terms = _split(line)
                self._add(terms, terms)

    @classmethod
    def load(cls, path: Path | None = None) -> Thesaurus:
        return cls((path or DEFAULT_PATH).read_text(encoding="utf-8").splitlines())

    def _add(self, sources: list[str], targets: list[str]) -> None:
        for src in sources:
            key = tuple(match_keys(src))
            if not key:
                continue
            bucket = self._map.setdefault(key, {})
            for tgt in targets:
                if tuple(match_keys(tgt)) != key:
                    bucket[tgt] = None

    def __len__(self) -> int:
        return len(self._map)

    def knows(self, surface: str) -> bool:
        return tuple(match_keys(surface)) in self._map

    def find(self, surfaces: Sequence[str]) -> list[Match]:
        """Longest thesaurus entries found in a word sequence, left to right, not overlapping."""
        keys = [(match_keys(s) or [""])[0] for s in surfaces]
        found: list[Match] = []
        i = 0
        while i < len(keys):
            for n in range(min(MAX_KEY_WORDS, len(keys) - i), 0, -1):
                key = tuple(keys[i : i + n])
                exp = self._map.get(key)
                if exp is None:
                    continue
                if key in self._case_sensitive and not all(strip_elision(s).isupper() for s in surfaces[i : i + n]):
                    continue
                found.append(Match(i, i + n, tuple(exp)))
                i += n
                break
            else:
                i += 1
        return found


def _split(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]
