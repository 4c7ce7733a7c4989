"""Value types shared by the analyser, the operators and the residual check."""
from __future__ import annotations

from dataclasses import dataclass, field

#: Labels whose recognisers are exact patterns (shape + context): they win every overlap and ignore the allow-list.
STRONG_LABELS = frozenset({"EMAIL", "URL", "HANDLE", "PHONE", "NATIONAL_ID", "IBAN", "PLATE", "FILE_NUMBER", "DATE",
                           "OTHER_ID"})
LABELS = ("PERSON", "LOCATION", "ORG", "EMAIL", "PHONE", "NATIONAL_ID", "IBAN", "DATE", "FILE_NUMBER", "PLATE",
          "HANDLE", "URL", "OTHER_ID")


@dataclass(frozen=True)
class Span:
    """What a recogniser proposes: a stretch of the input with a label and a confidence, no replacement yet."""

    start: int
    end: int
    label: str
    score: float
    source: str = ""


@dataclass(frozen=True)
class Entity:
    """A span the operator replaced: offsets into the input text, and the placeholder that took its place."""

    start: int
    end: int
    label: str
    replacement: str
    score: float


@dataclass(frozen=True)
class AnonymizedText:
    """The anonymised text and the replacements made (entities sorted by start offset)."""

    text: str
    entities: list[Entity] = field(default_factory=list)


@dataclass(frozen=True)
class Residual:
    """Something in an already anonymised text that still looks identifying (see anonymizer.residual)."""

    start: int
    end: int
    kind: str
    text: str
