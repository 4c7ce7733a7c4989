"""The search page (HTML) and the same search as JSON; every result page has a shareable URL."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, jsonify, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from indexes import SearchRequest, SearchResult
from indexes.facets import BY_FIELD, FILTER_PARAMS, YEAR, filters_from, int_or_none

from ..current import knowledge_base
from ..models import CHANNEL_LABELS
from ..search_json import search_json
from .render import snippets

bp = Blueprint("search", __name__)
PER_PAGE = 10
FACET_VALUES = 12  # values shown per facet, the most frequent first
MAX_QUERY = 500


def request_from_args(args: MultiDict, page: int | None = None) -> SearchRequest:
    page = page or int_or_none(args.get("page")) or 1
    filters, _ = filters_from(args.getlist, args.get("year_from"), args.get("year_to"))
    return SearchRequest(
        query=(args.get("q") or "")[:MAX_QUERY], **filters,
        sort="date" if args.get("sort") == "date" else "relevance",
        page=max(1, min(page, 1000)), per_page=PER_PAGE,
    )


def years_swapped(args: MultiDict) -> bool:
    return filters_from(lambda _: [], args.get("year_from"), args.get("year_to"))[1]


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
    return search_json(req, result, lambda ref: url_for("cases.show", ref=ref))


@bp.get("/")
def index():
    kb = knowledge_base()
    req, result = search_within_pages(kb, request.args)
    theme_labels = kb.cached_theme_labels()
    pages = max(1, -(-result.total // PER_PAGE))
    facets = {name: shown_facet_values(name, values, request.args) for name, values in result.facets.items()}
    return render_template(
        "search.html", req=req, result=result, facets=facets, args=request.args, pages=pages,
        snippets=snippets([hit.snippet for hit in result.hits]),
        theme_labels=theme_labels, facets_by_field=BY_FIELD, channel_labels=CHANNEL_LABELS,
        toggle_url=toggle_url, page_url=page_url, search_url=search_url, years_swapped=years_swapped(request.args),
        filtered=any(request.args.getlist(key) for key in FILTER_PARAMS), filter_params=FILTER_PARAMS,
    )


def search_within_pages(kb, args: MultiDict) -> tuple[SearchRequest, SearchResult]:
    """The search, on the last page when the one asked for is past it (an old link, a shrunk result)."""
    req = request_from_args(args)
    result = kb.index.search(req)
    last = max(1, -(-result.total // PER_PAGE))
    if req.page > last:
        req = request_from_args(args, page=last)
        result = kb.index.search(req)
    return req, result


def shown_facet_values(name: str, values: list[tuple[str, int]], args: MultiDict) -> list[tuple[str, int]]:
    """The most frequent values, plus any value the user filtered on (so it can be removed)."""
    if BY_FIELD[name] is YEAR:
        return values  # every year that has cases, the newest first
    chosen = set(args.getlist(BY_FIELD[name].param))
    top = values[:FACET_VALUES]
    return top + [v for v in values[FACET_VALUES:] if str(v[0]) in chosen]


@bp.get("/api/search")
def api_search():
    req, result = search_within_pages(knowledge_base(), request.args)
    return jsonify(result_json(req, result))
