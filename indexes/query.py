"""From what a volunteer types to concepts: plain words, quoted phrases, thesaurus expansions,
typo correction. Never raises on odd syntax: no query parser is involved; operators, field
prefixes, wildcards and stray quotes or brackets are dropped and the words are kept.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from indexes.analysis import TOKEN_PATTERN, folded, stems
from indexes.thesaurus import Thesaurus

MAX_QUERY_CHARS = 500
EXPANSION_WEIGHT = 0.5  # an expansion counts half as much as the word typed

# Words typed in questions that say nothing about the case ("que faire", "puis-je", "faut-il").
NOISE_WORDS = frozenset(
    """faire fait faut peut peuvent puis peux pouvoir doit doivent dois devoir comment quoi quand
    pourquoi combien ça ca cela svp merci bonjour question cas quelqu'un quelque chose
    veut veux voudrait""".split()
)
OPERATORS = frozenset({"AND", "OR", "NOT", "ET", "OU", "SAUF"})
_FIELD_PREFIX = re.compile(r"\b\w+:(?=\S)")
_PHRASE = re.compile(r"[\"\u201c\u201d\u00ab\u00bb]\s*([^\"\u201c\u201d\u00ab\u00bb]+?)\s*[\"\u201c\u201d\u00ab\u00bb]")
_TOKEN = re.compile(TOKEN_PATTERN)


@dataclass
class Concept:
    """One idea of the query: the words typed (stemmed) and what the thesaurus adds."""

    stems: tuple[str, ...] = ()
    expansions: tuple[tuple[str, ...], ...] = ()
    phrase: tuple[str, ...] = ()  # folded words of a quoted phrase (exact match)
    typed: tuple[str, ...] = ()  # the words as typed (after typo correction), for the meaning vector
    expansion_texts: tuple[str, ...] = ()  # the thesaurus terms as written, for the meaning vector


@dataclass
class ParsedQuery:
    concepts: list[Concept] = field(default_factory=list)
    corrections: dict[str, str] = field(default_factory=dict)
    suggestion: str | None = None

    def __bool__(self) -> bool:
        return bool(self.concepts)

    def highlight_stems(self) -> frozenset[str]:
        return frozenset(s for c in self.concepts for seq in (c.stems, *c.expansions) for s in seq)

    def highlight_words(self) -> frozenset[str]:
        return frozenset(w for c in self.concepts for w in c.phrase)


@dataclass
class Vocabulary:
    """What the index knows, for typo correction: ``known(stem)`` and ``correct(folded_word)``."""

    known: Callable[[str], bool]
    correct: Callable[[str], str | None]


def parse(text: str, thesaurus: Thesaurus, vocab: Vocabulary) -> ParsedQuery:
    text = (text or "")[:MAX_QUERY_CHARS]
    out = ParsedQuery()
    for m in _PHRASE.finditer(text):
        words = tuple(folded(m.group(1)))
        if words:
            out.concepts.append(Concept(phrase=words, typed=tuple(_TOKEN.findall(m.group(1)))))
    rest = _FIELD_PREFIX.sub(" ", _PHRASE.sub(" ", text))
    surfaces = [t for t in _TOKEN.findall(rest) if t not in OPERATORS]
    surfaces = _correct(surfaces, thesaurus, vocab, out.corrections)
    if out.corrections:
        out.suggestion = _suggest(text, out.corrections)

    matches = {m.start: m for m in thesaurus.find(surfaces)}
    seen: set[tuple[str, ...]] = set()
    i = 0
    while i < len(surfaces):
        m = matches.get(i)
        if m is not None:
            span = surfaces[m.start : m.end]
            span_stems = tuple(stems(" ".join(span)))
            exps = []
            for e in m.expansions:
                es = tuple(stems(e))
                if es and es != span_stems and es not in exps:
                    exps.append(es)
            concept = Concept(span_stems, tuple(exps), typed=tuple(span), expansion_texts=m.expansions)
            i = m.end
        else:
            word = surfaces[i]
            i += 1
            if word.lower() in NOISE_WORDS:
                continue
            concept = Concept(tuple(stems(word)), typed=(word,))
        key = concept.stems or tuple(s for e in concept.expansions for s in e)
        if key and key not in seen:
            seen.add(key)
            out.concepts.append(concept)
    return out


def _correct(surfaces: list[str], thesaurus: Thesaurus, vocab: Vocabulary, fixes: dict[str, str]) -> list[str]:
    """Replace words neither the index nor the thesaurus knows by the closest indexed word."""
    out = []
    for word in surfaces:
        word_stems = stems(word)
        if (
            len(word) < 4
            or not word_stems
            or word.isupper()
            or any(ch.isdigit() for ch in word)
            or word.lower() in NOISE_WORDS
            or thesaurus.knows(word)
            or all(vocab.known(s) for s in word_stems)
        ):
            out.append(word)
            continue
        fixed = vocab.correct(folded(word)[-1])
        if fixed:
            fixes[word] = fixed
            out.append(fixed)
        else:
            out.append(word)
    return out


def _suggest(text: str, fixes: dict[str, str]) -> str:
    for wrong, right in fixes.items():
        text = re.sub(r"(?<!\w)%s(?!\w)" % re.escape(wrong), right, text)
    return " ".join(_PHRASE.sub(lambda m: '"%s"' % m.group(1), text).split())
