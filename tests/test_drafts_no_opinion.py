"""Issue 14: a draft is approved with the bureau's opinion, or explicitly "sans avis"; the annual report
says "sans avis" for it instead of counting an opinion."""
from __future__ import annotations

import io

from docx import Document
from sqlalchemy import func, select

from kb.models import Case, Draft

FORM = {"title": "Transmettre un rapport au juge sans accord ?", "situation": "Un service veut transmettre un rapport au juge.",
        "themes": ["secret-professionnel"], "year": "2022", "channel": "bureau", "sectors": "", "legal_refs": ""}


def add_draft(kb, fingerprint: str = "a" * 32) -> int:
    with kb.db.session() as db:
        draft = Draft(fingerprint=fingerprint, theme_slug="secret-professionnel", year_from=2022, year_to=2022,
                      title=FORM["title"], situation=FORM["situation"], opinion="",
                      source="rapport d'activités 2022 importé le 2026-12-04")
        db.add(draft)
        db.commit()
        return draft.id


def cases(kb) -> int:
    with kb.db.session() as db:
        return db.scalar(select(func.count(Case.id)))


def test_the_draft_page_approves_and_offers_sans_avis_the_edit_page_keeps_its_button(client, kb) -> None:
    draft_id = add_draft(kb)
    page = client.get(f"/bureau/drafts/{draft_id}").get_data(as_text=True)
    assert "Approuver le brouillon</button>" in page and "Enregistrer le cas</button>" not in page
    assert 'name="no_opinion"' in page and "Sans avis" in page
    approved = client.post(f"/bureau/drafts/{draft_id}/approve", data={**FORM, "opinion": "Demander l'accord."})
    ref = approved.headers["Location"].rsplit("/", 1)[1]
    edit = client.get(f"/cases/{ref}/edit").get_data(as_text=True)
    assert "Enregistrer le cas</button>" in edit and "Approuver le brouillon" not in edit and 'name="no_opinion"' not in edit
    with kb.db.session() as db:
        assert db.scalar(select(Case).where(Case.ref == ref)).no_opinion is False


def test_an_empty_opinion_is_refused_unless_sans_avis_is_ticked(client, kb) -> None:
    draft_id = add_draft(kb)
    refused = client.post(f"/bureau/drafts/{draft_id}/approve", data={**FORM, "opinion": "  "})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Saisissez l&#39;avis du bureau, ou cochez « Sans avis »" in page
    assert "Approuver le brouillon</button>" in page and "Rejeter ce brouillon" in page  # still the draft's page
    assert cases(kb) == 0
    both = client.post(f"/bureau/drafts/{draft_id}/approve", data={**FORM, "opinion": "Refuser.", "no_opinion": "y"})
    assert both.status_code == 400 and "décochez « Sans avis »" in both.get_data(as_text=True) and cases(kb) == 0
    with kb.db.session() as db:
        assert db.get(Draft, draft_id).status == "pending"

    approved = client.post(f"/bureau/drafts/{draft_id}/approve", data={**FORM, "opinion": "", "no_opinion": "y"})
    assert approved.status_code == 302
    ref = approved.headers["Location"].rsplit("/", 1)[1]
    with kb.db.session() as db:
        case = db.scalar(select(Case).where(Case.ref == ref))
        assert case.no_opinion is True and case.opinion == ""
        assert db.get(Draft, draft_id).status == "approved"
    assert "Sans avis : le bureau n'a pas rendu d'avis" in client.get(f"/cases/{ref}").get_data(as_text=True)


def test_the_annual_report_says_sans_avis_and_does_not_count_it_as_an_opinion(client, kb) -> None:
    with_opinion, without = add_draft(kb, "b" * 32), add_draft(kb, "c" * 32)
    assert client.post(f"/bureau/drafts/{with_opinion}/approve",
                       data={**FORM, "opinion": "Demander d'abord l'accord de la personne."}).status_code == 302
    assert client.post(f"/bureau/drafts/{without}/approve", data={**FORM, "opinion": "", "no_opinion": "y"}).status_code == 302
    intro = "Le bureau a rendu 1 avis en 2022 et 1 situation est restée sans avis, regroupés ci-dessous en 1 thème."

    page = client.get("/bureau/report?year_from=2022&year_to=2022").get_data(as_text=True)
    assert intro.replace("'", "&#39;") in page and page.count('<em class="no-opinion">Sans avis.</em>') == 1
    markdown = client.get("/bureau/report.md?year_from=2022&year_to=2022").get_data(as_text=True)
    assert intro in markdown and markdown.count("Sans avis.") == 1
    docx = Document(io.BytesIO(client.get("/bureau/report.docx?year_from=2022&year_to=2022").data))
    text = [p.text for p in docx.paragraphs]
    assert intro in text and sum(t.endswith("Sans avis.") for t in text) == 1

    # Once an opinion is written into the case (an edit), the report counts it again.
    ref = next(line for line in markdown.splitlines() if line.endswith("Sans avis.")).split("Réf. ")[1].split(" ")[0]
    client.post(f"/cases/{ref}/edit", data={**FORM, "opinion": "Le bureau conseille de refuser."})
    markdown = client.get("/bureau/report.md?year_from=2022&year_to=2022").get_data(as_text=True)
    assert "Le bureau a rendu 2 avis en 2022, regroupés ci-dessous en 1 thème." in markdown and "Sans avis" not in markdown
