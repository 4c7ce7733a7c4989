"""Person-name recognisers: civilities, first-name and surname lists, proper-noun shape, signatures,
note headers ("noté par ..."), and names read out of e-mail addresses.

Generic cues only: nothing here knows a particular person.
"""
from __future__ import annotations

import re

from frenchtext.folding import fold

from ..context import Context
from ..lexicon import PARTICLES
from ..text import Token
from ..types import Span
from .common import DETERMINERS, has_saint, name_like, place_label, tokens_after, unknown_word
from .patterns import EMAIL_RE

CIVILITY_RE = re.compile(
    r"(?<![\w.])(?:M\.|MM\.|Me|Dr\.?|Pr\.?|(?i:mr\.?|mrs\.?|mme\.?|mmes\.?|mlle\.?|melle\.?|madame|monsieur|"
    r"mademoiselle|docteur|ma[îi]tre|professeur|dhr\.?|mevr\.?|mevrouw|meneer|famille|fam\.|herrn?|frau))"
    r"(?:\s+et\s+(?:M\.|Mme|Madame|Monsieur))?(?=\s)")
CUE_RE = re.compile(
    r"(?i:\b(?:not[ée]e?\s+par|note\s+de|b[ée]n[ée]voles?\s*[:-]|[ée]crit\s+par|r[ée]dig[ée]e?\s+par|"
    r"animat(?:eur|rice)\s*:|pr[ée]sents?\s*:|excus[ée]s?\s*:|de\s+la\s+part\s+de|sign[ée]\s*:?|contact\s*:|"
    r"intervenante?s?\s*:|r[ée]f[ée]rente?\s*:|permanent(?:e)?\s*:)\s*)")
CLOSING_RE = re.compile(
    r"^\W*(?:merci\b.*|cordialement\W*|bien\s+(?:à|a)\s+(?:vous|toi)\W*|bien\s+cordialement\W*|salutations.*|"
    r"amicalement\W*|bàv\W*|bav\W*|bonne\s+(?:journée|soirée)\W*|avec\s+mes\s+remerciements.*|sinc[èe]rement\W*|"
    r"respectueusement\W*|au\s+plaisir.*|à\s+bientôt\W*)$", re.IGNORECASE)
SIGNED_INITIALS_RE = re.compile(r"[–—-]\s*((?:[A-Z]\.\s?){1,2}[A-Z]\.)(?=\s*(?:[»”\")\n]|$))")
SEPARATORS = {" ", "-", "'", "’", " - ", "\u00a0"}


def _initial_after(ctx: Context, tok: Token) -> bool:
    return len(tok.text) == 1 and tok.text.isupper() and ctx.text[tok.end:tok.end + 1] == "."


def _elided_particle(ctx: Context, tok: Token, k: int) -> bool:
    """A capital D' or O' glued to the next word: the start of a surname ("D'hondt", "D'Haese")."""
    toks = ctx.tokens
    return (tok.text in ("D", "O") and ctx.text[tok.end:tok.end + 1] in ("'", "’") and k + 1 < len(toks)
            and toks[k + 1].start == tok.end + 1 and toks[k + 1].alpha and len(toks[k + 1].text) >= 2)


def _extend_name(ctx: Context, first: Token, max_tokens: int = 5) -> Token:
    """Last token of a name that starts at first: following surnames, particles, initials (same line)."""
    last = first
    k = first.i + 1
    toks = ctx.tokens
    while k < len(toks) and k - first.i <= max_tokens:
        t = toks[k]
        gap = ctx.text[last.end:t.start]
        if gap not in SEPARATORS:
            break
        if _initial_after(ctx, t):
            return t
        if _elided_particle(ctx, t, k):
            last = toks[k + 1]  # "D'hondt", "O'Brien": one surname
            k += 2
            continue
        if name_like(ctx, t) or (t.cap and t.alpha and not t.text.isupper() and ctx.lex.is_surname(t.low)):
            last = t
            k += 1
            continue
        if t.low in PARTICLES and k + 1 < len(toks) and ctx.text[t.end:toks[k + 1].start] in SEPARATORS \
                and toks[k + 1].cap and name_like(ctx, toks[k + 1]):
            last = toks[k + 1]
            k += 2
            continue
        break
    return last


def _span_end(ctx: Context, last: Token) -> int:
    return last.end + 1 if _initial_after(ctx, last) else last.end


def civility_names(ctx: Context) -> list[Span]:
    out = []
    toks = ctx.tokens
    for m in CIVILITY_RE.finditer(ctx.text):
        i = ctx.token_index_at(len(ctx.text) - len(ctx.text[m.end():].lstrip()))
        if i is None:
            continue
        first = toks[i]
        if ctx.text[m.end():first.start].strip():
            continue
        if _elided_particle(ctx, first, i):
            last = _extend_name(ctx, toks[i + 1])  # "M. D'hooghe"
        elif first.low in PARTICLES and i + 1 < len(toks) and toks[i + 1].cap:
            last = _extend_name(ctx, toks[i + 1])
        elif _initial_after(ctx, first):
            last = first
        elif first.cap and first.alpha and not (first.text.isupper() and ctx.is_allowed(first.start, first.end)):
            if ctx.is_french(first) and not ctx.lex.is_name(first.low) and first.text.istitle() \
                    and _extend_name(ctx, first) is first:
                # "Madame la Directrice", "Monsieur le Juge": a title, not a name
                if first.low in ("directrice", "directeur", "juge", "president", "presidente", "procureur"):
                    continue
            last = _extend_name(ctx, first)
        elif first.alpha and not first.cap and len(first.text) >= 3 and not ctx.is_french(first) \
                and m.group(0)[0].islower() and m.group(0).rstrip(".").lower() in ("mr", "mme", "mlle", "madame",
                                                                                  "monsieur", "melle"):
            last = first  # lower-case notes: "mr kabila"
        else:
            continue
        out.append(Span(first.start, _span_end(ctx, last), "PERSON", 0.9, "civility"))
    return out


def listed_names(ctx: Context) -> list[Span]:
    """First names from the list, with the surnames that follow them."""
    out = []
    for tok in ctx.tokens:
        if not (tok.cap and tok.alpha) or not ctx.lex.is_first_name(tok.low) or has_saint(ctx, tok):
            continue
        if ctx.is_allowed(tok.start, tok.end) or (tok.text.isupper() and len(tok.text) <= 3):
            continue
        last = _extend_name(ctx, tok)
        french = ctx.is_french(tok)
        if ctx.lex.is_function_word(tok.low) or (french and len(tok.text) < 3):
            continue
        if last is tok and french:
            if ctx.is_start(tok) and not _age_follows(ctx, tok):
                continue
            score = 0.55
        else:
            score = 0.8 if last is not tok else 0.7
        out.append(Span(tok.start, _span_end(ctx, last), "PERSON", score, "first-name"))
    return out


def _age_follows(ctx: Context, tok: Token) -> bool:
    return re.match(r"\s*[,(]\s*\d{1,2}\s*ans\b", ctx.text[tok.end:tok.end + 12]) is not None


def proper_nouns(ctx: Context) -> list[Span]:
    """Capitalised words unknown to French (or listed surnames mid-sentence): names, places or brands."""
    out = []
    seen: set[int] = set()
    for tok in ctx.tokens:
        a, b = ctx.compound(tok)
        if a.i in seen:
            continue
        parts = ctx.tokens[a.i:b.i + 1]
        if not a.cap:
            continue
        if ctx.is_allowed(a.start, b.end) or has_saint(ctx, a):
            continue
        start = ctx.is_start(a)
        suspicious = False
        for p in parts:
            if p.low in PARTICLES and not p.cap:
                continue
            if p.text.isupper() and len(p.text) > 1:
                # ALL-CAPS: only listed names (acronyms are not names)
                if len(p.text) >= 3 and ctx.lex.is_name(p.low) and not ctx.is_french(p) \
                        and not ctx.is_allowed(p.start, p.end):
                    suspicious = True
                continue
            if unknown_word(ctx, p):
                if start and len(p.text) < 3:
                    continue
                suspicious = True
            elif not start and p.cap and p.alpha and not p.text.isupper() and len(p.text) >= 3 \
                    and ctx.lex.is_name(p.low) and not ctx.is_allowed(p.start, p.end) \
                    and not ctx.lex.is_function_word(p.low) and _bare(ctx, a):
                suspicious = True  # "elle dit que Sels la menace": a capitalised listed name with no article
        if suspicious:
            seen.add(a.i)
            label = place_label(ctx, a.start, b.end)
            out.append(Span(a.start, b.end, label, 0.5 if start else 0.6, "proper-noun"))
    return out


def _bare(ctx: Context, tok: Token) -> bool:
    """A mid-sentence capitalised word with no article and no capitalised word before it: "que Sels"."""
    prev = ctx.prev_token(tok)
    if prev is None:
        return False
    gap = ctx.text[prev.end:tok.start]
    if ":" in gap or "«" in gap or '"' in gap or "\n" in gap:
        return False
    if prev.low in DETERMINERS or prev.cap:
        return False
    nxt = ctx.next_token(tok)
    if nxt is not None and nxt.cap and ctx.text[tok.end:nxt.start] == " ":
        return False  # inside a capitalised phrase ("Droits Humains")
    return True


def cue_names(ctx: Context) -> list[Span]:
    """Names announced by a note header or a list: "noté par X", "bénévole : x", "Présents : A, B"."""
    out = []
    for tok in tokens_after(ctx, CUE_RE):
        if tok.alpha and len(tok.text) >= 3 and not ctx.is_allowed(tok.start, tok.end) \
                and (not ctx.is_french(tok) or ctx.lex.is_first_name(tok.low)):
            last = _extend_name(ctx, tok) if tok.cap else tok
            out.append(Span(tok.start, _span_end(ctx, last), "PERSON", 0.75, "cue"))
    return out


def signature_names(ctx: Context) -> list[Span]:
    """The name line of a signature block: after a closing formula, or a first name at a line start."""
    out = []
    text = ctx.text
    lines = []
    pos = 0
    for line in text.split("\n"):
        lines.append((pos, line))
        pos += len(line) + 1
    nonempty = [(p, line) for p, line in lines if line.strip()]
    tail = nonempty[-8:]
    after_closing = False
    for p, line in tail:
        stripped = line.strip()
        if CLOSING_RE.match(stripped):
            after_closing = True
            continue
        head = re.split(r"\s*(?:,|\(|–|—| - |\|)\s*", stripped, maxsplit=1)[0]
        words = head.split()
        if not after_closing or not (1 <= len(words) <= 4) or any(c.isdigit() or c == "@" for c in head):
            after_closing = False
            continue
        start = p + line.index(head)
        toks = ctx.tokens_in(start, start + len(head))
        if toks and all(t.cap or t.low in PARTICLES for t in toks) \
                and any(name_like(ctx, t) for t in toks) and not ctx.is_allowed(start, start + len(head)):
            out.append(Span(toks[0].start, toks[-1].end, "PERSON", 0.75, "signature"))
        after_closing = False
    return out


def email_names(ctx: Context) -> list[Span]:
    """Names read from e-mail local parts (aurelie.delvaux@...) found elsewhere in the text."""
    pieces: set[str] = set()
    for m in EMAIL_RE.finditer(ctx.text):
        local = m.group(0).split("@", 1)[0]
        for piece in re.split(r"[._\-+\d]+", fold(local)):
            if len(piece) >= 3 and not ctx.lex.is_french(piece):
                pieces.add(piece)
    if not pieces:
        return []
    out = []
    for tok in ctx.tokens:
        if tok.low in pieces and tok.cap and not ctx.is_allowed(tok.start, tok.end):
            out.append(Span(tok.start, tok.end, "PERSON", 0.8, "email-name"))
    return out


def signed_initials(ctx: Context) -> list[Span]:
    """Initials signing an entry of a notebook or a chat: "... refusé. – C. L. »"."""
    return [Span(m.start(1), m.end(1), "PERSON", 0.75, "initials") for m in SIGNED_INITIALS_RE.finditer(ctx.text)]


def lowercase_names(ctx: Context) -> list[Span]:
    """Names typed without capitals in hurried notes: a listed first name followed by a word that is no
    French word ("maman de lucas vermeulen"), and a lone first name closing the text ("marie")."""
    out = []
    toks = ctx.tokens
    for tok in toks:
        if tok.cap or not tok.alpha or len(tok.text) < 3 or not ctx.lex.is_first_name(tok.low):
            continue
        if ctx.is_french(tok) or ctx.is_allowed(tok.start, tok.end):
            continue
        nxt = ctx.next_token(tok)
        if nxt is None or ctx.text[tok.end:nxt.start] != " " or nxt.cap or not nxt.alpha or len(nxt.text) < 3:
            continue
        if ctx.is_french(nxt) or ctx.is_allowed(nxt.start, nxt.end) or ctx.lex.is_function_word(nxt.low):
            continue
        out.append(Span(tok.start, nxt.end, "PERSON", 0.7, "lowercase-name"))
    last = next((t for t in reversed(toks) if t.alpha), None)
    if last is not None and not last.cap and len(last.text) >= 3 and ctx.lex.is_first_name(last.low) \
            and not ctx.is_allowed(last.start, last.end):
        line_start = ctx.text.rfind("\n", 0, last.start) + 1
        if ctx.text[line_start:last.start].strip() == "" and ctx.text[last.end:].strip(" .\n") == "":
            out.append(Span(last.start, last.end, "PERSON", 0.7, "lowercase-name"))
    return out


# Kinship and role words that introduce a person by first name ("sa fille gaelle", "maman (cindy)",
# "ma référente gwladys"): after one of them, a listed first name is a name even if it is also a word.
KIN_WORDS = frozenset(fold(w) for w in """mère père maman papa fille fils frère sœur soeur copain copine ami amie mari
femme épouse compagnon compagne conjoint conjointe cousin cousine oncle tante grand-mère grand-père mamie mamy papy
papi petit petite petit-fils petite-fille neveu nièce référent référente collègue voisin voisine chef beau-père
belle-mère demi-frère demi-sœur bébé ado fiston filleul filleule marraine parrain éduc éducateur éducatrice stagiaire
assistante assistant psy psychologue infirmière infirmier médecin copines copains enfant madame monsieur""".split())
AGE_AFTER_RE = re.compile(r"\s*[,(]?\s*\d{1,2}\s*(?:ans?\b|a\b)")
ROLE_AFTER_RE = re.compile(r"\s*\(\s*(?:chef|psy|éduc|educ|as|ass|coordinat|directr|direct|stagiaire|infirm|méd|med|"
                           r"référent|referent|collègue|collegue)", re.IGNORECASE)
CHAT_AUTHOR_RE = re.compile(
    r"^[ \t]*(?:\[\s*)?\d{1,2}[:h.]\d{2}(?::\d{2})?(?:\s*\])?[ \t]*(?:[-–—][ \t]*)?(?P<who>[^\n:\[\]]{1,40}?)[ \t]*:",
    re.MULTILINE)


def _kin_before(ctx: Context, tok: Token) -> bool:
    prev = ctx.prev_token(tok)
    if prev is None or ctx.text[prev.end:tok.start].strip(" (,=") != "":
        return False
    a, _ = ctx.compound(prev)
    return prev.low in KIN_WORDS or fold(ctx.text[a.start:prev.end]) in KIN_WORDS


def first_names_in_lower_case(ctx: Context) -> list[Span]:
    """First names typed without capitals in hurried notes and chats ("kevin", "la petite ines-rose"):
    a listed first name that is no French word, or any listed first name after a kinship or role word,
    before an age ("gloire 11a") or before a role in brackets ("nath (chef)")."""
    out = []
    seen: set[int] = set()
    for tok in ctx.tokens:
        if tok.cap or not tok.alpha or len(tok.text) < 3 or tok.i in seen:
            continue
        a, b = ctx.compound(tok)
        parts = ctx.tokens[a.i:b.i + 1]
        seen.update(p.i for p in parts)
        if any(p.cap for p in parts) or not all(ctx.lex.is_first_name(p.low) for p in parts if len(p.text) > 1):
            continue
        if ctx.is_allowed(a.start, b.end) or any(ctx.lex.is_function_word(p.low) for p in parts):
            continue
        cue = _kin_before(ctx, a) or AGE_AFTER_RE.match(ctx.text, b.end) or ROLE_AFTER_RE.match(ctx.text, b.end)
        word = any(ctx.is_french(p) for p in parts) or (len(parts) == 1 and len(tok.text) <= 3)
        if word and not cue:
            continue  # "ans", "rose", "seb": too short or an ordinary word without a cue
        out.append(Span(a.start, b.end, "PERSON", 0.75 if cue else 0.6, "lowercase-first-name"))
    return out


def chat_authors(ctx: Context) -> list[Span]:
    """The author of a chat line ("[09:05] Thibaut :", "14:22 - Nadia B. :"), with or without capitals."""
    out = []
    for m in CHAT_AUTHOR_RE.finditer(ctx.text):
        toks = [t for t in ctx.tokens_in(m.start("who"), m.end("who")) if t.alpha]
        names = [t for t in toks if not ctx.is_allowed(t.start, t.end) and not ctx.lex.is_function_word(t.low)
                 and (not ctx.is_french(t) or ctx.lex.is_first_name(t.low) or t.cap)]
        if names and not ctx.is_allowed(m.start("who"), m.end("who")):
            end = m.end("who") if ctx.text[m.end("who") - 1] == "." else toks[-1].end  # "Sarah D." whole
            out.append(Span(names[0].start, end, "PERSON", 0.8, "chat-author"))
    return out


# Words in another script than the Latin one (Cyrillic, Greek, Arabic, Hebrew, Georgian, Armenian):
# in a French narrative they are a name or a place copied from a document, never the domain's words.
FOREIGN_SCRIPT_RE = re.compile(r"[\u0370-\u03ff\u0400-\u052f\u0590-\u05ff\u0600-\u06ff\u0750-\u077f"
                               r"\u10a0-\u10ff\u0530-\u058f]+(?:[ \t'’-]+[\u0370-\u03ff\u0400-\u052f\u0590-\u05ff"
                               r"\u0600-\u06ff\u0750-\u077f\u10a0-\u10ff\u0530-\u058f]+)*")


def foreign_script_names(ctx: Context) -> list[Span]:
    return [Span(m.start(), m.end(), "PERSON", 0.7, "foreign-script") for m in FOREIGN_SCRIPT_RE.finditer(ctx.text)
            if len(m.group(0)) >= 2]

