"""Pattern recognisers: identifiers with a recognisable shape (e-mail, phone, NISS, IBAN, dates, ids...).

Each function takes the analysis context and returns spans. A checksum (NISS, IBAN, phone validity)
only raises the score: a well-shaped but mistyped number is still an identifier and is still masked.
"""
from __future__ import annotations

import re

import phonenumbers
from stdnum import iban as std_iban
from stdnum.be import nn as std_nn

from ..context import Context
from ..types import Span

EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]*\w@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")
URL_RE = re.compile(
    r"(?:(?:https?://|www\.)[^\s<>«»\"“”]+"
    r"|(?<![\w@.-])[\w-]+(?:\.[\w-]+)*\.(?:com|be|fr|net|org|eu|info|io|me|tv|app|ly|gl|nl|de|lu|ch|co)"
    r"(?:/[^\s<>«»\"“”]*)?(?![\w@-])"
    r"|(?<![\w@.-])[\w-]+(?:\.[\w-]+)*\.[a-z]{2,6}/[^\s<>«»\"“”]+)", re.IGNORECASE)  # any domain with a path
HANDLE_RE = re.compile(r"(?<![\w.@/])@[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?")
# A user name without its @: a word joined by an underscore ("leila_b92"), or any single word after
# "compte", "pseudo", "profil" or a network's name ("Snapchat (compte : tonyv4600)").
UNDERSCORE_NAME_RE = re.compile(r"(?<![\w.@/])[A-Za-z0-9]+(?:_[A-Za-z0-9]+)+(?![\w@])")
HANDLE_CUE_RE = re.compile(
    r"(?i:\b(?:compte|pseudo|pseudonyme|profil|identifiant|username|snap(?:chat)?|insta(?:gram)?|tiktok|twitter|"
    r"telegram|discord|facebook|fb)\b)\s*(?:[:(«\"“]\s*|(?:est|:)\s+)?(?:(?:compte|pseudo)\s*:?\s*)?"
    r"(?P<name>[A-Za-z][A-Za-z0-9._]*\d[A-Za-z0-9._]*|[a-z][a-z0-9._]*_[a-z0-9._]+)(?![\w@])")
# Letters and digits mixed inside a lower-case word: a user name ("dyl4n.jcq", "s4rah"), never French.
LEET_NAME_RE = re.compile(r"(?<![\w@./-])(?=[a-z0-9._]{5,}(?![\w@]))[a-z][a-z._]*\d+[a-z][a-z0-9._]*[a-z0-9](?![\w@])")
NUMBER_WORDS = (r"z[ée]ro|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze|seize|"
                r"vingt|trente|quarante|cinquante|soixante|septante|huitante|octante|nonante|cent")
NUMBER_WORD = r"(?:" + NUMBER_WORDS + r")(?:[- ](?:et[- ])?(?:" + NUMBER_WORDS + r"))*"
SPELLED_PHONE_RE = re.compile(r"(?i)(?<![\w-])z[ée]ro(?:[\s,;.-]+" + NUMBER_WORD + r"){5,}(?![\w-])")
SEP = r"(?:[\s.\/-]{1,2}|\)[\s.\/-]?)?"  # "02 511", "00/ 570", "(0)2"
PHONE_RE = re.compile(
    r"(?<![\w+])(?:"
    r"(?:\+|00)\s?\d{2,3}" + SEP + r"(?:\(0\)" + SEP + r")?\d(?:" + SEP + r"\d){6,10}"
    r"|\(?0\d(?:" + SEP + r"\d){7,8}"
    r")(?!\w)")
# Lenient catch-all for foreign shapes: "(253) 268-9604", "878-420-9292 x027", "+1-495-575-6187".
LOOSE_PHONE_RE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]\d{4}(?:\s?(?:x|ext\.?|poste)\s?\d{1,6})?(?!\w)")
NISS_RE = re.compile(r"(?<![\w.+])\d{2}[.\s]?\d{2}[.\s]?\d{2}[\s.-]?\d{3}[\s.]?\d{2}(?![\w])")
# The national number's written shape with a digit missing or added ("71.05.31-117.4"): mistyped, still his.
NISS_SHAPE_RE = re.compile(
    r"(?<![\w.+])\d{2}\.\d{2}\.\d{2}-(?:(?:\d{2}|\d{4})\.\d{1,3}|\d{3}\.(?:\d|\d{3}))(?![\w])")  # not the right shape
IBAN_RE = re.compile(r"(?<![\w])[A-Z]{2}\s?\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,3})?(?![\w])")
IBAN_LENGTHS = {"BE": 16, "FR": 27, "NL": 18, "LU": 20, "DE": 22, "ES": 24, "IT": 27, "PT": 25, "GB": 22, "CH": 21,
                "PL": 28, "RO": 24, "TR": 26, "MA": 28}
MONTHS = (r"janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre|octobre|novembre|d[ée]cembre"
          r"|janv\.|f[ée]vr?\.|avr\.|juil\.|sept\.|oct\.|nov\.|d[ée]c\."
          r"|januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
          r"|januar|februar|m[äa]rz|juni|juli|august|oktober|dezember")
DAYS = r"lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
# A day of the month dictated in words ("le dix-huit juin").
DAY_WORDS = (r"(?i:premier|(?:vingt|trente)(?:[- ]et[- ]un|-(?:deux|trois|quatre|cinq|six|sept|huit|neuf))?|"
             r"dix(?:-(?:sept|huit|neuf))?|deux|trois|quatre|cinq|six|sept|huit|neuf|onze|douze|treize|quatorze|"
             r"quinze|seize)")
DATE_TEXT_RE = re.compile(
    r"(?<!\w)(?:(?:" + DAYS + r")\s+)?(?:1er|0?[1-9]|[12]\d|3[01]|" + DAY_WORDS + r")\.?\s+(?:" + MONTHS + r")(?:\s+(?:\d{4}|'\d{2}))?(?![\w])",
    re.IGNORECASE)
DATE_NUM_RE = re.compile(
    r"(?<![\w/.,-])(?:(?:" + DAYS + r")\s+)?(?:0?[1-9]|[12]\d|3[01])(?:(/)|([.-]))(?:0?[1-9]|1[0-2])"
    r"(?:(?(1)/|[.-])(?:\d{4}|\d{2}))?(?![\w/]|[.,]\d)", re.IGNORECASE)
LAW_BEFORE_RE = re.compile(
    r"\b(?:lois?|d[ée]crets?|arr[êe]t[ée]s?|ordonnances?(?= (?:bruxelloise|de la R[ée]gion|de la COCO|de la Commission|"
    r"conjointe|r[ée]gionale))|circulaires?|codes?|conventions?|directives?|r[èe]glements?|"
    r"AR|A\.R\.|accords? de coop[ée]ration|protocoles?|dekrete?s?|gesetz(?:es)?|wet|decreet|besluit)\b"
    r"(?:[^.;\n]{0,70}?\b(?:du|des|en date du|vom|van))?\s*$", re.IGNORECASE)
FILE_RE = re.compile(
    r"(?i:\b(?:dossiers?|r[ée]f(?:[ée]rence)?s?\.?|PV|RG|R\.G\.|proc[èe]s-verbal|notice|matricule|n°\s*de\s*dossier|"
    r"num[ée]ro\s+de\s+(?:dossier|r[ée]f[ée]rence|registre|client|membre)|n°|no\.|nr\.?))"
    r"\s*(?:n°|no\.?|nr\.?|num[ée]ro|:|#)?\s*(?:[A-Z]{1,5}\s+)?"
    r"(?P<id>(?=[A-Za-z0-9./-]*\d)[A-Za-z0-9](?:[A-Za-z0-9./-]*[A-Za-z0-9])?)")
SLASH_ID_RE = re.compile(r"(?<![\w/.])\d{2,4}/\d{3,7}(?:/[A-Z0-9]{1,4})?(?![\w/])")
MIXED_ID_RE = re.compile(r"(?<![\w.])(?=[A-Za-z0-9]*\d)(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]+(?:[./-][A-Za-z0-9]+){2,}"
                         r"(?:/\d+)?(?![\w])")
DOTTED_NUM_RE = re.compile(r"(?<![\w.,])\d{1,3}(?:\.\d{3}){2,}(?![\w]|,\d)(?!\s?(?:€|EUR|euros?)\b)")
LONG_DIGITS_RE = re.compile(r"(?<![\w.,])\d{6,}(?![\w]|,\d)")
PLATE_RE = re.compile(r"(?<![\w-])(?:[1-9]-?[A-Z]{3}-?\d{3}|[A-Z]{3}-\d{3}|[A-Z]{2}-\d{3}-[A-Z]{2})(?![\w-])")
# German and Dutch shapes look like other codes ("BE-NL 2020"): only after a word about a vehicle.
FOREIGN_PLATE_RE = re.compile(
    r"(?i:immatricul\w*|plaques?|kennzeichen|nummerplaat|voiture|camionnette|v[ée]hicule|auto)\W{1,3}(?:\w+\W{1,3}){0,3}?"
    r"(?P<plate>[A-ZÄÖÜ]{1,3}-[A-Z]{1,2}\s?\d{1,4}[EH]?|[A-Z]{1,3}-\d{2,3}-[A-Z]{1,3}|\d{1,2}-[A-Z]{3}-\d{1,2})(?![\w-])")
YEAR_RE = re.compile(r"^(?:19|20)\d{2}$")


def _strip_trailing(text: str, start: int, end: int, chars: str = ".,;:!?)»\"'’") -> int:
    while end > start and text[end - 1] in chars:
        end -= 1
    return end


def emails(ctx: Context) -> list[Span]:
    return [Span(m.start(), m.end(), "EMAIL", 1.0, "email") for m in EMAIL_RE.finditer(ctx.text)]


def urls(ctx: Context) -> list[Span]:
    out = []
    for m in URL_RE.finditer(ctx.text):
        end = _strip_trailing(ctx.text, m.start(), m.end())
        if end - m.start() >= 5:
            out.append(Span(m.start(), end, "URL", 0.95, "url"))
    return out


def handles(ctx: Context) -> list[Span]:
    out = [Span(m.start(), m.end(), "HANDLE", 0.95, "handle") for m in HANDLE_RE.finditer(ctx.text)
           if len(m.group(0)) >= 3]
    out += [Span(m.start(), m.end(), "HANDLE", 0.85, "handle") for m in UNDERSCORE_NAME_RE.finditer(ctx.text)]
    out += [Span(m.start(), m.end(), "HANDLE", 0.8, "handle") for m in LEET_NAME_RE.finditer(ctx.text)]
    out += [Span(m.start("name"), _strip_trailing(ctx.text, m.start("name"), m.end("name")), "HANDLE", 0.8, "handle")
            for m in HANDLE_CUE_RE.finditer(ctx.text)]
    return out


def phones(ctx: Context) -> list[Span]:
    out = []
    for region in ("BE", "FR"):
        for match in phonenumbers.PhoneNumberMatcher(ctx.text, region, leniency=phonenumbers.Leniency.POSSIBLE):
            valid = phonenumbers.is_valid_number(match.number)
            start, end = match.start, match.end
            if ctx.text[start] == "(" and ")" not in ctx.text[start:end]:
                start += 1
            if PERIOD_RE.fullmatch(ctx.text[start:end].strip("() ")):
                continue  # "2021-2023" is a period, not a number to call
            out.append(Span(start, end, "PHONE", 1.0 if valid else 0.85, "phonenumbers"))
    for m in PHONE_RE.finditer(ctx.text):
        digits = sum(c.isdigit() for c in m.group(0))
        if digits >= 9:
            out.append(Span(m.start(), m.end(), "PHONE", 0.8, "phone-regex"))
    for m in LOOSE_PHONE_RE.finditer(ctx.text):
        out.append(Span(m.start(), m.end(), "PHONE", 0.6, "phone-loose"))
    for m in SPELLED_PHONE_RE.finditer(ctx.text):  # dictated: "zéro quatre sept huit, quarante-quatre, ..."
        out.append(Span(m.start(), m.end(), "PHONE", 0.8, "phone-spelled"))
    return out


def national_ids(ctx: Context) -> list[Span]:
    out = []
    for m in NISS_RE.finditer(ctx.text):
        digits = "".join(c for c in m.group(0) if c.isdigit())
        valid = std_nn.is_valid(digits)
        out.append(Span(m.start(), m.end(), "NATIONAL_ID", 1.0 if valid else 0.85, "niss"))
    out += [Span(m.start(), m.end(), "NATIONAL_ID", 0.8, "niss-shape") for m in NISS_SHAPE_RE.finditer(ctx.text)]
    return out


def ibans(ctx: Context) -> list[Span]:
    out = []
    for m in IBAN_RE.finditer(ctx.text):
        raw = m.group(0)
        end = m.end()
        want = IBAN_LENGTHS.get(raw[:2])
        if want is not None:
            # cut at the country's IBAN length: "BE.. .... .... .... 12" keeps the 16 characters only
            n = 0
            for k, c in enumerate(raw):
                if c.isalnum():
                    n += 1
                    if n == want:
                        end = m.start() + k + 1
                        break
            else:
                end = m.end()
        compact = ctx.text[m.start():end].replace(" ", "")
        if sum(c.isdigit() for c in compact) < 8:
            continue
        valid = std_iban.is_valid(compact)
        out.append(Span(m.start(), end, "IBAN", 1.0 if valid else 0.85, "iban"))
    return out


def _names_a_law(text: str, start: int) -> bool:
    return LAW_BEFORE_RE.search(text[max(0, start - 90):start]) is not None


def dates(ctx: Context) -> list[Span]:
    out = []
    for rx, score in ((DATE_TEXT_RE, 0.95), (DATE_NUM_RE, 0.85)):
        for m in rx.finditer(ctx.text):
            if rx is DATE_NUM_RE and m.group(2) and m.group(0).count(m.group(2)) < 2:
                continue  # "12.06" or "3-4" without a year: an amount or a range, not a date
            if _names_a_law(ctx.text, m.start()):
                continue
            out.append(Span(m.start(), m.end(), "DATE", score, "date"))
    return out


# A reference code: digits in groups joined by - / . with letters perhaps ("HSP-24-00871", "2024/JE/00873",
# "22-5531"): someone's file, whatever the word before it. Not a date, a period, an amount or an article.
CODE_RE = re.compile(r"(?<![\w/.,-])(?:[A-Z]{1,5}[-/])?\d[\dA-Z]*(?:[-/.][\dA-Z]+){1,4}(?![\w/-]|[.,]\d)")
PERIOD_RE = re.compile(r"(?:19|20)\d{2}[-/](?:(?:19|20)?\d{2})")
THOUSANDS_RE = re.compile(r"\d{1,3}(?:\.\d{3})+")
ARTICLE_RE = re.compile(r"(?i:\bart(?:icles?|s?\.)|§)\s*$")  # "art. 1675/2", "§ 1er": a law's article


def codes(ctx: Context) -> list[Span]:
    out = []
    for m in CODE_RE.finditer(ctx.text):
        code = m.group(0)
        digits = sum(c.isdigit() for c in code)
        if digits < 4 or (digits == 4 and not any(c.isalpha() for c in code)) or PERIOD_RE.fullmatch(code) \
                or THOUSANDS_RE.fullmatch(code):
            continue
        before = ctx.text[max(0, m.start() - 12):m.start()]
        if ARTICLE_RE.search(before) or _names_a_law(ctx.text, m.start()):
            continue
        out.append(Span(m.start(), m.end(), "FILE_NUMBER", 0.7, "code"))
    return out


def file_numbers(ctx: Context) -> list[Span]:
    out = []
    text = ctx.text
    for m in FILE_RE.finditer(text):
        ident = m.group("id")
        s, e = m.start("id"), m.end("id")
        digits = sum(c.isdigit() for c in ident)
        if digits < 2 and not any(c in "./-" for c in ident):
            continue
        if YEAR_RE.match(ident):
            continue
        out.append(Span(s, e, "FILE_NUMBER", 0.9, "file-number"))
    for rx in (SLASH_ID_RE, MIXED_ID_RE, DOTTED_NUM_RE, LONG_DIGITS_RE):
        for m in rx.finditer(text):
            out.append(Span(m.start(), m.end(), "OTHER_ID", 0.7, "id-shape"))
    return out


def plates(ctx: Context) -> list[Span]:
    out = [Span(m.start(), m.end(), "PLATE", 0.9, "plate") for m in PLATE_RE.finditer(ctx.text)]
    out += [Span(m.start("plate"), m.end("plate"), "PLATE", 0.8, "plate") for m in FOREIGN_PLATE_RE.finditer(ctx.text)]
    return out
