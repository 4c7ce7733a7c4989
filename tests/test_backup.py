"""`kb backup` then `kb restore` into an empty data folder gives back the same knowledge base."""
from __future__ import annotations

import json
from pathlib import Path

from indexes import SearchRequest
from tests.conftest import TEST_CONFIG, case_row, fresh_app, write_jsonl


def test_backup_restore_round_trip(app, client_as, runner, tmp_path: Path) -> None:
    runner.invoke(args=["kb", "import", str(write_jsonl(tmp_path / "c.jsonl", [
        case_row("AV-2021-001"), case_row("AV-2022-002", year=2022, year_to=2023, themes=["divers"])]))])
    trainer = client_as("trainer")
    trainer.post("/selections/", data={"title": "Formation", "shared": "y", "ref": "AV-2021-001"})
    bureau = client_as("bureau")
    bureau.post("/bureau/report/summary/AV-2021-001", data={"summary": "Résumé choisi."})
    bureau.post("/bureau/themes", data={"action": "add", "label": "Nouveau thème"})
    backup = tmp_path / "kb-backup.json.gz"
    result = runner.invoke(args=["kb", "backup", str(backup)])
    assert result.exit_code == 0, result.output

    app.extensions["kb"].db.engine.dispose()
    restored = fresh_app(tmp_path / "restored", TEST_CONFIG)  # an empty folder (and database)
    out = restored.test_cli_runner().invoke(args=["kb", "restore", str(backup)])
    assert out.exit_code == 0, out.output
    again = tmp_path / "again.json"
    restored.test_cli_runner().invoke(args=["kb", "backup", str(again)])

    from kb.backup import read_backup
    first, second = read_backup(backup), read_backup(again)
    for data in (first, second):
        data.pop("created_at")
    assert first == second
    kb = restored.extensions["kb"]
    assert kb.check().ok
    assert {h.ref for h in kb.index.search(SearchRequest(query="adresse usager")).hits} == {"AV-2021-001", "AV-2022-002"}
    assert {h.ref for h in kb.index.search(SearchRequest(themes=("divers",))).hits} == {"AV-2022-002"}
    # Accounts come back with their password hashes: the trainer logs in with the same password.
    client = restored.test_client()
    assert client.post("/login", data={"username": "trainer", "password": "un mot de passe solide"}).status_code == 302
    assert "Formation" in client.get("/selections/").get_data(as_text=True)

    # Restoring into a knowledge base that is not empty is refused and changes nothing.
    refused = restored.test_cli_runner().invoke(args=["kb", "restore", str(backup)])
    assert refused.exit_code != 0 and "not empty" in refused.output
    restored.extensions["kb"].db.engine.dispose()


def test_restore_rejects_what_is_not_a_backup(runner, tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"hello": 1}), encoding="utf-8")
    result = runner.invoke(args=["kb", "restore", str(path)])
    assert result.exit_code != 0 and "not a backup" in result.output
