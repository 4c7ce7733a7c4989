"""Full-text search over the anonymised cases (Whoosh, French analysis, thesaurus), fused with dense retrieval.

All Whoosh code lives in this package so the engine stays replaceable; callers use only:
``CaseIndex``, ``CaseDoc``, ``SearchRequest``, ``SearchResult``, ``Hit``.
"""
from indexes.case_index import CaseIndex
from indexes.model import CaseDoc, Hit, SearchRequest, SearchResult

__all__ = ["CaseIndex", "CaseDoc", "Hit", "SearchRequest", "SearchResult"]
