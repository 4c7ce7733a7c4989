"""Several servers on one database: each keeps its own index in its own data folder and follows the
index change log from its own position. Two data folders and one database: one SQLite file here, the
PostgreSQL server in the suite's second run (KB_DATABASE_URL)."""
from __future__ import annotations

import json
import shutil
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update

from indexes import SearchRequest
from kb import index_position
from kb.config import load_settings
from kb.models import IndexNode, IndexTask, utcnow
from kb.records import CaseRecord
from kb.services import KnowledgeBase
from kb.web import create_app
from tests.conftest import PASSWORD, TEST_CONFIG, ensure_user


def record(ref: str, title: str, situation: str = "Un service demande une information à l'assistante sociale.") -> CaseRecord:
    return CaseRecord(ref=ref, title=title, situation=situation, opinion="Le bureau conseille la prudence.",
                      themes=["secret-professionnel"], year=2024, channel="mail")


def refs(node: KnowledgeBase, query: str) -> list[str]:
    return [hit.ref for hit in node.index.search(SearchRequest(query=query)).hits]


def log_rows(node: KnowledgeBase) -> list[int]:
    with node.db.session() as session:
        return list(session.scalars(select(IndexTask.id).order_by(IndexTask.id)))


def files_holding(folder: Path, word: bytes) -> list[str]:
    return [p.name for p in folder.rglob("*") if p.is_file() and word in p.read_bytes().lower()]


@pytest.fixture
def start_node(kb, tmp_path: Path):
    """Another server on the database of `kb` (node A): its own data folder, index and name."""
    started: list[KnowledgeBase] = []

    def start(name: str) -> KnowledgeBase:
        settings = load_settings(data_dir=tmp_path / name, database_url=kb.settings.database_url, node_name=name)
        node = KnowledgeBase(settings)
        node.init()
        started.append(node)
        return node

    yield start
    for node in started:
        node.index.close()
        node.db.engine.dispose()


def test_a_case_written_through_one_server_is_found_on_the_other(kb, start_node) -> None:
    b = start_node("b")
    kb.save_records([record("AV-2024-001", "Un huissier demande la composition du ménage")])
    assert refs(kb, "huissier") == ["AV-2024-001"]
    assert refs(b, "huissier") == []  # B has not synced yet: its index is its own
    assert b.apply_outbox() == 1
    assert refs(b, "huissier") == ["AV-2024-001"]
    assert b.check().ok and kb.check().ok


def test_an_update_on_one_server_replaces_the_text_on_the_other(kb, start_node) -> None:
    b = start_node("b")
    kb.save_records([record("AV-2024-002", "Un xylophoniste du quartier demande une attestation")])
    b.apply_outbox()
    assert refs(b, "xylophoniste") == ["AV-2024-002"]

    assert kb.update_case("AV-2024-002", record("AV-2024-002", "Un notaire demande une attestation"), actor="test")
    b.apply_outbox()
    assert refs(b, "notaire") == ["AV-2024-002"]
    assert refs(b, "xylophoniste") == []
    # the old version's text has left B's index files too, not only its search results
    assert files_holding(b.settings.index_dir, b"xylophon") == []
    assert b.check().ok


def test_a_deletion_on_one_server_disappears_from_the_other(kb, start_node) -> None:
    b = start_node("b")
    kb.save_records([record("AV-2024-003", "Un brocanteur demande le dossier d'un usager"),
                     record("AV-2024-004", "Une école demande le dossier d'un élève")])
    b.apply_outbox()
    assert refs(b, "brocanteur") == ["AV-2024-003"]

    assert kb.delete_case("AV-2024-003", actor="test")
    b.apply_outbox()
    assert refs(b, "brocanteur") == []
    assert set(b.index.stamps()) == {"AV-2024-004"}
    assert files_holding(b.settings.index_dir, b"brocant") == []
    assert b.check().ok


def test_a_server_started_after_the_writes_catches_up(kb, start_node) -> None:
    kb.save_records([record(f"AV-2024-{n:03d}", f"Demande numéro {n} d'un organisme") for n in range(10, 15)])
    kb.delete_case("AV-2024-012", actor="test")
    c = start_node("c")  # its start is its first sync
    assert set(c.index.stamps()) == {"AV-2024-010", "AV-2024-011", "AV-2024-013", "AV-2024-014"}
    assert c.check().ok
    assert index_position.read(c.settings.index_dir).applied == log_rows(kb)[-1]


def test_a_server_that_was_down_catches_up_when_it_starts_again(kb, start_node, tmp_path: Path) -> None:
    b = start_node("b")
    b.index.close()  # B stops
    kb.save_records([record("AV-2024-020", "Un avocat demande une copie du rapport social")])
    kb.update_case("AV-2024-020", record("AV-2024-020", "Un avocat demande une copie du rapport"), actor="test")
    again = start_node("b")  # the same data folder, a new process
    assert refs(again, "avocat") == ["AV-2024-020"] and again.check().ok


def test_the_log_is_pruned_only_once_every_known_server_has_applied_it(kb, start_node) -> None:
    b = start_node("b")
    kb.save_records([record("AV-2024-030", "Premier cas"), record("AV-2024-031", "Deuxième cas")])
    kb.update_case("AV-2024-030", record("AV-2024-030", "Premier cas revu"), actor="test")
    rows = log_rows(kb)
    assert len(rows) == 3  # A applied them, B has not: all are kept
    assert kb.apply_outbox() == 0 and log_rows(kb) == rows

    b.apply_outbox()  # B applies them too: what both have applied goes, but for the newest row
    assert log_rows(kb) == rows[-1:]
    statuses = {n.name: n for n in kb.check().nodes}
    assert statuses["b"].position == statuses[kb.follower.name].position == rows[-1]
    assert statuses["b"].behind == 0 and not statuses["b"].needs_rebuild


def test_a_server_unseen_past_the_retention_no_longer_holds_the_log_and_rebuilds(kb, start_node) -> None:
    b = start_node("b")
    kb.save_records([record("AV-2024-040", "Une mutuelle demande un rapport")])
    b.apply_outbox()
    with kb.db.session() as session:  # B was last seen longer ago than the retention (30 days)
        session.execute(update(IndexNode).where(IndexNode.name == "b").values(last_seen=utcnow() - timedelta(days=31)))
        session.commit()
    kb.save_records([record("AV-2024-041", "Une banque demande un extrait")])
    kb.delete_case("AV-2024-040", actor="test")
    assert len(log_rows(kb)) == 1  # A did not wait for B

    status = {n.name: n for n in kb.check().nodes}["b"]
    assert not status.counted and status.needs_rebuild and status.behind == 2
    report = b.check()
    assert report.needs_rebuild and not report.ok

    b.apply_outbox()  # its next sync sees rows after its position pruned: it rebuilds from the database
    assert set(b.index.stamps()) == {"AV-2024-041"}
    assert b.check().ok
    assert {n.name: n for n in kb.check().nodes}["b"].counted


def test_check_repair_rebuilds_a_server_left_too_far_behind(kb, start_node, runner) -> None:
    b = start_node("b")
    kb.save_records([record("AV-2024-050", "Un juge demande un rapport")])
    b.apply_outbox()
    with kb.db.session() as session:
        session.execute(update(IndexNode).where(IndexNode.name == "b").values(last_seen=utcnow() - timedelta(days=40)))
        session.commit()
    kb.save_records([record("AV-2024-051", "Un employeur demande un certificat")])
    kb.save_records([record("AV-2024-052", "Un propriétaire demande une adresse")])

    seen_from_a = json.loads(runner.invoke(args=["kb", "check", "--json"]).output)
    b_seen = next(n for n in seen_from_a["nodes"] if n["name"] == "b")
    assert b_seen["needs_rebuild"] and not b_seen["counted"] and b_seen["behind"] == 2
    assert seen_from_a["ok"]  # another server's lag is told, not a difference of this server's index

    assert b.check().needs_rebuild
    b.repair()
    assert set(b.index.stamps()) == {"AV-2024-050", "AV-2024-051", "AV-2024-052"} and b.check().ok


def test_check_tells_each_server_its_position_lag_and_last_seen(kb, start_node, runner) -> None:
    b = start_node("b")
    kb.save_records([record("AV-2024-060", "Un policier demande une adresse")])
    result = runner.invoke(args=["kb", "check"])
    assert result.exit_code == 0
    lines = {line.split(":")[0].strip(): line for line in result.output.splitlines() if line.startswith("  ")}
    head = log_rows(kb)[-1]
    assert f"position {head}, 0 change(s) behind" in lines[kb.follower.name] and "this server" in lines[kb.follower.name]
    assert f"position {head - 1}, 1 change(s) behind" in lines["b"] and "last seen 20" in lines["b"]
    assert not b.check().ok and b.check().pending_tasks == 1


def test_an_index_restored_from_a_copy_carries_its_own_position(kb, start_node, tmp_path: Path) -> None:
    b = start_node("b")
    kb.save_records([record("AV-2024-070", "Un assureur demande un rapport")])
    b.apply_outbox()
    copy = tmp_path / "index-copy"
    b.index.close()
    shutil.copytree(b.settings.index_dir, copy)
    kb.save_records([record("AV-2024-071", "Un bailleur demande une attestation")])
    b.apply_outbox()

    b.index.close()  # the older copy comes back: its position is the copy's, so it replays what followed
    shutil.rmtree(b.settings.index_dir)
    shutil.copytree(copy, b.settings.index_dir)
    restored = start_node("b")
    assert set(restored.index.stamps()) == {"AV-2024-070", "AV-2024-071"} and restored.check().ok


def test_a_rebuild_on_one_server_leaves_the_other_alone(kb, start_node) -> None:
    """The rebuild marks itself in its own index folder; the other server has nothing to redo."""
    b = start_node("b")
    kb.save_records([record("AV-2024-080", "Un médecin demande un avis")])
    b.apply_outbox()
    position_b = index_position.read(b.settings.index_dir).applied
    kb.reindex()
    assert b.apply_outbox() == 0 and index_position.read(b.settings.index_dir).applied == position_b
    assert b.check().ok and kb.check().ok


def test_a_summary_edit_writes_nothing_to_the_log(kb) -> None:
    """Only what the index holds counts: the bureau's report sentence for a case leaves it alone."""
    kb.save_records([record("AV-2024-090", "Un CPAS demande un avis")])
    rows = log_rows(kb)
    assert kb.set_report_summary("AV-2024-090", "Le bureau a rendu un avis.", actor="test")
    assert log_rows(kb) == rows


def test_the_web_app_of_the_other_server_searches_the_new_case_at_its_next_request(kb, tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "web-b", database_url=kb.settings.database_url, node_name="web-b")
    app_b = create_app(settings, dict(TEST_CONFIG))
    try:
        ensure_user(app_b, "benevole", "volunteer")
        client = app_b.test_client()
        assert client.post("/login", data={"username": "benevole", "password": PASSWORD}).status_code == 302
        assert client.get("/api/search?q=curateur").get_json()["total"] == 0
        kb.save_records([record("AV-2024-095", "Un curateur demande le dossier")])
        found = client.get("/api/search?q=curateur").get_json()
        assert [r["ref"] for r in found["results"]] == ["AV-2024-095"]
    finally:
        app_b.extensions["kb"].wait_for_purge()
        app_b.extensions["kb"].db.engine.dispose()


def test_node_names_are_kept_in_the_data_folder_unless_set(kb, tmp_path: Path) -> None:
    generated = kb.follower.name
    assert generated and (kb.settings.data_dir / "node_name").read_text().strip() == generated
    same_folder = KnowledgeBase(load_settings(data_dir=kb.settings.data_dir, database_url=kb.settings.database_url,
                                              node_name=""))
    assert same_folder.follower.name == generated
    same_folder.db.engine.dispose()
    with kb.db.session() as session:
        assert session.scalar(select(func.count()).select_from(IndexNode).where(IndexNode.name == generated)) == 1


def test_a_change_committed_after_a_later_one_is_not_skipped(kb, start_node) -> None:
    """T1 writes its log row, T2 writes the next one and wants to commit before T1. A server that
    applied T2's row must not have passed T1's: the writers to the log take turns until their commit
    (PostgreSQL's advisory lock; SQLite has one writer at a time)."""
    b = start_node("b")
    kb.save_records([record("AV-2024-100", "Premier cas"), record("AV-2024-101", "Second cas")])
    b.apply_outbox()
    first = kb.db.sessions()
    case = kb.get_case(first, "AV-2024-100")
    case.title, case.updated_at = "Un greffier demande une copie", utcnow()
    first.flush()  # T1's row of the log is written, not committed

    second = threading.Thread(target=kb.update_case, args=("AV-2024-101", record("AV-2024-101", "Un notaire demande un acte")),
                              kwargs={"actor": "test"})
    second.start()
    deadline = time.monotonic() + 1  # SQLite: T2 waits in its busy loop, which cannot be seen from here
    while second.is_alive() and not waiting_for_a_lock(kb) and time.monotonic() < deadline:
        time.sleep(0.05)
    b.apply_outbox()  # whatever T2 managed to commit by now
    first.commit()
    first.close()
    second.join(timeout=60)
    b.apply_outbox()
    assert refs(b, "greffier") == ["AV-2024-100"] and refs(b, "notaire") == ["AV-2024-101"]
    report = b.check()  # T1 changed a title behind the services' back: its stored vector is stale, by design
    assert not (report.missing_from_index or report.not_in_database or report.out_of_date or report.pending_tasks)


def waiting_for_a_lock(node: KnowledgeBase) -> bool:
    """PostgreSQL: whether a session waits for a lock; SQLite cannot tell (the writer waits in its busy loop)."""
    if node.db.engine.dialect.name != "postgresql":
        return False
    with node.db.engine.connect() as connection:
        return bool(connection.scalar(text("SELECT count(*) FROM pg_locks WHERE NOT granted")))


def test_a_volunteer_on_the_other_server_never_waits_for_its_purge(kb, tmp_path: Path) -> None:
    """While B's index is being purged (its purge lock and the index writer held, as the purge
    thread holds them), a volunteer's search on B answers at once from B's index as it is; the first
    request after the purge applies what came meanwhile."""
    from kb.locks import take
    from kb.services import PURGE_LOCK

    settings = load_settings(data_dir=tmp_path / "web-b", database_url=kb.settings.database_url, node_name="web-b")
    app_b = create_app(settings, dict(TEST_CONFIG))
    kb_b = app_b.extensions["kb"]
    try:
        ensure_user(app_b, "benevole", "volunteer")
        client = app_b.test_client()
        assert client.post("/login", data={"username": "benevole", "password": PASSWORD}).status_code == 302
        kb.save_records([record("AV-2024-096", "Un tuteur demande le dossier")])
        purge = take(settings.data_dir / PURGE_LOCK)
        writer = kb_b.index._ix.writer()
        try:
            started = time.monotonic()
            assert client.get("/api/search?q=tuteur").get_json()["total"] == 0
            assert time.monotonic() - started < 3
        finally:
            writer.cancel()
            purge.close()
        assert [r["ref"] for r in client.get("/api/search?q=tuteur").get_json()["results"]] == ["AV-2024-096"]
    finally:
        kb_b.wait_for_purge()
        kb_b.db.engine.dispose()
