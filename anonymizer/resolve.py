"""Turn the recognisers' raw proposals into a clean, non-overlapping list of spans.

Order of decisions: exact patterns win every overlap; weak spans (names, places, organisations) are
cut around them and dropped inside allow-listed phrases; overlapping weak spans are merged; then
every other mention of a found name or place in the same text is added (a surname left behind is a leak).
"""
from __future__ import annotations

from .context import Context
from .language import stop_words, within
from .lexicon import PARTICLES
from .recognizers.common import DETERMINERS, SAINTS, has_saint
from .recognizers.initials import initials_mentions, initials_of
from .types import STRONG_LABELS, Span

LABEL_PRIORITY = {"ORG": 3, "PERSON": 2, "LOCATION": 1}
#: Sources whose evidence is strong enough to override the allow-list (a civility names a person).
FORCE_SOURCES = frozenset({"civility"})
#: Sources that rest on capitals alone: no evidence in a German sentence, where every noun has one.
CAPITALS_SOURCES = frozenset({"proper-noun", "ner", "article-name", "institution"})
#: Sources that read a lower-case word as a name because it is no French word: no evidence in Dutch or
#: German ("over het"), unless a kinship word or an age came with it (a higher score).
LOWER_CASE_SOURCES = frozenset({"lowercase-name", "lowercase-first-name"})


def _greedy(spans: list[Span]) -> list[Span]:
    """Keep the longest (then most confident) of overlapping spans."""
    kept: list[Span] = []
    for s in sorted(spans, key=lambda s: (-(s.end - s.start), -s.score, s.start)):
        if all(s.end <= k.start or s.start >= k.end for k in kept):
            kept.append(s)
    return sorted(kept, key=lambda s: s.start)


def _subtract(ctx: Context, span: Span, blockers: list[Span]) -> list[Span]:
    pieces = [(span.start, span.end)]
    for b in blockers:
        nxt = []
        for a, e in pieces:
            if b.end <= a or b.start >= e:
                nxt.append((a, e))
                continue
            if b.start > a:
                nxt.append((a, b.start))
            if b.end < e:
                nxt.append((b.end, e))
        pieces = nxt
    out = []
    for a, e in pieces:
        toks = [t for t in ctx.tokens_in(a, e) if t.alpha and t.end <= e and t.start >= a]
        toks = [t for t in toks if t.cap]
        if toks:
            out.append(Span(toks[0].start, toks[-1].end, span.label, span.score, span.source))
    return out


def _outside_allowed(ctx: Context, span: Span) -> list[Span]:
    """A weak span that runs over an allowed phrase keeps only what lies outside it ("cite Erving
    Goffman" from the model: the cited author stays, the verb was never a name)."""
    inside = [Span(a, b, "", 1.0) for a, b in ctx.allowed if a < span.end and span.start < b]
    return _subtract(ctx, span, inside) if inside else [span]


def _merge(spans: list[Span]) -> list[Span]:
    out: list[Span] = []
    cluster: list[Span] = []
    end = -1
    for s in sorted(spans, key=lambda s: (s.start, -s.end)):
        if cluster and s.start < end:
            cluster.append(s)
            end = max(end, s.end)
            continue
        if cluster:
            out.append(_union(cluster))
        cluster, end = [s], s.end
    if cluster:
        out.append(_union(cluster))
    return out


def _union(cluster: list[Span]) -> Span:
    best = max(cluster, key=lambda s: (s.end - s.start, s.score, LABEL_PRIORITY.get(s.label, 0)))
    return Span(min(s.start for s in cluster), max(s.end for s in cluster), best.label,
                max(s.score for s in cluster), best.source)


ARTICLES = frozenset({"le", "la", "les", "l"})
WORD_CUES = DETERMINERS | {"à", "a", "pour", "avant", "après", "depuis", "vers", "jusqu"}  # "à Noël", "le Phare"


def _name_keys(ctx: Context, span: Span) -> set[str]:
    keys = set()
    for t in ctx.tokens_in(span.start, span.end):
        if not t.alpha or t.low in PARTICLES or len(t.text) < 2 or t.low in SAINTS:
            continue
        if len(t.text) == 1:
            continue
        if ctx.is_allowed(t.start, t.end) and not _word_as_name(t):
            continue
        keys.add(t.low)
    return keys


def _word_as_name(tok) -> bool:
    """An allowed word written as a name ("Noël" of "Noël Denis"): capitalised, not an acronym."""
    return tok.cap and tok.alpha and not tok.text.isupper() and len(tok.text) >= 3


def _used_as_word(ctx: Context, tok) -> bool:
    """"à Noël", "le Phare": an allowed word after a preposition or determiner keeps its common sense."""
    prev = ctx.prev_token(tok)
    return prev is not None and prev.low in WORD_CUES


def _overlaps(spans: list[Span], start: int, end: int) -> bool:
    return any(not (end <= s.start or start >= s.end) for s in spans)


def _expand(ctx: Context, weak: list[Span], strong: list[Span]) -> list[Span]:
    person_keys: set[str] = set()
    for s in weak:
        if s.label == "PERSON":
            person_keys |= _name_keys(ctx, s)
    added: list[Span] = []
    taken = weak + strong
    if person_keys:
        for tok in ctx.tokens:
            if tok.low not in person_keys or has_saint(ctx, tok):
                continue
            if ctx.is_allowed(tok.start, tok.end) and not (_word_as_name(tok) and not _used_as_word(ctx, tok)):
                continue
            if (ctx.is_french(tok) or len(tok.text) <= 3) and not tok.cap:
                continue
            a, b = ctx.compound(tok)
            start, end = tok.start, tok.end
            parts = [p for p in ctx.tokens[a.i:b.i + 1] if p.low not in PARTICLES]
            whole = all(p.low in person_keys for p in parts)
            if whole:
                start, end = a.start, b.end
            elif not tok.cap:
                continue  # "car-wash" is not the name "Wash"
            if start >= 2 and ctx.text[start - 2] in "DO" and ctx.text[start - 1] in "'’" \
                    and (start == 2 or not ctx.text[start - 3].isalnum()):
                start -= 2  # "D'hondt" again: the particle goes with the name
            if _overlaps(taken, start, end) or _overlaps(added, start, end):
                continue
            added.append(Span(start, end, "PERSON", 0.6, "coref"))
    # a person found in full is a person under their initials too ("Marie Dupont" ... "MD propose")
    initials = set().union(*(initials_of(ctx, s) for s in weak if s.label == "PERSON")) if weak else set()
    for start, end in initials_mentions(ctx, initials - {a for a in initials if a in ctx.allow}):
        if not _overlaps(taken, start, end) and not _overlaps(added, start, end):
            added.append(Span(start, end, "PERSON", 0.7, "initials-of-name"))
    # places and organisations: every other mention of the same phrase
    phrases = {}
    for s in weak:
        if s.label in ("LOCATION", "ORG"):
            toks = [t for t in ctx.tokens_in(s.start, s.end)]
            if toks:
                phrases.setdefault(tuple(t.low for t in toks), (s.label, toks))
            if len(toks) > 1 and toks[0].low in ARTICLES:  # "Le Phare", then "au psychologue du Phare"
                phrases.setdefault(tuple(t.low for t in toks[1:]), (s.label, toks[1:]))
    for key, (label, toks) in phrases.items():
        n = len(key)
        if all(ctx.lex.is_function_word(k) for k in key):
            continue
        single_common = n == 1 and (ctx.is_french(toks[0]) or len(toks[0].text) <= 3)
        for i in range(len(ctx.tokens) - n + 1):
            if ctx.tokens[i].low != key[0]:
                continue
            seq = ctx.tokens[i:i + n]
            if tuple(t.low for t in seq) != key:
                continue
            if single_common and not seq[0].cap:
                continue
            start, end = seq[0].start, seq[-1].end
            if ctx.is_allowed(start, end) or _overlaps(added, start, end):
                continue
            if any(not (end <= s.start or start >= s.end) and (s.start < start or s.end > end) for s in taken):
                continue  # partly inside a larger span: leave it to that span
            if any(s.start == start and s.end == end for s in taken):
                continue
            added.append(Span(start, end, label, 0.6, "coref"))
    return added


def _german_noun(ctx: Context, span: Span) -> bool:
    """A span found by its capitals inside a German sentence, with no listed name in it: a noun."""
    if span.source not in CAPITALS_SOURCES or not within(ctx.german, span.start, span.end):
        return False
    function_words = stop_words("de")
    return not any(ctx.lex.is_name(t.low) and not ctx.is_french(t) and t.low not in function_words
                   for t in ctx.tokens_in(span.start, span.end))


def resolve(ctx: Context, spans: list[Span]) -> list[Span]:
    strong = _greedy([s for s in spans if s.label in STRONG_LABELS])
    weak: list[Span] = []
    for s in spans:
        if s.label in STRONG_LABELS:
            continue
        for piece in _subtract(ctx, s, strong) if _overlaps(strong, s.start, s.end) else [s]:
            if piece.source in FORCE_SOURCES:
                weak.append(piece)
            elif not ctx.is_allowed(piece.start, piece.end):
                weak += _outside_allowed(ctx, piece) if piece.source in CAPITALS_SOURCES else [piece]
    if ctx.foreign:
        weak = [s for s in weak if not _german_noun(ctx, s) and not (
            s.source in LOWER_CASE_SOURCES and s.score < 0.75 and within(ctx.foreign, s.start, s.end))]
    weak = _merge(weak)
    weak = _merge(weak + _expand(ctx, weak, strong))
    return sorted(strong + weak, key=lambda s: s.start)

