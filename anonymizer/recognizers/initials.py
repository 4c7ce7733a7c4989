"""Initials that stand for a person ("JD propose", "MK et PL", "M.K.", "A-S.B.", "– BC : ...").

Minutes, intervision notes and chats name participants by their initials. Dotted initials are almost
never an acronym; bare capitals (2-3 letters) are, unless something marks them as someone: a speaker
at a line start, a verb right after them, brackets after a name, or a list with other initials.
Acronyms of the sector are on the allow-list and never match. Generic cues only.
"""
from __future__ import annotations

import re

from ..context import Context
from ..lexicon import is_verb_form
from ..text import Token
from ..types import Span
from .common import DETERMINERS

DOTTED_RE = re.compile(r"(?<![\w.])(?:[A-Z][a-z]?(?:\.-?|-) ?){1,3}[A-Z]\.(?![\w])")
# Initials signing the end of a message, in any case: "— hp", "t.d.", "– s.v.", "m.-th."
SIGNATURE_RE = re.compile(r"(?:^|\n)[ \t]*(?:[-–—][ \t]*)?((?:[A-Za-z][a-z]?(?:\.-?|-) ?){1,3}[A-Za-z][a-z]?\.?|(?<=[-–—] )[a-z]{2,3})"
                          r"[ \t]*\s*$")
NOT_INITIALS = frozenset({"NB", "PS", "SA", "AR", "CV", "QI", "PV", "JO", "TVA", "PJ", "VS", "CA", "RG", "UE"})
SPEAKER_BEFORE_RE = re.compile(r"(?:\n|[.!?;] )[ \t]*(?:[-–—•*·]|\d{1,2}[.)]|\[?\d{1,2}[:h]\d{2}\]?)?[ \t]*$")
SPEAKER_AFTER_RE = re.compile(r"[ \t]*(?::|[-–—][ \t])")
LIST_GAP_RE = re.compile(r"^\s*(?:,|et|/|&|\+)\s*$")
NOT_AFTER = DETERMINERS | {"à", "a", "par", "pour", "avec", "chez", "sur", "vers", "entre", "contre", "sans"}


def letters_of(text: str) -> str:
    """The letters of initials, in capitals: "A-S.B." -> "ASB"."""
    return re.sub(r"[^A-Za-z]", "", text).upper()


def dotted_initials(ctx: Context) -> list[Span]:
    out = []
    for m in DOTTED_RE.finditer(ctx.text):
        letters = letters_of(m.group(0))
        if letters in NOT_INITIALS or letters in ctx.allow or ctx.is_allowed(m.start(), m.end()):
            continue
        out.append(Span(m.start(), m.end(), "PERSON", 0.8, "initials"))
    return out


def _bare_candidate(ctx: Context, tok: Token) -> bool:
    return (tok.alpha and 2 <= len(tok.text) <= 3 and tok.text.isupper() and tok.text not in NOT_INITIALS
            and not ctx.is_allowed(tok.start, tok.end) and not ctx.is_french(tok)
            and not ctx.lex.is_function_word(tok.low) and ctx.text[tok.end:tok.end + 1] not in ("-", "'", "’"))


def _speaks(ctx: Context, tok: Token) -> bool:
    """Shaped like a speaker of minutes: "– BC : ...", "JD - ..." at a line or sentence start."""
    before = "\n" + ctx.text[max(0, tok.start - 24):tok.start] if tok.start <= 24 else ctx.text[tok.start - 24:tok.start]
    return bool(SPEAKER_BEFORE_RE.search(before) and SPEAKER_AFTER_RE.match(ctx.text, tok.end))


def _acts(ctx: Context, tok: Token, speakers: set[str]) -> bool:
    """A speaker (one of several: a lone "ITT : 5 jours" is a form's label) or a subject followed by a
    verb ("JD propose"), not a service ("le SSM propose")."""
    if tok.text in speakers and len(speakers) >= 2:
        return True
    prev, nxt = ctx.prev_token(tok), ctx.next_token(tok)
    if prev is not None and prev.low in NOT_AFTER and ctx.text[prev.end:tok.start].strip() in ("", "'", "’"):
        return False
    if ctx.text[tok.end:tok.end + 2] in (" (", "\u00a0(") or ctx.text[tok.end:tok.end + 1] == ")":
        before = ctx.text[max(0, tok.start - 2):tok.start]
        if before.endswith("(") and prev is not None and prev.cap and not prev.text.isupper():
            return True  # "Véronique Van Lierde (VNL)"
    return (nxt is not None and ctx.text[tok.end:nxt.start] == " " and not nxt.cap and nxt.alpha
            and len(nxt.text) >= 2 and is_verb_form(nxt.low))


def bare_initials(ctx: Context) -> list[Span]:
    candidates = [t for t in ctx.tokens if _bare_candidate(ctx, t)]
    dotted = [(m.start(), m.end()) for m in DOTTED_RE.finditer(ctx.text)]
    speakers = {t.text for t in candidates if _speaks(ctx, t)}
    persons = {t.i for t in candidates if _acts(ctx, t, speakers)}
    # Initials listed together are alike: "MK et PL proposent", "Présents : JD, M.K. et SB".
    changed = True
    while changed:
        changed = False
        for t in candidates:
            if t.i in persons:
                continue
            for other in candidates:
                if other.i in persons and LIST_GAP_RE.match(_between(ctx, t, other)):
                    persons.add(t.i)
                    changed = True
                    break
            else:
                if any(LIST_GAP_RE.match(ctx.text[e:t.start]) or LIST_GAP_RE.match(ctx.text[t.end:s])
                       for s, e in dotted if abs(s - t.end) < 6 or abs(t.start - e) < 6):
                    persons.add(t.i)
                    changed = True
    seen = {ctx.tokens[i].text for i in persons}
    return [Span(t.start, t.end, "PERSON", 0.75, "initials") for t in candidates if t.i in persons or t.text in seen]


def initials_of(ctx: Context, span: Span) -> set[str]:
    """The initials a person found in full may go by ("Anne-Sophie Bertrand": ASB, AB)."""
    toks = [t for t in ctx.tokens_in(span.start, span.end) if t.alpha and t.cap]
    if len(toks) < 2:
        return set()
    every = "".join(t.text[0] for t in toks)
    out = {every, toks[0].text[0] + toks[-1].text[0]}
    words = [t for t in toks if not ctx.lex.is_function_word(t.low)]
    out.add("".join(t.text[0] for t in words))
    return {i.upper() for i in out if len(i) >= 2}


def initials_mentions(ctx: Context, initials: set[str]) -> list[tuple[int, int]]:
    """Where those initials appear, bare ("ASB") or dotted ("A-S.B.")."""
    found = [(t.start, t.end) for t in ctx.tokens if t.text in initials and t.text.isupper()
             and not ((prev := ctx.prev_token(t)) is not None and prev.low in DETERMINERS)]  # "la RH" is a service
    found += [m.span() for m in DOTTED_RE.finditer(ctx.text) if letters_of(m.group(0)) in initials]
    return found


def _between(ctx: Context, a: Token, b: Token) -> str:
    first, second = (a, b) if a.start < b.start else (b, a)
    return ctx.text[first.end:second.start] if second.start - first.end < 8 else "?"


DASH_SIGNATURE_RE = re.compile(r"[-–—][ \t]*([a-z]{2,3})[ \t]*\s*$")  # "... sera connue. » — cd"


def signing_initials(ctx: Context) -> list[Span]:
    """The initials that close a message: alone on its last line (after a dash or dotted), or after a
    dash at the end of its last sentence."""
    m = SIGNATURE_RE.search(ctx.text)
    if m is None or ctx.lex.is_french(m.group(1).lower().strip(".")):
        m = DASH_SIGNATURE_RE.search(ctx.text)  # after a dash, a short word is a signature unless a function word
        if m is None or ctx.lex.is_function_word(m.group(1)) or len(m.group(1)) > 2 and ctx.lex.is_french(m.group(1)):
            return []
    if ctx.is_allowed(m.start(1), m.end(1)):
        return []
    return [Span(m.start(1), m.end(1), "PERSON", 0.75, "initials")]
