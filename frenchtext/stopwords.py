"""Stop words, kept as data (importing spacy.lang.fr builds its tokenizer exceptions, ~3 s).

Lists of different lengths on purpose: the anonymiser needs every function word of French, German and
Dutch (spaCy's lists: a stop word is no name); matching report headings to themes drops only articles and
prepositions, because spaCy's list holds "autre", "divers" and "entre", which mark a catch-all heading.
The index's list is part of its analyser chain (`indexes/analysis.py`).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"

ARTICLES_AND_PREPOSITIONS = frozenset("""
a au aux avec d dans de des du en entre et l la le les leur leurs ou par pour sa ses son sur un une
""".split())


def _read(name: str) -> list[str]:
    lines = (line.strip() for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


@lru_cache(maxsize=3)
def stop_words(language: str) -> frozenset[str]:
    """spaCy's stop words of "fr", "de" or "nl", lower-cased."""
    return frozenset(w.lower() for w in _read(f"stop_words_{language}.txt"))
