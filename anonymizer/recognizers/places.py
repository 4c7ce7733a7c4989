"""Place recognisers: streets with or without a number, postal code + commune, and the gazetteer of
Belgian communes, sections, provinces and countries.

Communes whose name is also an ordinary word ("Spa", "Ans", "Marche", "Halle") are masked only in
place context: capitalised and not opening a sentence, or after a place preposition.
"""
from __future__ import annotations

import re

from ..context import Context
from ..types import Span
from .common import allowed
from .names import CIVILITY_RE
from .patterns import MONTHS

STREET_TYPES = (r"rue|ruelle|avenue|av\.|boulevard|bd\.?|bld\.?|chauss[ée]e|ch[ée]e\.?|place|square|quai|all[ée]e|chemin|"
                r"dr[èe]ve|impasse|route|clos|cit[ée]|parvis|galerie|sentier|venelle|rempart|passage|rond-point|"
                r"esplanade|voie|pont|parking|parc|zoning|quartier|domaine|hameau|lieu-dit|carrefour|"
                r"square|place|plateau|r[ée]sidence|chauss[ée]e|straat|laan|steenweg|plein|dreef|kaai|markt|gare|station")
# Words that name a street only sometimes ("la place", "la voie", "le parc"): they need a number or a name.
LOOSE_STREET_TYPES = frozenset({"place", "cour", "voie", "domaine", "passage", "parc", "quartier", "route", "résidence",
                                "residence"})
# Kinds that are no address when their name is only allowed words ("la voie de l'Europe"), whereas
# "rue de l'Europe" is one.
NOT_ADDRESS_WHEN_ALLOWED = LOOSE_STREET_TYPES | {"gare", "station"}
STREET_RE = re.compile(
    r"(?<![\w-])(?i:" + STREET_TYPES + r")\s+"
    r"(?:(?i:de\s+la|de\s+l['’]|du|des|de|d['’]|aux|au|la|le|les|l['’])\s*)?"
    r"(?P<name>[A-ZÀ-ÖØ-Þ][\w'’]*(?:-[\w'’]+)*(?:\s+(?:(?:de|du|des|la|le|d['’]|l['’])\s*)?(?:[A-ZÀ-ÖØ-Þ][\w'’]*(?:-[\w'’]+)*|[IVX]{1,4}\b)){0,4})"
    r"(?P<num>,?\s+\d{1,4}(?:[a-zA-Z]\b|\s[A-Z]\b)?(?:\s*(?:/|bte|boîte|bus)\s*\d+)?(?![\w/]))?")
STREET_LOWER_RE = re.compile(
    r"(?<![\w-])(?i:" + STREET_TYPES + r")\s+(?:(?:de\s+la|de\s+l['’]|du|des|de|d['’])\s*)?[a-zà-ÿ][\w'’-]+(?:\s+[a-zà-ÿ][\w'’-]+){0,2}"
    r",?\s+\d{1,4}[a-z]?\b")
DUTCH_STREET_RE = re.compile(
    r"(?<![\w-])[A-Z][\w-]*(?:straat|laan|steenweg|plein|lei|dreef|weg|kaai|markt|singel|dijk|baan|hof|pad|gracht|kade|"
    r"park|veld|berg)(?:\s+\d{1,4}[a-z]?\b)?")
GERMAN_STREET_RE = re.compile(
    r"(?<![\w-])(?:[A-ZÄÖÜ][\wäöüß-]*(?:straße|strasse|gasse|platz|allee)|[A-ZÄÖÜ][\wäöüß]+\s+(?:Straße|Strasse|Gasse|"
    r"Weg|Platz|Allee|Ring))(?:\s+\d{1,4}[a-z]?\b)?")
POSTAL_RE = re.compile(r"(?<![\w.,/-])(?:B-?)?(?P<code>[1-9]\d{3})\s+(?P<place>[A-ZÀ-ÖØ-Þ][\w'’]*(?:[-\s][A-ZÀ-ÖØ-Þa-z][\w'’]*){0,3})")
PLACE_PREPOSITIONS = frozenset({"à", "a", "de", "d", "du", "en", "vers", "sur", "depuis", "près", "pres", "chez", "lez",
                                "sous", "habite", "vit", "quitte", "quitter", "rejoindre", "rejoint", "vient", "né",
                                "née", "originaire", "commune", "ville", "zone", "province", "région", "region", "cpas",
                                "ocmw", "saj", "spj", "police", "parquet", "tribunal", "arrondissement", "canton", "et",
                                "ou", "entre", "jusqu"})
STOP_NAME_WORDS = frozenset({"le", "la", "les", "de", "du", "des"})


def streets(ctx: Context) -> list[Span]:
    out = []
    text = ctx.text
    for m in STREET_RE.finditer(text):
        toks = ctx.tokens_in(m.start("name"), m.end("name"))
        if not toks:
            continue
        kind = m.group(0).split()[0].lower()
        if kind in NOT_ADDRESS_WHEN_ALLOWED and all(ctx.is_allowed(t.start, t.end) for t in toks if t.cap):
            continue
        if not m.group("num") and kind in LOOSE_STREET_TYPES and all(ctx.is_french(t) and not ctx.lex.is_name(t.low) for t in toks if t.cap):
            continue  # "la place Communale" is fine to mask, but "place Forte" of a sentence is not a street
        end = m.end("num") if m.group("num") else m.end("name")
        out.append(Span(m.start(), end, "LOCATION", 0.85 if m.group("num") else 0.7, "street"))
    for rx, score in ((STREET_LOWER_RE, 0.75), (DUTCH_STREET_RE, 0.75), (GERMAN_STREET_RE, 0.75)):
        for m in rx.finditer(text):
            out.append(Span(m.start(), m.end(), "LOCATION", score, "street"))
    return out


YEAR_BEFORE_RE = re.compile(r"(?i:\b(?:depuis|en|année|annee|de|dès|des|avant|après|apres|jusqu['’]en|fin|début|debut|"
                            r"mi|courant|printemps|été|ete|automne|hiver|" + MONTHS + r"))\s+$")


def _year_not_code(text: str, m: re.Match) -> bool:
    """"depuis 2020 Mme X" or "en 1990 Marc ...": a year before a name, not the postal code of Antwerp."""
    if CIVILITY_RE.match(m.group("place")):
        return True
    return m.group("code")[:2] in ("19", "20") and YEAR_BEFORE_RE.search(text[max(0, m.start() - 25):m.start()]) is not None


def postal_places(ctx: Context) -> list[Span]:
    out = []
    for m in POSTAL_RE.finditer(ctx.text):
        if m.group("code") not in ctx.lex.postal_codes or _year_not_code(ctx.text, m):
            continue
        toks = ctx.tokens_in(m.start("place"), m.end("place"))
        # keep the place words up to the first lower-case word that is not a particle
        end = m.end("code")
        for t in toks:
            if t.cap or t.low in ("sur", "lez", "en", "la", "le", "l", "d", "de", "ten", "sint", "aan"):
                end = t.end
            else:
                break
        out.append(Span(m.start(), end, "LOCATION", 0.9, "postal-code"))
    return out


def _ambiguous(ctx: Context, key: str, name_tokens: list) -> bool:
    if len(key.replace(" ", "")) <= 3:
        return True
    if len(name_tokens) == 1 and ctx.is_french(name_tokens[0]):
        return True
    return False


def gazetteer(ctx: Context) -> list[Span]:
    out = []
    toks, text = ctx.tokens, ctx.text
    places, n = ctx.lex.places, ctx.lex.max_place_words
    i = 0
    while i < len(toks):
        if not toks[i].alpha:
            i += 1
            continue
        best = None
        key = toks[i].low
        if key in places:
            best = i
        for j in range(i + 1, min(i + n, len(toks))):
            gap = text[toks[j - 1].end:toks[j].start]
            if gap not in (" ", "-", "'", "’", "-l'", " - "):
                break
            key += " " + toks[j].low
            if key in places:
                best = j
        if best is None:
            i += 1
            continue
        first, last = toks[i], toks[best]
        # a compound must be matched whole: "Saint-Pierre" is not the place "Pierre"
        ca, cb = ctx.compound(first)
        la, lb = ctx.compound(last)
        if ca.i != first.i or lb.i != last.i:
            i += 1
            continue
        span_toks = toks[i:best + 1]
        pkey = " ".join(t.low for t in span_toks)
        if ctx.is_allowed(first.start, last.end) or allowed(ctx, first):
            i = best + 1
            continue
        prev = ctx.prev_token(first)
        prev_ok = prev is not None and prev.low in PLACE_PREPOSITIONS and 0 < first.start - prev.end <= 3
        ambiguous = _ambiguous(ctx, pkey, span_toks)
        if not first.cap:
            # lower-case notes ("cpas de saint-josse"): only unambiguous names after a place word
            if ambiguous or not prev_ok or len(pkey) < 4:
                i += 1
                continue
        elif ambiguous and (first.text.isupper() or not prev_ok):
            # "Spa", "Ans", "Marche", "Liège": only after a place preposition ("à Spa", "CPAS de Marche")
            i += 1
            continue
        out.append(Span(first.start, last.end, "LOCATION", 0.8, "gazetteer"))
        i = best + 1
    return out
