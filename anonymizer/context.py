"""Everything the recognisers share about one text: tokens, folded copy, sentence starts, allow-list hits.

Built once per text so that each recogniser stays a small function of (context) -> spans.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cached_property

from .allowlist import Allowlist
from .language import foreign_ranges, language_ranges
from .lexicon import Lexicon
from frenchtext.folding import fold

from .text import Token, is_sentence_start, tokenize

ALLOW_SEPS = " -'’.\u00a0"
# A law or reform named after a person ("la loi Franchimont", "le décret Madrane") names the law, not a
# party to the case: the name is kept like the rest of a legal reference.
LAW_NAMED_RE = re.compile(r"\b(?i:lois?|d[ée]crets?|r[ée]formes?|arr[êe]t[ée]s?)\s+"
                          r"((?!(?:M|Mme|Mlle|Dr|Me)\b)[A-ZÀ-Ý][\w’'-]+(?:[- ][A-ZÀ-Ý][\w’'-]+)?)")


@dataclass
class Context:
    text: str
    lex: Lexicon
    allow: Allowlist
    ner: list[tuple[int, int, str]] = field(default_factory=list)  # spaCy entities (start, end, label)

    def __post_init__(self) -> None:
        self.folded = fold(self.text)
        self.tokens: list[Token] = tokenize(self.text, self.folded)
        self._starts = [t.start for t in self.tokens]
        self.sent_start = [is_sentence_start(self.text, t.start) for t in self.tokens]
        self.allowed = self._allowlist_ranges()
        self._allowed_starts = [a for a, _ in self.allowed]
        self.compound_of = self._compounds()

    # --- hyphenated compounds ("Jean-Marc", "Molenbeek-Saint-Jean", "Braine-l'Alleud") seen as one word
    def _compounds(self) -> list[tuple[int, int]]:
        """For each token index, the (first, last) token indices of the hyphenated compound it belongs to."""
        toks, text = self.tokens, self.text
        out: list[tuple[int, int]] = []
        i = 0
        while i < len(toks):
            j = i
            while j + 1 < len(toks):
                gap = text[toks[j].end:toks[j + 1].start]
                if gap == "-":
                    j += 1
                elif gap in ("'", "’") and len(toks[j].text) == 1 and j > i and text[toks[j - 1].end:toks[j].start] == "-":
                    j += 1  # Braine-l'Alleud
                else:
                    break
            out.extend([(i, j)] * (j - i + 1))
            i = j + 1
        return out

    def compound(self, tok: Token) -> tuple[Token, Token]:
        a, b = self.compound_of[tok.i]
        return self.tokens[a], self.tokens[b]

    def compound_text(self, tok: Token) -> str:
        a, b = self.compound(tok)
        return self.text[a.start:b.end]

    # --- tokens
    def token_index_at(self, offset: int) -> int | None:
        """Index of the token starting exactly at offset, else None."""
        i = bisect.bisect_left(self._starts, offset)
        return i if i < len(self.tokens) and self._starts[i] == offset else None

    def tokens_in(self, start: int, end: int) -> list[Token]:
        i = bisect.bisect_left(self._starts, start)
        out = []
        while i < len(self.tokens) and self.tokens[i].start < end:
            out.append(self.tokens[i])
            i += 1
        return out

    def prev_token(self, tok: Token) -> Token | None:
        return self.tokens[tok.i - 1] if tok.i > 0 else None

    def next_token(self, tok: Token) -> Token | None:
        return self.tokens[tok.i + 1] if tok.i + 1 < len(self.tokens) else None

    # --- German and Dutch stretches of a bilingual text, read once per text
    @cached_property
    def german(self) -> list[tuple[int, int]]:
        return language_ranges(self.text, "de")

    @cached_property
    def foreign(self) -> list[tuple[int, int]]:
        """German or Dutch sentences: capitals and the French model mean little there."""
        return foreign_ranges(self.text, self.german)

    def is_french(self, tok: Token) -> bool:
        return self.lex.is_french(tok.low, tok.text)

    def is_start(self, tok: Token) -> bool:
        return self.sent_start[tok.i]

    # --- allow-list
    def _allowlist_ranges(self) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        toks, text, n = self.tokens, self.text, self.allow.max_words
        prefixes = self.allow.prefixes
        for i, tok in enumerate(toks):
            if tok.text in self.allow.exact:
                out.append((tok.start, tok.end))
                continue
            key = tok.low
            if key not in prefixes:
                continue
            best = tok.end if key in self.allow.phrases else None
            for j in range(i + 1, min(i + n, len(toks))):
                gap = text[toks[j - 1].end:toks[j].start]
                if not gap or len(gap) > 3 or any(c not in ALLOW_SEPS for c in gap):
                    break
                key += " " + toks[j].low
                if key not in prefixes:
                    break
                if key in self.allow.phrases:
                    best = toks[j].end
            if best is not None:
                out.append((tok.start, best))
        out += [m.span(1) for m in LAW_NAMED_RE.finditer(text)]
        return sorted(out)

    def is_allowed(self, start: int, end: int) -> bool:
        """Whether [start, end) lies inside one allow-list occurrence."""
        i = bisect.bisect_right(self._allowed_starts, start) - 1
        while i >= 0:
            a, b = self.allowed[i]
            if a <= start and end <= b:
                return True
            if b < start and start - a > 200:
                break
            i -= 1
        return False

    def ner_label_at(self, start: int, end: int) -> str | None:
        for a, b, label in self.ner:
            if a <= start and end <= b:
                return label
        return None
