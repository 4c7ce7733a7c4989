"""The residual check's vocabulary: its word lists (data/residual_words.txt) and the shapes it reads.

Kept apart from the anonymiser's own lists on purpose: the check is a second opinion. The lists are
general vocabulary (kinship and role words, weekdays, greetings and header words of English, German and
Dutch mail, words of chats, regions and countries); the patterns are shapes of numbers, names, streets
and cues. Loaded once, at import.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from frenchtext.folding import fold, fold_key
from frenchtext.stopwords import stop_words

from .lexicon import DATA_DIR, _read_list
from .recognizers.common import DETERMINERS
from .recognizers.initials import DOTTED_RE
from .recognizers.organisations import ORG_TYPES
from .recognizers.patterns import MONTHS, NUMBER_WORD
from .recognizers.places import STREET_TYPES


def _sections(path=DATA_DIR / "residual_words.txt") -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("[") and line.endswith("]"):
            current = out.setdefault(line[1:-1], [])
        elif line and current is not None:
            current.extend(line.split())
    return out


_SECTIONS = _sections()


def _section(name: str, key: Callable[[str], str] = fold) -> frozenset[str]:
    return frozenset(key(w) for w in _SECTIONS[name])


# ------------------------------------------------------------------------------------------ placeholders
BRACKET_RE = re.compile(r"\[([^\[\]\n]{1,40})\]")
PLACEHOLDER_KINDS = _section("placeholder_kinds")
# Placeholder kinds that stand for no person (a word next to them is no surname left behind).
NOT_PERSON_KINDS = _section("not_person_kinds")

# ------------------------------------------------------------------------------------------ numbers
DIGITS_RE = re.compile(r"\d(?:[\d\s./-]*\d)?")
YEAR_RE = re.compile(r"^(?:18|19|20)\d{2}$")
AMOUNT_AFTER_RE = re.compile(r"(?:[.,][\dlIO]{1,2}(?![\dlIO]))?\s?(?:€|eur\b|euros?\b|%|\$|£|dollars?\b|francs?\b|"
                             r"livres?\b|zlotys?\b|lei\b)", re.IGNORECASE)
AGE_UNIT_AFTER_RE = re.compile(r"\s?(?:ans?|jaar|jahre?|mois|km|kg|m²|m2|h)\b", re.IGNORECASE)
THOUSANDS_RE = re.compile(r"^\d{1,3}(?:[. ]\d{3})+$")
OCR_DIGITS = str.maketrans("lIO", "110")
AMOUNT_BEFORE_RE = re.compile(r"(?:€|eur|euros?)\s?$", re.IGNORECASE)
DECIMALS_AFTER_RE = re.compile(r",[\dlIO]{2}(?![\dlIO])")  # "1.263,17": an amount even without its sign
SCORE_RE = re.compile(r"^(\d{1,2})\s?/\s?(\d{1,3})$")  # "17/30", "8/10": a score, not a date
SPELLED_NUMBER_RE = re.compile(r"(?i)(?<![\w-])" + NUMBER_WORD + r"(?:[\s,;.-]+(?:" + NUMBER_WORD
                               + r"|point|tiret|barre|slash)){3,}(?![\w-])")
HOUSE_NUMBER_RE = re.compile(r"(?i)(?<![\w-])(?:num[ée]ro|n°|bo[îi]te)\s+(?:" + NUMBER_WORD + r")(?![\w-])")
DAY_WORD = r"(?:premier|1er|un|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|treize|quatorze|quinze|seize|" \
           r"dix-sept|dix-huit|dix-neuf|vingt(?:[- ](?:et[- ])?(?:un|deux|trois|quatre|cinq|six|sept|huit|neuf))?|" \
           r"trente(?:[- ]et[- ]un)?)"
SPELLED_DATE_RE = re.compile(r"(?i)(?<![\w-])(?:" + DAY_WORD + r"|[0-9lI]?[lI][0-9lI]?|[lI]?[0-9])\s+(?:" + MONTHS
                             + r")(?![\w])")
LAW_BEFORE_RE = re.compile(r"(?i)\b(?:lois?|d[ée]crets?|arr[êe]t[ée]s?|ordonnances?|codes?|conventions?|AR|AM)(?:[ -]\w+)?\s+"
                           r"(?:du|de|des)?\s*$")
# OCR reads 1 as l or I and 0 as O: "0498.l4.76.2l", "l6/0l", "DEBR0UX"
OCR_NUMBER_RE = re.compile(r"(?<![\w.])(?=[\dlIO./-]*\d)(?=[\dlIO./-]*[lIO])[\dlIO](?:[\dlIO./ -]*[\dlIO])?(?![\w])")
OCR_WORD_RE = re.compile(r"\b[A-Z]+0[A-Z0]*\b")

LEET_RE = re.compile(r"(?<![\w.@])(?:[^\W\d_]+\d+[^\W\d_]+[\w]*|[^\W_]*[^\W\d_][^\W_]*_[\w]*\d[\w]*|"
                     r"[\w]*\d[\w]*_[^\W_]*[^\W\d_][\w]*)(?![\w@])")
SPELLED_EMAIL_RE = re.compile(r"(?i)\b[\w.-]+(?:\s+(?:point|dot)\s+[\w-]+)*\s*(?:\(at\)|\[at\]|\barobase\b|\bat\b)\s*"
                              r"[\w-]+\s*(?:\.|\bpoint\b|\(dot\)|\[dot\]|\bdot\b)\s*(?:com|be|fr|net|org|eu|nl|de|lu)\b")
LEET_READINGS = (str.maketrans("0134579", "oieasgt"), str.maketrans("0134579", "olease9"))
AUTHOR_HANDLE_RE = re.compile(r"(?i:\b(?:par|de|pseudo|compte|profil|user|utilisateur|auteur|auteure)\s*:?\s+)"
                              r"(?P<handle>[^\W_]+(?:[_.][^\W_]+)*_[^\W_]+)")
FOREIGN_LETTER_RE = re.compile(r"[łŁśŚźŹżŻńŃćĆęĘąĄşŞșȘţŢțȚğĞıİñÑãÃõÕåÅøØđĐěĚřŘšŠžŽčČůŮőŐűŰ]")

# ------------------------------------------------------------------------------------------ words
INITIALS_RE = re.compile(DOTTED_RE.pattern + r"|(?<![\w.])(?:[A-Z]{2,3}|[A-Z][a-z][A-Z])(?![\w'’-])")  # "M.K.", "JD", "MdB"
# Capitals that are abbreviations of everyday words, of mail subjects and of forms, never initials.
NOT_INITIALS = _section("not_initials", str.upper)
REGISTER_BEFORE_RE = re.compile(r"(?i:\b(?:num[ée]ro|n°|no|nr)\.?)\s+$")
ARTICLE_OR_ELISION_BEFORE_RE = re.compile(
    r"(?:\b(?:" + "|".join(sorted(DETERMINERS, key=len, reverse=True)) + r")\s|['’])$")  # "le SSM", "l'AS"
SPACED_LETTERS_RE = re.compile(r"(?<!\S)(?:[a-zA-Z] ){3,}[a-zA-Z](?!\S)")  # a name spelled out: "a m o u r a d"
NUMBER_ONLY_RE = re.compile(r"(?i)" + NUMBER_WORD)
# The last line of a message, when it is only initials or a short name: "— fz", "t.d.", "— karim"
SIGNATURE_RE = re.compile(r"(?:^|\n|[.!?»”\"][ \t]+(?=[-–—]))[ \t]*(?P<dash>[-–—][ \t]*)?(?P<who>(?:[A-Za-z][a-z]?\.-?\s?){1,3}|[A-Za-zÀ-ÿ][\w-]{1,14})"
                          r"[ \t]*$")
CLAUSE_RE = re.compile(r"[^.!?\n:«»“”\"]+")  # a quotation or what follows a colon may change language
TIME_BEFORE_RE = re.compile(r"\d{1,2}[:h]\d{2}\]?$")
OPENING_CHARS = ":;«“\"|>*•·\t"

CLOSING_RE = re.compile(r"(?i:\b(?:cordialement|bien\s+à\s+(?:vous|toi)|bien\s+amicalement|amicalement|bises|bisous|"
                        r"à\s+bientôt|salutations(?:\s+distinguées)?|merci(?:\s+d['’]avance)?|groeten|groetjes|"
                        r"met\s+vriendelijke\s+groeten|mit\s+freundlichen\s+grü(?:ß|ss)en|grü(?:ß|ss)e|regards|"
                        r"best\s+regards))[ \t]*[,.!]?[ \t]*\n?[ \t]*(?:[-–—][ \t]*)?")

# ------------------------------------------------------------------------------------------ cues
KIN_ROLE_WORDS = _section("kin_role_words")
# A civility before a word makes it a name, in any case ("mr kabila", "M. BONNET", "Frau Schröder", "Mme D.")
CIVILITY_WORD_RE = re.compile(r"(?<![\w.])(?:M\.|MM\.|Me\.?|Pr\.?|(?i:mr|mrs|mme|mmes|mlle|melle|dr|dhr|mevr)\.?|(?i:madame|monsieur|"
                              r"mademoiselle|docteur|ma[îi]tre|famille|herrn?|frau|mevrouw|meneer)|Mevrouw|Meneer)"
                              r"(?:\s+et\s+(?:M\.|Mme|Madame|Monsieur))?[ \t]+$")
FAMILY_WORDS = _section("family_words")
TIME_WORDS = _section("time_words")
# French words of chats, notes and speech that no dictionary lists: "jai", "cest", "euh" (general vocabulary).
CHAT_WORDS = _section("chat_words")
PERSON_NOUNS = _section("person_nouns")
# After a name that opens a sentence: a clitic pronoun, an auxiliary or a reporting verb ("Lama m'a confié").
ACTS_AFTER_RE = re.compile(r"\s+(?:(?:ne|n['’]|nous|vous|lui|leur|me|m['’]|te|t['’]|se|s['’]|l['’]|y|en)\s*)?"
                           r"(?:a|avait|aura|est|était|sera|dit|disait|explique|raconte|demande|veut|voulait|refuse|"
                           r"confie|confié|supplie|pleure|appelle|téléphone|vient|venait|va|allait|habite|vit|vivait|"
                           r"travaille|dort|revient|rentre|part|est\s+venue?)\b")
AGE_WORDS = _section("age_words")
NAMING_RE = re.compile(r"(?i)(?<![\w-])(?:dit|dite|prénommée?|nommée?|appelée?|surnommée?|alias|prénoms?\s*:|noms?\s*:|"
                       r"appell?ent|surnomment|un\s+certain|une\s+certaine|"
                       r"madame\s*=|monsieur\s*=|mme\s*=|m\.\s*=)\s*[«\"“]?\s*$")
AGE_AFTER_RE = re.compile(r"\s*(?:[,(]?\s*\d{1,2}\s*(?:ans?\b|a\b|mois\b|jaar\b|jahre?\b|j\b)|\(\d{1,2}\))")
QUOTED_RE = re.compile(r"[«\"“]\s*(?P<q>[^«»\"“”\n]{1,40}?)\s*[»\"”]")
PLACE_CUE_RE = re.compile(r"(?i)(?<![\w-])(?:habite|habitait|vit|vivait|réside|résidait|domicilié|domiciliée|"
                          r"originaire|né|née|déménagé|déménagée|installé|installée|hébergé|hébergée|"
                          r"cpas|ocmw|ösh?z|commune|ville|village|région|quartier|zone|gare)"
                          r"(?:\s+(?:à|a|de|du|d['’]|en|au|sur))?\s+$")
FOREIGN_BODY = r"[a-zà-ÿ]*(?:school|schule|ziekenhuis|krankenhaus|kliniek|klinik|atheneum|lyceum|gymnasium|centrum|zentrum|heim|huis)"
NAMED_BODY_RE = re.compile(r"(?<![\w-])(?i:" + ORG_TYPES + "|" + FOREIGN_BODY + r")(?:[ \t]+[a-zà-ÿ]+){0,2}[ \t]+[«\"“]?\s*"
                           r"(?:(?:Le|La|Les|Un|Une|L['’]|De|Het|Den|Am|Im|Zum|Zur)\s*)?(?=[A-ZÀ-ÖØ-Þ])")
STREET_NAME_RE = re.compile(r"(?<![\w-])(?i:" + STREET_TYPES + r")[\s,]+(?:(?i:de\s+la[\s,]+|de\s+l['’][\s,]*|du[\s,]+|des[\s,]+|"
                            r"de[\s,]+|d['’][\s,]*))?"
                            r"[A-ZÀ-ÖØ-Þ][\w'’-]+")

COMPOUND_STREET_RE = re.compile(r"(?<![\w-])(?:[A-ZÀ-ÖØ-Þ][\w-]*(?:straat|steenweg|laan|dreef|plein|lei|weg|stra(?:ß|ss)e|"
                                r"gasse|platz|ring|allee)|[A-ZÀ-ÖØ-Þ][\w-]*er\s(?:Stra(?:ß|ss)e|Weg|Platz))(?:\s\d+\w?)?(?![\w-])")
LOWER_STREET_RE = re.compile(r"(?<![\w-])(?i:" + STREET_TYPES + r")\s+(?:de\s+la\s+|de\s+l['’]\s*|du\s+|des\s+|de\s+|d['’]\s*)?"
                             r"[a-zà-ÿ][\w'’-]+(?:\s[a-zà-ÿ][\w'’-]+)?\s+\d{1,4}\b")
UNKNOWN_STREET_RE = re.compile(r"(?<![\w-])(?i:" + STREET_TYPES + r")\s+(?:de\s+la\s+|de\s+l['’]\s*|du\s+|des\s+|de\s+|d['’]\s*)"
                               r"(?P<name>[a-zà-ÿ][\w'’-]{3,})")
ARTICLE_NAME_RE = re.compile(r"(?<![\w'’])(?:Le|La|Les|L['’])\s?(?P<name>[A-ZÀ-ÖØ-Þ][\w'’-]+(?:\s[A-ZÀ-ÖØ-Þ][\w'’-]+)?)")
BODY_ACRONYM_RE = re.compile(r"(?<![\w-])(?P<acronym>[A-ZÀ-ÖØ-Þ]{2,5})[ \t](?P<name>[A-ZÀ-ÖØ-Þ][a-zà-ÿ][\w'’-]*)")
# Everyday words of English, German and Dutch mail and calendars, never a name: weekdays, months,
# greetings, civilities and header keys (general vocabulary, not read from any text).
OTHER_LANGUAGE_WORDS = _section("other_language_words")
# Countries and regions (general geography): too wide to identify anyone.
WIDE_AREAS = _section("wide_areas", fold_key) | frozenset(
    fold_key(w) for w in _read_list("countries_fr.txt") if fold_key(w) != "belgique")
FOREIGN_FUNCTION_WORDS = frozenset((set(stop_words("de")) | set(stop_words("nl")))
                                   - set(stop_words("fr")) - {"van", "von", "de", "der", "den", "ter", "ten",
                                                                              "zu", "vander", "op"})
VEHICLE_AFTER_RE = re.compile(r"(?:[ ,(]+[\w-]+){0,2}[ ,(]+(?:immatricul|plaque\b|[Pp]laque\s|kenteken|Kennzeichen)")
# German and Dutch function words that are no French function words ("de", "en" are both), folded.
GERMAN_WORDS = frozenset(fold(w) for w in stop_words("de")) - frozenset(
    fold(w) for w in stop_words("fr"))
DUTCH_WORDS = frozenset(fold(w) for w in stop_words("nl")) - frozenset(
    fold(w) for w in stop_words("fr"))
LABEL_AFTER_RE = re.compile(r"[ \t]*:")
GERMAN_ARTICLE_BEFORE_RE = re.compile(r"(?<![\w'’])(?:[Dd]er|[Dd]ie|[Dd]as|[Dd]en|[Dd]em|[Dd]es|[Ee]in|[Ee]ine|[Ee]inen|[Ee]inem|"
                                      r"[Ee]iner|[Ee]ines|vom|zum|zur|beim|im|am|[Ss]eine|[Ss]einer|[Ii]hre|[Ii]hrer|[Mm]eine|"
                                      r"[Mm]einer|[Uu]nsere|[Uu]nseren)\s+$")
GERMAN_NOUN_RE = re.compile(r"ß|(?:ung|ungen|heit|keit|schaft|erin|erinnen|assistentin|chen|ismus|tät|stelle|dienst|"
                            r"gericht|richter|arzt|ärztin|bericht|leiter|leiterin)$")
NER_KINDS = {"PER": "ner-person", "LOC": "ner-place", "ORG": "ner-organisation", "MISC": "ner-organisation"}
PATTERN_KINDS = frozenset({"email", "url", "handle", "phone", "national_id", "iban", "plate", "file_number", "date",
                           "other_id"})
# Which kind a reviewer reads first when findings overlap: the most specific.
KIND_ORDER = ("email", "url", "handle", "phone", "national_id", "iban", "plate", "file_number", "date", "other_id",
              "at-sign", "digits", "spelled-number", "house-number", "street", "initials", "signature", "chat-author",
              "nickname", "name-after-cue", "name-beside-placeholder", "first-name", "proper-noun", "place",
              "organisation", "spelled-name", "foreign-name", "ner-person", "ner-place", "ner-organisation")
