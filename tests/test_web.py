"""The web interface: search page, case page, intake with review; French, escaped, never an error page."""
from __future__ import annotations

import re
from html import unescape
from pathlib import Path

from tests.conftest import case_row, write_jsonl


def load(runner, tmp_path: Path, rows: list[dict]) -> None:
    result = runner.invoke(args=["kb", "import", str(write_jsonl(tmp_path / "cases.jsonl", rows))])
    assert result.exit_code == 0, result.output


ROWS = [
    case_row("AV-2021-001"),
    case_row("AV-2016-002", title="Les parents d'une adolescente veulent savoir ce qu'elle a confié",
             situation="Une jeune de 15 ans se confie à l'éducatrice de l'AMO ; ses parents exigent de savoir.",
             themes=["secret-professionnel"], sectors=["amo"], year=2016, legal_refs=[]),
    case_row("AV-2019-003", title="La police veut consulter le registre des passages d'un abri de nuit",
             situation="Des policiers demandent au responsable d'un abri de nuit la liste des personnes hébergées.",
             themes=["justice-police"], sectors=["sans-abrisme"], year=2019, channel="mail"),
]


def test_search_page_shows_hits_snippets_and_theme_facets(client, runner, tmp_path: Path) -> None:
    load(runner, tmp_path, ROWS)
    page = client.get("/?q=police")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "AV-2021-001" in html and "AV-2019-003" in html and "AV-2016-002" not in html
    assert re.search(r"<mark>polic", html, re.IGNORECASE)
    # Theme facet with counts: both hits are under justice-police, one under secret-professionnel.
    assert re.search(r"Justice, police et travail social</a> <span class=\"count\">2</span>", html)
    assert re.search(r"Secret professionnel</a> <span class=\"count\">1</span>", html)

    filtered = client.get("/?q=police&theme=secret-professionnel").get_data(as_text=True)
    assert "AV-2021-001" in filtered and "AV-2019-003" not in filtered


def test_search_json_and_bookmarkable_filters(client, runner, tmp_path: Path) -> None:
    load(runner, tmp_path, ROWS)
    data = client.get("/api/search?q=police&year_from=2020").get_json()
    assert [r["ref"] for r in data["results"]] == ["AV-2021-001"]
    assert data["results"][0]["url"] == "/cases/AV-2021-001"
    assert {"themes", "sectors", "year", "channel", "legal_refs"} <= set(data["facets"])


def test_odd_query_syntax_never_gives_an_error_page(client, runner, tmp_path: Path) -> None:
    load(runner, tmp_path, ROWS)
    for query in ['"police adresse', "*", "police AND", "(((", "title:", "OR OR", "~2", "a^", "{x TO",
                  "page=-1", "\\", "<script>alert(1)</script>"]:
        response = client.get("/", query_string={"q": query, "page": "abc", "year_from": "x"})
        assert response.status_code == 200, query
        assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


def test_case_page_with_similar_cases(client, runner, tmp_path: Path) -> None:
    load(runner, tmp_path, ROWS)
    html = client.get("/cases/AV-2021-001").get_data(as_text=True)
    assert "La police demande l&#39;adresse d&#39;un usager du CPAS" in html
    assert "Cas similaires" in html
    similar = html.split("Cas similaires", 1)[1]
    assert "/cases/AV-2019-003" in similar and "/cases/AV-2021-001" not in similar
    data = client.get("/cases/AV-2021-001.json").get_json()
    assert data["ref"] == "AV-2021-001" and data["similar"][0]["ref"] == "AV-2019-003"
    assert client.get("/cases/AV-0000-000").status_code == 404


def test_stored_markup_is_rendered_inert(client, runner, tmp_path: Path) -> None:
    load(runner, tmp_path, [case_row("AV-2020-009", title="<img src=x onerror=alert(1)> titre",
                                     situation="<script>alert('x')</script> Une situation de police.")])
    html = client.get("/cases/AV-2020-009").get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html
    results = client.get("/?q=situation").get_data(as_text=True)
    assert "<script>alert" not in results and "<img src=x" not in results


def review_fields(html: str) -> dict[str, str]:
    """What the browser would post back from the review page."""
    fields = {}
    for name in ("title", "sectors", "year"):
        m = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html)
        fields[name] = unescape(m.group(1)) if m else ""
    for name in ("situation", "opinion", "legal_refs"):
        m = re.search(rf'name="{name}"[^>]*>\s*(.*?)</textarea>', html, re.S)
        fields[name] = unescape(m.group(1)) if m else ""
    return fields


def test_intake_anonymises_then_stores_only_the_reviewed_text(client, kb) -> None:
    raw = {
        "title": "Mme Gudrun Vandersmissen demande son dossier",
        "situation": "Mme Gudrun Vandersmissen (0478 91 23 45) a appelé l'assistante sociale du CPAS. "
                     "Gudrun veut savoir ce que contient son dossier.",
        "opinion": "Le bureau rappelle le droit d'accès prévu par le RGPD.",
        "themes": ["secret-professionnel"], "sectors": "cpas", "year": "2024", "channel": "permanence",
        "legal_refs": "RGPD",
    }
    review = client.post("/intake/", data=raw)
    assert review.status_code == 200
    html = review.get_data(as_text=True)
    fields = review_fields(html)
    assert "Vandersmissen" not in fields["situation"] and "0478" not in fields["situation"]
    assert "Vandersmissen" not in fields["title"]
    assert "[Personne A]" in fields["title"] and "[Personne A]" in fields["situation"]
    assert "Personne" in html and "Téléphone" in html  # the replacements are listed with their kind
    assert '<mark class="placeholder">[Personne A]</mark>' in html  # and marked in the proposed text

    saved = client.post("/intake/save", data={**fields, "themes": ["secret-professionnel"], "channel": "permanence",
                                              "accept_residuals": "y"})
    assert saved.status_code == 302
    ref = saved.headers["Location"].rsplit("/", 1)[1]
    assert ref == "AV-2024-001"
    with kb.db.session() as session:
        case = kb.get_case(session, ref)
        assert case.title == fields["title"] and "Vandersmissen" not in case.situation
        assert [t.slug for t in case.themes] == ["secret-professionnel"]
    assert kb.check().ok


def test_intake_residual_check_blocks_until_accepted(client, kb) -> None:
    fields = {"title": "Un appel", "situation": "La mère appelle depuis le 0499123456 au sujet de sa fille.",
              "opinion": "", "themes": ["divers"], "sectors": "", "year": "2023", "channel": "mail", "legal_refs": ""}
    blocked = client.post("/intake/save", data=fields)
    assert blocked.status_code == 409
    assert "À vérifier avant d'enregistrer" in blocked.get_data(as_text=True)
    with kb.db.session() as session:
        assert kb.count_cases(session) == 0


def test_intake_errors_are_french_and_keep_what_was_typed(client) -> None:
    response = client.post("/intake/", data={"title": "", "situation": "Un texte que l'on ne veut pas perdre.",
                                             "year": "3000", "channel": "mail"})
    html = response.get_data(as_text=True)
    assert "Ce champ est obligatoire." in html
    assert "Une année entre 1900 et 2100." in html
    assert "Choisissez au moins un thème." in html
    assert "Un texte que l&#39;on ne veut pas perdre." in html


def test_an_over_long_field_is_refused_in_french_and_kept_whole(client) -> None:
    long_text = "Une phrase que l'assistante a tapée. " * 600  # ~22,000 characters, over the 20,000 limit
    response = client.post("/intake/", data={"title": "Titre", "situation": long_text, "themes": ["secret-professionnel"],
                                             "year": "2024", "channel": "mail"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Ce texte dépasse 20000 caractères." in html
    assert html.count("Une phrase que l&#39;assistante a tapée.") == 600


def test_facet_links_keep_the_search_and_toggle_one_value(client, runner, tmp_path: Path) -> None:
    load(runner, tmp_path, ROWS)
    html = client.get("/?q=police&sector=cpas&sort=date&page=2").get_data(as_text=True)
    links = [unescape(h) for h in re.findall(r'href="(/\?[^"]+)"', html)]
    # Adding a theme keeps the query, the sector and the sort, and goes back to page 1.
    add = next(link for link in links if "theme=justice-police" in link)
    assert "q=police" in add and "sector=cpas" in add and "sort=date" in add and "page=" not in add
    # The active sector's link removes it.
    remove = next(link for link in links if "sector" not in link and "q=police" in link and "theme" not in link
                  and "sort=date" in link)
    assert client.get(remove).status_code == 200


def test_snippets_are_cleaned_together_without_mixing(client, runner, tmp_path: Path) -> None:
    from kb.web.render import snippets
    parts = snippets(["a <mark>b</mark> <script>x</script>", "<img src=x onerror=1>c", ""])
    assert [str(p) for p in parts] == ["a <mark>b</mark> x", "c", ""]  # disallowed tags stripped, text kept


def test_a_name_typed_into_a_sector_or_a_legal_reference_is_anonymised_then_checked(client, kb) -> None:
    """Sectors and legal references are free text: the intake anonymises them with the case (same
    placeholders), and the review's residual check covers them on an edit, where nothing is re-anonymised."""
    raw = {"title": "Demande d'un bailleur", "situation": "Mme Gudrun Vandersmissen demande son dossier au CPAS.",
           "opinion": "", "themes": ["secret-professionnel"], "sectors": "cpas, service de Mme Gudrun Vandersmissen",
           "year": "2024", "channel": "mail", "legal_refs": "art. 458 Code pénal\ncontact 0478 91 23 45"}
    page = client.post("/intake/", data=raw).get_data(as_text=True)
    fields = review_fields(page)
    assert "Vandersmissen" not in fields["sectors"] and "[Personne A]" in fields["sectors"]
    assert "0478" not in fields["legal_refs"] and "art. 458 Code pénal" in fields["legal_refs"]
    assert "Secteurs" in page  # the replacement is listed with the field it was found in
    saved = client.post("/intake/save", data={**fields, "themes": ["secret-professionnel"], "channel": "mail"})
    assert saved.status_code == 302, saved.get_data(as_text=True)[-3000:]
    ref = saved.headers["Location"].rsplit("/", 1)[-1]
    record = client.get(f"/cases/{ref}.json").get_json()
    assert record["sectors"] == ["cpas", "service de mme [Personne A]"]
    edited = client.post(f"/cases/{ref}/edit", data={**fields, "sectors": "cpas, Gudrun Vandersmissen",
                                                    "themes": ["secret-professionnel"], "channel": "mail"})
    assert edited.status_code == 409 and "Vandersmissen" in edited.get_data(as_text=True)
    assert client.get(f"/cases/{ref}.json").get_json()["sectors"] == ["cpas", "service de mme [Personne A]"]


def test_an_editor_waits_for_the_purge_of_removed_text_but_a_volunteer_does_not(client, client_as, kb) -> None:
    """The web app rewrites the index segments that hold an edited or deleted case after the response;
    while that runs (the lock is held here, as the purge thread holds it), the bureau's next request
    waits and a volunteer's search does not."""
    import threading
    import time

    from kb.locks import take
    from kb.services import PURGE_LOCK

    volunteer = client_as("volunteer")
    handle = take(kb.settings.data_dir / PURGE_LOCK)
    done = threading.Event()
    threading.Thread(target=lambda: (client.get("/"), done.set())).start()
    try:
        assert volunteer.get("/?q=police").status_code == 200
        assert not done.wait(0.5)  # the editor is still waiting
    finally:
        handle.close()
    assert done.wait(10)
    started = time.monotonic()
    assert client.get("/").status_code == 200 and time.monotonic() - started < 5
