"""Helpers shared by the anonymiser's tests: a recogniser's context, whole-word presence as the scorer
matches it."""
from __future__ import annotations

import re

from anonymizer.allowlist import get_allowlist
from anonymizer.context import Context
from anonymizer.lexicon import get_lexicon


def ctx(text: str) -> Context:
    return Context(text, get_lexicon(), get_allowlist())


def present(needle: str, haystack: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(needle) + r"(?!\w)", haystack, re.IGNORECASE) is not None
