"""`kb import`: the shared corpus goes in and is found; a bad file changes nothing; re-import is idempotent."""
from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from indexes import SearchRequest
from kb.models import AuditEvent, Case, IndexTask
from tests.conftest import CORPUS, case_row, write_jsonl


def count_cases(kb) -> int:
    with kb.db.session() as session:
        return session.scalar(select(func.count(Case.id)))


def test_corpus_import_then_search_finds_a_known_case(kb, runner) -> None:
    result = runner.invoke(args=["kb", "import", str(CORPUS)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert f"{len(rows)} created" in result.output
    assert count_cases(kb) == len(rows)
    assert kb.check().ok

    # The radicalisation-report case is about a reception centre: its own words find it first.
    found = kb.index.search(SearchRequest(query="fiche de signalement radicalisation centre d'accueil"))
    assert found.hits[0].ref == "AV-2017-101"

    again = runner.invoke(args=["kb", "import", str(CORPUS)])
    assert again.exit_code == 0, again.output
    assert f"0 created, 0 updated, {len(rows)} unchanged" in again.output
    assert count_cases(kb) == len(rows)


def test_a_bad_file_imports_nothing_and_names_the_line(kb, runner, tmp_path: Path) -> None:
    good = write_jsonl(tmp_path / "good.jsonl", [case_row("AV-2020-001")])
    assert runner.invoke(args=["kb", "import", str(good)]).exit_code == 0
    before = count_cases(kb)
    with kb.db.session() as session:
        audit_before = session.scalar(select(func.count(AuditEvent.id)))

    bad = write_jsonl(tmp_path / "bad.jsonl", [
        case_row("AV-2020-002"), case_row("AV-2020-003", year=20211), case_row("AV-2020-004"),
    ])
    result = runner.invoke(args=["kb", "import", str(bad)])
    assert result.exit_code != 0
    assert "bad.jsonl:2: field 'year'" in result.output
    assert "nothing imported" in result.output
    assert count_cases(kb) == before
    with kb.db.session() as session:
        assert session.scalar(select(func.count(AuditEvent.id))) == audit_before
    assert set(kb.index.stamps()) == {"AV-2020-001"}


def test_reimport_with_a_change_updates_the_case_and_the_index(kb, runner, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "one.jsonl", [case_row("AV-2019-010")])
    runner.invoke(args=["kb", "import", str(path)])
    write_jsonl(path, [case_row("AV-2019-010", title="Un huissier demande la composition du ménage")])
    result = runner.invoke(args=["kb", "import", str(path)])
    assert "0 created, 1 updated" in result.output
    hits = kb.index.search(SearchRequest(query="huissier")).hits
    assert [h.ref for h in hits] == ["AV-2019-010"]
    assert kb.check().ok


def test_outbox_left_by_a_crash_is_replayed_at_start(kb, runner, tmp_path: Path) -> None:
    """A task recorded with the change but never applied (the process died) is applied on next start."""
    path = write_jsonl(tmp_path / "one.jsonl", [case_row("AV-2018-020")])
    runner.invoke(args=["kb", "import", str(path)])
    kb.index.delete(["AV-2018-020"])  # the index lost it, as if the crash came before the index write
    with kb.db.session() as session:
        session.add(IndexTask(ref="AV-2018-020", action="upsert"))
        session.commit()
    assert not kb.check().ok
    kb.init()  # what start-up does
    assert kb.check().ok
    assert kb.index.search(SearchRequest(query="adresse usager")).hits[0].ref == "AV-2018-020"


def test_the_read_only_case_view_matches_the_stored_case(kb, runner, tmp_path) -> None:
    """The case page reads a case with plain queries; it must show exactly what the ORM stores."""
    from kb.services import case_to_record

    src = write_jsonl(tmp_path / "c.jsonl", [case_row(
        "AV-2022-007", themes=["justice-police", "secret-professionnel"], sectors=["cpas", "aide à domicile"],
        legal_refs=["art. 458 Code pénal", "RGPD"], year=2021, year_to=2023)])
    assert runner.invoke(args=["kb", "import", str(src)]).exit_code == 0
    view = kb.case_view("AV-2022-007")
    with kb.db.session() as session:
        stored = kb.get_case(session, "AV-2022-007")
        assert case_to_record(view) == case_to_record(stored)
        assert view.period_label == stored.period_label == "2021–2023"
        assert [t.label for t in view.themes] == [t.label for t in stored.themes]
    assert kb.case_view("AV-1999-999") is None
