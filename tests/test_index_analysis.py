"""The French analyser and the thesaurus, without an index."""
from __future__ import annotations

import pickle

from indexes.analysis import folded, match_keys, stemmed_analyzer, stems
from indexes.thesaurus import Thesaurus


def test_elisions_are_stripped_with_both_apostrophes():
    assert stems("l'adresse") == stems("adresse")
    assert stems("l\u2019adresse") == stems("adresse")
    assert stems("jusqu'au bout lorsqu'il puisqu'elle quoiqu'on")[:1] == stems("bout")
    assert folded("d'un usager qu'on") == ["un", "usager", "on"]


def test_accents_are_folded_both_ways():
    assert stems("éducatrice") == stems("educatrice")
    assert stems("âgée") == stems("agee")
    assert stems("PÉNAL") == stems("penal")
    assert folded("Été") == ["ete"]


def test_plurals_and_genders_share_a_stem():
    assert stems("enfants") == stems("enfant")
    assert stems("policiers") == stems("policier")
    assert stems("éducateurs") == stems("éducatrices")


def test_stop_words_are_removed_before_folding():
    # "à", "été" and "les" are stop words; their folded forms must not survive as terms
    assert stems("à la mère les enfants ont été") == stems("mère enfants")
    # the unstemmed field keeps every word for exact phrases
    assert folded("à la mère") == ["a", "la", "mere"]


def test_custom_filter_pickles_with_a_stable_path():
    an = pickle.loads(pickle.dumps(stemmed_analyzer()))
    assert [t.text for t in an("L’éducatrice")] == stems("educatrice")


def test_thesaurus_one_way_and_equivalence():
    th = Thesaurus(["flic, keuf => police, policier", "usager, bénéficiaire", "! AS", "AS => assistante sociale"])
    (m,) = th.find(["un", "flic"])
    assert (m.start, m.end) == (1, 2) and "police" in m.expansions
    assert not th.find(["police"])  # one way only
    (m,) = th.find(["Bénéficiaires"])  # plural, case and accent differences
    assert m.expansions == ("usager",)
    assert th.find(["AS"]) and not th.find(["as"])  # a case-sensitive acronym
    assert th.find(["l'AS"]) and th.find(["d’AS"]) and not th.find(["l'as"])  # capitals after an elision


def test_thesaurus_prefers_the_longest_entry():
    th = Thesaurus(["secret => discrétion", "secret pro => secret professionnel"])
    (m,) = th.find(["le", "secret", "pro"])
    assert (m.start, m.end, m.expansions) == (1, 3, ("secret professionnel",))


def test_shipped_thesaurus_loads_and_covers_the_basics():
    th = Thesaurus.load()
    assert len(th) > 300
    for word in ["flic", "ado", "gamin", "papa", "toubib", "parquet", "CPAS", "SAJ", "MENA", "RIS", "PIIS",
                 "proprio", "mutu", "instit", "TAP", "rdv", "insta", "journaliste", "caméras", "notaire",
                 "trad", "baveux", "sida", "nudes", "délibé", "diapos"]:
        assert th.find([word]), word
    assert match_keys("Procureurs du Roi") == match_keys("procureur du roi")
