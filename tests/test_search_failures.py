"""What a volunteer sees when a search fails or is asked oddly: no silly "did you mean", a clear empty
page with what to try, a reversed year range read the right way, a page past the last one, every year
in the year filter, scores that follow the order of the results."""
from __future__ import annotations

from kb.records import CaseRecord
from tests.conftest import case_row


def seed(kb, years=range(2008, 2025)) -> None:
    """Cases written through the storage path (these tests are not about anonymisation)."""
    rows = [case_row(f"AV-{y}-001", year=y) for y in years]
    rows.append(case_row("AV-2020-002", title="Le CPAS transmet-il un dossier social à la mutuelle ?",
                         situation="Une mutuelle demande au CPAS le dossier social d'un usager malade.",
                         opinion="Le secret professionnel s'applique ; il faut l'accord de l'usager avant de "
                                 "remettre quoi que ce soit.", year=2020, themes=["secret-professionnel"]))
    kb.save_records([CaseRecord(**{k: v for k, v in r.items()}) for r in rows])


def test_did_you_mean_only_when_the_correction_finds_every_word(client, kb) -> None:
    seed(kb)
    useless = client.get("/api/search?q=recette de tarte aux pommes").get_json()
    assert useless["suggestion"] is None and useless["total"] == 0
    typo = client.get("/api/search?q=polise adresse").get_json()
    assert typo["suggestion"] == "police adresse" and typo["total"] > 0


def test_an_empty_result_says_so_and_what_to_try(client, kb) -> None:
    seed(kb)
    page = client.get("/?q=recette de tarte aux pommes&theme=divers").get_data(as_text=True)
    assert "Aucun cas ne correspond" in page and "sans les filtres" in page and "Comment bien chercher" in page


def test_a_reversed_year_range_is_swapped_and_said(client, kb) -> None:
    seed(kb)
    swapped = client.get("/api/search?q=police&year_from=2015&year_to=2010").get_json()
    straight = client.get("/api/search?q=police&year_from=2010&year_to=2015").get_json()
    assert swapped["total"] == straight["total"] == 6
    assert "Les années étaient inversées" in client.get("/?q=police&year_from=2015&year_to=2010").get_data(as_text=True)


def test_a_page_past_the_last_shows_the_last(client, kb) -> None:
    seed(kb)
    last = client.get("/api/search?q=police&page=99").get_json()
    assert last["page"] == 2 and last["results"]
    assert client.get("/?q=police&page=99").status_code == 200


def test_the_year_filter_lists_every_year_that_has_cases(client, kb) -> None:
    seed(kb)
    page = client.get("/").get_data(as_text=True)
    assert all(f"year_from={y}" in page or f">{y}<" in page for y in range(2008, 2025))


def test_json_scores_follow_the_result_order(client, kb) -> None:
    seed(kb)
    for q in ("police adresse", "mutuelle police", "usager malade enquête", "dossier social usager"):
        scores = [r["score"] for r in client.get(f"/api/search?q={q}").get_json()["results"]]
        assert scores == sorted(scores, reverse=True), (q, scores)

