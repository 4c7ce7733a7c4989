"""The allow-list: domain vocabulary (institution types, legal references, sector acronyms) never masked.

Kept in a data file so that the bureau can edit it; an extra file can be layered on top. Entries are
matched on whole words after folding (case and accents ignored), so "le CPAS" and "cpas" are both kept.
An entry written "=PHARE" is kept only as typed: an acronym that is also an ordinary word, so that
"le service Le Phare" (a local name) is still masked.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from frenchtext.folding import fold_key

DEFAULT_PATH = Path(__file__).parent / "data" / "allowlist.txt"
AUTHORS_PATH = Path(__file__).parent / "data" / "cited_authors.txt"  # authors cited in training texts
#: Environment variable naming an extra allow-list file (one entry a line), read by get_allowlist().
ENV_EXTRA = "KB_ALLOWLIST"


@dataclass(frozen=True)
class Allowlist:
    phrases: frozenset[str]      # folded keys ("procureur du roi")
    words: frozenset[str]        # folded single words, for quick token tests
    max_words: int
    prefixes: frozenset[str] = frozenset()  # every word prefix of a phrase, to stop scanning early
    exact: frozenset[str] = frozenset()     # single words kept only when typed exactly so ("=PHARE")

    def __contains__(self, text: str) -> bool:
        return fold_key(text) in self.phrases or text in self.exact


def read_entries(path: Path) -> list[str]:
    """Entries of an allow-list file: one a line, blank lines and '#' comments ignored."""
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip() if line.lstrip().startswith("#") else line.strip()
        if line:
            out.append(line)
    return out


def load_allowlist(extra_path: Path | None = None) -> Allowlist:
    """Read the packaged allow-list, plus extra_path when given (the bureau's own additions)."""
    entries = read_entries(DEFAULT_PATH) + read_entries(AUTHORS_PATH)
    if extra_path is not None:
        entries += read_entries(Path(extra_path))
    exact = {e[1:].strip() for e in entries if e.startswith("=")}
    keys = {fold_key(e) for e in entries if not e.startswith("=")}
    keys.discard("")
    prefixes = {" ".join(k.split()[:n]) for k in keys for n in range(1, len(k.split()) + 1)}
    return Allowlist(phrases=frozenset(keys),
                     words=frozenset(k for k in keys if " " not in k),
                     max_words=max(len(k.split()) for k in keys),
                     prefixes=frozenset(prefixes), exact=frozenset(exact))


_extra_path: Path | None = None


def use_extra_allowlist(path: Path | None) -> None:
    """Where the bureau's own additions are kept (the application points this at its data folder)."""
    global _extra_path
    _extra_path = Path(path) if path else None


def get_allowlist() -> Allowlist:
    """The allow-list in force: packaged file + the bureau's file (or $KB_ALLOWLIST).

    Re-read when that file changes, so an edit made through one web worker applies in all of them.
    """
    extra = _extra_path or (Path(os.environ[ENV_EXTRA]) if os.environ.get(ENV_EXTRA) else None)
    stamp = extra.stat().st_mtime_ns if extra is not None and extra.exists() else None
    return _cached(str(extra) if stamp is not None else None, stamp)


@lru_cache(maxsize=4)
def _cached(extra: str | None, _stamp: int | None) -> Allowlist:
    return load_allowlist(Path(extra) if extra else None)


def bureau_entries(path: Path) -> list[str]:
    return read_entries(path) if path.exists() else []


def save_bureau_entries(path: Path, entries: list[str]) -> None:
    """Written whole to a temporary name, then renamed: readers never see half a file."""
    clean = list(dict.fromkeys(e.strip() for e in entries if e.strip() and not e.strip().startswith("#")))
    partial = path.with_name(path.name + ".partial")
    partial.write_text("# The bureau's additions to the allow-list, one entry a line.\n" + "\n".join(clean) + "\n",
                       encoding="utf-8")
    partial.replace(path)
