"""The search's facets: one small class per kind (datasette's way), which the HTML page, the JSON API
and the command line all read; adding a facet is one line in FACETS. And the per-document facet
values as numpy arrays, for counting and filtering without Whoosh's collectors.

Whoosh's facet collectors cost ~250 ms per query at 20k documents. Here each facet value's
postings (document numbers) are read once per searcher generation; counting a result set is then
one ``bincount`` per facet, and filters are boolean masks over document numbers.
Multi-valued fields (themes, sectors, legal references) count a case under each of its values.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from whoosh.reading import IndexReader

from indexes.model import SearchRequest

Args = Callable[[str], list[str]]  # a request parameter's values (the URL's, or the CLI's options)


@dataclass(frozen=True)
class Facet:
    """A facet over an index field: its counts are shown, its values filter (OR within one facet)."""

    field: str  # the index field, and its key in SearchResult.facets
    param: str  # the URL parameter and the CLI option (--theme)
    label: str  # the French heading on the page
    attr: str  # the SearchRequest attribute that holds the wanted values

    def wanted(self, req: SearchRequest) -> list[str]:
        value = getattr(req, self.attr)
        return list(value) if isinstance(value, tuple) else ([value] if value else [])

    def request_values(self, values: list[str]) -> dict:
        """SearchRequest keyword arguments from the parameter's values."""
        return {self.attr: tuple(v for v in values if v)}

    def mask(self, table: DocTable, req: SearchRequest) -> np.ndarray | None:
        wanted = self.wanted(req)
        if not wanted:
            return None
        column = table.columns[self.field]
        return column.mask_any(table.size, [v for w in wanted for v in column.resolve(w)])

    def order(self, counts: list[tuple[str, int]]) -> list[tuple[str, int]]:
        return counts  # the most frequent first


@dataclass(frozen=True)
class MultiValued(Facet):
    """A case has several values (themes, sectors); several can be asked for."""


@dataclass(frozen=True)
class Single(Facet):
    """One value asked for at a time (a case's channel; one legal reference)."""

    def request_values(self, values: list[str]) -> dict:
        return {self.attr: next((v for v in values if v), None)}


@dataclass(frozen=True)
class YearRange(Facet):
    """Years from and to, both ends included; a reversed range is read the right way round."""

    def wanted(self, req: SearchRequest) -> list[str]:
        return [str(y) for y in (req.year_from, req.year_to) if y is not None]

    def request_values(self, values: list[str]) -> dict:
        raise TypeError("a year range is read by years()")

    @staticmethod
    def years(year_from: int | None, year_to: int | None) -> tuple[int | None, int | None, bool]:
        """(from, to, swapped): "de 2023 à 2019" is read as 2019 to 2023, and the page says so."""
        if year_from is not None and year_to is not None and year_from > year_to:
            return year_to, year_from, True
        return year_from, year_to, False

    def mask(self, table: DocTable, req: SearchRequest) -> np.ndarray | None:
        masks = []
        if req.year_from is not None:
            masks.append(table.years >= req.year_from)
        if req.year_to is not None:
            masks.append((table.years <= req.year_to) & (table.years > 0))
        if not masks:
            return None
        return masks[0] if len(masks) == 1 else masks[0] & masks[1]

    def order(self, counts: list[tuple[str, int]]) -> list[tuple[str, int]]:
        return sorted(counts, key=lambda p: p[0], reverse=True)  # years read best newest first


YEAR = YearRange("year", "year", "Année", "year_from")
FACETS: tuple[Facet, ...] = (
    MultiValued("themes", "theme", "Thème", "themes"),
    MultiValued("sectors", "sector", "Secteur", "sectors"),
    YEAR,
    Single("channel", "channel", "Canal", "channel"),
    Single("legal_refs", "legal_ref", "Référence légale", "legal_ref"),
)
FACET_FIELDS = tuple(f.field for f in FACETS)
BY_FIELD: Mapping[str, Facet] = {f.field: f for f in FACETS}
FILTER_PARAMS = tuple(f.param for f in FACETS if f is not YEAR) + ("year_from", "year_to")


def int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def filters_from(values: Args, year_from: str | None = None, year_to: str | None = None) -> tuple[dict, bool]:
    """SearchRequest keyword arguments for every facet, from a parameter's values (the page's URL, the
    CLI's options), and whether the years were given the wrong way round."""
    kwargs: dict = {}
    for facet in FACETS:
        if facet is not YEAR:
            kwargs.update(facet.request_values(values(facet.param)))
    start, end, swapped = YEAR.years(int_or_none(year_from), int_or_none(year_to))
    kwargs.update(year_from=start, year_to=end)
    return kwargs, swapped


def filters_json(req: SearchRequest) -> dict:
    """The filters of a request, as every JSON answer shows them."""
    out: dict = {f.param: f.wanted(req) for f in FACETS if f is not YEAR}
    out.update(year_from=req.year_from, year_to=req.year_to)
    return out


@dataclass
class FacetColumn:
    values: list[str]
    docnums: np.ndarray  # all postings of the field, concatenated
    value_idx: np.ndarray  # value index of each posting
    by_value: dict[str, np.ndarray]  # value -> docnums

    def count(self, mask: np.ndarray) -> list[tuple[str, int]]:
        sel = self.value_idx[mask[self.docnums]]
        counts = np.bincount(sel, minlength=len(self.values))
        pairs = [(self.values[i], int(c)) for i, c in enumerate(counts) if c]
        pairs.sort(key=lambda p: (-p[1], p[0]))
        return pairs

    def mask_any(self, n: int, values: list[str]) -> np.ndarray:
        mask = np.zeros(n, dtype=bool)
        for v in values:
            ids = self.by_value.get(v)
            if ids is not None:
                mask[ids] = True
        return mask

    def resolve(self, wanted: str) -> list[str]:
        """Facet values meant by ``wanted``: exact, else case-insensitive, else containing it."""
        if wanted in self.by_value:
            return [wanted]
        low = wanted.casefold().strip()
        same = [v for v in self.values if v.casefold() == low]
        return same or [v for v in self.values if low and low in v.casefold()]


class DocTable:
    """Facet values and liveness of every document number of one reader (one index generation)."""

    def __init__(self, reader: IndexReader) -> None:
        n = reader.doc_count_all()
        self.size = n
        self.live = np.zeros(n, dtype=bool)
        live_ids = np.fromiter(reader.all_doc_ids(), dtype=np.int64)
        self.live[live_ids] = True
        self.columns: dict[str, FacetColumn] = {f: _read_column(reader, f) for f in FACET_FIELDS}
        years = np.zeros(n, dtype=np.int32)
        col = self.columns["year"]
        for v, ids in col.by_value.items():
            if v.isdigit():
                years[ids] = int(v)
        self.years = years

    def facet_counts(self, mask: np.ndarray) -> dict[str, list[tuple[str, int]]]:
        return {f.field: f.order(self.columns[f.field].count(mask)) for f in FACETS}

    def filter_mask(self, req: SearchRequest) -> np.ndarray | None:
        """Documents allowed by the request's filters (AND across facets, OR within one); None = all."""
        masks = [m for m in (f.mask(self, req) for f in FACETS) if m is not None]
        if not masks:
            return None
        out = self.live.copy()
        for m in masks:
            out &= m
        return out

    def by_date(self, mask: np.ndarray) -> np.ndarray:
        """Document numbers in ``mask``, newest year first (then most recently added first)."""
        ids = np.flatnonzero(mask)
        order = np.lexsort((-ids, -self.years[ids]))
        return ids[order]


def _read_column(reader: IndexReader, field: str) -> FacetColumn:
    values: list[str] = []
    chunks: list[np.ndarray] = []
    by_value: dict[str, np.ndarray] = {}
    if field in reader.indexed_field_names():
        for value in reader.field_terms(field):
            ids = np.fromiter(reader.postings(field, value).all_ids(), dtype=np.int64)
            if len(ids) == 0:
                continue
            by_value[value] = ids
            values.append(value)
            chunks.append(ids)
    docnums = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int64)
    value_idx = (
        np.concatenate([np.full(len(c), i, dtype=np.int32) for i, c in enumerate(chunks)])
        if chunks
        else np.zeros(0, dtype=np.int32)
    )
    return FacetColumn(values, docnums, value_idx, by_value)
