"""Where the data lives: one folder for the SQLite file and the Whoosh index, or a database URL."""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from indexes.dense import DEFAULT_MODEL

PROJECT_ROOT = Path(__file__).resolve().parent.parent
NODE_RETENTION_DAYS = 30  # a server unseen for longer stops holding the index change log back


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    # This server's name among those sharing the database (KB_NODE_NAME); empty: a generated name
    # kept in the data folder (kb/nodes.py).
    node_name: str = ""
    node_retention: timedelta = timedelta(days=NODE_RETENTION_DAYS)
    # The sentence-embedding model of dense retrieval (indexes/dense.py), or "off". Servers that share
    # a database share it too; changing it takes `kb embed` (until then searches are lexical only).
    dense_model: str = DEFAULT_MODEL

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"


def load_settings(data_dir: str | os.PathLike | None = None, database_url: str | None = None,
                  node_name: str | None = None, dense_model: str | None = None) -> Settings:
    """Read KB_DATA_DIR (default `instance/` under the project), KB_DATABASE_URL, KB_NODE_NAME,
    KB_NODE_RETENTION_DAYS (default 30) and KB_DENSE_MODEL."""
    folder = Path(data_dir or os.environ.get("KB_DATA_DIR") or PROJECT_ROOT / "instance").resolve()
    url = database_url or os.environ.get("KB_DATABASE_URL") or f"sqlite:///{folder / 'kb.sqlite3'}"
    name = node_name if node_name is not None else os.environ.get("KB_NODE_NAME", "")
    days = float(os.environ.get("KB_NODE_RETENTION_DAYS") or NODE_RETENTION_DAYS)
    model = dense_model or os.environ.get("KB_DENSE_MODEL") or DEFAULT_MODEL
    return Settings(data_dir=folder, database_url=url, node_name=name.strip(), node_retention=timedelta(days=days),
                    dense_model=model.strip())


PRIVATE_UMASK = 0o077  # files rw-------, folders rwx------


def make_private(folder: Path) -> None:
    """The data folder and everything in it readable by its owner only: this process creates files
    from now on without group or other permissions (umask 077: the SQLite file and its WAL and SHM,
    the index, locks, the key, and the command line's exports and backups), the folder is 0700, and
    what was there before (an earlier version, another umask) is brought to 0700 / 0600. Symbolic
    links are not followed; files of another user are left alone."""
    os.umask(PRIVATE_UMASK)
    folder.mkdir(parents=True, exist_ok=True)
    uid = os.getuid()
    for root, dirs, files in os.walk(folder):
        _restrict(Path(root), 0o700, uid)
        for name in files:
            _restrict(Path(root) / name, 0o600, uid)
        dirs[:] = [d for d in dirs if not (Path(root) / d).is_symlink()]


def _restrict(path: Path, mode: int, uid: int) -> None:
    try:
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode) or info.st_uid != uid or stat.S_IMODE(info.st_mode) == mode:
            return
        path.chmod(mode)
    except OSError:
        pass  # gone meanwhile, or not ours to change
