"""Organisation recognisers: the commune of a named local body ("CPAS de Wavre" -> "CPAS de [Lieu]"),
named schools, hospitals, services and associations ("AMO Le Cercle", "Institut Sainte-Marie"),
article-led proper names mid-sentence ("l'asbl « La Halte »") and names before a legal form ("... SRL").

Generic institution words themselves stay: they are on the allow-list.
"""
from __future__ import annotations

import re

from ..context import Context
from frenchtext.folding import fold_key

from ..text import Token
from ..types import Span
from .common import has_saint, tokens_after, unknown_word

# "école communale des Ormeaux", "athénée royal de Jambes", "centre hospitalier régional de la Citadelle"
BODY_ADJECTIVES = (r"communale?|libre|fondamentale?|primaire|secondaire|maternelle|royale?|provinciale?|r[ée]gionale?|"
                   r"universitaire|sp[ée]cialis[ée]e?|technique|professionnelle?|r[ée]sidentiel(?:le)?|psychiatrique|"
                   r"g[ée]n[ée]ral(?:e)?|public|publique|priv[ée]e?|d['’]accueil|de\s+jour|de\s+nuit")
LOCAL_BODY_RE = re.compile(
    r"(?i:\b(?:cpas|ocmw|cpms|centre\s+pms|pms|saj|spj|amo|ssm|ippj|commune|ville|administration\s+communale|"
    r"zone\s+de\s+police|police\s+de|maison\s+de\s+justice|parquet|tribunal|justice\s+de\s+paix|prison|"
    r"centre\s+fedasil|fedasil|croix-rouge|ila|ais|maison\s+de\s+quartier|plan\s+de\s+cohésion\s+sociale|pcs|"
    r"centre\s+croix-rouge|h[ôo]pital|clinique|chu|chr|centre\s+hospitalier|home|école|ecole|athénée|institut|"
    r"collège|lycée|mutualité|mutuelle)"
    r"\s+(?:(?:" + BODY_ADJECTIVES + r")\s+)?(?:(?:de\s+la\s+communaut[ée]\s+fran[çc]aise\s+)?"
    r"(?:de\s+la\s+|de\s+l['’]|des\b|du\b|de\b|d['’])\s*))")
ACRONYM_PLACE_RE = re.compile(r"(?<![\w-])(?:CPAS|OCMW|ÖSHZ|SPS|SAJ|SPJ|AMO|CPMS|PMS|CLB|CAW|SSM|IPPJ|ILA|AIS|CHU|CHR|CHC|PSE)"
                              r"\s+(?=[A-ZÀ-ÖØ-Þ])")
ORG_TYPES = (r"asbl|a\.s\.b\.l\.|amo|ssm|service\s+de\s+sant[ée]\s+mentale|centre|institut|[ée]cole|ath[ée]n[ée]e|coll[èe]ge|"
             r"lyc[ée]e|clinique|polyclinique|h[ôo]pital|chu|chr|chc|home|r[ée]sidence|foyer|cr[èe]che|internat|maison|"
             r"caf[ée]|restaurant|brasserie|snack|soci[ée]t[ée]|entreprise|garage|menuiserie|boulangerie|magasin|"
             r"supermarch[ée]|h[ôo]tel|association|fondation|agence|ais|ippj|mrs?|maison\s+de\s+repos|"
             r"maison\s+m[ée]dicale|maison\s+d['’]accueil|abri|asile\s+de\s+nuit|accueil\s+de\s+jour|comptoir|"
             r"service|projet|club|cercle|groupe|firme|usine|atelier|bureau|cabinet|[ée]tude|pharmacie|librairie|"
             r"salon|centre\s+de\s+jour|habitation|logements?|soci[ée]t[ée]\s+de\s+logement|sprl|srl|"
             r"zone(?:\s+de\s+police)?")
# Words that qualify a type before its proper name: "Athénée royal ...", "école communale ...".
TYPE_QUALIFIERS = (r"royale?|communale?|provinciale?|r[ée]gionale?|libre|autonome|fondamentale?|secondaire|primaire|"
                   r"maternelle?|sp[ée]ciale?|sp[ée]cialis[ée]e?|technique|professionnelle?|g[ée]n[ée]rale?|"
                   r"psychiatrique|universitaire|priv[ée]e?|publique?")
ORG_TYPE_RE = re.compile(r"(?<![\w-])(?i:" + ORG_TYPES + r")(?:\s+(?:" + TYPE_QUALIFIERS + r")){0,2}\s+[«\"“]?\s*(?=[A-ZÀ-ÖØ-Þ])")
ARTICLE_RE = re.compile(r"(?<![\w'’])(?:Le|La|Les|L['’])\s*(?=[A-ZÀ-ÖØ-Þ0-9])")
LEGAL_FORM_RE = re.compile(r"(?<![\w.])(?:asbl|ASBL|a\.s\.b\.l\.|SRL|SPRL|SA|SC|SCRL|SCS|SNC|vzw|VZW|bvba|BV|NV|Sàrl)(?![\w])")
CONNECTORS = frozenset({"de", "du", "des", "d", "la", "le", "les", "l", "et", "&", "en", "sur", "aux", "au", "pour",
                        "sans"})


def _name_run(ctx: Context, start_tok: Token, max_tokens: int = 7) -> Token | None:
    """Last token of a proper-name phrase starting at start_tok: capitalised words, numbers, connectors
    followed by a capitalised word. None when the phrase does not start with a capitalised word."""
    if not (start_tok.cap or start_tok.text.isdigit()):
        return None
    toks, text = ctx.tokens, ctx.text
    last = start_tok
    k = start_tok.i + 1
    while k < len(toks) and k - start_tok.i < max_tokens:
        t = toks[k]
        gap = text[last.end:t.start]
        if gap not in (" ", "-", "'", "’", " & ", "\u00a0"):
            break
        if t.cap or t.text.isdigit():
            last = t
            k += 1
            continue
        if t.low in CONNECTORS:
            # up to two connectors before a capitalised word: "de la Sambre", "de l'Est"
            m = k + 1
            if m < len(toks) and toks[m].low in CONNECTORS and not toks[m].cap \
                    and text[t.end:toks[m].start] in (" ", "'", "’"):
                m += 1
            if m < len(toks) and toks[m].cap and text[toks[m - 1].end:toks[m].start] in (" ", "'", "’") \
                    and not ctx.is_allowed(toks[m].start, toks[m].end):  # "De Brug pour MENA": MENA is no name
                last = toks[m]
                k = m + 1
                continue
        break
    return last


def _is_content(ctx: Context, toks: list[Token]) -> bool:
    """Whether a phrase holds something identifying: an unknown word, a Saint-name, a name or a place."""
    for t in toks:
        if ctx.is_allowed(t.start, t.end):
            continue
        if unknown_word(ctx, t) or has_saint(ctx, t):
            return True
        if t.cap and ctx.lex.is_name(t.low) and not ctx.is_french(t):
            return True
    return False


def local_bodies(ctx: Context) -> list[Span]:
    """The place part of "CPAS de Wavre", "SAJ de Verviers", "Athénée Royal de ..." (lower case too)."""
    out = []
    for tok in tokens_after(ctx, LOCAL_BODY_RE):
        a, b = ctx.compound(tok)
        if a.i != tok.i:
            continue
        if tok.cap:
            if ctx.lex.is_first_name(tok.low) and tok.low not in ctx.lex.places:
                continue  # "sortie d'IPPJ de Nathan ...": a person, left to the name recognisers
            last = _name_run(ctx, tok, 4) or b
            last = max(last, b, key=lambda t: t.end)
        elif not ctx.is_french(tok) and tok.alpha and len(tok.text) >= 3:
            last = b  # lower-case notes: "cpas de saint-josse"
        else:
            continue
        if ctx.is_allowed(tok.start, last.end):
            continue
        out.append(Span(tok.start, last.end, "LOCATION", 0.85, "local-body"))
    return out


def acronym_places(ctx: Context) -> list[Span]:
    """A service's acronym directly before its commune: "SPS Marche", "CPAS Hannut", "CLB Leuven"."""
    out = []
    for tok in tokens_after(ctx, ACRONYM_PLACE_RE):
        a, b = ctx.compound(tok)
        if a.i == tok.i and fold_key(ctx.text[a.start:b.end]) in ctx.lex.places and not ctx.is_allowed(a.start, b.end):
            out.append(Span(a.start, b.end, "LOCATION", 0.8, "acronym-place"))
    return out


def named_institutions(ctx: Context) -> list[Span]:
    """The proper name after an institution type: "AMO Le Cercle", "Institut Sainte-Marie de Jambes"."""
    out = []
    for first in tokens_after(ctx, ORG_TYPE_RE):
        if first.low in ("le", "la", "les", "l") and first.i + 1 < len(ctx.tokens):
            run_start = ctx.tokens[first.i + 1]
            last = _name_run(ctx, run_start)
            article = True
        else:
            last = _name_run(ctx, first)
            article = False
        if last is None:
            continue
        toks = ctx.tokens[first.i:last.i + 1]
        # drop trailing connectors and a trailing legal form
        while toks and (toks[-1].low in CONNECTORS or ctx.is_allowed(toks[-1].start, toks[-1].end) and len(toks) > 1
                        and toks[-1].text.isupper()):
            toks.pop()
        while toks and (toks[0].low in CONNECTORS or ctx.is_allowed(toks[0].start, toks[0].end)):
            toks.pop(0)
            article = False
        if not toks:
            continue
        if ctx.is_allowed(toks[0].start, toks[-1].end):
            continue
        # A name of ordinary words after an institution type still names one place when its words are
        # capitalised mid-sentence ("l'AIS Toit pour Tous", "l'asbl Lire et Écrire").
        titled = not ctx.is_start(toks[0]) and (sum(t.cap for t in toks) >= 2
                                                 or len(toks) == 1 and toks[0].cap and not toks[0].text.isupper())
        if article or titled or _is_content(ctx, toks):
            out.append(Span(toks[0].start, toks[-1].end, "ORG", 0.8, "institution"))
    return out


def article_names(ctx: Context) -> list[Span]:
    """A capitalised article inside a sentence starts a proper name: "« Le Tremplin »", "La Boussole"."""
    out = []
    for m in ARTICLE_RE.finditer(ctx.text):
        i = ctx.token_index_at(m.start())
        if i is None or ctx.is_start(ctx.tokens[i]):
            continue
        art = ctx.tokens[i]
        if i + 1 >= len(ctx.tokens):
            continue
        nxt = ctx.tokens[i + 1]
        last = _name_run(ctx, nxt)
        if last is None:
            continue
        toks = ctx.tokens[nxt.i:last.i + 1]
        while toks and toks[-1].low in CONNECTORS:
            toks.pop()
        if not toks or ctx.is_allowed(art.start, toks[-1].end) or ctx.is_allowed(toks[0].start, toks[-1].end):
            continue
        if all(t.text.isupper() for t in toks if t.alpha):
            continue  # "le CPAS", "La PJ": acronyms
        out.append(Span(art.start, toks[-1].end, "ORG", 0.7, "article-name"))
    return out


def legal_form_names(ctx: Context) -> list[Span]:
    """Capitalised words before a legal form: "Bois & Création SRL", "Entre Deux Rives asbl"."""
    out = []
    toks, text = ctx.tokens, ctx.text
    for m in LEGAL_FORM_RE.finditer(text):
        i = ctx.token_index_at(m.start())
        if i is None or i == 0:
            continue
        k = i - 1
        first = None
        while k >= 0:
            t = toks[k]
            gap = text[t.end:toks[k + 1].start]
            if gap not in (" ", "-", "'", "’", " & ", "\u00a0"):
                break
            if t.cap or t.text.isdigit() or (t.low in CONNECTORS and k > 0 and toks[k - 1].cap):
                first = t
                k -= 1
                if ctx.is_start(t):
                    break
                continue
            break
        if first is None:
            continue
        span_toks = toks[first.i:i]
        while span_toks and (span_toks[0].low in CONNECTORS | {"l"} or ctx.lex.is_function_word(span_toks[0].low)):
            span_toks.pop(0)
        if not span_toks or ctx.is_allowed(span_toks[0].start, span_toks[-1].end):
            continue
        out.append(Span(span_toks[0].start, span_toks[-1].end, "ORG", 0.8, "legal-form"))
    return out
