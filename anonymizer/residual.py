"""Residual check: on an already anonymised text, find what still looks identifying.

Used by the review step to block saving. Placeholders ([Personne A], [Téléphone]...) are not
residuals. It runs without the spaCy model (word lists and patterns only), so it is cheap to call
on every keystroke of a review form.
"""
from __future__ import annotations

import re

from .allowlist import get_allowlist
from .context import Context
from .lexicon import get_lexicon
from .recognizers.common import unknown_word
from .recognizers.patterns import pattern_spans
from .recognizers.places import STREET_TYPES
from .types import Residual

PLACEHOLDER_RE = re.compile(r"\[[A-ZÀ-Ýa-zà-ÿ' ]+(?: [A-Z]{1,3})?\]")
DIGITS_RE = re.compile(r"\d(?:[\d\s./-]*\d)?")
YEAR_RE = re.compile(r"^(?:19|20)\d{2}$")
ARTICLE_BEFORE_RE = re.compile(r"(?i:\bart(?:icles?|s?\.)|§)\s*$")  # "art. 1675/2", "§ 1er": a law's article, no one's number
STREET_NAME_RE = re.compile(r"(?<![\w-])(?i:" + STREET_TYPES + r")\s+(?:(?i:de\s+la|de\s+l['’]|du|des|de|d['’])\s*)?"
                            r"[A-ZÀ-ÖØ-Þ][\w'’-]+")


def residual_check(text: str) -> list[Residual]:
    """Spans of an anonymised text that still look identifying, sorted by position."""
    masked = PLACEHOLDER_RE.sub(lambda m: " " * len(m.group(0)), text)
    ctx = Context(masked, get_lexicon(), get_allowlist())
    found: dict[tuple[int, int], Residual] = {}

    def add(start: int, end: int, kind: str) -> None:
        found.setdefault((start, end), Residual(start, end, kind, text[start:end]))

    for s in pattern_spans(ctx):
        add(s.start, s.end, s.label.lower())
    for i in (m.start() for m in re.finditer("@", masked)):
        add(i, i + 1, "at-sign")
    for m in DIGITS_RE.finditer(masked):
        digits = re.sub(r"\D", "", m.group(0))
        if len(digits) >= 4 and not YEAR_RE.match(m.group(0)) and not ARTICLE_BEFORE_RE.search(masked[max(0, m.start() - 12):m.start()]):
            add(m.start(), m.end(), "digits")
    for m in STREET_NAME_RE.finditer(masked):
        add(m.start(), m.end(), "street")
    for tok in ctx.tokens:
        if ctx.is_start(tok) and not ctx.lex.is_name(tok.low):
            continue
        if unknown_word(ctx, tok) or (tok.cap and not ctx.is_start(tok) and ctx.lex.is_first_name(tok.low)
                                      and not ctx.is_allowed(tok.start, tok.end) and len(tok.text) > 2):
            add(tok.start, tok.end, "proper-noun")
    return sorted(found.values(), key=lambda r: (r.start, r.end))
