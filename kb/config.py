"""Where the data lives: one folder for the SQLite file and the Whoosh index, or a database URL."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"


def load_settings(data_dir: str | os.PathLike | None = None, database_url: str | None = None) -> Settings:
    """Read KB_DATA_DIR (default `instance/` under the project) and KB_DATABASE_URL."""
    folder = Path(data_dir or os.environ.get("KB_DATA_DIR") or PROJECT_ROOT / "instance").resolve()
    url = database_url or os.environ.get("KB_DATABASE_URL") or f"sqlite:///{folder / 'kb.sqlite3'}"
    return Settings(data_dir=folder, database_url=url)
