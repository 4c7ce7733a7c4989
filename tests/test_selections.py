"""Trainers' selections: life cycle, permissions, sharing, and handouts that open and hold only case text."""
from __future__ import annotations

import io
import re
from pathlib import Path

import docx
import pypdf
from sqlalchemy import select

from kb.models import Selection
from tests.conftest import case_row, ensure_user, logged_in, write_jsonl

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
    assert trainer.post(f"/selections/{sid}/delete").status_code == 302
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
