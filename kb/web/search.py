"""The search page (HTML) and the same search as JSON; every result page has a shareable URL."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from indexes import SearchRequest, SearchResult

bp = Blueprint("search", __name__)
PER_PAGE = 10
MAX_QUERY = 500
FACET_LABELS = {"themes": "Thème", "sectors": "Secteur", "year": "Année", "channel": "Canal",
                "legal_refs": "Référence légale"}
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


def toggle_url(args: MultiDict, key: str, value: str) -> str:
    """The current search with one filter value added or removed (and back to page 1)."""
    params = MultiDict(args)
    params.pop("page", None)
    values = params.getlist(key)
    params.setlist(key, [v for v in values if v != value] if value in values else values + [value])
    return url_for("search.index", **params.to_dict(flat=False))


def page_url(args: MultiDict, page: int) -> str:
    params = MultiDict(args)
    params["page"] = str(page)
    return url_for("search.index", **params.to_dict(flat=False))


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
    with kb.db.session() as session:
        theme_labels = kb.theme_labels(session)
    result = kb.index.search(req)
    pages = max(1, -(-result.total // PER_PAGE))
    return render_template(
        "search.html", req=req, result=result, args=request.args, pages=pages,
        theme_labels=theme_labels, facet_labels=FACET_LABELS, channel_labels=CHANNEL_LABELS,
        toggle_url=toggle_url, page_url=page_url,
    )


@bp.get("/api/search")
def api_search():
    req = request_from_args(request.args)
    return jsonify(result_json(req, current_app.extensions["kb"].index.search(req)))
