"""A lock shared by the processes of one machine (gunicorn workers, CLI commands), on a file in the data folder.

The kernel releases it when a process dies, even by SIGKILL, so a crash never leaves it taken.
"""
from __future__ import annotations

import fcntl
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def wait_for(path: Path) -> None:
    """Wait until nobody holds the lock on `path` exclusively (returns at once when it is free)."""
    if not path.exists():
        return
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_SH)
        fcntl.flock(handle, fcntl.LOCK_UN)


def is_taken(path: Path) -> bool:
    """Whether someone holds the lock on `path` exclusively now (never waits)."""
    if not path.exists():
        return False
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def take(path: Path):
    """The lock on `path`, taken now and released by whoever closes the returned file (another thread
    may: the lock belongs to the open file, not to the thread)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a")
    fcntl.flock(handle, fcntl.LOCK_EX)
    return handle
