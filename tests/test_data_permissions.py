"""The data folder and its files are readable by their owner only (issue 15): folders 0700, files
0600, whether created by the app or left by an earlier start with a looser umask."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from kb.config import load_settings
from kb.records import CaseRecord
from kb.web import create_app
from tests.conftest import TEST_CONFIG, case_row


def modes(folder: Path) -> dict[str, int]:
    found = {".": stat.S_IMODE(folder.lstat().st_mode)}
    for path in folder.rglob("*"):
        found[str(path.relative_to(folder))] = stat.S_IMODE(path.lstat().st_mode)
    return found


def loose_modes(folder: Path) -> dict[str, str]:
    """Everything under the folder whose mode is not 0700 (folders) or 0600 (files)."""
    wrong = {}
    for name, mode in modes(folder).items():
        path = folder / name
        expected = 0o700 if path.is_dir() else 0o600
        if mode != expected:
            wrong[name] = oct(mode)
    return wrong


@pytest.fixture
def loose_umask():
    """A umask that would leave files readable by everyone (the usual 022), put back afterwards."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_every_file_the_app_writes_is_for_its_owner_only(tmp_path: Path, loose_umask) -> None:
    if os.environ.get("KB_DATABASE_URL"):
        pytest.skip("checks the SQLite files in the data folder")
    data_dir = tmp_path / "data"
    app = create_app(load_settings(data_dir=data_dir), dict(TEST_CONFIG))
    kb = app.extensions["kb"]
    ref = kb.create_case(CaseRecord(**case_row("new")), actor="test")  # database, WAL, index, locks
    assert kb.index.stamps().get(ref)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["kb", "export", str(data_dir / "export.csv")]).exit_code == 0
    found = modes(data_dir)
    for expected in ("kb.sqlite3", "kb.sqlite3-wal", "kb.sqlite3-shm", "secret_key", "init.lock", "outbox.lock",
                     "index", "export.csv"):
        assert expected in found, sorted(found)
    assert any(name.startswith("index/") and name.endswith(".seg") for name in found), sorted(found)
    assert loose_modes(data_dir) == {}
    kb.db.engine.dispose()


def test_a_folder_left_readable_by_an_earlier_start_is_closed(tmp_path: Path, loose_umask) -> None:
    data_dir = tmp_path / "data"
    (data_dir / "index").mkdir(parents=True)
    for name in ("secret_key", "index/old_segment.seg", "allowlist.txt"):
        (data_dir / name).write_text("x" * 64, encoding="utf-8")
    os.chmod(data_dir, 0o755)
    assert loose_modes(data_dir)
    app = create_app(load_settings(data_dir=data_dir, database_url=os.environ.get("KB_DATABASE_URL")), dict(TEST_CONFIG))
    assert loose_modes(data_dir) == {}
    app.extensions["kb"].db.engine.dispose()
