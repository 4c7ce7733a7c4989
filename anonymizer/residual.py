"""Residual check: on an already anonymised text, find what still looks identifying.

Used by the review step to block saving, it is the last defence, so it is a second opinion rather than
the anonymiser run again: its own word lists (residual_vocab.py), and signals the anonymiser weighs
differently or not at all, in families (each one a function of a _Reading, listed in SIGNALS):

- shapes: the exact patterns (e-mails, phones...), an "@", numbers of any shape (OCR'd, spelled out,
  dictated house numbers), dates whose day is OCR'd or spelled, user names without "@", e-mail
  addresses spelled out;
- words: capitalised words unknown to French, listed first names in any case, all-caps surnames,
  communes, letters French never writes, names spelled letter by letter, initials (dotted, bare
  capitals, listed together), signatures and the name after a closing formula, names of German and
  Dutch sentences;
- cues: any word after a civility ("mr kabila"), a name after a family or role word, a naming word or
  as an item before an age, beside or among masked persons ("[Personne D] gul"), opening a sentence as
  its subject, a place after a residence word ("habite Sedan"), nicknames in quotes, chat-line
  authors, the name of a body after its type, streets (also dictated: "rue des, Marronniers");
- the model: the NER model's own person, place and organisation entities on the anonymised text, when
  the caller passes them (Anonymizer.model_entities), cut around placeholders.

Placeholders ([Personne A], [Téléphone], and those a writer typed: [Participant 2], [COMMUNE]) are not
residuals; nor are amounts, scores, counts, ages, years, articles of law, the allow-list's vocabulary,
acronyms the text spells out, countries and regions, English, German and Dutch mail words and nouns.
Overlapping findings are one warning. Without entities it needs no model. Nothing here logs or stores
the text: a Residual carries the flagged words back to the reviewer only.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property

from frenchtext.folding import fold, fold_key
from frenchtext.stopwords import stop_words

from .allowlist import get_allowlist
from .context import Context
from .language import touches
from .lexicon import get_lexicon, is_inflected_french, is_verb_form
from .recognizers.common import unknown_word
from .recognizers.initials import letters_of
from .recognizers import run_family
from .recognizers.names import CIVILITY_RE
from .recognizers.patterns import ARTICLE_RE
from .residual_vocab import (
    ACTS_AFTER_RE,
    AGE_AFTER_RE,
    AGE_UNIT_AFTER_RE,
    AGE_WORDS,
    AMOUNT_AFTER_RE,
    AMOUNT_BEFORE_RE,
    ARTICLE_NAME_RE,
    ARTICLE_OR_ELISION_BEFORE_RE,
    AUTHOR_HANDLE_RE,
    BODY_ACRONYM_RE,
    BRACKET_RE,
    CHAT_WORDS,
    CIVILITY_WORD_RE,
    CLAUSE_RE,
    CLOSING_RE,
    COMPOUND_STREET_RE,
    DECIMALS_AFTER_RE,
    DIGITS_RE,
    DUTCH_WORDS,
    FAMILY_WORDS,
    FOREIGN_FUNCTION_WORDS,
    FOREIGN_LETTER_RE,
    GERMAN_ARTICLE_BEFORE_RE,
    GERMAN_WORDS,
    GERMAN_NOUN_RE,
    HOUSE_NUMBER_RE,
    INITIALS_RE,
    KIN_ROLE_WORDS,
    KIND_ORDER,
    LABEL_AFTER_RE,
    LAW_BEFORE_RE,
    LEET_RE,
    LEET_READINGS,
    LOWER_STREET_RE,
    NAMED_BODY_RE,
    NAMING_RE,
    NER_KINDS,
    NOT_INITIALS,
    NOT_PERSON_KINDS,
    NUMBER_ONLY_RE,
    OCR_DIGITS,
    OCR_NUMBER_RE,
    OCR_WORD_RE,
    OPENING_CHARS,
    OTHER_LANGUAGE_WORDS,
    PATTERN_KINDS,
    PERSON_NOUNS,
    PLACE_CUE_RE,
    PLACEHOLDER_KINDS,
    QUOTED_RE,
    REGISTER_BEFORE_RE,
    SCORE_RE,
    SIGNATURE_RE,
    SPACED_LETTERS_RE,
    SPELLED_DATE_RE,
    SPELLED_EMAIL_RE,
    SPELLED_NUMBER_RE,
    STREET_NAME_RE,
    THOUSANDS_RE,
    TIME_BEFORE_RE,
    TIME_WORDS,
    UNKNOWN_STREET_RE,
    VEHICLE_AFTER_RE,
    WIDE_AREAS,
    YEAR_RE,
)
from .text import Token
from .types import Residual


def residual_check(text: str, entities: list[tuple[int, int, str]] | None = None) -> list[Residual]:
    """Spans of an anonymised text that still look identifying, sorted by position, one per stretch.
    `entities` are the NER model's on this text (Anonymizer.model_entities), when the caller has the model."""
    if not text or not text.strip():
        return []
    r = _Reading(text)
    for signal in SIGNALS:
        signal(r)
    if entities:
        ner_entities(r, entities)
    return r.results()


@dataclass
class _Found:
    start: int
    end: int
    kind: str


class _Reading:
    """One text being read: as written, with its placeholders blanked (same offsets), and what was found."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.slots: list[tuple[int, int, bool]] = []  # placeholders: start, end, stands for a person
        self.masked = self._blank_placeholders(text)
        self.ctx = Context(self.masked, get_lexicon(), get_allowlist())
        self.lex = self.ctx.lex
        self.found: list[_Found] = []

    # --- placeholders
    def _blank_placeholders(self, text: str) -> str:
        chars = list(text)
        for _ in range(2):  # "[[Personne A] A]": a placeholder inside one a writer typed
            masked = "".join(chars)
            for m in BRACKET_RE.finditer(masked):
                kind = self._placeholder_kind(m.group(1))
                if kind is None:
                    continue
                chars[m.start():m.end()] = " " * (m.end() - m.start())
                self.slots.append((m.start(), m.end(), kind not in NOT_PERSON_KINDS))
        self.slots.sort()
        self._by_end = {slot[1]: slot for slot in self.slots}
        self._by_start = {slot[0]: slot for slot in self.slots}
        return "".join(chars)

    @staticmethod
    def _placeholder_kind(inner: str) -> str | None:
        """The folded first word of a bracket that reads as a placeholder ("Personne A", "Participant 2",
        "COMMUNE", "âge", "X"), else None ("[Kevin]" is a name in brackets; "[09:05]" a time)."""
        words = re.findall(r"[^\W\d_]+|\d+", inner)
        if not inner.strip():
            return ""  # what is left of a placeholder typed around one: "[[Personne A] A]"
        if not words or not words[0][0].isalpha():
            return None
        first = fold(words[0])
        if first in PLACEHOLDER_KINDS or len(words[0]) == 1:
            return first
        lex = get_lexicon()
        if not all(lex.is_french(fold(w), w) or w.isdigit() or (len(w) <= 3 and w.isupper()) for w in words):
            return None
        return first

    def slot_before(self, pos: int, gap: str = " \t") -> tuple[int, int, bool] | None:
        """The placeholder that ends right before pos (only `gap` characters between)."""
        j = pos
        while j > 0 and self.text[j - 1] in gap:
            j -= 1
        return self._by_end.get(j)

    def slot_after(self, pos: int, gap: str = " \t") -> tuple[int, int, bool] | None:
        j = pos
        while j < len(self.text) and self.text[j] in gap:
            j += 1
        return self._by_start.get(j)

    # --- words
    @cached_property
    def defined_acronyms(self) -> frozenset[str]:
        """Acronyms the text spells out: "travailleuse médico-sociale (TMS)", "Dienst für ... Leben (DSL)"."""
        out = set()
        for m in re.finditer(r"\(([A-ZÀ-Þ]{2,6})\)", self.masked):
            words = [w for w in re.findall(r"[^\W\d_]+", self.masked[max(0, m.start() - 80):m.start()])
                     if fold(w) not in self.lex.stop_words and w.lower() not in ("für", "van", "von", "der", "de")]
            letters = m.group(1)
            if len(words) >= len(letters) and "".join(w[0] for w in words[-len(letters):]).upper() == letters:
                out.add(letters)
        return frozenset(out)

    @cached_property
    def foreign(self) -> list[tuple[int, int]]:
        """German and Dutch sentences: two of their function words or more that are no French function
        words ("de", "en" are both), a fifth of the sentence's words or more, placeholders left out."""
        return sorted(self.german + self.dutch)

    @cached_property
    def german(self) -> list[tuple[int, int]]:
        return self._languages["de"]

    @cached_property
    def dutch(self) -> list[tuple[int, int]]:
        return self._languages["nl"]

    @cached_property
    def _languages(self) -> dict[str, list[tuple[int, int]]]:
        clauses = []  # (span, German function words, Dutch ones, French ones, words)
        for m in CLAUSE_RE.finditer(self.masked):
            words = [fold(w) for w in re.findall(r"[^\W\d_]+", m.group(0))]
            french = sum(1 for w in words if w in self.lex.stop_words)
            counts = {"de": sum(1 for w in words if w in GERMAN_WORDS), "nl": sum(1 for w in words if w in DUTCH_WORDS)}
            clauses.append((m.span(), counts, french, len(words)))
        out = {}
        for lang in ("de", "nl"):
            hit = [counts[lang] >= 2 and counts[lang] >= 0.2 * n for _, counts, _, n in clauses]
            spans = [c[0] for c, h in zip(clauses, hit) if h]
            for i, (span, _, french, n) in enumerate(clauses):  # a short line of the same message
                if not hit[i] and n and not french and any(hit[j] for j in (i - 1, i + 1) if 0 <= j < len(clauses)):
                    spans.append(span)
            out[lang] = sorted(spans)
        return out

    @cached_property
    def _foreign_offsets(self) -> set[int]:
        return {i for a, b in self.foreign for i in range(a, b)}

    def in_foreign(self, start: int, end: int) -> bool:
        offsets = self._foreign_offsets
        return bool(offsets) and any(i in offsets for i in range(start, end))

    def opening(self, tok: Token) -> bool:
        """A word that opens a sentence, a line, a quote, a bracket, a table cell or what follows a colon:
        a capital there says nothing."""
        if self.ctx.is_start(tok):
            return True
        j = tok.start - 1
        while j >= 0 and self.masked[j] in " \u00a0":
            if j + 1 in self._by_end:
                return False  # a placeholder stands before it: "Réf. : [Numéro] Soignies"
            j -= 1
        if j < 0 or self.masked[j] in OPENING_CHARS or self.masked[j] == "\n" \
                or unicodedata.category(self.masked[j]) in ("So", "Sk", "Cs"):
            return True
        return TIME_BEFORE_RE.search(self.masked, max(0, j - 12), j + 1) is not None  # "16:20 Planning :"

    def allowed(self, start: int, end: int) -> bool:
        return self.ctx.is_allowed(start, end)

    def add(self, start: int, end: int, kind: str) -> None:
        if end > start:
            self.found.append(_Found(start, end, kind))

    def results(self) -> list[Residual]:
        """One Residual per stretch: overlapping findings merge, the most specific kind names it."""
        rank = {k: i for i, k in enumerate(KIND_ORDER)}
        out: list[_Found] = []
        found = [f for f in self.found if f.kind in PATTERN_KINDS or fold_key(self.text[f.start:f.end]) not in WIDE_AREAS]
        for f in sorted(found, key=lambda f: (f.start, -f.end)):
            if out and f.start < out[-1].end:
                last = out[-1]
                kind = min(last.kind, f.kind, key=lambda k: rank.get(k, len(rank)))
                out[-1] = _Found(last.start, max(last.end, f.end), kind)
            else:
                out.append(f)
        return [Residual(f.start, f.end, f.kind, self.text[f.start:f.end]) for f in out]


# ================================================================================== shapes

def patterns(r: _Reading) -> None:
    """The exact patterns of the anonymiser (e-mails, phones, NISS, IBAN, dates, file numbers...) and any "@"."""
    for s in run_family(r.ctx, "patterns"):
        words = r.masked[s.start:s.end].split("_")
        if s.label == "HANDLE" and len(words) > 1 and all(w.isalpha() and fold(w) in r.lex.french for w in words):
            continue  # a column's name in an export ("derniere_adresse"), no user name
        r.add(s.start, s.end, s.label.lower())
    for m in re.finditer("@", r.masked):
        if r.slot_after(m.end(), "") is None:  # "@[Pseudo]" is a handle already masked
            r.add(m.start(), m.end(), "at-sign")


def numbers(r: _Reading) -> None:
    """Four digits or more in any shape, unless a year, an amount, a score or a law's article."""
    masked = r.masked
    for m in DIGITS_RE.finditer(masked):
        raw = m.group(0).strip()
        digits = re.sub(r"\D", "", raw)
        if len(digits) < 4 or YEAR_RE.match(raw) or SCORE_RE.match(raw):
            continue
        if _not_an_identifier_number(masked, m.start(), m.end(), raw):
            continue
        r.add(m.start(), m.end(), "digits")
    for m in OCR_NUMBER_RE.finditer(masked):
        read = m.group(0).translate(OCR_DIGITS).strip()
        if sum(c.isdigit() for c in m.group(0)) >= 2 and sum(c.isalnum() for c in m.group(0)) >= 4 \
                and not YEAR_RE.match(read) and not _not_an_identifier_number(masked, m.start(), m.end(), read):
            r.add(m.start(), m.end(), "digits")  # "0498.l4.76.2l" ("l996" is a year, "l.6O3,l8 €" an amount)
    for m in OCR_WORD_RE.finditer(masked):  # "DEBR0UX"; "NOTIFICATI0N" is a French word misread
        word = m.group(0).replace("0", "O")
        if not r.lex.is_french(fold(word), word.lower()) and word not in r.ctx.allow:
            r.add(m.start(), m.end(), "digits")
    for rx, kind in ((SPELLED_NUMBER_RE, "spelled-number"), (HOUSE_NUMBER_RE, "house-number")):
        for m in rx.finditer(masked):
            if not re.match(r"\s*(?:bis|ter|quater)\b", masked[m.end():m.end() + 8]) \
                    and not ARTICLE_RE.search(masked[max(0, m.start() - 12):m.start()]):
                r.add(m.start(), m.end(), kind)  # "quatre cent cinquante-huit ter" is an article of law
    for m in SPELLED_DATE_RE.finditer(masked):  # "le dix-huit juin", "l2 février": a precise date
        if not LAW_BEFORE_RE.search(masked[max(0, m.start() - 30):m.start()]) and not m.group(0)[0].isdigit():
            r.add(m.start(), m.end(), "date")


def _not_an_identifier_number(masked: str, start: int, end: int, raw: str) -> bool:
    """An amount ("2 340,00 €", "4.000 dollars"), a count ("1.400 habitants"), an age ("22-23 ans"), an
    article of law ("art. 1675/2"), a year and its footnote ("2023 1"), or a time zone ("+0100")."""
    before = masked[max(0, start - 12):start]
    if ARTICLE_RE.search(before) or AMOUNT_BEFORE_RE.search(before) or AMOUNT_AFTER_RE.match(masked, end) \
            or DECIMALS_AFTER_RE.match(masked, end) or AGE_UNIT_AFTER_RE.match(masked, end):
        return True
    if THOUSANDS_RE.match(raw) and re.match(r"\s[a-zà-ÿ]{3,}", masked[end:end + 5]):
        return True
    if re.match(r"^(?:18|19|20)\d{2}\s\d{1,2}$", raw) or before.endswith("+") and len(raw) == 4:
        return True
    return False


def spelled_names(r: _Reading) -> None:
    for m in SPACED_LETTERS_RE.finditer(r.masked):
        r.add(m.start(), m.end(), "spelled-name")


def initials(r: _Reading) -> None:
    """Capitals that may stand for a person: dotted ("M.K."), or 2-3 letters that are no acronym of the
    allow-list and no word, and that no article introduces ("le SSM" is a service). Dotted initials
    listed beside other initials or a person's placeholder are initials even when they spell an
    acronym ("M.K., T.V.")."""
    ctx = r.ctx
    flagged: list[tuple[int, int]] = []
    words: list[tuple[int, int]] = []  # capitals that spell a French word ("CL"): initials only in a list
    for m in INITIALS_RE.finditer(r.masked):
        letters = letters_of(m.group(0))
        dotted = "." in m.group(0)
        if dotted and _listed_with_people(r, m.start(), m.end()):
            flagged.append(m.span())
            continue
        if letters in ctx.allow or letters in NOT_INITIALS or ctx.is_allowed(m.start(), m.end()) \
                or letters in r.defined_acronyms or REGISTER_BEFORE_RE.search(r.masked, max(0, m.start() - 10), m.start()) \
                or re.match(r"\s*(?::\s*\d|n°)", r.masked[m.end():m.end() + 6]):
            continue  # "(TMS)" after its words, "numéro SP", "ITT : 5 jours", "R.Q. n°"
        if ARTICLE_OR_ELISION_BEFORE_RE.search(r.masked[max(0, m.start() - 4):m.start()].lower()):
            continue
        (words if r.lex.is_french(letters.lower()) else flagged).append(m.span())
    for a, b in words:  # "Présents : CL, JM"
        if any(re.fullmatch(r"\s*(?:[,;/&]|et)\s*", r.masked[min(b, d):max(a, c)]) for c, d in flagged):
            flagged.append((a, b))
    for a, b in flagged:
        r.add(a, b, "initials")


def _listed_with_people(r: _Reading, start: int, end: int) -> bool:
    """Whether a comma, slash or "et" joins this to other dotted initials or a person's placeholder."""
    seps = " \t,;/&"
    slot = r.slot_before(start, seps) or r.slot_after(end, seps)
    if slot and slot[2]:
        return True
    before = r.masked[max(0, start - 12):start]
    after = r.masked[end:end + 12]
    return bool(re.search(r"(?:[A-Z]\.){2,}\s*(?:[,;/&]|\bet\b)\s*$", before)
                or re.match(r"\s*(?:[,;/&]|\bet\b)\s*(?:[A-Z][a-z]?\.-?){2,}", after))


def signature(r: _Reading) -> None:
    """The last line of the text, when it holds only initials or one short name ("— fz", "t.d.", "karim")."""
    masked = r.masked.rstrip()
    m = SIGNATURE_RE.search(masked)
    if not m:
        return
    who = m.group("who").strip()
    start = m.start("who")
    word = re.sub(r"[^\w]", "", who)
    if not word or r.allowed(start, start + len(who)):
        return
    dotted = "." in who
    low = fold(word)
    if dotted and len(word) <= 4:
        r.add(start, start + len(who), "signature")
    elif m.group("dash") and len(word) <= 3 and word.isalpha():
        r.add(start, start + len(who), "signature")  # "— cd": a dash makes letters a signature
    elif len(word) >= 3 and word.isalpha() and not r.lex.is_french(low, word) and not word.isupper():
        r.add(start, start + len(who), "signature")


def closings(r: _Reading) -> None:
    """The name after a closing formula, on its line or the next ("Bien à toi, nadia", "Groeten,\nLien")."""
    for m in CLOSING_RE.finditer(r.masked):
        i = r.ctx.token_index_at(m.end())
        if i is None:
            continue
        tok = r.ctx.tokens[i]
        if not tok.alpha or r.lex.is_function_word(tok.low) or _person_noun(tok) or r.allowed(tok.start, tok.end) \
                or _other_language_word(tok) or _chat_word(tok):
            continue
        if r.lex.is_first_name(tok.low) and (tok.cap or not _dictionary_word(r, tok)) \
                or not _dictionary_word(r, tok) and (tok.cap or r.lex.is_name(tok.low)):
            r.add(tok.start, tok.end, "signature")  # "merci bonne soirée" is no signature


def handles(r: _Reading) -> None:
    """User names without their "@": letters and digits mixed inside a word ("dyl4n", "k3vin_b"), or
    joined by an underscore with a digit ("ily_1080"); an e-mail address spelled out ("jean point
    dupont arobase gmail point com")."""
    for m in LEET_RE.finditer(r.masked):
        word = m.group(0)
        if sum(c.isalpha() for c in word) < 4 or r.allowed(m.start(), m.end()):
            continue
        if "_" not in word:  # "F1CHE", "NOTIFICATI0N": a French word misread; "dyl4n", "k3vin": a name
            readings = {fold(word.translate(t)) for t in LEET_READINGS}
            if any(w in r.lex.french for w in readings) and not any(r.lex.is_first_name(w) for w in readings):
                continue
        r.add(m.start(), m.end(), "handle")
    for m in SPELLED_EMAIL_RE.finditer(r.masked):
        r.add(m.start(), m.end(), "email")
    for m in AUTHOR_HANDLE_RE.finditer(r.masked):  # "posté par aidant_liegeois"
        if not r.allowed(m.start("handle"), m.end("handle")):
            r.add(m.start("handle"), m.end("handle"), "handle")


def foreign_letters(r: _Reading) -> None:
    """A word with letters that French never writes ("Łukasz", "ştefan", "Yılmaz", "João"), outside
    German and Dutch sentences: a name, most often."""
    for tok in r.ctx.tokens:
        if tok.alpha and len(tok.text) >= 3 and FOREIGN_LETTER_RE.search(tok.text) and not r.allowed(tok.start, tok.end) \
                and not r.in_foreign(tok.start, tok.end) and not _wide_area(r, tok):
            r.add(tok.start, tok.end, "proper-noun")


# ================================================================================== words

def words(r: _Reading) -> None:
    """Capitalised words unknown to French; listed first names with a capital mid-sentence or typed in
    lower case; compound names in lower case; communes in lower case; names in foreign sentences."""
    ctx, lex = r.ctx, r.lex
    for tok in ctx.tokens:
        opening = r.opening(tok)
        if tok.cap and not opening and _place_phrase(r, tok):
            continue
        if tok.cap and (_not_a_name(r, tok) or _vehicle(r, tok)):
            continue
        if tok.cap and r.in_foreign(tok.start, tok.end):
            if _foreign_name(r, tok):
                r.add(tok.start, tok.end, "foreign-name")
            continue  # a German noun
        if tok.cap and tok.text.isupper():
            if tok.alpha and (len(tok.text) >= 5 and lex.is_name(tok.low) or len(tok.text) >= 4 and tok.low in lex.places) \
                    and not _dictionary_word(r, tok) \
                    and not ctx.is_allowed(tok.start, tok.end):
                r.add(tok.start, tok.end, "proper-noun")  # "M. DUBOIS", "famille KHALIL"
            continue
        if tok.cap:
            if opening and not ctx.is_start(tok) and tok.low in lex.common_first_names \
                    and not lex.is_function_word(tok.low) and tok.low not in AGE_WORDS and not ctx.is_allowed(tok.start, tok.end):
                r.add(tok.start, tok.end, "first-name")  # a frequent first name in a cell or after a colon
                continue
            if opening and not (lex.is_name(tok.low) and not ctx.is_french(tok)) or tok.low in FOREIGN_FUNCTION_WORDS \
                    or _chat_word(tok) or _person_noun(tok):
                continue
            if unknown_word(ctx, tok):
                r.add(tok.start, tok.end, "proper-noun")
            elif not opening and len(tok.text) > 2 and lex.is_first_name(tok.low) \
                    and (tok.low in lex.common_first_names or not _dictionary_word(r, tok)
                         or not re.search(r"(?i:\b(?:le|la|les|l['’]|du|des|au|aux|un|une|son|sa|ses|mon|ma|ce|cette|leur|notre|votre))\s*$",
                                          r.masked[max(0, tok.start - 8):tok.start]) and tok.low not in TIME_WORDS) \
                    and not lex.is_function_word(tok.low) and not ctx.is_allowed(tok.start, tok.end):
                r.add(tok.start, tok.end, "first-name")  # "avec Rose", not "l'Autorité de protection"
            elif not opening and tok.low in lex.places and len(tok.text) > 2 and not _after_article(r, tok) \
                    and not lex.is_function_word(tok.low) and not ctx.is_allowed(tok.start, tok.end):
                r.add(tok.start, tok.end, "place")  # a commune that is also a word, with its capital: "Jambes"
            continue
        if not tok.alpha or ctx.is_allowed(tok.start, tok.end) or r.in_foreign(tok.start, tok.end):
            continue
        if _lower_case_place(r, tok):
            r.add(tok.start, tok.end, "place")
        elif _lower_case_compound_name(r, tok):
            r.add(tok.start, tok.end, "first-name")
        elif len(tok.text) >= 4 and lex.is_first_name(tok.low) and not ctx.is_french(tok) and not _chat_word(tok) \
                and tok.low not in FOREIGN_FUNCTION_WORDS and not _person_noun(tok) \
                and not (is_verb_form(tok.low) and _after_clitic(r, tok)):
            r.add(tok.start, tok.end, "first-name")  # typed without a capital: "vu avec kevin" ("qu'il lise")


def _after_article(r: _Reading, tok: Token) -> bool:
    return re.search(r"(?i:\b(?:le|la|les|l['’]))\s*$", r.masked[max(0, tok.start - 4):tok.start]) is not None


def _after_clitic(r: _Reading, tok: Token) -> bool:
    """After a subject or object pronoun a word is a verb: "qu'il lise", "elle rose" is rare."""
    return re.search(r"(?i:\b(?:je|j|tu|il|elle|on|nous|vous|ils|elles|ne|n|se|s|me|m|te|t|lui|leur|y|en)['’\s])\s*$",
                     r.masked[max(0, tok.start - 8):tok.start]) is not None


def _vehicle(r: _Reading, tok: Token) -> bool:
    """A car's make or model before its plate or registration ("une Opel grise immatriculée ...")."""
    return not r.lex.is_first_name(tok.low) and VEHICLE_AFTER_RE.match(r.masked, tok.end) is not None


def _not_a_name(r: _Reading, tok: Token) -> bool:
    """A capitalised word that names no one: a weekday, month, greeting, civility or mail header word of
    English, German or Dutch; a country or a region; an abbreviation ("Réf.", "Ch. 214"); a form's or a
    header's field label at a line's start ("Onderwerp:"); a German noun (after a German article, or
    shaped like one: "Sozialarbeiterin", "Grüßen")."""
    low = tok.low
    if _other_language_word(tok) or _wide_area(r, tok):
        return True
    if r.masked[tok.end:tok.end + 1] == "." and 1 < len(tok.text) <= 4 and low not in r.lex.places \
            and (re.match(r"\.[ \t]?(?:\d|:)", r.masked[tok.end:tok.end + 3])
                 or r.slot_after(tok.end + 1) is not None and not r.lex.is_first_name(low)
                 or not r.lex.is_first_name(low) and not re.match(r"\.\s*(?:\n|[A-ZÀ-Þ])", r.masked[tok.end:tok.end + 3])):
        return True  # "Réf. :", "Ch. 214", "Sit. :" (a sentence's end is no abbreviation: "à Ath. Mardi")
    if LABEL_AFTER_RE.match(r.masked, tok.end) and _dictionary_word(r, tok) and low not in r.lex.common_first_names:
        return True  # "Âge :", "Classe :"
    article = GERMAN_ARTICLE_BEFORE_RE.search(r.masked, max(0, tok.start - 8), tok.start)
    if article and not r.lex.is_first_name(low) \
            and not re.search(r"(?i:\b(?:van|von|vander|ter|ten))\s+$", r.masked[max(0, article.start() - 8):article.start()]):
        return True  # "Der Heimleiter", "seiner Frau" ("Van den Broeck" is a name)
    prev = r.ctx.prev_token(tok)
    if prev is not None and not prev.cap and prev.low in FOREIGN_FUNCTION_WORDS and r.masked[prev.end:tok.start] == " " \
            and not r.lex.is_first_name(low) and not r.lex.is_first_name(low[:-1]) and low not in r.lex.places:
        return True  # "van het Nederlandstalig", "Aan Vlaamse kant" ("ohne Laras", "naar Anderlecht" are names)
    return len(tok.text) >= 6 and GERMAN_NOUN_RE.search(tok.text) is not None and not r.lex.is_first_name(low) \
        and low not in r.lex.places


def _other_language_word(tok: Token) -> bool:
    return tok.low in OTHER_LANGUAGE_WORDS


def _wide_area(r: _Reading, tok: Token) -> bool:
    """A country or a region: no one is found by it ("resté au Congo", "en Wallonie")."""
    a, b = r.ctx.compound(tok)
    if a.i != b.i:
        return fold_key(r.masked[a.start:b.end]) in WIDE_AREAS  # "Meuse-Ourthe" may be a body's name
    return tok.low in WIDE_AREAS and not re.match(r"\s*\d", r.masked[tok.end:tok.end + 3])


def _place_phrase(r: _Reading, tok: Token) -> bool:
    """Two or three capitalised words that name a commune together ("Sankt Vith", "St. Vith", "La Louvière")."""
    ctx = r.ctx
    for n in (3, 2):
        toks = ctx.tokens[tok.i:tok.i + n]
        if len(toks) < n or not all(t.cap for t in toks) or any(len(r.masked[a.end:b.start]) > 2 for a, b in zip(toks, toks[1:])):
            continue
        if fold_key(r.masked[toks[0].start:toks[-1].end]) in r.lex.places \
                and not ctx.is_allowed(toks[0].start, toks[-1].end):
            r.add(toks[0].start, toks[-1].end, "place")
            return True
    return False


def _foreign_name(r: _Reading, tok: Token) -> bool:
    """In a German or Dutch sentence (where nouns may be capitalised), a capitalised word mid-sentence
    that is a listed name or a commune, or a first name's genitive ("Laras", "Lara's"), and no
    function word of those languages."""
    lex, low = r.lex, tok.low
    if low in stop_words("de") or low in stop_words("nl") or r.allowed(tok.start, tok.end) or len(low) < 3 \
            or r.opening(tok) or tok.text.isupper():
        return False
    german = touches(r.german, tok.start, tok.end)  # every German noun has a capital: only first names there
    listed = lex.is_first_name(low) or not german and lex.is_surname(low)
    if (listed or low in lex.places) and not _dictionary_word(r, tok):
        return True
    return low.endswith("s") and len(low) > 4 and lex.is_first_name(low[:-1])


def _lower_case_compound_name(r: _Reading, tok: Token) -> bool:
    """A hyphenated word made of names, one of them no French word: "renard-lefevre", "ines-rose"."""
    ctx = r.ctx
    a, b = ctx.compound(tok)
    parts = ctx.tokens[a.i:b.i + 1]
    return (len(parts) >= 2 and all(p.alpha and not p.cap and len(p.text) >= 3 and ctx.lex.is_name(p.low) for p in parts)
            and any(not ctx.is_french(p) for p in parts) and not ctx.is_allowed(a.start, b.end))


def _lower_case_place(r: _Reading, tok: Token) -> bool:
    """A commune typed without its capital: when it is no French word ("montignies"), or after a
    residence word or a local body ("habite à jambes", "cpas de liege")."""
    ctx = r.ctx
    a, b = ctx.compound(tok)
    if a.i != b.i:
        return a.i == tok.i and fold_key(ctx.text[a.start:b.end]) in ctx.lex.places  # "fosses-la-ville"
    if tok.low not in ctx.lex.places or len(tok.text) < 3 or ctx.lex.is_function_word(tok.low) \
            or NUMBER_ONLY_RE.fullmatch(tok.text) or tok.low in stop_words("de") or tok.low in stop_words("nl"):
        return False
    if PLACE_CUE_RE.search(r.masked[max(0, tok.start - 30):tok.start]):
        return True
    return len(tok.text) >= 4 and not ctx.is_french(tok)  # a French word ("ligne", "court") needs the cue


# ================================================================================== cues

def cues(r: _Reading) -> None:
    """Words that something around them says are a name or a place."""
    ctx, lex = r.ctx, r.lex
    for tok in ctx.tokens:
        if not tok.alpha or _person_noun(tok):
            continue
        a, b = ctx.compound(tok)
        if a.i != tok.i:
            continue
        if _after_civility(r, tok):
            r.add(a.start, b.end, "name-after-cue")
            continue
        if lex.is_function_word(tok.low) or ctx.is_allowed(tok.start, tok.end):
            continue
        mid_capital = tok.cap and not r.opening(tok) and not tok.text.isupper()
        if r.in_foreign(tok.start, tok.end):
            if tok.cap and lex.is_first_name(tok.low) and tok.low not in stop_words("de") | stop_words("nl") \
                    and _after_cue(r, tok, b.end, mid_capital, family_or_age_only=True):
                r.add(a.start, b.end, "name-after-cue")  # "een zoontje, Milan, 2 jaar"
            continue
        if _listed_with_placeholders(r, tok, b.end) or _acting_at_start(r, tok, b.end):
            r.add(a.start, b.end, "first-name")
            continue
        if _beside_person(r, tok, b.end, mid_capital):
            r.add(a.start, b.end, "name-beside-placeholder")
        elif _after_cue(r, tok, b.end, mid_capital):
            r.add(a.start, b.end, "name-after-cue")
        elif mid_capital and PLACE_CUE_RE.search(r.masked[max(0, tok.start - 30):tok.start]):
            r.add(a.start, b.end, "place")  # "habite Sedan", "originaire de Jambes"


def _listed_with_placeholders(r: _Reading, tok: Token, end: int) -> bool:
    """A first name in a list of masked persons: "[Personne A], gloire et [Personne C]"."""
    if not r.lex.is_first_name(tok.low) or _person_noun(tok) or tok.low in TIME_WORDS or _chat_word(tok):
        return False
    before = r.slot_before(tok.start, " \t,") or r.slot_before(tok.start - 3, " \t") \
        if r.text[max(0, tok.start - 3):tok.start] == "et " else r.slot_before(tok.start, " \t,")
    after = r.slot_after(end, " \t,")
    if r.text[end:end + 4] == " et ":
        after = after or r.slot_after(end + 4, " \t")
    sep_before = r.text[max(0, tok.start - 4):tok.start]
    sep_after = r.text[end:end + 4]
    return bool(before and before[2] and after and after[2] and ("," in sep_before or "et" in sep_before)
                and ("," in sep_after or "et" in sep_after))


def _acting_at_start(r: _Reading, tok: Token, end: int) -> bool:
    """A listed first name that opens a sentence and acts: "Victoire nous supplie", "Germaine a toute sa tête"."""
    if not (tok.cap and r.ctx.is_start(tok)) or not r.lex.is_first_name(tok.low) or len(tok.text) < 3 \
            or r.lex.is_function_word(tok.low) or _person_noun(tok) or tok.low in TIME_WORDS or _chat_word(tok) \
            or _other_language_word(tok) or _wide_area(r, tok) or is_verb_form(tok.low):
        return False
    return ACTS_AFTER_RE.match(r.masked, end) is not None


def _beside_person(r: _Reading, tok: Token, end: int, mid_capital: bool) -> bool:
    """A name part the anonymiser left beside a person it masked: "[Personne D] gul", "Karim [Personne B]"."""
    lex = r.lex
    listed = lex.is_first_name(tok.low) and not _dictionary_word(r, tok)
    if LABEL_AFTER_RE.match(r.masked, end) and _dictionary_word(r, tok):
        return False  # "[Personne E]  Classe : 2C"
    before, after = r.slot_before(tok.start), r.slot_after(end)
    if before and before[2]:
        if mid_capital and (lex.is_name(tok.low) or not r.ctx.is_french(tok)):
            return True
        return not tok.cap and len(tok.text) >= 3 and listed
    return bool(after and after[2] and mid_capital and lex.is_first_name(tok.low))


def _after_civility(r: _Reading, tok: Token) -> bool:
    """Any word after a civility, but a function word, a role ("Madame la directrice") or, after the
    spelled-out civilities, a verb ("madame explique"): "mr kabila", "M. BONNET", "Mme Noël", "Mme D."."""
    m = CIVILITY_WORD_RE.search(r.text, max(0, tok.start - 24), tok.start)
    if not m or _other_language_word(tok):
        return False
    if len(tok.text) == 1 and tok.text.isupper() and r.masked[tok.end:tok.end + 1] == ".":
        return True  # "Mme D.", "famille D."
    if not tok.cap and (touches(r.german, tok.start, tok.end) or _chat_word(tok) or tok.low in TIME_WORDS):
        return False  # "seiner Frau allein", "monsieur euh"
    if r.lex.is_function_word(tok.low) or _person_noun(tok):
        return False
    if tok.low in ("et", "ou") or tok.text in ("A", "À"):
        return False
    spelled = m.group(0).strip().lower() in ("madame", "monsieur", "mademoiselle", "docteur", "maître", "maitre", "famille")
    if spelled and not tok.cap and (is_verb_form(tok.low) or _dictionary_word(r, tok) or not r.lex.is_name(tok.low)):
        return False  # "madame explique", "famille hébergeuse" ("madame kabila" is a name)
    return True


def _after_cue(r: _Reading, tok: Token, end: int, mid_capital: bool, family_or_age_only: bool = False) -> bool:
    """A name after a family word ("sa fille Gloire", "sa mère espérance"), a role word ("l'éducatrice
    Nadia"), a naming word ("dit Greg", "prénommée ines") or as an item before an age ("prince 7a")."""
    lex, ctx = r.lex, r.ctx
    first = lex.is_first_name(tok.low)
    unknown = not ctx.is_french(tok) and not _dictionary_word(r, tok) and len(tok.text) >= 3
    prev = ctx.prev_token(tok)
    gap = r.text[prev.end:tok.start] if prev else ""  # a placeholder between is no gap
    cue = fold(r.masked[ctx.compound(prev)[0].start:prev.end]) if prev else ""
    joined = gap.strip(" (,=:") == "" and "\n" not in gap
    if tok.low in TIME_WORDS or _chat_word(tok):
        return False
    naming = None if family_or_age_only else NAMING_RE.search(r.masked[max(0, tok.start - 16):tok.start])
    if naming and LABEL_AFTER_RE.match(r.masked, end):
        return False  # "Nom : [Nom]   Prénom : ..." is the next label
    if naming and re.search(r"(?i:prénoms?|noms?)\s*:\s*$", naming.group(0)):
        return not _dictionary_word(r, tok) or tok.cap  # a form's name field: "Prénom : Précieuse"
    if naming:
        return mid_capital or unknown or first and not naming.group(0).lower().startswith("dit")
    if joined and cue in FAMILY_WORDS:
        return mid_capital or first and (unknown or len(tok.text) >= 4)
    if joined and cue in KIN_ROLE_WORDS and not family_or_age_only:
        return mid_capital and (first or not ctx.is_french(tok)) or first and unknown
    if AGE_AFTER_RE.match(r.masked, end) and (prev is None or not prev.text.isdigit()):
        item = re.search(r"(?:^|[,:;(\n]|\bet)\s*$", r.masked[max(0, tok.start - 6):tok.start]) is not None
        return (first or unknown or mid_capital) and (item or mid_capital) and tok.low not in AGE_WORDS
    return False


def _chat_word(tok: Token) -> bool:
    return tok.low in CHAT_WORDS


def _dictionary_word(r: _Reading, tok: Token) -> bool:
    """Whether the word is in the French dictionary at all (names included, "Claire", "Rose")."""
    return tok.low in r.lex.french or is_inflected_french(tok.text)


def _person_noun(tok: Token) -> bool:
    return tok.low in KIN_ROLE_WORDS or tok.low in PERSON_NOUNS or tok.low in FAMILY_WORDS


def nicknames(r: _Reading) -> None:
    """A short quotation that names someone: right after a person's placeholder or a naming word
    ("[Personne C], « moustache »", "dit « Greg »"), or an article before a capitalised word
    ("« le Grand Polonais »")."""
    for m in QUOTED_RE.finditer(r.masked):
        q = m.group("q")
        start = m.start("q")
        qwords = q.split()
        if not qwords or len(qwords) > 4 or r.allowed(start, start + len(q)) or not any(c.isalpha() for c in q):
            continue
        slot = r.slot_before(m.start(), " \t,(")
        named = NAMING_RE.search(r.masked[max(0, m.start() - 16):m.start() + 1])
        article = re.match(r"(?i:le|la|les|l['’])\s*([A-ZÀ-ÖØ-Þ][\w'’-]+)", q)
        toks = [t for t in r.ctx.tokens_in(start, start + len(q)) if t.alpha]
        first_word = fold(qwords[0].strip(".,;:!?"))
        if is_verb_form(first_word) and not r.lex.is_first_name(first_word) or r.lex.is_function_word(first_word) \
                and not article:
            continue  # « est suivi », « devient fou », « la touche »: words reported, not a name
        said = named is not None and named.group(0).lower().startswith("dit")
        plain = toks and not any(t.cap or not r.ctx.is_french(t) for t in toks)
        if re.search(r"(?i:\b(?:le|la|les|l['’]))\s*$", r.masked[max(0, m.start() - 5):m.start()]) \
                and toks and toks[0].cap and len(qwords) <= 3:
            r.add(start, start + len(q), "nickname")  # "Jean-Claude (le « Colonel »)"
            continue
        if slot and slot[2] and len(qwords) <= 3 or named and not (said and plain):
            r.add(start, start + len(q), "nickname")
        elif len(qwords) <= 2 and toks and toks[0].cap and not toks[0].text.isupper() \
                and any(r.lex.is_first_name(t.low) or not r.ctx.is_french(t) for t in toks if t.cap) \
                and not any(r.allowed(t.start, t.end) or r.lex.is_function_word(t.low) for t in toks):
            r.add(start, start + len(q), "nickname")  # « Coco », « Shah »
        elif article and not r.allowed(start + article.start(1), start + article.end(1)) \
                and not r.lex.is_function_word(fold(article.group(1))):
            r.add(start, start + len(q), "nickname")


def chat_authors(r: _Reading) -> None:
    """The author of a chat line, before or after its time: "Tshibanda 08:12 :", "[09:05] karim :"."""
    rx = re.compile(r"^[ \t«\"“]*(?:(?i:lun|mar|mer|jeu|ven|sam|dim)\.?[ \t]+)?(?:(?P<a>[^\W\d][\w'’-]{1,30})[ \t]+\[?\d{1,2}[:h.]\d{2}\]?|"
                    r"\[?\d{1,2}[:h.]\d{2}(?::\d{2})?\]?[ \t]*(?:[-–—][ \t]*)?(?P<b>[^\W\d][\w'’-]{1,30}))[ \t]*:",
                    re.MULTILINE)
    for m in rx.finditer(r.masked):
        group = "a" if m.group("a") else "b"
        word, start = m.group(group), m.start(group)
        low = fold(word)
        if r.allowed(start, start + len(word)) or low in KIN_ROLE_WORDS or r.lex.is_function_word(low) \
                or low in TIME_WORDS or low in CHAT_WORDS:
            continue
        if low in PERSON_NOUNS or word in r.ctx.allow:
            continue
        if r.lex.is_name(low) and (word[0].isupper() or not r.lex.is_french(low, word)) or not r.lex.is_french(low, word):
            r.add(start, start + len(word), "chat-author")


def _overlapping(rx: re.Pattern, text: str):
    """Every match of rx, also those that start inside an earlier one."""
    pos = 0
    while (m := rx.search(text, pos)) is not None:
        yield m
        pos = m.start() + 1


def _street_type_is_a_noun(r: _Reading, start: int, word: str) -> bool:
    """"cite" and "cité" after a verb's auxiliary or a pronoun are the verb ("elle cite Goffman",
    "le formateur a cité Michel ..."), as "place" after a subject is ("le juge place Mme ...")."""
    if fold(word) in ("cite",) and word.lower() != "cité":
        return False
    before = r.masked[max(0, start - 12):start].lower().split()
    return not (before and before[-1] in ("a", "avait", "ont", "avaient", "aura", "il", "elle", "on", "qui", "je",
                                          "j", "est", "été", "ai", "as", "avons", "avez"))


def bodies_and_streets(r: _Reading) -> None:
    """The name of one school, shelter or service ("abri de nuit Le Phare", "Athénée royal Air Pur"), and
    a street's name, also dictated with its punctuation ("rue des, Marronniers")."""
    ctx = r.ctx
    for m in NAMED_BODY_RE.finditer(r.masked):
        nxt = ctx.token_index_at(m.end())
        if nxt is None or ctx.is_start(ctx.tokens[nxt]) or CIVILITY_RE.match(ctx.text, m.end()):
            continue
        run = [ctx.tokens[nxt]]  # "Un Toit Pour Toi", "Trois-Sources", "Entre Deux Rives"
        while run[-1].i + 1 < len(ctx.tokens) and ctx.tokens[run[-1].i + 1].cap \
                and r.masked[run[-1].end:ctx.tokens[run[-1].i + 1].start] in (" ", "-", "'", "’"):
            run.append(ctx.tokens[run[-1].i + 1])
        named = [t for t in run if not ctx.lex.is_function_word(t.low) and not t.text.isupper()
                 and not ctx.is_allowed(t.start, t.end)]
        if named and not ctx.is_allowed(m.start(), run[-1].end) and not ctx.is_allowed(run[0].start, run[-1].end):
            r.add(named[0].start, named[-1].end, "organisation")
    for rx in (STREET_NAME_RE, COMPOUND_STREET_RE, LOWER_STREET_RE, UNKNOWN_STREET_RE):
        for m in _overlapping(rx, r.masked):  # "le pont du quai de la boverie": each type may start one
            last = m.group(0).split()[-1]
            if ctx.is_allowed(m.start(), m.start() + len(m.group(0).split()[0])) or ctx.is_allowed(m.start(), m.end()):
                continue  # "Banque Carrefour de la Sécurité sociale"
            if "," in m.group(0) and (last.isupper() or ctx.is_allowed(m.end() - len(last), m.end())):
                continue  # "travail de rue, CPAS"
            if rx is UNKNOWN_STREET_RE and (r.lex.is_french(fold(m.group("name")), m.group("name"))
                                            or r.in_foreign(m.start(), m.end())):
                continue  # "rue de la gare" may be any; "quai de la boverie" is one
            if not _street_type_is_a_noun(r, m.start(), m.group(0).split()[0]):
                continue
            if rx is LOWER_STREET_RE and any(r.lex.is_function_word(fold(w)) for w in m.group(0).split()[1:-1]
                                             if fold(w) not in ("de", "la", "du", "des", "d", "l")):
                continue  # "à la rue depuis 2016"
            name_tok = ctx.token_index_at(m.end() - len(last))
            if name_tok is not None and (_wide_area(r, ctx.tokens[name_tok]) or CIVILITY_RE.match(r.masked, ctx.tokens[name_tok].start)):
                continue  # "la route des Balkans"; "le juge place Mme ..."
            r.add(m.start(), m.end(), "street")
    for m in ARTICLE_NAME_RE.finditer(r.masked):  # "au home Les Hirondelles": an article's capital mid-sentence
        tok = ctx.tokens[ctx.token_index_at(m.start())]
        name = ctx.token_index_at(m.start("name"))
        if name is not None and not r.opening(tok) and not ctx.is_allowed(m.start(), m.end()) \
                and not ctx.is_allowed(m.start("name"), m.end()) and not LAW_BEFORE_RE.search(r.masked[max(0, m.start() - 20):m.start()]):
            r.add(m.start(), m.end(), "organisation")
    for m in BODY_ACRONYM_RE.finditer(r.masked):  # "CAW Oost-Brabant", "ÖSHZ Eupen", "SPS Marche"
        name = ctx.token_index_at(m.start("name"))
        tok = ctx.tokens[name] if name is not None else None
        if tok is not None and m.group("acronym") in ctx.allow and not ctx.lex.is_function_word(tok.low) \
                and (tok.low in ctx.lex.places or fold_key(ctx.compound_text(tok)) in ctx.lex.places
                     or not _dictionary_word(r, tok)) \
                and not ctx.is_allowed(m.start(), m.end()) and not ctx.is_allowed(tok.start, tok.end) \
                and not CIVILITY_RE.match(ctx.text, tok.start) and not tok.text.isupper():
            r.add(m.start("name"), m.end(), "organisation")


# ================================================================================== the model

def ner_entities(r: _Reading, entities: list[tuple[int, int, str]]) -> None:
    """The model's person, place and organisation entities, cut around placeholders, when a piece holds a
    word that is neither French nor allowed, or a capitalised name or commune mid-sentence. Lower-case
    pieces, foreign sentences and pieces of the allow-list's vocabulary are the model's noise."""
    ctx, lex = r.ctx, r.lex
    foreign_words = stop_words("de") | stop_words("nl")
    for a, b, label in entities:
        if label not in NER_KINDS:
            continue
        for s, e in _pieces(r.masked, a, b):
            if r.in_foreign(s, e) or ctx.is_allowed(s, e):
                continue
            for t in ctx.tokens_in(s, e):
                if not t.alpha or len(t.text) < 2 or t.text.isupper() or lex.is_function_word(t.low) \
                        or t.low in foreign_words or ctx.is_allowed(t.start, t.end):
                    continue
                mid_capital = t.cap and not r.opening(t)
                if _person_noun(t) or t.cap and (_not_a_name(r, t) or _vehicle(r, t)) or _chat_word(t) \
                        or t.low in TIME_WORDS or LABEL_AFTER_RE.match(r.masked, t.end) and _dictionary_word(r, t) \
                        or _formal_address(r, t):
                    continue
                if not ctx.is_french(t) and (mid_capital or not _dictionary_word(r, t) and len(t.text) >= 3
                                             and (t.cap or lex.is_first_name(t.low))) \
                        or mid_capital and label == "PER" and lex.is_name(t.low):
                    r.add(s, e, NER_KINDS[label])
                    break


def _formal_address(r: _Reading, tok: Token) -> bool:
    """A role after a civility and its article: "Monsieur le Procureur", "Madame la Présidente"."""
    return re.search(r"(?i:\b(?:madame|monsieur|mesdames|messieurs)\s+(?:le|la|les|l['’])\s*)$",
                     r.masked[max(0, tok.start - 20):tok.start]) is not None


def _pieces(masked: str, a: int, b: int) -> list[tuple[int, int]]:
    """The stretches of [a, b) between blanked placeholders and line breaks, trimmed of punctuation."""
    out = []
    for m in re.finditer(r"(?:(?!\s{2,}|\n).)+", masked[a:b]):
        stripped = m.group(0).strip(" \t,;:.()«»\"“”|[]-–—")
        if stripped:
            s = a + m.start() + m.group(0).find(stripped)
            out.append((s, s + len(stripped)))
    return out


SIGNALS = (patterns, numbers, handles, spelled_names, initials, signature, closings, words, foreign_letters, cues,
           nicknames, chat_authors, bodies_and_streets)
