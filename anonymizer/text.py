"""Word tokens and sentence starts on raw offsets (folding and abbreviations: `frenchtext`).

Every recogniser works on raw offsets, so folding keeps one output character per input character.
"""
from __future__ import annotations

from dataclasses import dataclass

from frenchtext.folding import WORD_RE
from frenchtext.sentences import ABBREVIATIONS


@dataclass(frozen=True)
class Token:
    """A word of the input: letters and digits only (hyphens and apostrophes separate words)."""

    i: int
    start: int
    end: int
    text: str
    low: str  # folded

    @property
    def cap(self) -> bool:
        return self.text[0].isupper()

    @property
    def alpha(self) -> bool:
        return self.text.isalpha()


def tokenize(text: str, folded: str) -> list[Token]:
    return [Token(i, m.start(), m.end(), m.group(0), folded[m.start():m.end()])
            for i, m in enumerate(WORD_RE.finditer(text))]


def is_sentence_start(text: str, pos: int) -> bool:
    """Whether a word starting at pos opens a sentence (text start, new line, or after . ! ? …)."""
    j = pos - 1
    while j >= 0 and text[j] in " \t\u00a0«\"“'(‘*•·>":
        j -= 1
    if j < 0:
        return True
    c = text[j]
    if c in "\n\r!?…":
        return True
    if c in "-–—" and (j == 0 or text[j - 1] in "\n\r" or text[:j].rstrip(" \t").endswith("\n")):
        return True  # bullet at line start
    if c == ".":
        k = j - 1
        while k >= 0 and (text[k].isalpha()):
            k -= 1
        prev = text[k + 1:j]
        if len(prev) == 1 and prev.isupper():
            return False  # an initial: "Mme D. Dupont"
        if prev.lower() in ABBREVIATIONS:
            return False
        return True
    return False
