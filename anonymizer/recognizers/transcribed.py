"""Numbers that reach a text through a voice or a scanner rather than a keyboard.

- Dictated: a number read out word by word ("un deux neuf quatre sept trois", "quatre-vingt-sept point
  zéro quatre point zéro un tiret...", "BE cinquante-six trois six..."). A run of six number words, or of
  four with a spoken separator (point, tiret, barre, slash), is an identifier: prose never counts like
  that, and an amount is followed by its unit.
- Scanned: OCR reads the digit 1 as "l" or "I" and 0 as "O" ("0498.l4.76.2l", "83.09.l4-l86.07"), and
  the letters l and o as 1 and 0 inside words ("Châte1et"). The pattern recognisers (and, for words,
  the place and organisation ones) run again on a copy with the confusion undone (one character for
  one, so offsets hold); only spans that the copy changed are kept.
"""
from __future__ import annotations

import re

from ..context import Context
from ..types import Span
from . import organisations, patterns, places

_WORD = (r"z[ée]ro|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze|seize|"
         r"vingts?|trente|quarante|cinquante|soixante|septante|huitante|octante|nonante|cents?|mille")
_COMPOUND = r"(?:" + _WORD + r")(?:-(?:et-)?(?:" + _WORD + r"))*"
_SPOKEN_SEP = r"(?:point|tiret|barre|slash|oblique)"
_GAP = r"(?:\s*[,;.]?\s+|\s*-\s*|\s+" + _SPOKEN_SEP + r"\s+)"
DICTATED_RE = re.compile(r"(?i)(?<![\w-])(?:(?P<country>(?-i:BE|FR|LU|NL|DE))\s+)?" + _COMPOUND + r"(?:" + _GAP + _COMPOUND + r")+(?![\w-])")
_COMPOUND_RE = re.compile(r"(?i)(?<![\w-])" + _COMPOUND + r"(?![\w-])")
_SPOKEN_SEP_RE = re.compile(r"(?i)\b" + _SPOKEN_SEP + r"\b")
_UNIT_AFTER_RE = re.compile(r"(?i)^\s*(?:€|euros?|eur\b|%|pour ?cent|ans?\b|mois\b|jours?\b|heures?\b|h\b|km\b|kg\b)")
MIN_WORDS, MIN_WORDS_WITH_SEP = 6, 4

# A number as OCR reads it: digits mixed with l, I, | (for 1) and O, o (for 0), in groups joined by . / - or a space.
_OCR_CHARS = "0123456789lI|Oo"
OCR_NUMBER_RE = re.compile(r"(?<![\w])(?=[" + _OCR_CHARS + r"./ -]*\d)(?=[\d./ -]*[lI|Oo])[" + _OCR_CHARS + r"]+"
                           r"(?:[./ -][" + _OCR_CHARS + r"]+)*(?![\w])")
_AS_DIGIT = str.maketrans({"l": "1", "I": "1", "|": "1", "O": "0", "o": "0"})


def dictated_numbers(ctx: Context) -> list[Span]:
    out = []
    for m in DICTATED_RE.finditer(ctx.text):
        words = len(_COMPOUND_RE.findall(m.group(0)))
        spoken = bool(_SPOKEN_SEP_RE.search(m.group(0)))
        if words < (MIN_WORDS_WITH_SEP if spoken else MIN_WORDS) or _UNIT_AFTER_RE.match(ctx.text[m.end():]):
            continue
        label = "IBAN" if m.group("country") else "OTHER_ID"
        out.append(Span(m.start(), m.end(), label, 0.8, "dictated-number"))
    return out


def _ocr_digits(text: str) -> str:
    """The text with OCR's letters for 1 and 0 turned into digits inside numbers only (same length)."""
    def fix(m: re.Match) -> str:
        group = m.group(0)
        digits = sum(c.isdigit() for c in group)
        return group.translate(_AS_DIGIT) if digits >= 2 and digits * 2 >= sum(c.isalnum() for c in group) else group
    return OCR_NUMBER_RE.sub(fix, text)


def _read_again(ctx: Context, fixed: str, recognizers) -> list[Span]:
    """The recognisers' spans on `fixed` (the text with OCR's confusions undone, same length) that
    touch a character it changed: what only the corrected copy shows."""
    if fixed == ctx.text:
        return []
    changed = [i for i, (a, b) in enumerate(zip(ctx.text, fixed)) if a != b]
    copy = Context(fixed, ctx.lex, ctx.allow, ctx.ner)
    return [Span(s.start, s.end, s.label, s.score, f"ocr-{s.source}")
            for recognizer in recognizers for s in recognizer(copy)
            if any(s.start <= i < s.end for i in changed)]


def scanned_numbers(ctx: Context) -> list[Span]:
    return _read_again(ctx, _ocr_digits(ctx.text), (patterns.phones, patterns.national_ids, patterns.ibans,
                                                     patterns.dates, patterns.file_numbers, patterns.codes))


# A word as OCR reads it: letters with 1 for l and 0 for o inside ("Châte1et", "Adm1nistration").
OCR_WORD_RE = re.compile(r"(?<![\w])(?=[^\W\d_]*[01][^\W_]*(?![\w]))(?=\w*[^\W\d_]{2})[^\W_]*[^\W\d_][^\W_]*(?![\w])")
_AS_LETTER = str.maketrans({"1": "l", "0": "o"})


def _ocr_letters(text: str) -> str:
    """The text with OCR's digits for l and o turned into letters inside words (same length); a word
    with more digits than letters is a number or a code, left alone."""
    def fix(m: re.Match) -> str:
        word = m.group(0)
        digits = sum(c.isdigit() for c in word)
        if digits * 2 > len(word) or any(c.isdigit() and c not in "01" for c in word):
            return word
        return word.translate(_AS_LETTER)
    return OCR_WORD_RE.sub(fix, text)


def scanned_words(ctx: Context) -> list[Span]:
    """Places and organisations in words where OCR put 1 for l or 0 for o ("Châte1et")."""
    return _read_again(ctx, _ocr_letters(ctx.text), (places.streets, places.postal_places, places.gazetteer,
                                                      organisations.local_bodies, organisations.named_institutions))
