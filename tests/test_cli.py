"""The command contracts of the design, which the evaluation tools call."""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from kb.records import read_records
from kb.models import THEMES
from tests.conftest import case_row, write_jsonl


def test_anonymize_jsonl_contract(runner, tmp_path: Path) -> None:
    src = write_jsonl(tmp_path / "in.jsonl", [
        {"id": "a", "text": "Mme Sophie Lemaire (0475 12 34 56) a appelé le CPAS."},
        {"id": 7, "text": "Rien à masquer ici : une assistante sociale du CPAS."},
    ])
    out = tmp_path / "out.jsonl"
    result = runner.invoke(args=["kb", "anonymize", "--jsonl", str(src), "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["a", 7]
    first = rows[0]
    assert "Lemaire" not in first["text"] and "0475" not in first["text"] and "CPAS" in first["text"]
    original = "Mme Sophie Lemaire (0475 12 34 56) a appelé le CPAS."
    labels = {e["label"] for e in first["entities"]}
    assert {"PERSON", "PHONE"} <= labels
    for ent in first["entities"]:
        assert ent["replacement"] and 0 <= ent["start"] < ent["end"] <= len(original)
    assert rows[1]["entities"] == [] and rows[1]["text"] == "Rien à masquer ici : une assistante sociale du CPAS."
    assert rows[1]["residuals"] == []


def test_anonymize_jsonl_gives_the_residual_check_of_the_anonymised_text(runner, tmp_path: Path) -> None:
    """`residuals` are offsets into the anonymised text, so the safety net can be measured from outside."""
    src = write_jsonl(tmp_path / "in.jsonl", [{"id": 1, "text": "Le numéro 8 7 3 9 1 2 du dossier interne est à noter."}])
    out = tmp_path / "out.jsonl"
    assert runner.invoke(args=["kb", "anonymize", "--jsonl", str(src), "--out", str(out)]).exit_code == 0
    row = json.loads(out.read_text(encoding="utf-8"))
    assert row["residuals"], row
    for r in row["residuals"]:
        assert set(r) == {"start", "end", "kind"} and 0 <= r["start"] < r["end"] <= len(row["text"])


def test_anonymize_stdin(runner) -> None:
    result = runner.invoke(args=["kb", "anonymize"], input="Écrire à jean.dupont@example.be avant lundi.")
    assert result.exit_code == 0
    assert "jean.dupont@example.be" not in result.output and "avant lundi" in result.output


def test_search_queries_file_prints_one_json_object_per_query(runner, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", [
        case_row("AV-2021-001"),
        case_row("AV-2016-002", title="Les parents d'une adolescente veulent savoir ce qu'elle a confié",
                 situation="Une jeune de 15 ans se confie à l'éducatrice de l'AMO ; ses parents exigent de savoir.",
                 themes=["secret-professionnel"], sectors=["amo"], year=2016, legal_refs=[]),
    ])
    assert runner.invoke(args=["kb", "import", str(path)]).exit_code == 0
    queries = tmp_path / "q.txt"
    queries.write_text("police adresse\nparents adolescente\nzzzz introuvable\n", encoding="utf-8")
    result = runner.invoke(args=["kb", "search", "--queries", str(queries), "--limit", "10", "--json"])
    assert result.exit_code == 0, result.output
    answers = [json.loads(line) for line in result.output.splitlines()]
    assert [a["query"] for a in answers] == ["police adresse", "parents adolescente", "zzzz introuvable"]
    assert answers[0]["results"][0]["ref"] == "AV-2021-001"
    assert answers[1]["results"][0]["ref"] == "AV-2016-002"
    assert set(answers[0]["results"][0]) >= {"ref", "title", "score", "themes"}
    assert answers[2]["total"] == 0 and answers[2]["results"] == []

    filtered = runner.invoke(args=["kb", "search", "confie", "--year-from", "2020", "--json"])
    assert json.loads(filtered.output)["results"] == []
    by_theme = runner.invoke(args=["kb", "search", "", "--theme", "justice-police", "--json"])
    assert [r["ref"] for r in json.loads(by_theme.output)["results"]] == ["AV-2021-001"]


def test_check_reindex_and_export_round_trip(kb, runner, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", [case_row("AV-2021-001"), case_row("AV-2022-002", year=2022)])
    runner.invoke(args=["kb", "import", str(path)])
    assert "agree" in runner.invoke(args=["kb", "check"]).output

    kb.index.delete(["AV-2022-002"])
    result = runner.invoke(args=["kb", "check"])
    assert result.exit_code == 1 and "missing from the index: AV-2022-002" in result.output
    assert "Repaired" in runner.invoke(args=["kb", "check", "--repair"]).output
    assert runner.invoke(args=["kb", "check"]).exit_code == 0

    assert "2 cases" in runner.invoke(args=["kb", "reindex"]).output
    for name in ("out.jsonl", "out.csv"):
        out = tmp_path / name
        assert runner.invoke(args=["kb", "export", str(out)]).exit_code == 0
        records = read_records(out, THEMES)
        assert [r.ref for r in records] == ["AV-2021-001", "AV-2022-002"]
        assert records[1].legal_refs == ["art. 458 Code pénal"] and records[1].year == 2022
    with (tmp_path / "out.csv").open(encoding="utf-8") as f:
        assert next(csv.reader(f))[0] == "ref"


def test_load_demo_once(kb, runner) -> None:
    first = runner.invoke(args=["kb", "load-demo"])
    assert first.exit_code == 0 and "Cas de démonstration : " in first.output and "ajoutés" in first.output
    with kb.db.session() as session:
        count = kb.count_cases(session)
    assert count >= 30
    assert "La base contient déjà" in runner.invoke(args=["kb", "load-demo"]).output
    assert kb.check().ok


def test_the_console_lines_of_scripts_start_are_french(runner) -> None:
    first = runner.invoke(args=["kb", "ensure-admin"])
    assert first.exit_code == 0
    assert "Premier compte créé" in first.output and "Ce mot de passe est provisoire" in first.output
    again = runner.invoke(args=["kb", "ensure-admin"]).output
    assert "Des comptes existent déjà" in again
    start = (Path(__file__).resolve().parents[1] / "scripts" / "start").read_text(encoding="utf-8")
    assert "kb serve" in start and "flask --app app run" not in start
    for line in re.findall(r'echo "([^"]*)"', start):
        assert not re.search(r"\b(the|and|with|open|ready)\b", line, re.I), line


def test_check_reports_removed_text_left_in_the_index_and_repair_purges_it(kb, runner, tmp_path: Path) -> None:
    """An index written by a process that died mid-way (or before purging existed) may keep a removed
    case in a segment: `kb check` says so (exit 1) and `kb check --repair` rewrites that segment."""
    from indexes import store

    runner.invoke(args=["kb", "import", str(write_jsonl(tmp_path / "c.jsonl", [case_row("AV-2021-001"), case_row("AV-2021-002")]))])
    with store.writer(kb.index._ix) as w:  # Whoosh's plain deletion: the document stays in its segment
        w.delete_by_term("ref", "AV-2021-002")
    result = runner.invoke(args=["kb", "check"])
    assert result.exit_code == 1 and "still holds the text of removed" in result.output
    assert runner.invoke(args=["kb", "check", "--repair"]).exit_code == 0
    assert not kb.index.needs_purge() and kb.check().ok


def test_the_kb_command_runs_the_same_commands(tmp_path: Path) -> None:
    """`kb ...` ([project.scripts], installed by scripts/test) is `flask --app app kb ...`."""
    import os
    import subprocess
    import sys

    from tests.conftest import reset_database

    if os.environ.get("KB_DATABASE_URL"):
        reset_database(os.environ["KB_DATABASE_URL"])
    kb = Path(sys.executable).parent / "kb"
    env = dict(os.environ, KB_DATA_DIR=str(tmp_path / "data"))
    src = write_jsonl(tmp_path / "in.jsonl", [case_row("AV-2021-001")])
    done = subprocess.run([str(kb), "import", str(src)], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    found = subprocess.run([str(kb), "search", "--json", "adresse police"], env=env, capture_output=True, text=True, timeout=120)
    assert found.returncode == 0, found.stderr[-2000:]
    assert "AV-2021-001" in found.stdout
