"""The index schema: which case fields are searched, stored, counted or kept as vectors."""
from __future__ import annotations

from whoosh.analysis import RegexTokenizer, StripFilter
from whoosh.columns import FixedBytesColumn
from whoosh.fields import COLUMN, ID, KEYWORD, STORED, TEXT, Schema

from indexes.analysis import folded_analyzer, pair_analyzer, stemmed_analyzer

# Case vectors of the dense model (indexes/dense.py), float16, zero-padded to the largest model's size
# so that the schema does not depend on the model; DENSE_MODEL_FIELD says which model made each one.
VECTOR_DIM = 512
VECTOR_BYTES = VECTOR_DIM * 2
DENSE_FIELD = "dense"
DENSE_MODEL_FIELD = "dense_model"

# Stemmed fields searched by a query, with their query-time weights (title > situation > opinion).
TEXT_FIELDS: dict[str, float] = {"title": 3.0, "situation": 1.6, "opinion": 1.0, "tags": 1.4}
EXACT_FIELD = "exact"  # folded, unstemmed, stop words kept: quoted words and spelling
PAIR_FIELD = "pairs"  # folded word pairs: quoted phrases
VALUE_SEP = "\x1f"  # joins facet values (a legal reference may hold commas)


def build_schema() -> Schema:
    stem = stemmed_analyzer()
    values = RegexTokenizer(r"[^\x1f]+") | StripFilter()
    return Schema(
        ref=ID(stored=True, unique=True),
        title=TEXT(analyzer=stem, stored=True, phrase=False),
        situation=TEXT(analyzer=stem, stored=True, phrase=False),
        opinion=TEXT(analyzer=stem, stored=True, phrase=False),
        # sectors, theme slugs and legal references as searchable words ("458bis", "cpas", "RGPD")
        tags=TEXT(analyzer=stem, phrase=False),
        exact=TEXT(analyzer=folded_analyzer(), phrase=False),
        pairs=KEYWORD(analyzer=pair_analyzer()),
        themes=KEYWORD(stored=True, analyzer=values),
        sectors=KEYWORD(stored=True, analyzer=values),
        legal_refs=KEYWORD(stored=True, analyzer=values),
        channel=ID(stored=True),
        year=ID(stored=True),
        updated_at=STORED(),
        dense_model=ID(),
        dense=COLUMN(FixedBytesColumn(VECTOR_BYTES)),
    )
