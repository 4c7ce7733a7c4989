"""Operators: turn resolved spans into readable French placeholders, the same one for every mention of
the same person, place or organisation in one text ([Personne A], [Lieu B], [Organisation A]...).

The mapping lives only in memory, for one text.
"""
from __future__ import annotations

import re
import string

from frenchtext.placeholders import FIXED, NUMBERED

from .context import Context
from .lexicon import PARTICLES
from .recognizers.common import SAINTS
from .recognizers.initials import letters_of
from .types import AnonymizedText, Entity, Span


LEADING_ARTICLE = re.compile(r"^(?:le|la|les|l['’])\s*(?=\S)")


def letter(n: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA ..."""
    letters = string.ascii_uppercase
    out = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        out = letters[r] + out
    return out


def _person_keys(ctx: Context, span: Span) -> tuple[tuple[str, ...], frozenset[str]]:
    """(compound keys in order, single-word parts) of a person mention, particles and initials left out."""
    compounds: list[str] = []
    parts: set[str] = set()
    seen = set()
    for t in ctx.tokens_in(span.start, span.end):
        a, b = ctx.compound(t)
        if a.i in seen:
            continue
        seen.add(a.i)
        words = [p.low for p in ctx.tokens[a.i:b.i + 1] if p.low not in PARTICLES and len(p.text) > 1
                 and p.low not in SAINTS]
        if not words:
            continue
        compounds.append("-".join(words))
        if len(words) > 1 and all(w in ctx.lex.common_first_names for w in words):
            parts.add(compounds[-1])  # "Marie-Claire" and "Marie-Paule" are two people: no shared "marie"
        else:
            parts.update(words)
    return tuple(compounds), frozenset(parts)


INITIALS_RE = re.compile(r"^(?:[A-Z][a-z]?[.\- ]*){2,4}$")


def _initials_key(text: str) -> str | None:
    """"M.K.", "MK" and "M. K." are the same initials; None when the mention is not initials."""
    text = text.strip()
    if not INITIALS_RE.match(text) or (text.isalpha() and not text.isupper()):
        return None
    return letters_of(text) or None


def _initials_variants(compounds: tuple[str, ...]) -> set[str]:
    """The initials a full name may go by: "anne-sophie", "bertrand" -> ASB, AB."""
    if len(compounds) < 2:
        return set()
    pieces = [c.split("-") for c in compounds]
    every = "".join(w[0] for ws in pieces for w in ws)
    return {v.upper() for v in (every, "".join(ws[0][0] for ws in pieces), pieces[0][0][0] + pieces[-1][0][0])}


class _Clusters:
    """Groups person mentions by shared name words ("Sophie Lemaire", "Mme Lemaire", "Sophie").

    Two full names with different first words ("Jessica Delhaye", "Kevin Delhaye") stay two persons;
    a lone surname then goes to the first of them.
    """

    def __init__(self) -> None:
        self.keys: list[set[str]] = []
        self.parts: list[set[str]] = []
        self.firsts: list[set[str]] = []
        self.initials: list[set[str]] = []

    def add_initials(self, initials: str) -> int:
        """Initials join the person whose full name they abbreviate, or stand for someone of their own."""
        for i, known in enumerate(self.initials):
            if initials in known:
                return i
        return self.add((initials.lower(),), frozenset({initials.lower()}))

    def find(self, compounds: tuple[str, ...], parts: frozenset[str]) -> int | None:
        cset = set(compounds)
        first = compounds[0] if len(compounds) >= 2 else None
        for pool in ("keys", "parts"):
            for i in range(len(self.keys)):
                hit = cset & self.keys[i] if pool == "keys" else parts & self.parts[i]
                if not hit:
                    continue
                if first is not None and self.firsts[i] and first not in self.firsts[i] \
                        and first not in hit:
                    continue  # another first name: another person of the same family
                return i
        return None

    def add(self, compounds: tuple[str, ...], parts: frozenset[str]) -> int:
        i = self.find(compounds, parts)
        if i is None:
            self.keys.append(set())
            self.parts.append(set())
            self.firsts.append(set())
            self.initials.append(set())
            i = len(self.keys) - 1
        self.initials[i] |= _initials_variants(compounds)
        self.keys[i] |= set(compounds)
        self.parts[i] |= parts
        if len(compounds) >= 2:
            self.firsts[i].add(compounds[0])
        return i


def assign(ctx: Context, spans: list[Span]) -> list[Entity]:
    """Give every span its placeholder; numbering follows the order of first mention."""
    entities: list[Entity] = []
    persons = _Clusters()
    # full names first so that "Mme Lemaire" and "Sophie" attach to "Sophie Lemaire"
    person_spans = sorted((s for s in spans if s.label == "PERSON"),
                          key=lambda s: (-len(_person_keys(ctx, s)[1]), s.start))
    cluster_of: dict[Span, int] = {}
    initials_of = {s: _initials_key(ctx.text[s.start:s.end]) for s in person_spans}
    for s in person_spans:
        if initials_of[s]:
            continue  # after every full name, so that initials can join the name they abbreviate
        compounds, parts = _person_keys(ctx, s)
        if not parts:
            compounds, parts = (ctx.folded[s.start:s.end],), frozenset({ctx.folded[s.start:s.end]})
        cluster_of[s] = persons.add(compounds, parts)
    for s in person_spans:
        if initials_of[s]:
            cluster_of[s] = persons.add_initials(initials_of[s])
    letters: dict[tuple[str, object], str] = {}
    counters: dict[str, int] = {}
    for s in sorted(spans, key=lambda s: s.start):
        if s.label in NUMBERED:
            key: object = cluster_of[s] if s.label == "PERSON" else _phrase_key(ctx.folded[s.start:s.end])
            slot = (s.label, key)
            if slot not in letters:
                letters[slot] = letter(counters.get(s.label, 0))
                counters[s.label] = counters.get(s.label, 0) + 1
            replacement = f"[{NUMBERED[s.label]} {letters[slot]}]"
        else:
            replacement = f"[{FIXED.get(s.label, 'Identifiant')}]"
        entities.append(Entity(s.start, s.end, s.label, replacement, round(s.score, 3)))
    return entities


def _phrase_key(folded: str) -> str:
    """"Le Phare" and "Phare" are the same place or body."""
    return LEADING_ARTICLE.sub("", " ".join(folded.split()))


def apply(text: str, entities: list[Entity]) -> AnonymizedText:
    parts, pos = [], 0
    for e in sorted(entities, key=lambda e: e.start):
        parts.append(text[pos:e.start])
        parts.append(e.replacement)
        pos = e.end
    parts.append(text[pos:])
    return AnonymizedText("".join(parts), sorted(entities, key=lambda e: e.start))
