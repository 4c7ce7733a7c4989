"""Recognisers: small functions (context) -> list[Span], each testable alone."""
from __future__ import annotations

from ..context import Context
from ..types import Span
from .initials import initials_spans
from .names import name_spans
from .ner import ner_spans
from .organisations import org_spans
from .patterns import pattern_spans
from .places import place_spans


def analyse_context(ctx: Context) -> list[Span]:
    """Every recogniser's proposals for one text, unresolved (overlaps and allow-list not yet applied)."""
    return (pattern_spans(ctx) + ner_spans(ctx) + name_spans(ctx) + initials_spans(ctx) + place_spans(ctx)
            + org_spans(ctx))


__all__ = ["analyse_context", "pattern_spans", "ner_spans", "name_spans", "initials_spans", "place_spans", "org_spans"]
