"""Which stretches of a text are German: there every noun is capitalised, so a capitalised word is no
sign of a name. Bilingual material from the German-speaking Community mixes German and French lines.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .lexicon import _read_list

SENTENCE_RE = re.compile(r"[^.!?\n]+")
MIN_HITS = 2
MIN_SHARE = 0.15


@lru_cache(maxsize=1)
def german_words() -> frozenset[str]:
    return frozenset(w.lower() for w in _read_list("stop_words_de.txt"))


def german_ranges(text: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence or line written in German."""
    words = german_words()
    out = []
    for m in SENTENCE_RE.finditer(text):
        tokens = re.findall(r"\w+", m.group(0).lower())
        hits = sum(1 for t in tokens if t in words)
        if hits >= MIN_HITS and hits >= MIN_SHARE * len(tokens):
            out.append(m.span())
    return out
