"""Which stretches of a text are German or Dutch. In German every noun is capitalised, so a capitalised
word is no sign of a name; on Dutch and German the French NER model reads nouns as entities. Bilingual
material (Brussels, Flanders, the German-speaking Community) mixes these lines with French ones.
"""
from __future__ import annotations

import re

from frenchtext.stopwords import stop_words

SENTENCE_RE = re.compile(r"[^.!?\n]+")
MIN_HITS = 2
MIN_SHARE = 0.15


def within(ranges: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) lies inside one of the ranges."""
    return any(a <= start and end <= b for a, b in ranges)


def touches(ranges: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) overlaps one of the ranges."""
    return any(a < end and start < b for a, b in ranges)


def foreign_ranges(text: str, german: list[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
    """German and Dutch sentences (`german`: the German ones, when already known)."""
    german = language_ranges(text, "de") if german is None else german
    return sorted(german + language_ranges(text, "nl"))


def language_ranges(text: str, language: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence or line of `text` written in that language ("de", "nl")."""
    words = stop_words(language)
    out = []
    for m in SENTENCE_RE.finditer(text):
        tokens = re.findall(r"\w+", m.group(0).lower())
        hits = sum(1 for t in tokens if t in words)
        if hits >= MIN_HITS and hits >= MIN_SHARE * len(tokens):
            out.append(m.span())
    return out
