"""The search page (HTML) and the same search as JSON; every result page has a shareable URL."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, current_app, jsonify, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from indexes import SearchRequest, SearchResult

from .render import snippets

bp = Blueprint("search", __name__)
PER_PAGE = 10
FACET_VALUES = 12  # values shown per facet, the most frequent first
MAX_QUERY = 500
FACET_LABELS = {"themes": "Thème", "sectors": "Secteur", "year": "Année", "channel": "Canal",
                "legal_refs": "Référence légale"}
FILTER_KEYS = {"themes": "theme", "sectors": "sector", "channel": "channel", "legal_refs": "legal_ref", "year": "year"}
CHANNEL_LABELS = {"permanence": "Permanence", "mail": "Courrier", "bureau": "Bureau"}


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def request_from_args(args: MultiDict) -> SearchRequest:
    page = _int(args.get("page")) or 1
    return SearchRequest(
        query=(args.get("q") or "")[:MAX_QUERY],
        themes=tuple(args.getlist("theme")), sectors=tuple(args.getlist("sector")),
        year_from=_int(args.get("year_from")), year_to=_int(args.get("year_to")),
        channel=args.get("channel") or None, legal_ref=args.get("legal_ref") or None,
        sort="date" if args.get("sort") == "date" else "relevance",
        page=max(1, min(page, 1000)), per_page=PER_PAGE,
    )


def search_url(args: MultiDict, **changes) -> str:
    """The current search with some parameters changed (a list value replaces, None removes), back to
    page 1 unless a page is given. Built by hand: a results page has a hundred such links, and
    url_for's routing costs more than the search itself."""
    params = MultiDict(args)
    params.pop("page", None)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params.setlist(key, value if isinstance(value, list) else [str(value)])
    query = urlencode(list(params.items(multi=True)))
    return request.script_root + "/" + ("?" + query if query else "")


def toggle_url(args: MultiDict, key: str, value: str) -> str:
    """The current search with one filter value added or removed."""
    values = args.getlist(key)
    return search_url(args, **{key: [v for v in values if v != value] if value in values else values + [value]})


def page_url(args: MultiDict, page: int) -> str:
    return search_url(args, page=page)


def result_json(req: SearchRequest, result: SearchResult) -> dict:
    return {
        "query": req.query, "total": result.total, "page": req.page, "per_page": req.per_page,
        "suggestion": result.suggestion, "relaxed": result.relaxed,
        "results": [{"ref": h.ref, "title": h.title, "score": round(h.score, 4), "themes": h.themes,
                     "sectors": h.sectors, "year": h.year, "channel": h.channel,
                     "url": url_for("cases.show", ref=h.ref)} for h in result.hits],
        "facets": {name: [{"value": v, "count": c} for v, c in values] for name, values in result.facets.items()},
    }


@bp.get("/")
def index():
    kb = current_app.extensions["kb"]
    req = request_from_args(request.args)
    theme_labels = kb.cached_theme_labels()
    result = kb.index.search(req)
    pages = max(1, -(-result.total // PER_PAGE))
    facets = {name: shown_facet_values(name, values, request.args) for name, values in result.facets.items()}
    return render_template(
        "search.html", req=req, result=result, facets=facets, args=request.args, pages=pages,
        snippets=snippets([hit.snippet for hit in result.hits]),
        theme_labels=theme_labels, facet_labels=FACET_LABELS, channel_labels=CHANNEL_LABELS,
        toggle_url=toggle_url, page_url=page_url, search_url=search_url,
    )


def shown_facet_values(name: str, values: list[tuple[str, int]], args: MultiDict) -> list[tuple[str, int]]:
    """The most frequent values, plus any value the user filtered on (so it can be removed)."""
    if name == "year":
        return sorted(values, key=lambda v: str(v[0]), reverse=True)[:FACET_VALUES]
    key = FILTER_KEYS[name]
    chosen = set(args.getlist(key))
    top = values[:FACET_VALUES]
    return top + [v for v in values[FACET_VALUES:] if str(v[0]) in chosen]


@bp.get("/api/search")
def api_search():
    req = request_from_args(request.args)
    return jsonify(result_json(req, current_app.extensions["kb"].index.search(req)))
