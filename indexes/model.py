"""Plain data types exchanged with the rest of the application (no Whoosh types leak out)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class CaseDoc:
    """One anonymised case as the index sees it (the database stays the source of truth)."""

    ref: str
    title: str
    situation: str
    opinion: str
    themes: tuple[str, ...]
    sectors: tuple[str, ...]
    year: int | None
    channel: str
    legal_refs: tuple[str, ...]
    updated_at: datetime
    vector: bytes | None = None  # the stored dense vector (float16), read from the database, never computed here
    vector_model: str | None = None  # name@version of the model that made it


@dataclass
class SearchRequest:
    """What the search page and the CLI ask for. Filters combine with AND across facets and
    OR within one facet (two themes = cases under either theme)."""

    query: str = ""
    themes: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    channel: str | None = None
    legal_ref: str | None = None
    sort: str = "relevance"  # or "date"
    page: int = 1
    per_page: int = 10
    facets: bool = True
    highlight: bool = True


@dataclass
class Hit:
    """One result row. ``snippet`` is safe HTML: text escaped first, then terms wrapped in <mark>."""

    ref: str
    title: str
    score: float
    themes: list[str]
    sectors: list[str]
    year: int | None
    channel: str
    snippet: str


@dataclass
class SearchResult:
    """A results page. ``facets`` keys: themes, sectors, year, channel, legal_refs -> [(value, count)]."""

    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    suggestion: str | None = None  # "did you mean" when a word was unknown and was corrected
    relaxed: bool = False  # True when the strict (AND) query found too little and OR results were used
