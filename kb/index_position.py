"""Where an index stands in the change log, kept in the index folder itself.

The position travels with the index: an index copied back from a backup, or rebuilt, carries the
position it really has, never the one its server last had. The file is replaced atomically after
the index commit it follows, so a crash leaves the old position (the next sync applies those
changes again, which is harmless) and never a position ahead of the index.

A rebuild under way is marked in the same file: if the process dies before the end, the index has
no position and its next sync rebuilds it. That mark belongs to this server's index only; another
server's index is not touched.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

FILE_NAME = "position.json"


@dataclass(frozen=True)
class IndexPosition:
    applied: int | None  # the id of the last log row applied; None: unknown, rebuild
    rebuilding: bool = False  # a rebuild was started and has not ended (or died)


def read(index_dir: Path) -> IndexPosition:
    try:
        data = json.loads((index_dir / FILE_NAME).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return IndexPosition(applied=None)  # an index made before positions existed, or a wiped one
    if data.get("rebuilding"):
        return IndexPosition(applied=None, rebuilding=True)
    applied = data.get("applied")
    return IndexPosition(applied=applied if isinstance(applied, int) and applied >= 0 else None)


def write(index_dir: Path, applied: int) -> None:
    _replace(index_dir, {"applied": applied})


def mark_rebuilding(index_dir: Path) -> None:
    _replace(index_dir, {"rebuilding": True})


def _replace(index_dir: Path, data: dict) -> None:
    """Write a new file beside the old one, flush it to disk, then rename it over the old one."""
    index_dir.mkdir(parents=True, exist_ok=True)
    temporary = index_dir / f".{FILE_NAME}.{os.getpid()}"
    with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as out:
        json.dump(data, out)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, index_dir / FILE_NAME)
    directory = os.open(index_dir, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
