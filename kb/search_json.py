"""One JSON shape for a search answer, everywhere: `/api/search`, `kb search --json` and `--queries`
(whose documented keys the evaluation tools read: `query`, `total`, `results` with `ref`, `title`,
`score`, `themes`)."""
from __future__ import annotations

from collections.abc import Callable

from indexes import Hit, SearchRequest, SearchResult
from indexes.facets import filters_json


def hit_json(hit: Hit, case_url: Callable[[str], str] | None = None) -> dict:
    out = {"ref": hit.ref, "title": hit.title, "score": round(hit.score, 4), "themes": hit.themes,
           "sectors": hit.sectors, "year": hit.year, "channel": hit.channel}
    if case_url is not None:
        out["url"] = case_url(hit.ref)
    return out


def search_json(req: SearchRequest, result: SearchResult, case_url: Callable[[str], str] | None = None) -> dict:
    return {
        "query": req.query, "filters": filters_json(req), "total": result.total, "page": req.page,
        "per_page": req.per_page, "suggestion": result.suggestion, "relaxed": result.relaxed,
        "results": [hit_json(h, case_url) for h in result.hits],
        "facets": {name: [{"value": v, "count": c} for v, c in values] for name, values in result.facets.items()},
    }
