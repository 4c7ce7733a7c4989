"""Anonymiser for Belgian social-work narratives (French): spaCy NER + pattern recognisers + allow-list.

    from anonymizer import get_anonymizer
    res = get_anonymizer().anonymize(text)   # res.text, res.entities

The raw text is never logged, printed or written anywhere by this package.

The spaCy pipeline (`pipeline.py`) is imported only when first asked for, so that the web app can
use the allow-list and the residual check without loading spaCy in every worker.
"""
from __future__ import annotations

from importlib import import_module

from .allowlist import Allowlist, get_allowlist, load_allowlist, use_extra_allowlist
from .types import AnonymizedText, Entity, Residual, Span

_LAZY = {"Anonymizer": "pipeline", "get_anonymizer": "pipeline", "residual_check": "residual"}

__all__ = ["Anonymizer", "AnonymizedText", "Allowlist", "Entity", "Residual", "Span", "get_anonymizer",
           "get_allowlist", "load_allowlist", "residual_check", "use_extra_allowlist"]


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
