"""Each recogniser of the registry, alone, on a small context, without the spaCy pipeline (Presidio's way:
one recogniser, one test). The NER recogniser is given the model's entities by hand."""
from __future__ import annotations

import inspect

import pytest

from anonymizer.allowlist import get_allowlist
from anonymizer.context import Context
from anonymizer.lexicon import get_lexicon
from anonymizer.recognizers import (FAMILIES, analyse_context, initials, names, ner, organisations, patterns, places,
                                    transcribed)
from anonymizer.recognizers import run_family
from tests.helpers import ctx

# recogniser -> (a text, what it must find there)
EXAMPLES = {
    patterns.emails: ("Écrire à sophie.lemaire@exemple.be demain.", "sophie.lemaire@exemple.be"),
    patterns.urls: ("Voir https://www.exemple-asbl.be/contact pour le formulaire.", "https://www.exemple-asbl.be/contact"),
    patterns.handles: ("Elle poste sous le pseudo @ninou_du_91 sur Instagram.", "@ninou_du_91"),
    patterns.phones: ("Rappeler au 0475 12 34 56 avant midi.", "0475 12 34 56"),
    patterns.national_ids: ("Son numéro national est 85.07.30-033.28 selon la carte.", "85.07.30-033.28"),
    patterns.ibans: ("Versement sur le compte BE68 5390 0754 7034 chaque mois.", "BE68 5390 0754 7034"),
    patterns.dates: ("Il est né le 12 mars 1987 à l'hôpital.", "12 mars 1987"),
    patterns.file_numbers: ("Le dossier n° 2023/4587 est clôturé.", "2023/4587"),
    patterns.codes: ("Le code d'accès est XK-4471-B, à rappeler.", "XK-4471-B"),
    patterns.plates: ("Une voiture immatriculée 1-ABC-123 stationne devant.", "1-ABC-123"),
    transcribed.dictated_numbers: ("son numéro c'est un deux neuf quatre sept trois voilà", "un deux neuf quatre sept trois"),
    transcribed.scanned_numbers: ("GSM : 0498.l4.76.2l (le soir)", "0498.l4.76.2l"),
    transcribed.scanned_words: ("Elle habite à Châte1et depuis mai.", "Châte1et"),
    ner.ner_spans: ("Le père, Karim Benali, refuse de signer.", "Karim Benali"),
    names.civility_names: ("Mme Vandersmissen a appelé la permanence.", "Vandersmissen"),
    names.listed_names: ("Sophie Lemaire a appelé la permanence.", "Sophie Lemaire"),
    names.proper_nouns: ("Elle a vu Zwartbroek hier au centre.", "Zwartbroek"),
    names.cue_names: ("Noté par Bertrand Wauters le matin.", "Bertrand Wauters"),
    names.signature_names: ("Merci de votre aide.\nBien à vous,\nCorentin Dewaele", "Corentin Dewaele"),
    names.email_names: ("Écrire à corentin.dewaele@exemple.be pour Corentin Dewaele.", "Dewaele"),
    names.lowercase_names: ("on a vu lucas vermeulen ce matin au centre.", "lucas vermeulen"),
    names.signed_initials: ("Il a refusé. – C. L. »", "C. L."),
    names.first_names_in_lower_case: ("la petite inès est suivie par le service.", "inès"),
    names.chat_authors: ("[09:05] Thibaut : tu as vu le mail ?", "Thibaut"),
    names.foreign_script_names: ("Sur le passeport : КОВАЛЕНКО Олена, née à Kharkiv.", "КОВАЛЕНКО Олена"),
    initials.dotted_initials: ("M.K. a signalé la situation au CPAS.", "M.K."),
    initials.bare_initials: ("JD propose que le service attende.", "JD"),
    initials.signing_initials: ("À demain.\n— hp", "hp"),
    places.streets: ("Elle habite rue des Tanneurs 12 depuis mai.", "rue des Tanneurs 12"),
    places.postal_places: ("Il vit à 4000 Liège avec sa mère.", "4000 Liège"),
    places.gazetteer: ("La famille s'est installée à Tournai l'an dernier.", "Tournai"),
    organisations.local_bodies: ("Le CPAS de Tournai a refusé l'aide.", "Tournai"),
    organisations.acronym_places: ("Il est suivi au CPAS Hannut depuis mai.", "Hannut"),
    organisations.named_institutions: ("Elle est suivie par l'AMO Le Cerf-Volant depuis un an.", "Cerf-Volant"),
    organisations.article_names: ("Il fréquente la maison de jeunes « La Passerelle » le mercredi.", "La Passerelle"),
    organisations.legal_form_names: ("Il travaille chez Dubois Construct SRL depuis un an.", "Dubois Construct"),
}
CLEAN = ("Le bureau rappelle que l'assistante sociale du CPAS est tenue au secret professionnel (art. 458 du "
         "Code pénal) et ne répond pas à la police sans réquisition du procureur du Roi.")


def context_for(recognizer, text: str) -> Context:
    if recognizer is ner.ner_spans:  # the model's entity, as the pipeline would pass it
        start = text.index("Karim")
        return Context(text, get_lexicon(), get_allowlist(), [(start, start + len("Karim Benali"), "PER")])
    return ctx(text)


REGISTERED = [(family, r) for family, recognizers in FAMILIES.items() for r in recognizers]


@pytest.mark.parametrize(("family", "recognizer"), REGISTERED, ids=[r.__name__ for _, r in REGISTERED])
def test_each_recogniser_finds_its_kind_alone(family, recognizer) -> None:
    text, expected = EXAMPLES[recognizer]
    found = [text[s.start:s.end] for s in recognizer(context_for(recognizer, text))]
    assert expected in found


@pytest.mark.parametrize("family", list(FAMILIES))
def test_no_family_flags_the_domain_vocabulary(family) -> None:
    assert run_family(ctx(CLEAN), family) == []


def test_every_recogniser_of_the_family_modules_is_registered() -> None:
    """A function (ctx) -> list[Span] written in a family's module but left out of the registry never runs."""
    registered = {r for _, r in REGISTERED}
    for module in (patterns, transcribed, names, initials, places, organisations, ner):
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn.__module__ != module.__name__ or name.startswith("_"):
                continue
            params = list(inspect.signature(fn).parameters)
            returns = str(inspect.signature(fn).return_annotation)
            if params == ["ctx"] and returns == "list[Span]":
                assert fn in registered, f"{module.__name__}.{name} is not in FAMILIES"
    assert set(EXAMPLES) == registered


def test_analyse_context_is_every_family_in_order() -> None:
    text = "Mme Vandersmissen (0475 12 34 56) habite rue des Tanneurs 12."
    c = ctx(text)
    assert analyse_context(c) == [s for family in FAMILIES for s in run_family(c, family)]
    assert {s.label for s in analyse_context(c)} >= {"PERSON", "PHONE", "LOCATION"}


@pytest.mark.parametrize(("text", "expected"), [
    ("le dossier deux mille vingt-trois barre quatre cent quatre-vingt-six est ouvert",
     "deux mille vingt-trois barre quatre cent quatre-vingt-six"),
    ("numéro national quatre-vingt-sept point zéro quatre point zéro un tiret cent vingt-trois point cinquante-trois",
     "quatre-vingt-sept point zéro quatre point zéro un tiret cent vingt-trois point cinquante-trois"),
    ("sur le compte BE cinquante-six trois six trois un deux trois quatre cinq six sept huit huit merci",
     "BE cinquante-six trois six trois un deux trois quatre cinq six sept huit huit"),
])
def test_numbers_read_out_word_by_word(text, expected) -> None:
    assert [text[s.start:s.end] for s in transcribed.dictated_numbers(ctx(text))] == [expected]


@pytest.mark.parametrize("text", [
    "elle a payé mille deux cent cinquante euros",
    "Le loyer est de cinq cent quatre-vingt-dix euros par mois.",
    "les deux trois premières semaines, vingt-quatre heures sur vingt-quatre",
    "Il a eu trois enfants, puis deux, puis un seul.",
    "On compte un, deux, trois, quatre, cinq, six ans de suivi.",
])
def test_amounts_and_counts_in_words_are_no_numbers_read_out(text) -> None:
    assert transcribed.dictated_numbers(ctx(text)) == []


@pytest.mark.parametrize(("text", "expected", "label"), [
    ("N° registre national : 83.09.l4-l86.07", "83.09.l4-l86.07", "NATIONAL_ID"),
    ("rendez-vous le l6/0l/2024 au centre", "l6/0l/2024", "DATE"),
    ("dossier 9.87l.443 ouvert", "9.87l.443", "FILE_NUMBER"),
])
def test_numbers_as_a_scanner_reads_them(text, expected, label) -> None:
    found = [(text[s.start:s.end], s.label) for s in transcribed.scanned_numbers(ctx(text))]
    assert (expected, label) in found


@pytest.mark.parametrize("text", ["ISO 9001 et I/O du système, page 12 à 15.", "Il y a 2 ou 3 ans, 10 ou 11 familles.",
                                  "Le local 0l est au rez, la salle l2 au premier."])
def test_words_and_plain_numbers_are_not_read_as_scanned_numbers(text) -> None:
    assert transcribed.scanned_numbers(ctx(text)) == []


@pytest.mark.parametrize("text", ["Le code A10B et la salle B12, en 2010.", "Le 1er mai, 10 personnes au CPAS.",
                                  "Version 2.0 du logiciel, niveau B1 en français."])
def test_codes_and_ordinals_are_not_read_as_scanned_words(text) -> None:
    assert transcribed.scanned_words(ctx(text)) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("Il est inscrit à l'Athénée royal Air Pur depuis septembre.", "Air Pur"),
    ("Elle fréquente l'école communale Les Coquelicots.", "Coquelicots"),
])
def test_a_qualifier_between_the_type_and_the_name(text, expected) -> None:
    assert any(expected in text[s.start:s.end] for s in organisations.named_institutions(ctx(text)))


def test_a_qualified_type_without_a_name_is_no_organisation() -> None:
    assert organisations.named_institutions(ctx("Le centre public d'action sociale et une école secondaire.")) == []
