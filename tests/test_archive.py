"""Bootstrap from the archive: a report becomes anonymised drafts; only approved drafts become cases."""
from __future__ import annotations

import io
import json
import re
from pathlib import Path

from sqlalchemy import func, select

from kb.models import Case, Draft
from tests.conftest import SHARED

SAMPLE = SHARED / "samples" / "rapport-activites-2021-2023.txt"
SMALL_REPORT = """Rapport d'activités 2019

1. Introduction
Le comité s'est réuni dix fois.

2. Les avis rendus
Secret professionnel
o Mme Annick Verhaegen, assistante sociale, nous demande si elle peut informer la famille d'un résident
hospitalisé. Nous lui avons conseillé de demander d'abord l'accord du résident.
o Un éducateur s'interroge sur la transmission d'un rapport au juge de la jeunesse.
Accompagnement des bénévoles
o Une association se demande ce que ses bénévoles peuvent noter dans le carnet de liaison.

3. Perspectives
Le comité poursuivra ses travaux.
"""


def write_report(tmp_path: Path) -> Path:
    path = tmp_path / "rapport-2019.txt"
    path.write_text(SMALL_REPORT, encoding="utf-8")
    return path


def test_dry_run_on_the_real_sample_finds_the_49_opinions(runner, kb) -> None:
    result = runner.invoke(args=["kb", "import-report", str(SAMPLE), "--dry-run", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert len(data["drafts"]) == 49
    counts: dict[str, int] = {}
    for draft in data["drafts"]:
        counts[draft["theme"]] = counts.get(draft["theme"], 0) + 1
        assert draft["period"] == [2021, 2023] and draft["title"] and draft["situation"]
    assert list(counts.values()) == [11, 4, 9, 1, 10, 4, 10]
    with kb.db.session() as db:
        assert db.scalar(select(func.count(Draft.id))) == 0  # a dry run stores nothing


def test_import_anonymises_queues_and_never_duplicates(runner, kb, tmp_path) -> None:
    path = write_report(tmp_path)
    first = runner.invoke(args=["kb", "import-report", str(path)])
    assert first.exit_code == 0, first.output
    assert "3 draft(s) added" in first.output and "Accompagnement des bénévoles" in first.output
    again = runner.invoke(args=["kb", "import-report", str(path)])
    assert "0 draft(s) added" in again.output and "3 already known" in again.output
    with kb.db.session() as db:
        drafts = list(db.scalars(select(Draft).order_by(Draft.id)))
        assert len(drafts) == 3 and db.scalar(select(func.count(Case.id))) == 0
    assert "Verhaegen" not in drafts[0].situation and "[Personne A]" in drafts[0].situation
    assert drafts[0].opinion.startswith("Nous lui avons conseillé")
    assert drafts[0].theme_slug == "secret-professionnel" and (drafts[0].year_from, drafts[0].year_to) == (2019, 2019)
    assert drafts[2].theme_slug is None and drafts[2].proposed_theme == "Accompagnement des bénévoles"


def test_not_a_report_gets_a_clear_message(runner, tmp_path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Liste de courses : pain, lait, oeufs.\n", encoding="utf-8")
    result = runner.invoke(args=["kb", "import-report", str(path)])
    assert result.exit_code != 0 and "notes.txt" in result.output
    other = tmp_path / "cases.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    assert runner.invoke(args=["kb", "import-report", str(other)]).exit_code != 0


def test_review_queue_approve_edit_and_reject(client, runner, kb, tmp_path) -> None:
    runner.invoke(args=["kb", "import-report", str(write_report(tmp_path))])
    with kb.db.session() as db:
        ids = list(db.scalars(select(Draft.id).order_by(Draft.id)))
    queue = client.get("/bureau/drafts/").get_data(as_text=True)
    assert all(f"/bureau/drafts/{i}" in queue for i in ids)

    page = client.get(f"/bureau/drafts/{ids[0]}").get_data(as_text=True)
    assert "Relire le brouillon" in page and re.search(r'checked[^>]*value="secret-professionnel"', page)
    # Edit, then approve: the case holds the edited text and the report's year.
    approved = client.post(f"/bureau/drafts/{ids[0]}/approve", data={
        "title": "Informer la famille d'un résident hospitalisé ?", "situation": "Une assistante sociale demande si elle peut informer la famille.",
        "opinion": "Demander d'abord l'accord du résident.", "themes": ["secret-professionnel"], "year": "2019",
        "channel": "bureau", "sectors": "maison de repos", "legal_refs": "art. 458 Code pénal"})
    assert approved.status_code == 302
    ref = approved.headers["Location"].rsplit("/", 1)[1]
    with kb.db.session() as db:
        case = kb.get_case(db, ref)
        assert case.title == "Informer la famille d'un résident hospitalisé ?" and case.year == 2019
        assert db.get(Draft, ids[0]).status == "approved" and db.get(Draft, ids[0]).case_ref == ref
    assert kb.check().ok and set(kb.index.stamps()) == {ref}

    assert client.post(f"/bureau/drafts/{ids[1]}/reject").status_code == 302
    with kb.db.session() as db:
        rejected = db.get(Draft, ids[1])
        assert rejected.status == "rejected" and rejected.situation == ""
        assert db.scalar(select(func.count(Case.id))) == 1
    # A processed draft cannot be approved again.
    assert client.get(f"/bureau/drafts/{ids[0]}").status_code == 302
    # Re-importing the report brings back neither the approved nor the rejected draft.
    assert "0 draft(s) added" in runner.invoke(args=["kb", "import-report", str(tmp_path / "rapport-2019.txt")]).output


def upload(client, name: str, data: bytes, button: str = "submit", **extra):
    return client.post("/bureau/drafts/import", data={"report": (io.BytesIO(data), name), button: "1", **extra},
                       content_type="multipart/form-data")


def draft_count(kb) -> int:
    with kb.db.session() as db:
        return db.scalar(select(func.count(Draft.id)))


def test_web_upload_previews_then_imports_the_sample_without_duplicates(client, kb) -> None:
    data = SAMPLE.read_bytes()
    preview = upload(client, SAMPLE.name, data, button="preview")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "49 avis trouvé(s), période 2021–2023" in page
    assert "Aperçu : rien n'a été enregistré" in page and draft_count(kb) == 0
    assert "<td>Secret professionnel</td><td>11</td>" in page.replace("\n", "").replace("  ", "")

    imported = upload(client, SAMPLE.name, data).get_data(as_text=True)
    assert "49 brouillon(s) ajouté(s)" in imported and draft_count(kb) == 49
    again = upload(client, SAMPLE.name, data).get_data(as_text=True)
    assert "0 brouillon(s) ajouté(s), 49 déjà connu(s)" in again and draft_count(kb) == 49


def test_web_upload_reads_a_pdf_report(client, kb) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    y = 800
    for line in SMALL_REPORT.splitlines():
        pdf.drawString(40, y, line)
        y -= 16
    pdf.save()
    page = upload(client, "rapport-2019.pdf", buffer.getvalue()).get_data(as_text=True)
    assert "3 brouillon(s) ajouté(s)" in page and draft_count(kb) == 3
    with kb.db.session() as db:
        assert "Verhaegen" not in " ".join(db.scalars(select(Draft.situation)))


def test_web_upload_refuses_what_is_not_a_report_with_a_clear_message(client, kb) -> None:
    page = upload(client, "courses.txt", "Liste de courses : pain, lait.\n".encode()).get_data(as_text=True)
    assert "est-ce bien un rapport d&#39;activités ?" in page
    page = upload(client, "rapport.docx", b"PK\x03\x04").get_data(as_text=True)
    assert "Seuls les fichiers PDF, TXT et MD sont acceptés." in page
    page = upload(client, "rapport.txt", "Rapport 2019".encode("utf-16")).get_data(as_text=True)
    assert "n&#39;est pas un texte UTF-8" in page
    # Larger than the 2 MB limit of text forms, within the limit for reports: read, then refused as a PDF.
    page = upload(client, "scan.pdf", b"%PDF-1.4\n" + b"0" * 3_000_000).get_data(as_text=True)
    assert "PDF illisible : scan.pdf" in page
    page = upload(client, "<script>alert(1)</script>.pdf", b"%PDF-1.4 broken").get_data(as_text=True)
    assert "PDF illisible : &lt;script&gt;alert(1)&lt;/script&gt;.pdf" in page and "<script>alert" not in page
    assert draft_count(kb) == 0


def test_uploaded_files_stay_in_memory(app) -> None:
    """Werkzeug spools uploads over 500 kB to a temporary file; a raw report must never reach the disk."""
    body = b"x" * 900_000
    with app.test_request_context("/bureau/drafts/import", method="POST", content_type="multipart/form-data",
                                  data={"report": (io.BytesIO(body), "rapport.txt")}):
        from flask import request
        stream = request.files["report"].stream
        assert isinstance(stream, io.BytesIO) and stream.getvalue() == body


def test_a_draft_review_lists_its_replacements_and_an_approved_draft_keeps_no_text(client, kb) -> None:
    with kb.db.session() as db:
        draft = Draft(fingerprint="f" * 40, theme_slug="secret-professionnel", year_from=2022, year_to=2022,
                      title="Demande de [Personne A]", situation="[Personne A] appelle le CPAS de [Lieu A] (tél. [Téléphone]).",
                      opinion="", source="rapport d'activités 2022 importé le 2026-12-04")
        db.add(draft)
        db.commit()
        draft_id = draft.id
    page = client.get(f"/bureau/drafts/{draft_id}").get_data(as_text=True)
    listed = re.findall(r'<li data-field="(\w+)" data-replacement="([^"]+)"', page)
    assert ("title", "[Personne A]") in listed and ("situation", "[Lieu A]") in listed and ("situation", "[Téléphone]") in listed
    assert "le mot d'origine n'est pas conservé" in page and "Rétablir" in page
    approved = client.post(f"/bureau/drafts/{draft_id}/approve", data={
        "title": "Demande de [Personne A]", "situation": "[Personne A] appelle le CPAS.", "opinion": "Refuser.",
        "themes": ["secret-professionnel"], "year": "2022", "channel": "bureau", "sectors": "", "legal_refs": ""})
    assert approved.status_code == 302
    with kb.db.session() as db:
        done = db.get(Draft, draft_id)
        assert done.status == "approved" and (done.title, done.situation, done.opinion) == ("", "", "")
