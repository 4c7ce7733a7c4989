"""Writing to the index: upsert, delete, rebuild and stamps stay in step with what was written."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from indexes import CaseDoc, CaseIndex, SearchRequest

T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)


def doc(ref: str, title: str, text: str = "Une situation.", **kw) -> CaseDoc:
    base = dict(ref=ref, title=title, situation=text, opinion="Un avis du bureau.", themes=("divers",),
                sectors=("cpas",), year=2020, channel="mail", legal_refs=(), updated_at=T0)
    base.update(kw)
    return CaseDoc(**base)


def test_upsert_replaces_by_ref_and_delete_removes(tmp_path):
    idx = CaseIndex(tmp_path / "ix")
    assert idx.doc_count() == 0
    idx.upsert([doc("A-1", "Cantine scolaire"), doc("A-2", "Piscine communale")])
    assert idx.doc_count() == 2
    idx.upsert([doc("A-1", "Bibliothèque de quartier")])
    assert idx.doc_count() == 2
    assert idx.search(SearchRequest(query="cantine")).total == 0
    assert [h.ref for h in idx.search(SearchRequest(query="bibliothèque")).hits] == ["A-1"]
    idx.delete(["A-2"])
    assert idx.doc_count() == 1
    res = idx.search(SearchRequest(query="piscine"))
    assert res.total == 0 and res.hits == []
    assert idx.search(SearchRequest()).total == 1


def test_stamps_follow_updates(tmp_path):
    idx = CaseIndex(tmp_path / "ix")
    later = T0 + timedelta(days=3)
    idx.upsert([doc("A-1", "Un"), doc("A-2", "Deux")])
    idx.upsert([doc("A-2", "Deux bis", updated_at=later)])
    assert idx.stamps() == {"A-1": T0, "A-2": later}


def test_rebuild_wipes_previous_content(tmp_path):
    idx = CaseIndex(tmp_path / "ix")
    idx.upsert([doc("OLD-1", "Ancien cas")])
    idx.rebuild([doc("NEW-1", "Nouveau cas"), doc("NEW-2", "Autre cas")])
    assert set(idx.stamps()) == {"NEW-1", "NEW-2"}
    assert idx.search(SearchRequest(query="ancien")).total == 0


def test_a_second_handle_sees_commits_of_the_first(tmp_path):
    writer, reader = CaseIndex(tmp_path / "ix"), CaseIndex(tmp_path / "ix")
    writer.upsert([doc("A-1", "Cantine")])
    assert reader.search(SearchRequest(query="cantine")).total == 1
    writer.upsert([doc("A-2", "Cantine encore")])
    writer.delete(["A-1"])
    res = reader.search(SearchRequest(query="cantine"))
    assert [h.ref for h in res.hits] == ["A-2"] and res.total == 1
