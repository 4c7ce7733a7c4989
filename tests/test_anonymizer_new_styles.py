"""Recognisers for the styles of the fourth to sixth held-out sets: initials, lower-case first names,
chat authors, reference codes, German sentences, and what must be kept (cited authors, laws named
after a person). Each recogniser alone on a small context where it can be, then the whole pipeline.
Every name, number and place here is invented for the tests."""
from __future__ import annotations

import re

import pytest

from anonymizer import get_anonymizer, residual_check
from anonymizer.language import language_ranges
from anonymizer.lexicon import is_verb_form
from anonymizer.recognizers import initials, names, patterns
from tests.helpers import ctx


def found(rec, text: str) -> list[str]:
    return [text[s.start:s.end] for s in rec(ctx(text))]


@pytest.fixture(scope="module")
def an():
    return get_anonymizer()


# ------------------------------------------------------------------ initials (no model needed)
def test_dotted_initials_are_persons_unless_an_acronym_or_a_latin_abbreviation():
    text = "Présents : M.K., A-S.B. et Ph.L. ; N.B. : le S.A.J. est prévenu."
    assert found(initials.dotted_initials, text) == ["M.K.", "A-S.B.", "Ph.L."]


@pytest.mark.parametrize("text,expected", [
    ("ZK rappelle que le secret tient. QW nuance.", ["ZK", "QW"]),           # a subject and its verb
    ("Tour de table :\n– JFH : une demande.\n– BC : un refus.", ["JFH", "BC"]),  # speakers of minutes
    ("ZK et QW proposent une rencontre.", ["ZK", "QW"]),                    # a list, one of them acting
    ("Le SSM propose une rencontre ; l'AS dit non.", []),                    # services take an article
    ("ITT : 5 jours. Suivi prévu.", []),                                    # a lone label is no speaker
])
def test_bare_initials_need_a_sign_that_they_are_someone(text, expected):
    assert found(initials.bare_initials, text) == expected


def test_verb_forms_come_from_the_model_tables():
    assert all(is_verb_form(w) for w in ("propose", "rappelle", "signale", "dit", "explique"))
    assert not any(is_verb_form(w) for w in ("dossier", "situation", "mère", "cpas"))


def test_a_person_found_in_full_is_masked_under_their_initials_with_the_same_placeholder(an):
    out = an.anonymize("Présents : Odile Vanstraelen, Gaspard Terlinck. OV expose la situation, GT se tait.").text
    assert "OV" not in out and "GT" not in out
    assert out.count("[Personne A]") == 2 and out.count("[Personne B]") == 2


# ------------------------------------------------------------------ lower-case first names, chat authors
@pytest.mark.parametrize("text,expected", [
    ("le copain de maman, kevin, crie", ["kevin"]),                 # not a French word
    ("vu la petite ines-rose (6 ans) chez sa grand mere", ["ines-rose"]),
    ("3 enfants : gloire 11a, prince 7a", ["gloire", "prince"]),    # words, but before an age
    ("voir avec nath (chef) demain", ["nath"]),                     # before a role in brackets
    ("elle a 35 ans, la rose est rouge", []),                       # words without a cue
])
def test_first_names_typed_in_lower_case(text, expected):
    assert found(names.first_names_in_lower_case, text) == expected


def test_chat_authors():
    text = "[09:05] Thibaut : on y va ?\n[09:07] sarah d. : ok\n14:22 - Nadia B. : je passe"
    assert found(names.chat_authors, text) == ["Thibaut", "sarah d.", "Nadia B."]


def test_compound_first_names_sharing_a_prefix_stay_distinct_people(an):
    out = an.anonymize("Merci à Marie-Claire, Marie-Paule et Marie-Thérèse pour leur aide.").text
    assert {"[Personne A]", "[Personne B]", "[Personne C]"} <= set(re.findall(r"\[Personne [A-Z]\]", out))


# ------------------------------------------------------------------ numbers
@pytest.mark.parametrize("code", ["HSP-24-00871", "2024/JE/00873", "22-5531", "0047-2211", "1-23456-78-910"])
def test_reference_codes_of_any_shape(code):
    assert found(patterns.codes, f"Le numéro est {code}, à rappeler.") == [code]


@pytest.mark.parametrize("text", ["la période 2021-2023", "un montant de 1.284,60 €", "art. 1675/2 du Code judiciaire",
                                  "MMSE 16/30", "la loi du 8 avril 1965"])
def test_periods_amounts_articles_and_scores_are_no_codes(an, text):
    assert an.anonymize(text).text == text


def test_abbreviated_and_german_month_dates(an):
    out = an.anonymize("Le ven. 12 avr. 2024, puis am 20. Mai 2019.").text
    assert "12 avr" not in out and "20. Mai" not in out


# ------------------------------------------------------------------ what must be kept
# (laws named after a person, cited authors, public tools, Dutch words: in test_anonymizer.py's
# test_lookalikes_survive_whole_pipeline)
def test_capitalised_german_nouns_are_no_names_but_german_names_still_are(an):
    text = "Seine Tochter ruft an, weil die Mutter nicht zahlen kann. Frau Zimmerhof wohnt in der Lütticher Straße 45."
    assert language_ranges(text, "de")
    out = an.anonymize(text).text
    assert "Seine Tochter ruft an" in out and "die Mutter" in out
    assert "Zimmerhof" not in out and "Lütticher" not in out


# ------------------------------------------------------------------ the residual check, a second opinion
@pytest.mark.parametrize("text,kind", [
    ("[Personne A] a vu kevin hier.", "first-name"),
    ("La famille renard-lefevre accueille [Personne A].", "first-name"),
    ("Point 2 : M.K. signale un souci.", "initials"),
    ("tél zéro quatre sept huit douze trente-quatre", "phone"),
    ("numéro un deux neuf quatre sept trois", "other_id"),  # the dictated-number pattern sees it first
    ("Tél. mère : 0498.l4.76.2l", "phone"),  # read through the scanned-number pattern
    ("le détenu a m o u r a d", "spelled-name"),
    ("rendez-vous à montignies", "place"),
])
def test_residual_check_flags_what_the_anonymiser_may_leave(text, kind):
    assert kind in {r.kind for r in residual_check(text)}, residual_check(text)


@pytest.mark.parametrize("text", [
    "[Personne A] (42 ans) a rencontré le CPAS et l'AMO à [Lieu B] ; le SSM propose un suivi.",
    "La loi du 8 avril 1965, l'art. 1675/2 du Code judiciaire et 2 340 € de dettes.",
    "De ouders vragen of het CAW [Personne B] mag inlichten over het beroepsgeheim.",
    "Darf ich den Sozialbericht ohne schriftliches Einverständnis schicken?",
    "Elle a deux enfants de trois et cinq ans.",
    "Le service de Mme [Personne A] appelle ; elle est suivie en ligne par un membre du centre.",
])
def test_residual_check_stays_quiet_on_clean_text(an, text):
    entities = an.model_entities([text])[0]
    assert residual_check(text, entities) == []


@pytest.mark.parametrize("text,expected", [
    ("Merci de votre aide.\n— hp", ["hp"]),
    ("Je n'ai rien dit.\nt.d.", ["t.d."]),
    ("Voilà.\nm.-th.", ["m.-th."]),
    ("Bonne journée.\n— Le bureau", []),
])
def test_initials_signing_the_end_of_a_message(text, expected):
    assert found(initials.signing_initials, text) == expected


def test_a_court_order_is_dated_but_a_brussels_ordinance_names_a_law(an):
    out = an.anonymize("L'ordonnance du 5 septembre 2024 applique l'ordonnance bruxelloise du 17 juillet 1997.").text
    assert "5 septembre 2024" not in out and "17 juillet 1997" in out


def test_dates_dictated_in_words_urls_without_a_scheme_and_a_signature_after_a_dash(an):
    out = an.anonymize("Elle rappelle le dix-huit juin ; voir linktr.ee/zorbicollard ; deux mois plus tard. — cd").text
    assert "dix-huit juin" not in out and "zorbicollard" not in out and not out.endswith("cd")
    assert "deux mois plus tard" in out


def test_surnames_with_an_elided_particle_are_one_name(an):
    out = an.anonymize("Mme Raphaëlle D'hondt a appelé ; M. D'hooghe aussi. D'hondt dit que D'abord on parle.").text
    assert "hondt" not in out and "hooghe" not in out and "D'abord" in out
