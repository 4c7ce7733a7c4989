"""Residual check: on an already anonymised text, find what still looks identifying.

Used by the review step to block saving, it is the last defence, so it is a second opinion rather than
the anonymiser run again: besides patterns it looks at signals the anonymiser weighs differently or not
at all (first names in any case, initials anywhere, numbers of any shape, spelled-out numbers, words
unknown to French) and, when given them, the NER model's own entities on the anonymised text.
Placeholders ([Personne A], [Téléphone]...) are not residuals. Without entities it needs no model.
"""
from __future__ import annotations

import re

from frenchtext.placeholders import PLACEHOLDER_RE

from .allowlist import get_allowlist
from .context import Context
from .language import foreign_ranges, stop_words, touches
from .lexicon import get_lexicon
from .recognizers.common import DETERMINERS, unknown_word
from .recognizers.initials import DOTTED_RE, letters_of
from .recognizers.names import CIVILITY_RE
from .recognizers.organisations import ORG_TYPES
from .recognizers import run_family
from .recognizers.patterns import ARTICLE_RE, NUMBER_WORD
from .recognizers.places import STREET_TYPES
from .types import Residual

DIGITS_RE = re.compile(r"\d(?:[\d\s./-]*\d)?")
YEAR_RE = re.compile(r"^(?:19|20)\d{2}$")
SPELLED_NUMBER_RE = re.compile(r"(?i)(?<![\w-])" + NUMBER_WORD + r"(?:[\s,;.-]+(?:" + NUMBER_WORD
                               + r"|point|tiret|barre|slash)){3,}(?![\w-])")
INITIALS_RE = re.compile(DOTTED_RE.pattern + r"|(?<![\w.])[A-Z]{2,3}(?![\w'’-])")  # dotted, or 2-3 capitals
ARTICLE_OR_ELISION_BEFORE_RE = re.compile(
    r"(?:\b(?:" + "|".join(sorted(DETERMINERS, key=len, reverse=True)) + r")\s|['’])$")  # "le SSM", "l'AS"
NER_KINDS = {"PER": "ner-person", "LOC": "ner-place", "ORG": "ner-organisation"}
AMOUNT_AFTER_RE = re.compile(r"\s?(?:€|eur\b|euros?\b)", re.IGNORECASE)
# OCR reads 1 as l or I and 0 as O: "0498.l4.76.2l", "l6/0l", "DEBR0UX"
OCR_NUMBER_RE = re.compile(r"(?<![\w.])(?=[\dlIO./-]*\d)(?=[\dlIO./-]*[lIO])[\dlIO](?:[\dlIO./ -]*[\dlIO])?(?![\w])")
OCR_WORD_RE = re.compile(r"\b[A-Z]+0[A-Z]+\b")
SPACED_LETTERS_RE = re.compile(r"(?<!\S)(?:[a-zA-Z] ){3,}[a-zA-Z](?!\S)")  # a name spelled out: "a m o u r a d"
NUMBER_ONLY_RE = re.compile(r"(?i)" + NUMBER_WORD)
NAMED_BODY_RE = re.compile(r"(?<![\w-])(?i:" + ORG_TYPES + r")(?:[ \t]+[a-zà-ÿ]+){0,2}[ \t]+(?=[A-ZÀ-ÖØ-Þ])")
STREET_NAME_RE = re.compile(r"(?<![\w-])(?i:" + STREET_TYPES + r")\s+(?:(?i:de\s+la|de\s+l['’]|du|des|de|d['’])\s*)?"
                            r"[A-ZÀ-ÖØ-Þ][\w'’-]+")


def residual_check(text: str, entities: list[tuple[int, int, str]] | None = None) -> list[Residual]:
    """Spans of an anonymised text that still look identifying, sorted by position. `entities` are the
    NER model's on this text (Anonymizer.model_entities), when the caller has the model."""
    masked = PLACEHOLDER_RE.sub(lambda m: " " * len(m.group(0)), text)
    ctx = Context(masked, get_lexicon(), get_allowlist())
    found: dict[tuple[int, int], Residual] = {}

    def add(start: int, end: int, kind: str) -> None:
        found.setdefault((start, end), Residual(start, end, kind, text[start:end]))

    for s in run_family(ctx, "patterns"):
        add(s.start, s.end, s.label.lower())
    for i in (m.start() for m in re.finditer("@", masked)):
        add(i, i + 1, "at-sign")
    for m in DIGITS_RE.finditer(masked):
        digits = re.sub(r"\D", "", m.group(0))
        if len(digits) >= 4 and not YEAR_RE.match(m.group(0)) and not ARTICLE_RE.search(masked[max(0, m.start() - 12):m.start()]) \
                and not AMOUNT_AFTER_RE.match(masked, m.end()):
            add(m.start(), m.end(), "digits")
    for rx in (OCR_NUMBER_RE, OCR_WORD_RE):
        for m in rx.finditer(masked):
            if len(m.group(0)) >= 2 or rx is OCR_WORD_RE:
                add(m.start(), m.end(), "digits")
    for m in NAMED_BODY_RE.finditer(masked):  # "Athénée royal Air Pur": the name of one school
        nxt = ctx.token_index_at(m.end())
        tok = ctx.tokens[nxt] if nxt is not None else None
        if tok is not None and not ctx.is_start(tok) and not ctx.lex.is_function_word(tok.low) \
                and not tok.text.isupper() and not ctx.is_allowed(tok.start, tok.end) \
                and not ctx.is_allowed(m.start(), tok.end) and not CIVILITY_RE.match(ctx.text, tok.start):
            add(tok.start, tok.end, "organisation")
    for m in SPACED_LETTERS_RE.finditer(masked):
        add(m.start(), m.end(), "spelled-name")
    for m in STREET_NAME_RE.finditer(masked):
        add(m.start(), m.end(), "street")
    for m in SPELLED_NUMBER_RE.finditer(masked):
        add(m.start(), m.end(), "spelled-number")
    for m in INITIALS_RE.finditer(masked):
        if _initials(ctx, m):
            add(m.start(), m.end(), "initials")
    foreign = foreign_ranges(text)  # read on the text as written: placeholders are words of its sentences

    def in_foreign(start: int, end: int) -> bool:
        return touches(foreign, start, end)

    for a, b, label in entities or ():
        if label in NER_KINDS and masked[a:b] == text[a:b] and not in_foreign(a, b) and _unexplained(ctx, a, b):
            add(a, b, NER_KINDS[label])
    for tok in ctx.tokens:
        if ctx.is_start(tok) and not ctx.lex.is_name(tok.low):
            continue
        if tok.cap and in_foreign(tok.start, tok.end) and not ctx.lex.is_name(tok.low):
            continue  # a German noun
        if unknown_word(ctx, tok) or (tok.cap and not ctx.is_start(tok) and ctx.lex.is_first_name(tok.low)
                                      and not ctx.is_allowed(tok.start, tok.end) and len(tok.text) > 2):
            add(tok.start, tok.end, "proper-noun")
        elif not tok.cap and tok.alpha and not ctx.is_allowed(tok.start, tok.end) and _lower_case_place(ctx, tok):
            add(tok.start, tok.end, "place")
        elif not tok.cap and _lower_case_compound_name(ctx, tok):
            add(tok.start, tok.end, "first-name")
        elif not tok.cap and tok.alpha and len(tok.text) >= 4 and ctx.lex.is_first_name(tok.low) \
                and not ctx.is_french(tok) and not ctx.is_allowed(tok.start, tok.end) \
                and not in_foreign(tok.start, tok.end):
            add(tok.start, tok.end, "first-name")  # typed without a capital: "vu avec kevin"
    return sorted(found.values(), key=lambda r: (r.start, r.end))


def _lower_case_compound_name(ctx: Context, tok) -> bool:
    """A hyphenated word made of names, one of them no French word: "renard-lefevre", "ines-rose"."""
    a, b = ctx.compound(tok)
    parts = ctx.tokens[a.i:b.i + 1]
    return (len(parts) >= 2 and all(p.alpha and not p.cap and len(p.text) >= 3 and ctx.lex.is_name(p.low) for p in parts)
            and any(not ctx.is_french(p) for p in parts) and not ctx.is_allowed(a.start, b.end))


def _lower_case_place(ctx: Context, tok) -> bool:
    """A commune typed without its capital, when it is no French word ("montignies")."""
    if tok.low not in ctx.lex.places or len(tok.text) < 4 or ctx.lex.is_function_word(tok.low) \
            or NUMBER_ONLY_RE.fullmatch(tok.text) or tok.low in stop_words("de") or tok.low in stop_words("nl"):
        return False
    return not ctx.is_french(tok)  # a French word ("ligne", "court") is also a commune too often to warn


def _initials(ctx: Context, m: re.Match) -> bool:
    """Capitals that may stand for a person: dotted ("M.K."), or 2-3 letters that are no acronym of
    the allow-list and no word, and that no article introduces ("le SSM" is a service)."""
    letters = letters_of(m.group(0))
    if letters in ctx.allow or ctx.is_allowed(m.start(), m.end()) or ctx.lex.is_french(letters.lower()):
        return False
    return not ARTICLE_OR_ELISION_BEFORE_RE.search(ctx.text[max(0, m.start() - 4):m.start()].lower())


def _unexplained(ctx: Context, start: int, end: int) -> bool:
    """A model entity with a word that is neither French nor allowed (the model tags "CPAS" too)."""
    if ctx.is_allowed(start, end):
        return False
    return any(t.alpha and len(t.text) > 1 and not ctx.is_french(t) and not ctx.is_allowed(t.start, t.end)
               and not t.text.isupper() for t in ctx.tokens_in(start, end))
