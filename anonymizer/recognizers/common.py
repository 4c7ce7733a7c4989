"""Word tests shared by the name, place and organisation recognisers."""
from __future__ import annotations

import re
from collections.abc import Iterator

from ..context import Context
from ..lexicon import PARTICLES
from ..text import Token

SAINTS = frozenset({"saint", "sainte", "sint", "st", "ste", "san", "santa", "santo"})
DETERMINERS = frozenset({"le", "la", "les", "l", "un", "une", "des", "du", "au", "aux", "ce", "cet", "cette", "ces",
                         "son", "sa", "ses", "mon", "ma", "mes", "ton", "ta", "tes", "notre", "nos", "votre", "vos",
                         "leur", "leurs", "quel", "quelle", "d", "de", "en", "saint", "sainte"})
NER_LABELS = {"PER": "PERSON", "LOC": "LOCATION", "ORG": "ORG", "MISC": "ORG"}


def allowed(ctx: Context, tok: Token) -> bool:
    a, b = ctx.compound(tok)
    return ctx.is_allowed(tok.start, tok.end) or ctx.is_allowed(a.start, b.end)


def compound_tokens(ctx: Context, tok: Token) -> list[Token]:
    a, b = ctx.compound(tok)
    return ctx.tokens[a.i:b.i + 1]


def has_saint(ctx: Context, tok: Token) -> bool:
    parts = compound_tokens(ctx, tok)
    return len(parts) >= 2 and any(p.low in SAINTS and p.cap for p in parts[:-1])


def unknown_word(ctx: Context, tok: Token) -> bool:
    """A capitalised word that is no French word and not on the allow-list: a proper noun."""
    if not (tok.cap and tok.alpha) or tok.low in PARTICLES or tok.text.isupper():
        return False  # acronyms are not names; ALL-CAPS names are found through the lists and civilities
    if ctx.is_french(tok) or allowed(ctx, tok):
        return False
    if len(tok.text) <= 2:
        return ctx.lex.is_first_name(tok.low) and not tok.text.isupper()
    return True


def name_like(ctx: Context, tok: Token) -> bool:
    """Capitalised, not allow-listed, and either unknown to French or a listed first name or surname."""
    if not (tok.cap and tok.alpha) or allowed(ctx, tok):
        return False
    if tok.text.isupper() and len(tok.text) <= 2:
        return False
    return not ctx.is_french(tok) or ctx.lex.is_name(tok.low)


def place_label(ctx: Context, start: int, end: int, default: str = "PERSON") -> str:
    ner = ctx.ner_label_at(start, end)
    if ner in ("LOC",):
        return "LOCATION"
    if ner in ("ORG",):
        return "ORG"
    from frenchtext.folding import fold_key

    if fold_key(ctx.text[start:end]) in ctx.lex.places:
        return "LOCATION"
    if ner == "PER":
        return "PERSON"
    return default


def tokens_after(ctx: Context, cue: re.Pattern) -> Iterator[Token]:
    """The token that starts where each match of a cue ends ("CPAS de |Wavre", "noté par |x")."""
    for m in cue.finditer(ctx.text):
        i = ctx.token_index_at(m.end())
        if i is not None:
            yield ctx.tokens[i]
