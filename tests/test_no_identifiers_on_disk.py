"""The one rule: identifying text never rests on disk. Canary identifiers go in through every entry
path; afterwards no byte written under the data folder may contain any of them, in any case or folding."""
from __future__ import annotations

import re
import unicodedata
from html import unescape
from datetime import date
from pathlib import Path

from sqlalchemy import MetaData, select

from tests.conftest import case_row, write_jsonl
from tests.test_web import review_fields

CANARIES = {
    "person": "Gudrun Vandersmissen",
    "surname": "Vandersmissen",
    "email": "g.vandersmissen@telenet.be",
    "phone": "0478 91 23 45",
    "niss": "85.07.30-033.28",
    "iban": "BE41 0630 1234 5610",
    "iban_mistyped": "BE68 5390 0754 7034",
    "street": "rue des Hirondelles 42",
}
TEXT = (f"Mme {CANARIES['person']}, domiciliée {CANARIES['street']}, nous écrit depuis {CANARIES['email']} "
        f"(tél. {CANARIES['phone']}, NISS {CANARIES['niss']}, compte {CANARIES['iban']}, ancien compte {CANARIES['iban_mistyped']}). "
        f"Mme {CANARIES['surname']} demande si le CPAS peut transmettre son dossier à son bailleur.")


def folded(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def needles() -> set[bytes]:
    """The canaries as bytes, as typed, lowercased and accent-folded, plus their long tokens alone
    (an index keeps lowercased terms) and their digits without separators."""
    out: set[str] = set()
    for value in CANARIES.values():
        out |= {value, value.lower(), folded(value)}
        out |= {t.lower() for t in re.findall(r"[^\W\d_]{6,}", value) if t.lower() not in {"hirondelles"}}
        digits = re.sub(r"\D", "", value)
        if len(digits) >= 8:
            out.add(digits)
    return {n.encode("utf-8") for n in out} | {n.encode("utf-16-le") for n in out if len(n) >= 6}


def database_text(kb) -> bytes:
    """Every value of every table, when the database is a server rather than a file in the folder."""
    if kb.db.engine.dialect.name == "sqlite":
        return b""
    metadata = MetaData()
    metadata.reflect(kb.db.engine)
    with kb.db.engine.connect() as connection:
        rows = [repr(tuple(row)) for table in metadata.sorted_tables for row in connection.execute(select(table))]
    return "\n".join(rows).encode("utf-8")


def assert_no_canary(kb, folder: Path) -> None:
    data = database_text(kb)
    found = [("database", n) for n in needles() if n in data or n in data.lower()]
    assert not found, f"identifying text found in the database: {found[:5]}"
    assert_no_canary_under(folder)


def assert_no_canary_under(folder: Path) -> None:
    found = []
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            data_lower = data.lower()
            found += [(path.name, n) for n in needles() if n in data or n in data_lower]
    assert not found, f"identifying text found on disk: {found[:5]}"


def test_import_path_leaves_no_identifier(kb, runner, data_dir: Path, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", [
        case_row("AV-2024-100", title=f"Mme {CANARIES['surname']} et son bailleur", situation=TEXT,
                 opinion=f"Nous avons conseillé de ne rien transmettre sans l'accord de Mme {CANARIES['surname']}.",
                 sectors=["cpas", f"service de Mme {CANARIES['person']}"],
                 legal_refs=["art. 458 Code pénal", f"courrier de {CANARIES['email']}", f"tél. {CANARIES['phone']}"]),
    ])
    result = runner.invoke(args=["kb", "import", str(src)])
    assert result.exit_code == 0, result.output
    assert kb.check().ok
    runner.invoke(args=["kb", "reindex"])
    assert_no_canary(kb, data_dir)


def test_intake_path_leaves_no_identifier(client, kb, data_dir: Path) -> None:
    raw = {"title": f"Demande de Mme {CANARIES['surname']}", "situation": TEXT, "opinion": "Le bureau conseille la prudence.",
           "themes": ["secret-professionnel"], "sectors": f"cpas, service de Mme {CANARIES['person']}", "year": "2024",
           "channel": "mail", "legal_refs": f"art. 458 Code pénal\ncourrier de {CANARIES['email']}\ntél. {CANARIES['phone']}"}
    review = client.post("/intake/", data=raw)
    fields = review_fields(review.get_data(as_text=True))
    saved = client.post("/intake/save", data={**fields, "themes": ["secret-professionnel"], "channel": "mail",
                                              "accept_residuals": "y"})
    assert saved.status_code == 302
    # A failed save (validation error) must not write the text anywhere either.
    client.post("/intake/save", data={**fields, "themes": [], "title": TEXT})
    assert kb.check().ok
    assert_no_canary(kb, data_dir)


def test_a_rejected_import_file_leaves_no_identifier(kb, runner, data_dir: Path, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "bad.jsonl", [case_row("AV-2024-101", situation=TEXT, year="oops")])
    result = runner.invoke(args=["kb", "import", str(src)])
    assert result.exit_code != 0
    assert not any(n.decode("utf-8", "ignore") in result.output for n in needles())
    assert_no_canary(kb, data_dir)


def test_error_logs_never_carry_the_text(app, caplog) -> None:
    """An unhandled error is logged with its type and place only: its message may quote the text."""
    try:
        raise ValueError(f"could not parse {TEXT}")
    except ValueError:
        import sys
        with app.test_request_context("/intake/save", method="POST"), caplog.at_level("ERROR"):
            app.log_exception(sys.exc_info())
    logged = "\n".join(r.getMessage() + (str(r.exc_info) if r.exc_info else "") for r in caplog.records)
    assert "ValueError" in logged and "test_no_identifiers_on_disk.py" in logged
    assert not any(n.decode("utf-8", "ignore") in logged for n in needles())


def test_database_errors_do_not_quote_values(kb) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    with kb.db.engine.connect() as connection:
        with __import__("pytest").raises(SQLAlchemyError) as caught:
            connection.execute(text("INSERT INTO no_such_table (x) VALUES (:x)"), {"x": TEXT})
    assert CANARIES["surname"] not in str(caught.value)


def test_activity_report_paths_leave_no_identifier(client, runner, kb, data_dir: Path, tmp_path: Path) -> None:
    """A report comes in raw, from the command line or the browser: only anonymised drafts are stored."""
    import io

    from kb.models import Draft

    report = ("Rapport d'activités 2024\n\n2. Les avis rendus\nSecret professionnel\n"
              f"o {TEXT} Nous avons conseillé de ne rien transmettre.\n"
              f"o Un éducateur de {CANARIES['person']} s'interroge sur un rapport au juge de la jeunesse.\n"
              "\n3. Perspectives\nLe comité poursuivra ses travaux.\n")
    source = tmp_path / f"rapport-{CANARIES['person'].replace(' ', '-')}.txt"  # a file named after a person
    source.write_text(report, encoding="utf-8")
    assert runner.invoke(args=["kb", "import-report", str(source), "--dry-run"]).exit_code == 0
    assert runner.invoke(args=["kb", "import-report", str(source)]).exit_code == 0
    for button in ("preview", "submit"):
        response = client.post("/bureau/drafts/import", content_type="multipart/form-data",
                               data={"report": (io.BytesIO(report.encode()), f"{CANARIES['person']}.txt"), button: "1"})
        assert response.status_code == 200
        if button == "preview":  # "Importer ces brouillons": the preview's signed, anonymised drafts come back
            signed = unescape(re.search(r'name="drafts" value="([^"]+)"', response.get_data(as_text=True)).group(1))
            assert not any(n.decode("utf-8", "ignore") in signed for n in needles())
            assert client.post("/bureau/drafts/import/preview", data={"drafts": signed}).status_code == 200
    with kb.db.session() as db:
        assert len(list(db.scalars(select(Draft.id)))) == 2
        assert {d.source for d in db.scalars(select(Draft))} == {f"rapport d'activités 2024 importé le {date.today().isoformat()}"}
    assert_no_canary(kb, data_dir)


def store_a_missed_identifier(kb, ref: str) -> None:
    """A case whose stored text still holds identifiers (a miss the reviewer accepted), written through
    the storage path as the intake would, with a few ordinary cases beside it in the index."""
    from kb.records import CaseRecord

    kb.save_records([CaseRecord(ref=f"AV-2024-{300 + i}", title=f"Cas voisin {i}", situation="Une situation ordinaire.",
                                opinion="Un avis.", themes=["divers"], sectors=["cpas"], year=2024) for i in range(5)])
    kb.save_records([CaseRecord(ref=ref, title=f"Demande de Mme {CANARIES['surname']}", situation=TEXT,
                                opinion=f"Répondre à {CANARIES['email']}.", themes=["secret-professionnel"],
                                sectors=["cpas", f"service de {CANARIES['person']}"],
                                legal_refs=[f"tél. {CANARIES['phone']}"], year=2024)])
    assert kb.index.search(__import__("indexes").SearchRequest(query=CANARIES["surname"])).total == 1


def test_an_edit_that_removes_identifiers_leaves_no_earlier_version(client, kb, data_dir: Path) -> None:
    """The removed text leaves the database file, its WAL and the index segments when the edit returns."""
    store_a_missed_identifier(kb, "AV-2024-200")
    saved = client.post("/cases/AV-2024-200/edit", data={
        "title": "Demande de [Personne A]", "situation": "[Personne A] demande si le CPAS peut transmettre son dossier.",
        "opinion": "Répondre par écrit.", "themes": ["secret-professionnel"], "sectors": "cpas", "year": "2024",
        "channel": "mail", "legal_refs": "", "reviewed": "1"})
    assert saved.status_code == 302, saved.get_data(as_text=True)
    assert client.get("/").status_code == 200  # the editor's next request: the purge is over by then
    assert_no_canary(kb, data_dir)
    assert kb.check().ok


def test_a_deletion_leaves_no_earlier_version(client, kb, data_dir: Path) -> None:
    store_a_missed_identifier(kb, "AV-2024-201")
    assert client.post("/cases/AV-2024-201/delete").status_code == 302
    assert client.get("/").status_code == 200
    assert_no_canary(kb, data_dir)
    assert kb.check().ok


def test_a_reimport_under_the_same_ref_leaves_no_earlier_version(kb, runner, data_dir: Path, tmp_path: Path) -> None:
    store_a_missed_identifier(kb, "AV-2024-202")
    src = write_jsonl(tmp_path / "again.jsonl", [case_row("AV-2024-202")])
    result = runner.invoke(args=["kb", "import", str(src)])
    assert result.exit_code == 0, result.output
    assert kb.check().ok
    assert_no_canary(kb, data_dir)


def test_free_text_of_trainers_and_the_bureau_is_checked_before_it_is_saved(client, client_as, kb, data_dir: Path) -> None:
    """Selection titles, notes and questions, report summaries and theme labels are typed by people: a
    name or a number there is flagged before anything is saved; nothing flagged reaches the disk."""
    store_a_missed_identifier(kb, "AV-2024-203")
    client.post("/cases/AV-2024-203/delete")
    kb.save_records([__import__("kb.records", fromlist=["CaseRecord"]).CaseRecord(
        ref="AV-2024-204", title="Un cas", situation="Une situation.", opinion="Un avis.", themes=["divers"], year=2024)])
    trainer = client_as("trainer")
    named = f"Mme {CANARIES['person']} ({CANARIES['phone']})"
    checks = [
        (trainer, "/selections/", {"title": f"Formation chez {named}", "description": ""}),
        (client, "/bureau/report/summary/AV-2024-204", {"summary": f"Appel de {named}.", "year_from": "2024", "year_to": "2024"}),
        (client, "/bureau/themes", {"action": "add", "label": f"Dossiers de {named}"}),
    ]
    for who, url, data in checks:
        response = who.post(url, data=data)
        assert response.status_code == 409, url
        page = response.get_data(as_text=True)
        assert "À vérifier avant d'enregistrer" in page and CANARIES["surname"] in page  # shown back, not stored
    sid = trainer.post("/selections/", data={"title": "Formation secret", "description": ""}).headers["Location"].rsplit("/", 1)[-1]
    trainer.post(f"/selections/{sid}/items", data={"ref": "AV-2024-204"})
    item_page = trainer.get(f"/selections/{sid}").get_data(as_text=True)
    item_id = re.search(r'action="/selections/\d+/items/(\d+)"', item_page).group(1)
    response = trainer.post(f"/selections/{sid}/items/{item_id}", data={"note": f"Voir {named}", "questions": "Que faire ?"})
    assert response.status_code == 409
    assert_no_canary(kb, data_dir)
