"""Anonymiser for Belgian social-work narratives (French): spaCy NER + pattern recognisers + allow-list.

    from anonymizer import get_anonymizer
    res = get_anonymizer().anonymize(text)   # res.text, res.entities

The raw text is never logged, printed or written anywhere by this package.
"""
from __future__ import annotations

from .allowlist import Allowlist, get_allowlist, load_allowlist
from .pipeline import Anonymizer, get_anonymizer
from .residual import residual_check
from .types import AnonymizedText, Entity, Residual, Span

__all__ = ["Anonymizer", "AnonymizedText", "Allowlist", "Entity", "Residual", "Span", "get_anonymizer",
           "get_allowlist", "load_allowlist", "residual_check"]
