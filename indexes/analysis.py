"""French text analysis shared by the index and the queries.

The analysers are pickled into the index, so the filter classes below must keep their import
path (``indexes.analysis``); any change to the chain needs a full reindex (``kb reindex``).
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from whoosh.analysis import (
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.analysis.acore import Token
from whoosh.lang import stopwords_for_language
from whoosh.support.charset import accent_map

TOKEN_PATTERN = r"\w+(?:['\u2019]\w+)*"
ELISIONS = ("l", "d", "j", "m", "n", "s", "t", "c", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu")
# Whoosh's Snowball list misses a few very common words ("les", "a", "cette"...).
_EXTRA_STOP_WORDS = (
    "a les cet cette ces ceci cela ça celui celle ceux celles dont leurs donc ni car si où "
    "quel quelle quels quelles lors ainsi très"
).split()
FRENCH_STOP_WORDS: frozenset[str] = frozenset(stopwords_for_language("fr")) | frozenset(_EXTRA_STOP_WORDS)

_ELISION_RE = re.compile(r"^(?:%s)'(?=\w)" % "|".join(sorted(ELISIONS, key=len, reverse=True)))


def strip_elision(word: str) -> str:
    """"l'OE" -> "OE", "L’Adresse" -> "Adresse": the elided article or pronoun off, case kept."""
    word = word.replace("\u2019", "'")
    m = _ELISION_RE.match(word.lower())
    return word[m.end():] if m else word


class FrenchElisionFilter(Filter):
    """Maps the typographic apostrophe to ' and strips elided articles/pronouns (l'adresse -> adresse)."""

    def __eq__(self, other: object) -> bool:
        return other.__class__ is self.__class__

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            text = t.text.replace("\u2019", "'")
            m = _ELISION_RE.match(text)
            if m:
                cut = m.end()
                text = text[cut:]
                if getattr(t, "chars", False):
                    t.startchar += cut
            t.text = text
            yield t


class WordPairFilter(Filter):
    """Turns a word stream into overlapping word pairs ("secret professionnel"): quoted phrases are
    matched on pairs, which avoids reading positions (slow in Whoosh for common words)."""

    def __eq__(self, other: object) -> bool:
        return other.__class__ is self.__class__

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        prev = None
        for t in tokens:
            text = t.text
            if prev is not None:
                t.text = prev + " " + text
                yield t
            prev = text


def _base():
    return RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | FrenchElisionFilter()


def stemmed_analyzer():
    """Main analyser: stop words removed (before folding, the list has accents), folded, stemmed."""
    return (
        _base()
        | StopFilter(stoplist=FRENCH_STOP_WORDS, minsize=1)
        | CharsetFilter(accent_map)
        | StemFilter(lang="fr", cachesize=100_000)
    )


def folded_analyzer():
    """Unstemmed analyser keeping every word: exact phrases, spelling vocabulary."""
    return _base() | CharsetFilter(accent_map)


def pair_analyzer():
    """Folded word pairs, stop words kept: the exact-phrase field."""
    return _base() | CharsetFilter(accent_map) | WordPairFilter()


def match_analyzer():
    """Folded and stemmed but keeping stop words: thesaurus matching over a word sequence."""
    return _base() | CharsetFilter(accent_map) | StemFilter(lang="fr", cachesize=100_000)


@lru_cache(maxsize=None)
def _analyzers():
    return stemmed_analyzer(), folded_analyzer(), match_analyzer()


def stems(text: str) -> list[str]:
    """Index terms of ``text`` as the stemmed fields hold them."""
    return [t.text for t in _analyzers()[0](text)]


def folded(text: str) -> list[str]:
    """Words of ``text`` lowercased, elisions stripped, accents folded (no stemming, stop words kept)."""
    return [t.text for t in _analyzers()[1](text)]


def match_keys(text: str) -> list[str]:
    """Stems with stop words kept, to compare word sequences (thesaurus entries against queries)."""
    return [t.text for t in _analyzers()[2](text)]


def word_pairs(words: list[str] | tuple[str, ...]) -> list[str]:
    return [a + " " + b for a, b in zip(words, words[1:])]
