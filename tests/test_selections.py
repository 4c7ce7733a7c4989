"""Trainers' selections: life cycle, permissions, sharing, and handouts that open and hold only case text."""
from __future__ import annotations

import io
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import docx
import pypdf

from kb.models import Selection
from tests.conftest import case_row, ensure_user, write_jsonl

ROWS = [case_row("AV-2021-001"),
        case_row("AV-2019-003", title="Un CPMS et le dossier d'un élève", year=2019,
                 situation="La direction d'une école demande au CPMS le contenu du dossier d'un élève.",
                 themes=["secret-professionnel"], sectors=["cpms"])]


def load(runner, tmp_path: Path) -> None:
    assert runner.invoke(args=["kb", "import", str(write_jsonl(tmp_path / "c.jsonl", ROWS))]).exit_code == 0


def new_selection(client, title="Formation CPAS") -> int:
    response = client.post("/selections/", data={"title": title, "description": "Deux matinées"})
    assert response.status_code == 302
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def test_life_cycle_add_reorder_annotate_remove(app, runner, tmp_path, client_as, kb) -> None:
    load(runner, tmp_path)
    trainer = client_as("trainer")
    sid = new_selection(trainer)
    for ref in ("AV-2021-001", "AV-2019-003"):
        assert trainer.post(f"/selections/{sid}/items", data={"ref": ref}).status_code == 302
    trainer.post(f"/selections/{sid}/items", data={"ref": "AV-2021-001"})  # twice: kept once
    with kb.db.session() as db:
        selection = db.get(Selection, sid)
        items = [(i.id, i.case.ref) for i in selection.items]
    assert [ref for _, ref in items] == ["AV-2021-001", "AV-2019-003"]

    trainer.post(f"/selections/{sid}/items/{items[1][0]}/move", data={"direction": "up"})
    trainer.post(f"/selections/{sid}/items/{items[1][0]}",
                 data={"note": "Insister sur la réquisition.", "questions": "Que dire au policier ?\nQui décide ?"})
    trainer.post(f"/selections/{sid}/edit", data={"title": "Formation CPAS — mars", "description": "", "shared": "y"})
    with kb.db.session() as db:
        selection = db.get(Selection, sid)
        assert [i.case.ref for i in selection.items] == ["AV-2019-003", "AV-2021-001"]
        assert selection.items[0].question_list() == ["Que dire au policier ?", "Qui décide ?"]
        assert selection.title == "Formation CPAS — mars" and selection.shared

    trainer.post(f"/selections/{sid}/items/{items[0][0]}/remove")
    with kb.db.session() as db:
        assert [i.case.ref for i in db.get(Selection, sid).items] == ["AV-2019-003"]
    ask = trainer.post(f"/selections/{sid}/delete")  # first a page that asks; nothing deleted yet
    assert ask.status_code == 200 and "Supprimer définitivement" in ask.get_data(as_text=True)
    assert 'name="confirm" value="yes"' in ask.get_data(as_text=True)
    with kb.db.session() as db:
        assert db.get(Selection, sid) is not None
    assert trainer.post(f"/selections/{sid}/delete", data={"confirm": "yes"}).status_code == 302
    with kb.db.session() as db:
        assert db.get(Selection, sid) is None


def test_permissions_and_sharing(app, runner, tmp_path, client_as, kb) -> None:
    load(runner, tmp_path)
    volunteer = client_as("volunteer")
    assert volunteer.post("/selections/", data={"title": "x"}).status_code == 403
    owner = client_as("trainer")
    sid = new_selection(owner)
    owner.post(f"/selections/{sid}/items", data={"ref": "AV-2021-001"})
    ensure_user(app, "autre", "trainer")
    other = app.test_client()
    other.post("/login", data={"username": "autre", "password": "un mot de passe solide"})
    assert other.get(f"/selections/{sid}").status_code == 404            # not shared: invisible
    owner.post(f"/selections/{sid}/edit", data={"title": "Formation CPAS", "shared": "y"})
    assert other.get(f"/selections/{sid}").status_code == 200            # shared: readable
    assert other.post(f"/selections/{sid}/edit", data={"title": "pris"}).status_code == 403
    assert other.post(f"/selections/{sid}/items", data={"ref": "AV-2019-003"}).status_code == 403
    assert other.post(f"/selections/{sid}/delete").status_code == 403
    assert other.post(f"/selections/{sid}/delete", data={"confirm": "yes"}).status_code == 403
    copy = other.post(f"/selections/{sid}/duplicate")
    copy_id = int(copy.headers["Location"].rsplit("/", 1)[1])
    with kb.db.session() as db:
        duplicate = db.get(Selection, copy_id)
        assert duplicate.owner.username == "autre" and [i.case.ref for i in duplicate.items] == ["AV-2021-001"]
        assert db.get(Selection, sid).title == "Formation CPAS"


def test_add_from_search_results_and_case_page(app, runner, tmp_path, client_as, kb) -> None:
    load(runner, tmp_path)
    trainer = client_as("trainer")
    page = trainer.get("/?q=police").get_data(as_text=True)
    assert "Ajouter à une nouvelle sélection" in page
    trainer.post("/selections/", data={"title": "Ma sélection", "ref": "AV-2021-001", "next": "/?q=police"})
    case_page = trainer.get("/cases/AV-2019-003").get_data(as_text=True)
    sid = int(re.search(r'<option value="(\d+)">Ma sélection</option>', case_page).group(1))
    trainer.post("/selections/add", data={"selection_id": sid, "ref": "AV-2019-003"})
    with kb.db.session() as db:
        assert [i.case.ref for i in db.get(Selection, sid).items] == ["AV-2021-001", "AV-2019-003"]
    assert "Ajouter à" not in client_as("volunteer").get("/cases/AV-2019-003").get_data(as_text=True)


def test_handouts_open_and_carry_only_case_text(app, runner, tmp_path, client_as, kb) -> None:
    load(runner, tmp_path)
    trainer = client_as("trainer")
    sid = new_selection(trainer, "Secret et police")
    trainer.post(f"/selections/{sid}/items", data={"ref": "AV-2021-001"})
    with kb.db.session() as db:
        item_id = db.get(Selection, sid).items[0].id
    trainer.post(f"/selections/{sid}/items/{item_id}", data={"note": "", "questions": "Faut-il une réquisition écrite ?"})

    pdf = trainer.get(f"/selections/{sid}/handout.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Secret et police" in text and "La police demande l" in text
    assert "Faut-il une réquisition écrite ?" in text
    assert "trainer" not in text  # never an account name

    document = docx.Document(io.BytesIO(trainer.get(f"/selections/{sid}/handout.docx").data))
    paragraphs = [p.text for p in document.paragraphs]
    assert any("La police demande l" in p for p in paragraphs)
    assert "Faut-il une réquisition écrite ?" in paragraphs
    assert not any("trainer" in p for p in paragraphs)

    markdown = trainer.get(f"/selections/{sid}/handout.md").get_data(as_text=True)
    assert markdown.startswith("# Secret et police") and "Faut-il une réquisition écrite ?" in markdown
    assert trainer.get(f"/selections/{sid}/handout.exe").status_code == 404


def pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


NOTE = "Note privée : insister sur la réquisition écrite."
QUESTION = "Faut-il une réquisition écrite ?"
OPINION_WORDS = "tenue au secret professionnel"  # from the opinion of AV-2021-001
LEGAL_REF = "art. 458 Code pénal"


def annotated_selection(runner, tmp_path, client_as, kb, title="Secret & éthique"):
    load(runner, tmp_path)
    trainer = client_as("trainer")
    sid = new_selection(trainer, title)
    trainer.post(f"/selections/{sid}/items", data={"ref": "AV-2021-001"})
    with kb.db.session() as db:
        item_id = db.get(Selection, sid).items[0].id
    trainer.post(f"/selections/{sid}/items/{item_id}", data={"note": NOTE, "questions": QUESTION})
    return trainer, sid


def test_participants_handout_has_no_note_and_no_opinion_unless_asked(app, runner, tmp_path, client_as, kb) -> None:
    trainer, sid = annotated_selection(runner, tmp_path, client_as, kb)
    for fmt in ("pdf", "docx", "md", "html"):
        for query, opinion_expected in (("", False), ("?audience=participants", False),
                                        ("?audience=participants&opinion=1", True)):
            response = trainer.get(f"/selections/{sid}/handout.{fmt}{query}")
            assert response.status_code == 200, (fmt, query)
            if fmt == "pdf":
                text = pdf_text(response.data)
            elif fmt == "docx":
                text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.data)).paragraphs)
            else:
                text = response.get_data(as_text=True)
            text = " ".join(text.split())
            where = f"{fmt}{query}"
            assert "Document pour les participants" in text, where
            assert QUESTION in text, where
            assert "Note privée" not in text and "Note du formateur" not in text, where
            assert (OPINION_WORDS in text) is opinion_expected, where
            assert (LEGAL_REF in text) is opinion_expected, where
            if opinion_expected:  # participants discuss the questions before they read the opinion
                assert text.index(QUESTION) < text.index("Avis du bureau"), where


def test_trainer_handout_has_everything(app, runner, tmp_path, client_as, kb) -> None:
    trainer, sid = annotated_selection(runner, tmp_path, client_as, kb)
    text = " ".join(pdf_text(trainer.get(f"/selections/{sid}/handout.pdf?audience=trainer").data).split())
    assert "Document du formateur" in text
    for expected in (NOTE, QUESTION, OPINION_WORDS, LEGAL_REF):
        assert expected in text
    page = trainer.get(f"/selections/{sid}/handout.html?audience=trainer").get_data(as_text=True)
    assert "Vous préparez le <strong>document du formateur</strong>" in page and NOTE in page


def test_handout_files_are_named_after_the_selection(app, runner, tmp_path, client_as, kb) -> None:
    trainer, sid = annotated_selection(runner, tmp_path, client_as, kb, title="Secret & éthique : CPAS")
    pdf = trainer.get(f"/selections/{sid}/handout.pdf")
    disposition = pdf.headers["Content-Disposition"]
    assert 'filename="selection-secret-ethique-cpas-participants.pdf"' in disposition
    assert "filename*=UTF-8''selection-secret-%C3%A9thique-cpas-participants.pdf" in disposition
    docx_name = trainer.get(f"/selections/{sid}/handout.docx?audience=trainer").headers["Content-Disposition"]
    assert 'filename="selection-secret-ethique-cpas-formateur.docx"' in docx_name
    reader = pypdf.PdfReader(io.BytesIO(pdf.data))
    assert reader.metadata.title == "Secret & éthique : CPAS"
    assert reader.trailer["/Root"]["/Lang"] == "fr-BE"
    created = reader.metadata.creation_date
    assert created is not None and abs(created - datetime.now(timezone.utc)) < timedelta(hours=1)
    plain = annotated_selection(runner, tmp_path, client_as, kb, title="Police")[0]
    md = plain.get("/selections/2/handout.md").headers["Content-Disposition"]
    assert md == 'attachment; filename="selection-police-participants.md"'


def test_selection_page_offers_both_versions_and_gives_each_box_its_own_id(app, runner, tmp_path, client_as, kb) -> None:
    trainer, sid = annotated_selection(runner, tmp_path, client_as, kb)
    trainer.post(f"/selections/{sid}/items", data={"ref": "AV-2019-003"})
    page = trainer.get(f"/selections/{sid}").get_data(as_text=True)
    assert "Pour les participants" in page and "Pour le formateur" in page and 'name="opinion"' in page
    ids = [i for i in re.findall(r'<textarea[^>]* id="([^"]+)"', page) if i != "description"]
    assert len(ids) == 4 and len(set(ids)) == 4, ids
    labels = re.findall(r'<label for="((?:note|questions)-\d+)"', page)
    assert sorted(labels) == sorted(ids)
    assert len(re.findall(r'id="csrf_token"', page)) <= 1
    view = trainer.get(f"/selections/{sid}/handout.html").get_data(as_text=True)
    assert "data-print" in view and "print.js" in view and "<script>" not in view


def test_a_flagged_note_is_saved_once_the_trainer_confirms(client_as) -> None:
    trainer = client_as("trainer")
    first = trainer.post("/selections/", data={"title": "Atelier avec Gudrun Vandersmissen", "description": ""})
    assert first.status_code == 409 and "Gudrun Vandersmissen" in first.get_data(as_text=True)
    assert "Atelier avec" not in trainer.get("/selections/").get_data(as_text=True)
    saved = trainer.post("/selections/", data={"title": "Atelier avec Gudrun Vandersmissen", "description": "",
                                               "accept_residuals": "y"})
    assert saved.status_code == 302
    assert "Atelier avec Gudrun Vandersmissen" in trainer.get("/selections/").get_data(as_text=True)
