"""Recognisers: small functions (context) -> list[Span], each testable alone on a small context.

One registry (as in Presidio), by family and in the order they run. A new recogniser is a function in its
family's module and one line here; `tests/test_recognizers.py` checks that none is left out.
"""
from __future__ import annotations

from collections.abc import Callable

from ..context import Context
from ..types import Span
from . import initials, names, ner, organisations, patterns, places, transcribed

Recognizer = Callable[[Context], list[Span]]

FAMILIES: dict[str, tuple[Recognizer, ...]] = {
    # exact shapes (+ context): they win every overlap and ignore the allow-list
    "patterns": (patterns.emails, patterns.urls, patterns.handles, patterns.phones, patterns.national_ids,
                 patterns.ibans, patterns.dates, patterns.file_numbers, patterns.codes, patterns.plates,
                 transcribed.dictated_numbers, transcribed.scanned_numbers, transcribed.scanned_words),
    "ner": (ner.ner_spans,),
    "names": (names.civility_names, names.listed_names, names.proper_nouns, names.cue_names, names.signature_names,
              names.email_names, names.lowercase_names, names.signed_initials, names.first_names_in_lower_case,
              names.chat_authors, names.foreign_script_names),
    "initials": (initials.dotted_initials, initials.bare_initials, initials.signing_initials),
    "places": (places.streets, places.postal_places, places.gazetteer),
    "organisations": (organisations.local_bodies, organisations.acronym_places, organisations.named_institutions,
                      organisations.article_names, organisations.legal_form_names),
}


def run_family(ctx: Context, family: str) -> list[Span]:
    """One family's proposals for one text."""
    return [span for recognizer in FAMILIES[family] for span in recognizer(ctx)]


def analyse_context(ctx: Context) -> list[Span]:
    """Every recogniser's proposals for one text, unresolved (overlaps and allow-list not yet applied)."""
    return [span for family in FAMILIES for span in run_family(ctx, family)]


__all__ = ["FAMILIES", "Recognizer", "analyse_context", "run_family"]
