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


def index_bytes(path) -> bytes:
    return b"".join(f.read_bytes() for f in path.rglob("*") if f.is_file())


def test_an_update_or_a_deletion_leaves_no_removed_word_in_the_index_files(tmp_path):
    """Whoosh keeps a replaced or deleted document in its segment until the segment is rewritten:
    the index purges it at the same commit, so the removed words leave every file at once."""
    idx = CaseIndex(tmp_path / "ix")
    idx.upsert([doc(f"A-{i}", f"Cas ordinaire {i}") for i in range(30)])
    idx.upsert([doc("A-7", "Madame Quarnevoort demande son dossier", "Madame Quarnevoort habite Zwijndrecht.")])
    idx.upsert([doc("B-8", "Monsieur Ublitzky appelle")])
    assert b"quarnevoort" in index_bytes(tmp_path / "ix")
    idx.upsert([doc("A-7", "Une mère demande son dossier", "Elle habite une commune voisine.")])
    idx.delete(["B-8"])
    data = index_bytes(tmp_path / "ix")
    for word in (b"quarnevoort", b"Quarnevoort", b"zwijndrecht", b"ublitzky", b"Ublitzky"):
        assert word not in data
    assert idx.doc_count() == 30 and not idx.needs_purge()
    assert [h.ref for h in idx.search(SearchRequest(query="mère dossier")).hits][:1] == ["A-7"]


def test_purge_rewrites_what_an_interrupted_write_left(tmp_path):
    """An index written without purging (an older version, or a crash mid-way) is purged on demand."""
    from indexes import store

    idx = CaseIndex(tmp_path / "ix")
    idx.upsert([doc("A-1", "Madame Quarnevoort"), doc("A-2", "Un autre cas")])
    with store.writer(idx._ix) as w:  # the plain Whoosh way: the deleted document stays in its segment
        w.delete_by_term("ref", "A-1")
    assert idx.needs_purge() and b"quarnevoort" in index_bytes(tmp_path / "ix")
    assert idx.purge() is True
    assert not idx.needs_purge() and b"quarnevoort" not in index_bytes(tmp_path / "ix")
    assert idx.purge() is False and idx.doc_count() == 1


def test_rebuild_in_bounded_segments_keeps_every_case_once(tmp_path, monkeypatch):
    from indexes import store

    monkeypatch.setattr(store, "SEGMENT_DOCS", 4)
    idx = CaseIndex(tmp_path / "ix")
    idx.upsert([doc("OLD-1", "Madame Quarnevoort"), doc("N-3", "Ancienne version")])
    idx.rebuild([doc(f"N-{i}", f"Nouveau cas {i}") for i in range(10)])
    assert sorted(idx.stamps()) == sorted(f"N-{i}" for i in range(10))
    assert idx.search(SearchRequest(query="ancienne")).total == 0
    assert all(seg.doc_count_all() <= 4 for seg in idx._ix._segments())
    assert b"quarnevoort" not in index_bytes(tmp_path / "ix")
