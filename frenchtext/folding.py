"""Accent and case folding, in the two forms the project needs."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)


@lru_cache(maxsize=4096)
def _fold_char(c: str) -> str:
    low = c.lower()
    if len(low) != 1:
        low = c
    base = unicodedata.normalize("NFD", low)[0]
    if base == "ı":
        base = "i"
    return base if len(base) == 1 else low


def fold(text: str) -> str:
    """Lowercase and strip accents, one character for one character: offsets into the folded text are
    offsets into the input (the anonymiser's recognisers work on raw offsets)."""
    return "".join(_fold_char(c) for c in text)


def fold_key(text: str) -> str:
    """Comparison key of a phrase: folded words joined by one space (hyphens, apostrophes ignored)."""
    return " ".join(m.group(0) for m in WORD_RE.finditer(fold(text)))


def strip_accents(text: str) -> str:
    """Case-folded text without combining marks (NFKD): "Œuvre Sociale" -> "œuvre sociale", for matching
    and slugs where lengths need not be kept."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
