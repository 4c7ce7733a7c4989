"""Dense retrieval with the real model: vectors are data (computed on every write, stored with the
model's name and version, read by rebuilds, gone with their case), searches and similar cases fuse
them with the lexical ranking, and a model that cannot load leaves a working lexical search that
`kb check` reports."""
from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select, update

from indexes import CaseIndex, SearchRequest
from indexes.dense import DEFAULT_MODEL, from_bytes, load, passage_text, to_bytes
from kb.case_vectors import CaseVector, text_hash
from kb.config import load_settings
from kb.models import Case
from kb.records import CaseRecord
from kb.web import create_app
from tests.conftest import TEST_CONFIG, case_row, fresh_app, reset_database, write_jsonl

ARCHIVES = dict(
    title="Une asbl ferme ses portes : que deviennent les dossiers des bénéficiaires ?",
    situation="L'association cesse ses activités à la fin de l'année. Dans la cave restent des armoires "
              "pleines de dossiers papier des personnes accompagnées depuis vingt ans.",
    opinion="Les dossiers ne peuvent être ni jetés tels quels ni confiés à n'importe qui : le bureau conseille "
            "de les détruire de façon sûre ou de les remettre au service qui reprend le suivi, avec l'accord "
            "des personnes.",
    themes=["secret-professionnel"], sectors=["asbl"], legal_refs=[])
SCHOOL = dict(
    title="Une école demande le suivi d'un élève",
    situation="La direction d'une école veut savoir pourquoi le service suit un élève de sa classe.",
    opinion="Le service ne transmet pas d'information sans l'accord de la famille.",
    themes=["questions-deontologiques"], sectors=["enseignement"], legal_refs=[])


def records(*rows: dict) -> list[CaseRecord]:
    return [CaseRecord(**row) for row in rows]


def seed(kb) -> None:
    kb.save_records(records(case_row("AV-2021-001"),
                            case_row("AV-2022-001", year=2022, **ARCHIVES),
                            case_row("AV-2023-001", year=2023, **SCHOOL)))


def stored(kb, ref: str) -> CaseVector | None:
    with kb.db.session() as session:
        case_id = session.scalar(select(Case.id).where(Case.ref == ref))
        return session.scalar(select(CaseVector).where(CaseVector.case_id == case_id))


def test_the_model_embeds_with_its_name_and_version() -> None:
    model = load(DEFAULT_MODEL)
    assert model.key == f"{DEFAULT_MODEL}@{model.version}" and model.version[0].isdigit()
    q = model.embed_query("la police veut l'adresse d'un usager")
    p = model.embed_passages(["Un policier demande l'adresse d'un bénéficiaire.", "Recette de la tarte aux pommes."])
    assert q.shape == (512,) and np.allclose(np.linalg.norm(p, axis=1), 1.0, atol=1e-4)
    assert p[0] @ q > p[1] @ q + 0.1
    # the stored form (float16) keeps the ranking
    assert np.allclose(from_bytes(to_bytes(q)), q, atol=1e-3)


def test_every_write_stores_the_vector_of_its_text(kb) -> None:
    seed(kb)  # import
    first = stored(kb, "AV-2022-001")
    model = kb.dense.get()
    assert first.model == model.key
    assert first.text_hash == text_hash(ARCHIVES["title"], ARCHIVES["situation"], ARCHIVES["opinion"])
    expected = model.embed_passages([passage_text(ARCHIVES["title"], ARCHIVES["situation"], ARCHIVES["opinion"])])[0]
    assert np.allclose(from_bytes(first.vector), expected, atol=2e-3)

    edited = replace(records(case_row("AV-2022-001", **ARCHIVES))[0], opinion="Le bureau conseille de tout détruire.")
    kb.update_case("AV-2022-001", edited, actor="test")  # an edit (web page and re-import alike)
    second = stored(kb, "AV-2022-001")
    assert second.text_hash != first.text_hash and second.vector != first.vector

    ref = kb.create_case(records(case_row("X", year=2024))[0], actor="test")  # intake and draft approval
    assert stored(kb, ref) is not None

    kb.delete_case(ref, actor="test")
    with kb.db.session() as session:
        assert session.scalar(select(CaseVector).where(CaseVector.case_id.not_in(select(Case.id)))) is None


def test_an_unchanged_text_is_not_embedded_again(kb) -> None:
    seed(kb)
    with kb.db.session() as session:
        assert kb.vectors.prepare(session, [(ARCHIVES["title"], ARCHIVES["situation"], ARCHIVES["opinion"])]) == {}
        assert len(kb.vectors.prepare(session, [("Un autre titre", "Une autre situation.", "")])) == 1


def test_a_rebuild_reads_the_stored_vectors(kb) -> None:
    """A vector changed in the database (here: the school case's, given to the archives case) is what
    the rebuilt index holds: the rebuild read it, it did not embed the text again."""
    seed(kb)
    school = stored(kb, "AV-2023-001").vector
    with kb.db.session() as session:
        case_id = session.scalar(select(Case.id).where(Case.ref == "AV-2022-001"))
        session.execute(update(CaseVector).where(CaseVector.case_id == case_id).values(vector=school))
        session.commit()
    kb.reindex()
    generation = kb.index._generation()
    docnum = generation.searcher.document_number(ref="AV-2022-001")
    assert np.allclose(generation.dense(kb.dense_key()).vector(docnum), from_bytes(school))


def test_meaning_finds_a_case_that_shares_no_word_with_the_query(kb) -> None:
    seed(kb)
    query = "on arrête tout : la police, et que faire des vieux classeurs ?"
    lexical = CaseIndex(kb.settings.index_dir).search(SearchRequest(query=query))  # the same index, no model
    assert "AV-2022-001" not in [h.ref for h in lexical.hits] and lexical.total
    fused = kb.index.search(SearchRequest(query=query))
    assert "AV-2022-001" in [h.ref for h in fused.hits]
    scores = [h.score for h in fused.hits]
    assert scores == sorted(scores, reverse=True)
    assert fused.total == len(fused.hits) and sum(n for _, n in fused.facets["year"]) == fused.total


def test_nothing_matching_still_says_nothing(kb) -> None:
    seed(kb)
    assert kb.index.search(SearchRequest(query="recette de tarte aux pommes")).total == 0


def test_similar_cases_use_the_stored_vectors(kb) -> None:
    seed(kb)
    kb.save_records(records(case_row("AV-2024-001", year=2024, title="Fermeture d'un service : les archives",
                                     situation="Le service social arrête ; ses armoires de dossiers restent.",
                                     opinion="Détruire ou transmettre avec l'accord des personnes.",
                                     themes=["divers"], sectors=["asbl"], legal_refs=[])))
    similar = kb.index.similar("AV-2024-001", limit=3)
    assert similar[0].ref == "AV-2022-001" and "AV-2024-001" not in [h.ref for h in similar]


def test_an_edit_or_a_deletion_leaves_no_old_vector_on_disk(kb, data_dir: Path) -> None:
    if os.environ.get("KB_DATABASE_URL"):
        pytest.skip("the database server's files are outside the data folder")
    seed(kb)
    old = stored(kb, "AV-2022-001").vector
    gone = stored(kb, "AV-2023-001").vector
    edited = replace(records(case_row("AV-2022-001", **ARCHIVES))[0], title="Autre titre", situation="Autre texte.")
    kb.update_case("AV-2022-001", edited, actor="test")
    kb.delete_case("AV-2023-001", actor="test")
    kb.wait_for_purge()
    for path in data_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert old not in data and gone not in data, path.name


def test_embed_changes_the_model_and_check_reports_what_is_missing(kb, runner) -> None:
    seed(kb)
    with kb.db.session() as session:
        row = session.scalar(select(CaseVector).limit(1))
        session.add(CaseVector(case_id=row.case_id, model="an-older-model@0.1", text_hash="x", vector=b"\0\0"))
        session.execute(CaseVector.__table__.delete().where(CaseVector.case_id != row.case_id))
        session.commit()
    out = runner.invoke(args=["kb", "check"])
    assert out.exit_code == 1
    assert "2 case(s) without a vector" in out.output and "1 vector(s) of another model" in out.output
    out = runner.invoke(args=["kb", "embed"])
    assert out.exit_code == 0, out.output
    assert f"2 vector(s) computed for 3 cases with {kb.dense_key()}" in out.output
    out = runner.invoke(args=["kb", "check"])
    assert out.exit_code == 0 and "a vector for each of the 3 case(s)" in out.output


def test_check_repair_computes_missing_vectors(kb, runner) -> None:
    seed(kb)
    with kb.db.session() as session:
        session.execute(CaseVector.__table__.delete())
        session.commit()
    assert runner.invoke(args=["kb", "check"]).exit_code == 1
    assert runner.invoke(args=["kb", "check", "--repair"]).exit_code == 0
    assert runner.invoke(args=["kb", "check"]).exit_code == 0


@pytest.fixture
def app_without_model(data_dir: Path):
    """A server whose setting names a model that is not there."""
    url = os.environ.get("KB_DATABASE_URL")
    if url:
        reset_database(url)
    app = create_app(load_settings(data_dir=data_dir, database_url=url, dense_model="a-model-not-installed"),
                     dict(TEST_CONFIG))
    yield app
    app.extensions["kb"].db.engine.dispose()


def test_without_the_model_search_is_lexical_and_check_says_so(app_without_model, tmp_path: Path) -> None:
    kb = app_without_model.extensions["kb"]
    runner = app_without_model.test_cli_runner()
    seed(kb)  # writes still work, without vectors
    assert stored(kb, "AV-2021-001") is None
    queries = write_jsonl(tmp_path / "q.txt", [])
    queries.write_text("police adresse usager\n", encoding="utf-8")
    out = runner.invoke(args=["kb", "search", "--queries", str(queries)])
    line = json.loads(out.output.splitlines()[0])
    # the documented keys the evaluation tools read (the line is the shape of /api/search, a superset)
    assert {"query", "total", "results"} <= set(line) and line["results"][0]["ref"] == "AV-2021-001"
    assert {"ref", "title", "score", "themes"} <= set(line["results"][0])
    out = runner.invoke(args=["kb", "check"])
    assert out.exit_code == 1
    assert "Model a-model-not-installed cannot load: unknown model" in out.output
    assert "Searches are lexical only" in out.output


def test_turned_off_on_purpose_check_passes(data_dir: Path) -> None:
    url = os.environ.get("KB_DATABASE_URL")
    if url:
        reset_database(url)
    app = create_app(load_settings(data_dir=data_dir, database_url=url, dense_model="off"), dict(TEST_CONFIG))
    try:
        out = app.test_cli_runner().invoke(args=["kb", "check"])
        assert out.exit_code == 0 and "Dense retrieval is off" in out.output
    finally:
        app.extensions["kb"].db.engine.dispose()


def test_a_backup_carries_the_vectors_and_a_restore_keeps_them(kb, runner, tmp_path: Path) -> None:
    """The restored base holds the backup's vectors as they were (the archives case is given the school
    case's vector in the file: a restore that embedded the text again would not keep it)."""
    seed(kb)
    school = stored(kb, "AV-2023-001").vector
    backup = tmp_path / "b.json"
    assert runner.invoke(args=["kb", "backup", str(backup)]).exit_code == 0
    data = json.loads(backup.read_text(encoding="utf-8"))
    by_ref = {c["ref"]: c for c in data["cases"]}
    assert all(c["vector"]["model"] == kb.dense_key() for c in data["cases"])
    by_ref["AV-2022-001"]["vector"]["data"] = by_ref["AV-2023-001"]["vector"]["data"]
    backup.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    restored = fresh_app(tmp_path / "restored", TEST_CONFIG)
    try:
        out = restored.test_cli_runner().invoke(args=["kb", "restore", str(backup)])
        assert out.exit_code == 0, out.output
        other = restored.extensions["kb"]
        assert stored(other, "AV-2022-001").vector == school  # on PostgreSQL the same database, restored
        assert restored.test_cli_runner().invoke(args=["kb", "check"]).exit_code == 0
    finally:
        restored.extensions["kb"].db.engine.dispose()


def test_an_index_written_before_dense_vectors_is_searched_then_rebuilt(kb, runner) -> None:
    """The index of an earlier version has no vector column: searches stay lexical, writes leave the
    vectors out, `kb check` asks for a rebuild, and `kb reindex` brings the vectors in."""
    from whoosh import index as windex

    from indexes.schema import DENSE_FIELD, DENSE_MODEL_FIELD, build_schema
    from indexes.store import INDEX_NAME
    from kb import change_log, index_position

    kb.index.close()
    schema = build_schema()
    schema.remove(DENSE_FIELD)
    schema.remove(DENSE_MODEL_FIELD)
    for child in kb.settings.index_dir.iterdir():
        child.unlink()
    windex.create_in(str(kb.settings.index_dir), schema, indexname=INDEX_NAME)
    with kb.db.engine.connect() as connection:  # an index of that version follows the change log too
        index_position.write(kb.settings.index_dir, change_log.head(connection))
    kb._index = None
    seed(kb)
    assert not kb.index.has_vector_column()
    assert kb.index.search(SearchRequest(query="police adresse usager")).hits[0].ref == "AV-2021-001"
    out = runner.invoke(args=["kb", "check"])
    assert out.exit_code == 1 and "written before dense vectors" in out.output
    assert runner.invoke(args=["kb", "reindex"]).exit_code == 0
    assert kb.index.has_vector_column() and kb.index.vector_count(kb.dense_key()) == 3
    assert runner.invoke(args=["kb", "check"]).exit_code == 0
